//! Earnings from the synced timecards: dated in the department's time zone, grouped into
//! biweekly pay periods that partition the shifts, with totals that add up.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use proptest::prelude::*;
use uuid::Uuid;

use offduty_core::earnings::{self, ShiftEarning};
use offduty_domain::earnings::PayPeriodRule;
use offduty_domain::protocol::{PunchRecord, SyncResponse, TimecardStatus};
use offduty_domain::punch::PunchVerdict;

use crate::support::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn before_any_timecard_the_report_is_empty_in_the_departments_currency() {
    let phone = Phone::new();
    let r = phone.core.earnings().unwrap();
    assert_eq!(r.currency, "USD");
    assert!(r.shifts.is_empty() && r.periods.is_empty() && r.payments.is_empty());
    assert_eq!(r.year_to_date.label, "2026 year to date");
    assert_eq!(
        phone.core.earnings_csv().unwrap().lines().count(),
        1,
        "just the header"
    );
}

#[test]
fn shifts_and_payments_are_dated_in_the_departments_time_zone() {
    // Starts 23:00 in Columbus on Sunday 25 October: 03:00 UTC on Monday the 26th.
    let mut late = job();
    late.starts_at = utc("2026-10-26T03:00:00Z");
    late.ends_at = late.starts_at + hours(4);
    let mut paid = timecard(&late, 240, TimecardStatus::Paid);
    // Paid 23:30 in Columbus on Thursday 29 October.
    paid.paid_at = Some(utc("2026-10-30T03:30:00Z"));
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![late.clone()],
        timecards: vec![paid],
        ..snapshot()
    });

    let r = phone.core.earnings().unwrap();
    assert_eq!(r.shifts[0].date, day(2026, 10, 25));
    assert_eq!(r.shifts[0].title, late.title);
    assert_eq!(r.shifts[0].gross_cents, Some(26_000));
    assert_eq!(r.payments[0].paid_on, day(2026, 10, 29));
    assert_eq!(
        (r.periods[0].from, r.periods[0].to),
        (Some(day(2026, 10, 12)), Some(day(2026, 10, 25))),
        "a Sunday-night shift belongs to the period that ends that Sunday"
    );
    assert_eq!(r.year_to_date.sums.paid_cents, 26_000);
}

#[test]
fn a_timecard_whose_job_is_no_longer_cached_is_dated_by_its_clock_in() {
    let gone = job();
    let mut card = timecard(&gone, 180, TimecardStatus::Approved);
    card.clock_in = Some(PunchRecord {
        event_id: Uuid::now_v7(),
        at: utc("2026-10-20T12:00:00Z"),
        verdict: PunchVerdict::Verified,
        reasons: Vec::new(),
        fix: None,
    });
    let phone = Phone::synced(&SyncResponse {
        timecards: vec![card],
        ..snapshot()
    });
    let r = phone.core.earnings().unwrap();
    assert_eq!(r.shifts[0].date, day(2026, 10, 20));
    assert_eq!(r.shifts[0].title, "");
    assert_eq!(r.year_to_date.sums.unpaid_cents, 19_500);
}

// --- properties -----------------------------------------------------------------------------------

fn status() -> impl Strategy<Value = TimecardStatus> {
    use TimecardStatus::*;
    prop::sample::select(vec![Open, Pending, NeedsReview, Approved, Invoiced, Paid])
}

