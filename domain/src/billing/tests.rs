//! Tests of `billing`: estimates and late cancellations worked out by hand, the refusals, and
//! properties of every bill.

use super::*;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use proptest::prelude::*;

fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .earliest()
        .expect("valid local time")
        .to_utc()
}

fn shift(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    officers: u32,
    job_type: &str,
    vehicle: bool,
) -> RequestedShift {
    RequestedShift {
        starts_at,
        ends_at,
        officers,
        job_type: job_type.to_string(),
        vehicle,
    }
}

fn amounts(bill: &Bill) -> Vec<(LineKind, Cents)> {
    bill.lines
        .iter()
        .map(|l| (l.kind, l.amount_cents))
        .collect()
}

fn descriptions(bill: &Bill) -> Vec<&str> {
    bill.lines.iter().map(|l| l.description.as_str()).collect()
}

#[test]
fn the_default_card_has_the_published_fees_and_is_valid() {
    let c = RateCard::default();
    assert_eq!(c.pay, PayPolicy::default());
    assert_eq!(c.vehicle_fee_cents_per_hour, 1500);
    assert_eq!(c.admin_fee_cents_per_hour, 500);
    assert_eq!(c.event_fee_bp, 300);
    assert_eq!(c.late_cancel_hours, 24);
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn two_officers_with_vehicles_a_week_ahead() {
    let requested = ny(2026, 12, 5, 9, 0);
    let shifts = [shift(
        ny(2026, 12, 12, 18, 0),
        ny(2026, 12, 12, 22, 0),
        2,
        "security",
        true,
    )];
    let bill = estimate(&RateCard::default(), New_York, requested, &shifts).unwrap();
    // Officers: 55.00 × 4 h × 2 = 440.00. Vehicles: 15.00 × 4 h × 2 = 120.00.
    // Admin: 5.00 × 4 h × 2 = 40.00. Subtotal 600.00; event fee 3 % = 18.00; total 618.00.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, 44_000),
            (LineKind::Vehicle, 12_000),
            (LineKind::AdminFee, 4_000),
            (LineKind::EventFee, 1_800),
        ]
    );
    assert_eq!(
        descriptions(&bill),
        vec![
            "2 officers × 4 h 00 min security",
            "2 vehicles × 4 h 00 min",
            "Administrative fee, 2 officers × 4 h 00 min",
            "Event fee, 3% of the subtotal",
        ]
    );
    assert_eq!(
        (bill.subtotal_cents, bill.event_fee_cents, bill.total_cents),
        (60_000, 1_800, 61_800)
    );
    let officers = &bill.lines[0];
    assert_eq!(
        (
            officers.shift,
            officers.officers,
            officers.minutes,
            officers.rate_cents,
            officers.multiplier_bp
        ),
        (Some(0), 2, 240, 5_500, 10_000)
    );
    let fee = &bill.lines[3];
    assert_eq!(
        (fee.shift, fee.rate_cents, fee.multiplier_bp),
        (None, 60_000, 300)
    );
}

#[test]
fn a_short_notice_shift_under_the_minimum_bills_the_minimum_at_the_higher_rate() {
    // Requested 10 hours ahead (under 24 h: ×1.25); 2 h 10 min rounds to 2 h 15 min, then the
    // 3-hour minimum applies.
    let requested = ny(2026, 12, 12, 8, 0);
    let shifts = [shift(
        ny(2026, 12, 12, 18, 0),
        ny(2026, 12, 12, 20, 10),
        1,
        "traffic",
        false,
    )];
    let bill = estimate(&RateCard::default(), New_York, requested, &shifts).unwrap();
    // Officer: 65.00 × 3 h × 1.25 = 243.75. Admin (no multiplier): 5.00 × 3 h = 15.00.
    // Subtotal 258.75; event fee 3 % = 7.7625 → 7.76; total 266.51.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, 24_375),
            (LineKind::AdminFee, 1_500),
            (LineKind::EventFee, 776),
        ]
    );
    assert_eq!(
        bill.lines[0].description,
        "1 officer × 3 h 00 min traffic, ×1.25 short notice"
    );
    assert_eq!(bill.lines[1].multiplier_bp, 10_000);
    assert_eq!(bill.total_cents, 26_651);
}

