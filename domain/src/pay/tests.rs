//! Tests of `pay`: examples named after behaviour, and properties.

use super::*;
use chrono::TimeZone;
use chrono_tz::America::New_York;
use proptest::prelude::*;

fn ny(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(y, mo, d, h, 0, 0)
        .earliest()
        .expect("valid local time")
        .to_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn with_holiday(day: NaiveDate) -> PayPolicy {
    PayPolicy {
        holidays: vec![day],
        ..PayPolicy::default()
    }
}

#[test]
fn default_policy_has_the_published_rates_and_is_valid() {
    let p = PayPolicy::default();
    assert_eq!(p.rate_for("traffic"), 6500);
    assert_eq!(p.rate_for("security"), 5500);
    assert_eq!(p.rate_for("event"), 6000);
    assert_eq!(p.rate_for("construction"), 7000);
    assert_eq!(p.rate_for("parade"), 5500);
    assert_eq!(p.validate(), Ok(()));
}

#[test]
fn a_week_ahead_on_a_working_day_pays_the_plain_rate() {
    let p = with_holiday(date(2026, 12, 25));
    let start = ny(2026, 12, 12, 14);
    assert_eq!(
        p.multiplier_bp(start, start - TimeDelta::days(7), New_York),
        10_000
    );
}

#[test]
fn holidays_are_local_dates() {
    let p = with_holiday(date(2026, 12, 25));
    // 22:00 on Christmas Eve in New York is already 25 Dec in UTC: not a holiday there.
    let eve = ny(2026, 12, 24, 22);
    assert_eq!(
        p.multiplier_bp(eve, eve - TimeDelta::days(30), New_York),
        10_000
    );
    let christmas = ny(2026, 12, 25, 20);
    assert_eq!(
        p.multiplier_bp(christmas, christmas - TimeDelta::days(30), New_York),
        15_000
    );
}

#[test]
fn short_notice_is_under_the_threshold() {
    let p = PayPolicy::default();
    let start = ny(2026, 12, 12, 14);
    assert_eq!(
        p.multiplier_bp(start, start - TimeDelta::hours(24), New_York),
        10_000
    );
    let late = start - TimeDelta::hours(24) + TimeDelta::minutes(1);
    assert_eq!(p.multiplier_bp(start, late, New_York), 12_500);
    // Posted after the start (an emergency call-out) is short notice too.
    assert_eq!(
        p.multiplier_bp(start, start + TimeDelta::hours(1), New_York),
        12_500
    );
}

#[test]
fn holiday_and_short_notice_do_not_compound() {
    let mut p = with_holiday(date(2026, 12, 25));
    let start = ny(2026, 12, 25, 9);
    let posted = start - TimeDelta::hours(2);
    assert_eq!(p.multiplier_bp(start, posted, New_York), 15_000);
    p.short_notice_multiplier_bp = 20_000;
    assert_eq!(p.multiplier_bp(start, posted, New_York), 20_000);
}

#[test]
fn worked_minutes_round_to_the_nearest_quarter_hour_half_up() {
    let p = PayPolicy::default();
    assert_eq!(p.billable_minutes(247), 240);
    assert_eq!(p.billable_minutes(248), 255);
    assert_eq!(p.billable_minutes(247 + 1), 255);
    assert_eq!(p.billable_minutes(255), 255);
    assert_eq!(p.billable_minutes(262), 255);
    assert_eq!(p.billable_minutes(263), 270);
}

#[test]
fn short_shifts_pay_the_minimum_but_no_shows_pay_nothing() {
    let p = PayPolicy::default();
    assert_eq!(p.billable_minutes(5), 180);
    assert_eq!(p.billable_minutes(95), 180);
    assert_eq!(p.billable_minutes(0), 0);
    assert_eq!(p.billable_minutes(-30), 0);
}

#[test]
fn a_zero_increment_does_not_divide_by_zero() {
    let p = PayPolicy {
        rounding_increment_minutes: 0,
        ..PayPolicy::default()
    };
    assert_eq!(p.billable_minutes(247), 247);
    assert!(p.validate().is_err());
}

#[test]
fn quote_is_the_scheduled_pay() {
    let p = PayPolicy::default();
    let start = ny(2026, 12, 12, 14);
    let q = p.quote(
        "traffic",
        start,
        start + TimeDelta::minutes(250),
        start - TimeDelta::days(3),
        New_York,
    );
    assert_eq!(
        q,
        PayQuote {
            rate_cents: 6500,
            multiplier_bp: 10_000,
            billable_minutes: 255,
            gross_cents: 27_625
        }
    );
    let short = p.quote(
        "security",
        start,
        start + TimeDelta::hours(2),
        start - TimeDelta::hours(3),
        New_York,
    );
    // 3 h minimum × 55.00 × 1.25 = 206.25.
    assert_eq!(short.billable_minutes, 180);
    assert_eq!(short.gross_cents, 20_625);
}

#[test]
fn gross_rounds_half_up_to_the_cent() {
    // 1 cent an hour for 30 minutes is half a cent: rounds up.
    assert_eq!(gross_cents(1, 30, 10_000), 1);
    // 1 cent an hour for 29 minutes is 0.483 cent: rounds down.
    assert_eq!(gross_cents(1, 29, 10_000), 0);
    // 65.00 × 4.25 h × 1.25 = 345.3125 → 345.31.
    assert_eq!(gross_cents(6500, 255, 12_500), 34_531);
    // 55.55 × 3 h × 1.5 = 249.975 → 249.98.
    assert_eq!(gross_cents(5555, 180, 15_000), 24_998);
}

#[test]
fn gross_saturates_instead_of_overflowing() {
    assert_eq!(gross_cents(i64::MAX, i64::MAX, u32::MAX), i64::MAX);
    assert_eq!(gross_cents(i64::MIN, i64::MAX, u32::MAX), i64::MIN);
    assert_eq!(gross_cents(i64::MAX, 600, 10_000), i64::MAX);
    // Half a cent below zero rounds up (toward +∞) to zero.
    assert_eq!(gross_cents(-1, 30, 10_000), 0);
}

#[test]
fn split_hands_leftover_cents_to_the_largest_remainders() {
    assert_eq!(split_largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
    assert_eq!(split_largest_remainder(1000, &[1, 2]), vec![333, 667]);
    assert_eq!(split_largest_remainder(10, &[0, 0, 0, 0]), vec![3, 3, 2, 2]);
    assert_eq!(split_largest_remainder(10, &[0, 5]), vec![0, 10]);
    assert_eq!(
        split_largest_remainder(-100, &[1, 1, 1]),
        vec![-34, -33, -33]
    );
    assert_eq!(split_largest_remainder(500, &[]), Vec::<Cents>::new());
    assert_eq!(
        split_largest_remainder(i64::MIN, &[1, 1]),
        vec![i64::MIN / 2, i64::MIN / 2]
    );
}

#[test]
fn cents_are_formatted_for_people() {
    assert_eq!(format_cents(123_456, "USD"), "$1,234.56");
    assert_eq!(format_cents(-300, "USD"), "-$3.00");
    assert_eq!(format_cents(5, "usd"), "$0.05");
    assert_eq!(format_cents(123_456, "EUR"), "1,234.56 EUR");
    assert_eq!(format_cents(-123_456_789, "CAD"), "-1,234,567.89 CAD");
    assert_eq!(format_cents(100_000, "USD"), "$1,000.00");
    assert_eq!(format_cents(i64::MIN, "USD"), "-$92,233,720,368,547,758.08");
}

#[test]
fn policies_out_of_range_are_refused() {
    let bad = |f: fn(&mut PayPolicy)| {
        let mut p = PayPolicy::default();
        f(&mut p);
        p.validate().is_err()
    };
    assert!(bad(|p| p.default_rate_cents = -1));
    assert!(bad(|p| {
        p.rates_cents.insert("traffic".into(), MAX_RATE_CENTS + 1);
    }));
    assert!(bad(|p| {
        p.rates_cents.insert(" ".into(), 100);
    }));
    assert!(bad(|p| p.holiday_multiplier_bp = 9_999));
    assert!(bad(|p| p.short_notice_multiplier_bp = 100_001));
    assert!(bad(|p| p.short_notice_hours = 721));
    assert!(bad(|p| p.min_billable_minutes = -1));
    assert!(bad(|p| p.rounding_increment_minutes = 61));
}

proptest! {
    #[test]
    fn split_sums_to_the_total_and_each_part_is_within_a_cent(
        total in any::<i64>(), weights in prop::collection::vec(0u64..1_000_000, 1..20),
    ) {
        let parts = split_largest_remainder(total, &weights);
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(total));
        let even = weights.iter().all(|w| *w == 0);
        let ws: Vec<i128> = weights.iter().map(|w| if even { 1 } else { i128::from(*w) }).collect();
        let sum: i128 = ws.iter().sum();
        for (part, w) in parts.iter().zip(&ws) {
            // |part - total × w / sum| < 1  ⇔  |part × sum - total × w| < sum
            let diff = i128::from(*part) * sum - i128::from(total) * w;
            prop_assert!(diff.abs() < sum, "part {} weight {} of {}", part, w, sum);
        }
    }

    #[test]
    fn gross_grows_with_minutes_and_rate(
        rate in 0i64..1_000_000, minutes in 0i64..100_000, more in 0i64..1000, bp in 10_000u32..100_000,
    ) {
        prop_assert!(gross_cents(rate, minutes, bp) <= gross_cents(rate, minutes + more, bp));
        prop_assert!(gross_cents(rate, minutes, bp) <= gross_cents(rate + more, minutes, bp));
    }

    #[test]
    fn an_hour_at_times_one_pays_the_rate(rate in -1_000_000_000i64..1_000_000_000) {
        prop_assert_eq!(gross_cents(rate, 60, 10_000), rate);
    }

    #[test]
    fn billable_minutes_are_whole_increments_or_the_minimum(
        worked in -1000i64..100_000, inc in 1i64..=60, min in 0i64..=1440,
    ) {
        let p = PayPolicy { rounding_increment_minutes: inc, min_billable_minutes: min, ..PayPolicy::default() };
        let b = p.billable_minutes(worked);
        if worked <= 0 {
            prop_assert_eq!(b, 0);
        } else {
            prop_assert!(b % inc == 0 || b == min, "worked {} → {}", worked, b);
            prop_assert!(b >= min);
            prop_assert!(b == min || (b - worked).abs() * 2 <= inc);
        }
    }
}