/// A shift within two years around the anchor, maybe not yet priced, paid some days later
/// when its status is paid.
fn shift() -> impl Strategy<Value = ShiftEarning> {
    (
        -400i64..400,
        0i64..24,
        prop::option::of(0i64..80_000),
        status(),
        0i64..40,
    )
        .prop_map(|(d, h, gross, status, paid_after)| {
            let starts_at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
                + Duration::days(d)
                + Duration::hours(h);
            ShiftEarning {
                timecard_id: Uuid::now_v7(),
                job_id: Uuid::now_v7(),
                title: "Detail".into(),
                site: "Site".into(),
                starts_at,
                date: starts_at.date_naive(),
                worked_minutes: gross.map(|_| 240),
                billable_minutes: gross.map(|_| 240),
                rate_cents: 6500,
                multiplier_bp: 10_000,
                gross_cents: gross,
                status,
                paid_at: (status == TimecardStatus::Paid)
                    .then(|| starts_at + Duration::days(paid_after)),
                invoiced_at: None,
                rejection_reason: (status == TimecardStatus::Rejected)
                    .then(|| "Not on the sign-in sheet.".into()),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every shift falls in exactly one two-week period (Monday to Sunday week), the periods'
    /// counts and money add up to the shifts', paid plus unpaid is gross, the year to date
    /// holds exactly this year's shifts up to today, and payments add up to what was paid.
    #[test]
    fn pay_periods_partition_the_shifts_and_the_totals_add_up(
        shifts in prop::collection::vec(shift(), 0..30),
        today_offset in -400i64..400,
    ) {
        let today = day(2026, 6, 1) + Duration::days(today_offset);
        let rule = PayPeriodRule::default();
        let r = earnings::report(shifts.clone(), "USD".into(), today, chrono_tz::UTC, &rule);
        let gross = |s: &ShiftEarning| s.gross_cents.unwrap_or(0);

        prop_assert_eq!(r.shifts.len(), shifts.len());
        prop_assert!(r.shifts.windows(2).all(|w| w[0].starts_at >= w[1].starts_at), "newest first");

        for s in &shifts {
            let holding: Vec<_> = r
                .periods
                .iter()
                .filter(|p| p.from.unwrap() <= s.date && s.date <= p.to.unwrap())
                .collect();
            prop_assert_eq!(holding.len(), 1, "{:?} is in {} periods", s.date, holding.len());
            prop_assert_eq!(
                (holding[0].from.unwrap(), holding[0].to.unwrap()),
                rule.period_containing(s.date)
            );
        }
        let mut starts = HashSet::new();
        for p in &r.periods {
            let (from, to) = (p.from.unwrap(), p.to.unwrap());
            prop_assert_eq!(from.weekday(), Weekday::Mon);
            prop_assert_eq!(to - from, Duration::days(13));
            prop_assert!(starts.insert(from), "one entry per period");
            prop_assert!(p.sums.shifts > 0, "only periods with shifts are listed");
            let inside: Vec<&ShiftEarning> =
                shifts.iter().filter(|s| from <= s.date && s.date <= to).collect();
            prop_assert_eq!(p.sums.shifts as usize, inside.len());
            prop_assert_eq!(p.sums.gross_cents, inside.iter().map(|s| gross(s)).sum::<i64>());
            prop_assert_eq!(p.sums.paid_cents + p.sums.unpaid_cents, p.sums.gross_cents);
            prop_assert_eq!(
                p.sums.billable_minutes,
                inside.iter().map(|s| s.billable_minutes.unwrap_or(0)).sum::<i64>()
            );
        }
        prop_assert!(r.periods.windows(2).all(|w| w[0].from > w[1].from), "newest first");
        prop_assert_eq!(
            r.periods.iter().map(|p| p.sums.shifts as usize).sum::<usize>(),
            shifts.len()
        );
        prop_assert_eq!(
            r.periods.iter().map(|p| p.sums.gross_cents).sum::<i64>(),
            shifts.iter().map(gross).sum::<i64>()
        );

        let this_year: Vec<&ShiftEarning> = shifts
            .iter()
            .filter(|s| s.date.year() == today.year() && s.date <= today)
            .collect();
        prop_assert_eq!(r.year_to_date.sums.shifts as usize, this_year.len());
        prop_assert_eq!(r.year_to_date.sums.gross_cents, this_year.iter().map(|s| gross(s)).sum::<i64>());
        prop_assert_eq!(
            r.year_to_date.sums.paid_cents + r.year_to_date.sums.unpaid_cents,
            r.year_to_date.sums.gross_cents
        );

        let paid: i64 = shifts
            .iter()
            .filter(|s| s.status == TimecardStatus::Paid)
            .map(gross)
            .sum();
        prop_assert_eq!(r.payments.iter().map(|p| p.amount_cents).sum::<i64>(), paid);
        prop_assert_eq!(
            r.payments.iter().map(|p| p.shifts as usize).sum::<usize>(),
            shifts.iter().filter(|s| s.status == TimecardStatus::Paid).count()
        );
        prop_assert!(r.payments.windows(2).all(|w| w[0].paid_on > w[1].paid_on));

        // The CSV has one line per shift under its header.
        prop_assert_eq!(earnings::to_csv(&r).lines().count(), shifts.len() + 1);
    }
}