#[test]
fn a_holiday_beats_short_notice_and_fees_ignore_both() {
    let card = RateCard {
        pay: PayPolicy {
            holidays: vec![NaiveDate::from_ymd_opt(2026, 12, 25).expect("date")],
            ..PayPolicy::default()
        },
        ..RateCard::default()
    };
    let requested = ny(2026, 12, 25, 8, 0);
    let shifts = [shift(
        ny(2026, 12, 25, 10, 0),
        ny(2026, 12, 25, 14, 0),
        1,
        "security",
        true,
    )];
    let bill = estimate(&card, New_York, requested, &shifts).unwrap();
    // max(×1.5 holiday, ×1.25 short notice) = ×1.5: 55.00 × 4 × 1.5 = 330.00.
    // Vehicle 15.00 × 4 = 60.00; admin 5.00 × 4 = 20.00; subtotal 410.00; fee 12.30.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, 33_000),
            (LineKind::Vehicle, 6_000),
            (LineKind::AdminFee, 2_000),
            (LineKind::EventFee, 1_230),
        ]
    );
    assert_eq!(
        bill.lines[0].description,
        "1 officer × 4 h 00 min security, ×1.5 holiday"
    );
    assert_eq!(bill.total_cents, 42_230);
}

#[test]
fn shift_lengths_round_to_the_nearest_quarter_hour() {
    let requested = ny(2026, 12, 1, 9, 0);
    let shifts = [
        // 3 h 07 min = 187 min, 7 past the quarter: rounds down to 180.
        shift(
            ny(2026, 12, 10, 9, 0),
            ny(2026, 12, 10, 12, 7),
            1,
            "security",
            false,
        ),
        // 3 h 08 min = 188 min, 8 past: rounds up to 195.
        shift(
            ny(2026, 12, 11, 9, 0),
            ny(2026, 12, 11, 12, 8),
            1,
            "security",
            false,
        ),
    ];
    let bill = estimate(&RateCard::default(), New_York, requested, &shifts).unwrap();
    // 55.00 × 3 = 165.00, admin 15.00; 55.00 × 3.25 = 178.75, admin 5.00 × 3.25 = 16.25.
    // Subtotal 375.00; fee 11.25; total 386.25.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, 16_500),
            (LineKind::AdminFee, 1_500),
            (LineKind::OfficerHours, 17_875),
            (LineKind::AdminFee, 1_625),
            (LineKind::EventFee, 1_125),
        ]
    );
    assert_eq!(bill.lines[2].description, "1 officer × 3 h 15 min security");
    assert_eq!(bill.lines[2].shift, Some(1));
    assert_eq!(bill.total_cents, 38_625);
}

#[test]
fn the_event_fee_rounds_half_up_once() {
    // 258.50 × 3 % = 7.755 → 7.76; 258.49 × 3 % = 7.7547 → 7.75.
    assert_eq!(percent_cents(25_850, 300), 776);
    assert_eq!(percent_cents(25_849, 300), 775);
    // 0.50 × 3 % = 0.015 → 0.02; 0.49 × 3 % = 0.0147 → 0.01.
    assert_eq!(percent_cents(50, 300), 2);
    assert_eq!(percent_cents(49, 300), 1);
    assert_eq!(percent_cents(0, 300), 0);
    assert_eq!(percent_cents(12_345, 10_000), 12_345);
}

#[test]
fn fees_at_zero_leave_their_lines_out() {
    let card = RateCard {
        admin_fee_cents_per_hour: 0,
        vehicle_fee_cents_per_hour: 0,
        event_fee_bp: 0,
        ..RateCard::default()
    };
    let requested = ny(2026, 12, 1, 9, 0);
    let shifts = [shift(
        ny(2026, 12, 10, 9, 0),
        ny(2026, 12, 10, 13, 0),
        3,
        "event",
        true,
    )];
    let bill = estimate(&card, New_York, requested, &shifts).unwrap();
    // 60.00 × 4 h × 3 = 720.00, nothing else.
    assert_eq!(amounts(&bill), vec![(LineKind::OfficerHours, 72_000)]);
    assert_eq!(
        (bill.subtotal_cents, bill.event_fee_cents, bill.total_cents),
        (72_000, 0, 72_000)
    );
}

#[test]
fn texts_for_multipliers_percentages_and_durations() {
    assert_eq!(times(12_500), "×1.25");
    assert_eq!(times(15_000), "×1.5");
    assert_eq!(times(10_000), "×1");
    assert_eq!(times(20_001), "×2.0001");
    assert_eq!(percent(300), "3%");
    assert_eq!(percent(250), "2.5%");
    assert_eq!(percent(1), "0.01%");
    assert_eq!(duration(0), "0 h 00 min");
    assert_eq!(duration(1_425), "23 h 45 min");
}

#[test]
fn line_kinds_are_snake_case_on_the_wire() {
    assert_eq!(
        serde_json::to_value(LineKind::OfficerHours).unwrap(),
        "officer_hours"
    );
    assert_eq!(
        serde_json::to_value(LineKind::LateCancellation).unwrap(),
        "late_cancellation"
    );
    assert_eq!(
        serde_json::to_value(LineKind::AdminFee).unwrap(),
        "admin_fee"
    );
}

fn refusal(requested: DateTime<Utc>, shifts: &[RequestedShift]) -> (String, InvalidCode) {
    let e = estimate(&RateCard::default(), New_York, requested, shifts).unwrap_err();
    assert!(e.message.ends_with('.'), "a sentence: {}", e.message);
    (e.field, e.code)
}

#[test]
fn requests_are_refused_with_the_field_at_fault() {
    let now = ny(2026, 12, 1, 9, 0);
    let ok = shift(
        ny(2026, 12, 10, 9, 0),
        ny(2026, 12, 10, 13, 0),
        1,
        "security",
        false,
    );
    let with = |f: &dyn Fn(&mut RequestedShift)| {
        let mut s = ok.clone();
        f(&mut s);
        vec![ok.clone(), ok.clone(), s]
    };
    assert_eq!(
        refusal(now, &[]),
        ("shifts".to_string(), InvalidCode::Required)
    );
    assert_eq!(
        refusal(now, &vec![ok.clone(); 51]),
        ("shifts".to_string(), InvalidCode::TooMany)
    );
    assert!(estimate(&RateCard::default(), New_York, now, &vec![ok.clone(); 50]).is_ok());
    assert_eq!(
        refusal(now, &with(&|s| s.ends_at = s.starts_at)),
        ("shifts[2].ends_at".to_string(), InvalidCode::Inconsistent)
    );
    assert_eq!(
        refusal(
            now,
            &with(&|s| s.ends_at = s.starts_at - TimeDelta::hours(1))
        ),
        ("shifts[2].ends_at".to_string(), InvalidCode::Inconsistent)
    );
    let long = with(&|s| s.ends_at = s.starts_at + TimeDelta::minutes(24 * 60 + 1));
    let e = estimate(&RateCard::default(), New_York, now, &long).unwrap_err();
    assert_eq!(e.field, "shifts[2].ends_at");
    assert_eq!(e.code, InvalidCode::OutOfRange);
    assert_eq!(
        e.message,
        "A shift can be at most 24 hours long (this one is 24 h 01 min)."
    );
    let day = with(&|s| s.ends_at = s.starts_at + TimeDelta::hours(24));
    assert!(estimate(&RateCard::default(), New_York, now, &day).is_ok());
    assert_eq!(
        refusal(now, &with(&|s| s.officers = 0)),
        ("shifts[2].officers".to_string(), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refusal(now, &with(&|s| s.officers = 51)),
        ("shifts[2].officers".to_string(), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refusal(now, &with(&|s| s.job_type = "   ".into())),
        ("shifts[2].job_type".to_string(), InvalidCode::Required)
    );
    assert_eq!(
        refusal(now, &with(&|s| s.job_type = "é".repeat(41))),
        ("shifts[2].job_type".to_string(), InvalidCode::TooLong)
    );
    assert!(
        estimate(
            &RateCard::default(),
            New_York,
            now,
            &with(&|s| s.job_type = "é".repeat(40))
        )
        .is_ok()
    );
    let past = with(&|s| {
        s.starts_at = now - TimeDelta::minutes(1);
        s.ends_at = now + TimeDelta::hours(3);
    });
    assert_eq!(
        refusal(now, &past),
        ("shifts[2].starts_at".to_string(), InvalidCode::OutOfRange)
    );
}

#[test]
fn job_types_are_trimmed_before_the_rate_is_looked_up() {
    let now = ny(2026, 12, 1, 9, 0);
    let s = shift(
        ny(2026, 12, 10, 9, 0),
        ny(2026, 12, 10, 13, 0),
        1,
        "  traffic ",
        false,
    );
    let bill = estimate(&RateCard::default(), New_York, now, &[s]).unwrap();
    assert_eq!(bill.lines[0].rate_cents, 6_500);
    assert_eq!(bill.lines[0].description, "1 officer × 4 h 00 min traffic");
}

#[test]
fn a_bad_rate_card_is_refused_under_rate_card() {
    let now = ny(2026, 12, 1, 9, 0);
    let s = shift(
        ny(2026, 12, 10, 9, 0),
        ny(2026, 12, 10, 13, 0),
        1,
        "security",
        false,
    );
    let bad = |card: RateCard| {
        estimate(&card, New_York, now, std::slice::from_ref(&s))
            .unwrap_err()
            .field
    };
    assert_eq!(
        bad(RateCard {
            event_fee_bp: 10_001,
            ..RateCard::default()
        }),
        "rate_card.event_fee_bp"
    );
    assert_eq!(
        bad(RateCard {
            admin_fee_cents_per_hour: -1,
            ..RateCard::default()
        }),
        "rate_card.admin_fee_cents_per_hour"
    );
    assert_eq!(
        bad(RateCard {
            vehicle_fee_cents_per_hour: MAX_RATE_CENTS + 1,
            ..RateCard::default()
        }),
        "rate_card.vehicle_fee_cents_per_hour"
    );
    assert_eq!(
        bad(RateCard {
            late_cancel_hours: 721,
            ..RateCard::default()
        }),
        "rate_card.late_cancel_hours"
    );
    for hours in [0, 721] {
        assert_eq!(
            bad(RateCard {
                timecard_review_hours: hours,
                ..RateCard::default()
            }),
            "rate_card.timecard_review_hours"
        );
    }
    let pay = PayPolicy {
        rounding_increment_minutes: 0,
        ..PayPolicy::default()
    };
    assert_eq!(
        bad(RateCard {
            pay,
            ..RateCard::default()
        }),
        "rate_card.pay.rounding_increment_minutes"
    );
}

#[test]
fn cancelling_late_bills_the_minimum_of_shifts_starting_soon_or_under_way() {
    let requested = ny(2026, 12, 1, 12, 0);
    let cancelled = ny(2026, 12, 10, 8, 0);
    let shifts = [
        // Starts 10 h after the cancellation: late.
        shift(
            ny(2026, 12, 10, 18, 0),
            ny(2026, 12, 10, 23, 0),
            2,
            "security",
            true,
        ),
        // Starts 30 h after: free.
        shift(
            ny(2026, 12, 11, 14, 0),
            ny(2026, 12, 11, 18, 0),
            4,
            "security",
            true,
        ),
        // Under way (started 2 h before): late.
        shift(
            ny(2026, 12, 10, 6, 0),
            ny(2026, 12, 10, 9, 0),
            1,
            "event",
            false,
        ),
        // Already over: nothing to cancel.
        shift(
            ny(2026, 12, 10, 1, 0),
            ny(2026, 12, 10, 5, 0),
            3,
            "traffic",
            false,
        ),
    ];
    let bill = late_cancellation(
        &RateCard::default(),
        New_York,
        requested,
        cancelled,
        &shifts,
    )
    .unwrap();
    // Shift 0: 3 h minimum × 2 officers: 55.00 × 3 × 2 = 330.00; vehicles 15.00 × 3 × 2 = 90.00;
    // admin 5.00 × 3 × 2 = 30.00. Shift 2: 60.00 × 3 = 180.00; admin 15.00.
    // Subtotal 645.00; event fee 3 % = 19.35; total 664.35.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::LateCancellation, 33_000),
            (LineKind::Vehicle, 9_000),
            (LineKind::AdminFee, 3_000),
            (LineKind::LateCancellation, 18_000),
            (LineKind::AdminFee, 1_500),
            (LineKind::EventFee, 1_935),
        ]
    );
    assert_eq!(
        bill.lines.iter().map(|l| l.shift).collect::<Vec<_>>(),
        vec![Some(0), Some(0), Some(0), Some(2), Some(2), None]
    );
    assert_eq!(
        bill.lines[0].description,
        "Late cancellation, 2 officers × 3 h 00 min minimum security"
    );
    assert_eq!(
        (bill.subtotal_cents, bill.event_fee_cents, bill.total_cents),
        (64_500, 1_935, 66_435)
    );
}

#[test]
fn late_cancellation_keeps_the_short_notice_multiplier() {
    // Requested 20 h ahead (×1.25), cancelled 2 h later: 55.00 × 3 h × 1.25 = 206.25; admin
    // 15.00; subtotal 221.25; fee 3 % = 6.6375 → 6.64; total 227.89.
    let requested = ny(2026, 12, 10, 0, 0);
    let s = shift(
        ny(2026, 12, 10, 20, 0),
        ny(2026, 12, 11, 2, 0),
        1,
        "security",
        false,
    );
    let bill = late_cancellation(
        &RateCard::default(),
        New_York,
        requested,
        requested + TimeDelta::hours(2),
        &[s],
    )
    .unwrap();
    assert_eq!(bill.lines[0].multiplier_bp, 12_500);
    assert_eq!(
        bill.lines[0].description,
        "Late cancellation, 1 officer × 3 h 00 min minimum security, ×1.25 short notice"
    );
    assert_eq!(bill.total_cents, 22_789);
}

#[test]
fn cancelling_exactly_at_the_window_or_earlier_is_free() {
    let requested = ny(2026, 12, 1, 12, 0);
    let start = ny(2026, 12, 10, 18, 0);
    let s = [shift(
        start,
        start + TimeDelta::hours(4),
        2,
        "security",
        true,
    )];
    let card = RateCard::default();
    let at_window = start - TimeDelta::hours(24);
    let bill = late_cancellation(&card, New_York, requested, at_window, &s).unwrap();
    assert_eq!(bill, Bill::empty());
    let early = late_cancellation(&card, New_York, requested, requested, &s).unwrap();
    assert_eq!(early.total_cents, 0);
    let just_late = at_window + TimeDelta::seconds(1);
    let bill = late_cancellation(&card, New_York, requested, just_late, &s).unwrap();
    assert!(bill.total_cents > 0);
}

#[test]
fn a_cancellation_before_the_request_is_refused() {
    let requested = ny(2026, 12, 1, 12, 0);
    let s = [shift(
        ny(2026, 12, 10, 18, 0),
        ny(2026, 12, 10, 22, 0),
        1,
        "security",
        false,
    )];
    let e = late_cancellation(
        &RateCard::default(),
        New_York,
        requested,
        requested - TimeDelta::seconds(1),
        &s,
    )
    .unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("cancelled_at", InvalidCode::Inconsistent)
    );
}

// ---- properties -------------------------------------------------------------------------------

fn requested_at() -> DateTime<Utc> {
    ny(2026, 12, 20, 9, 0)
}

prop_compose! {
    fn arb_card()(
        security in 0i64..=MAX_RATE_CENTS,
        default_rate in 0i64..=MAX_RATE_CENTS,
        holiday_bp in BP_ONE..=100_000,
        notice_bp in BP_ONE..=100_000,
        notice_hours in 0u32..=720,
        min in 0i64..=1440,
        inc in 1i64..=60,
        vehicle in 0i64..=MAX_RATE_CENTS,
        admin in 0i64..=MAX_RATE_CENTS,
        event_bp in 0u32..=MAX_EVENT_FEE_BP,
        late_hours in 0u32..=720,
        holiday_offset in 0u64..4,
    ) -> RateCard {
        let mut pay = PayPolicy {
            default_rate_cents: default_rate,
            holiday_multiplier_bp: holiday_bp,
            short_notice_multiplier_bp: notice_bp,
            short_notice_hours: notice_hours,
            min_billable_minutes: min,
            rounding_increment_minutes: inc,
            holidays: vec![NaiveDate::from_ymd_opt(2026, 12, 21).expect("date")
                + chrono::Days::new(holiday_offset)],
            ..PayPolicy::default()
        };
        pay.rates_cents.insert("security".into(), security);
        RateCard {
            pay,
            vehicle_fee_cents_per_hour: vehicle,
            admin_fee_cents_per_hour: admin,
            event_fee_bp: event_bp,
            late_cancel_hours: late_hours,
            ..RateCard::default()
        }
    }
}

prop_compose! {
    fn arb_shift()(
        start_min in 0i64..=(7 * 24 * 60),
        length in 1i64..=MAX_SHIFT_MINUTES,
        officers in 1u32..=MAX_OFFICERS,
        job in prop::sample::select(vec!["security", "traffic", "parade"]),
        vehicle in any::<bool>(),
    ) -> RequestedShift {
        let starts_at = requested_at() + TimeDelta::minutes(start_min);
        RequestedShift {
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(length),
            officers,
            job_type: job.to_string(),
            vehicle,
        }
    }
}

/// The invariants every bill keeps, checked from the outside.
fn check_bill(bill: &Bill, event_fee_bp: u32) -> Result<(), TestCaseError> {
    let lines_but_fee: i128 = bill
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::EventFee)
        .map(|l| i128::from(l.amount_cents))
        .sum();
    let all: i128 = bill.lines.iter().map(|l| i128::from(l.amount_cents)).sum();
    prop_assert_eq!(lines_but_fee, i128::from(bill.subtotal_cents));
    prop_assert_eq!(all, i128::from(bill.total_cents));
    prop_assert_eq!(bill.total_cents, bill.subtotal_cents + bill.event_fee_cents);
    prop_assert!(bill.event_fee_cents >= 0);
    prop_assert!(bill.subtotal_cents >= 0);
    // Half up: fee = floor((subtotal × bp + 5000) / 10000) for a subtotal ≥ 0.
    let exact = (i128::from(bill.subtotal_cents) * i128::from(event_fee_bp) + 5_000) / 10_000;
    prop_assert_eq!(i128::from(bill.event_fee_cents), exact);
    for l in &bill.lines {
        if l.kind == LineKind::EventFee {
            prop_assert_eq!(l.rate_cents, bill.subtotal_cents);
            continue;
        }
        if l.kind != LineKind::OfficerHours && l.kind != LineKind::LateCancellation {
            prop_assert_eq!(l.multiplier_bp, BP_ONE);
        }
        // Each officer's share is rounded once, so the line is within half a cent per officer of
        // the exact officers × rate × minutes × multiplier / 600000.
        let exact = i128::from(l.officers)
            * i128::from(l.rate_cents)
            * i128::from(l.minutes)
            * i128::from(l.multiplier_bp);
        let diff = i128::from(l.amount_cents) * 600_000 - exact;
        prop_assert!(diff.abs() <= i128::from(l.officers) * 300_000, "{:?}", l);
        prop_assert!(l.amount_cents >= 0);
    }
    Ok(())
}

proptest! {
    #[test]
    fn every_estimate_adds_up(
        card in arb_card(), shifts in prop::collection::vec(arb_shift(), 1..6),
    ) {
        let bill = estimate(&card, New_York, requested_at(), &shifts).unwrap();
        check_bill(&bill, card.event_fee_bp)?;
        let officer_lines = bill.lines.iter().filter(|l| l.kind == LineKind::OfficerHours).count();
        prop_assert_eq!(officer_lines, shifts.len());
        prop_assert_eq!(
            bill.lines.iter().any(|l| l.kind == LineKind::EventFee),
            card.event_fee_bp > 0
        );
    }

    #[test]
    fn more_officers_never_cost_less(
        card in arb_card(), shifts in prop::collection::vec(arb_shift(), 1..6),
        which in any::<prop::sample::Index>(), extra in 1u32..50,
    ) {
        let before = estimate(&card, New_York, requested_at(), &shifts).unwrap();
        let mut more = shifts.clone();
        let k = which.index(more.len());
        more[k].officers = (more[k].officers + extra).min(MAX_OFFICERS);
        let after = estimate(&card, New_York, requested_at(), &more).unwrap();
        prop_assert!(after.subtotal_cents >= before.subtotal_cents);
        prop_assert!(after.total_cents >= before.total_cents);
    }

    #[test]
    fn a_late_cancellation_adds_up_and_never_costs_more_than_the_estimate(
        card in arb_card(), shifts in prop::collection::vec(arb_shift(), 1..6),
        after_min in 0i64..=(9 * 24 * 60),
    ) {
        let cancelled = requested_at() + TimeDelta::minutes(after_min);
        let late = late_cancellation(&card, New_York, requested_at(), cancelled, &shifts).unwrap();
        let full = estimate(&card, New_York, requested_at(), &shifts).unwrap();
        check_bill(&late, card.event_fee_bp)?;
        prop_assert!(late.subtotal_cents <= full.subtotal_cents);
        prop_assert!(late.total_cents <= full.total_cents);
        let window = TimeDelta::hours(i64::from(card.late_cancel_hours));
        for l in &late.lines {
            let Some(i) = l.shift else { continue };
            let s = &shifts[i];
            prop_assert!(s.starts_at - cancelled < window && s.ends_at > cancelled);
            prop_assert_eq!(l.minutes, card.pay.min_billable_minutes);
        }
        let any_late = shifts.iter().any(|s| s.starts_at - cancelled < window && s.ends_at > cancelled);
        if !any_late || card.pay.min_billable_minutes == 0 {
            prop_assert_eq!(late, Bill::empty());
        }
    }

    #[test]
    fn cancelling_after_every_shift_ended_costs_nothing(
        card in arb_card(), shifts in prop::collection::vec(arb_shift(), 1..6),
    ) {
        let end = shifts.iter().map(|s| s.ends_at).max().unwrap();
        let bill = late_cancellation(&card, New_York, requested_at(), end, &shifts).unwrap();
        prop_assert_eq!(bill, Bill::empty());
    }
}

#[test]
fn the_review_window_closes_exactly_its_hours_after_clock_out() {
    let card = RateCard {
        timecard_review_hours: 72,
        ..RateCard::default()
    };
    let out = ny(2026, 12, 1, 22, 0);
    let closes = ny(2026, 12, 4, 22, 0);
    assert_eq!(card.review_closes_at(out), closes);
    assert!(card.in_review_window(out, closes - chrono::TimeDelta::seconds(1)));
    assert!(!card.in_review_window(out, closes));
}

#[test]
fn fees_stored_before_the_review_window_existed_read_as_72_hours() {
    let mut v = serde_json::to_value(RateCard::default()).expect("json");
    v.as_object_mut()
        .expect("object")
        .remove("timecard_review_hours");
    let card: RateCard = serde_json::from_value(v).expect("old card");
    assert_eq!(card.timecard_review_hours, 72);
}
