//! Tests of invoices from worked time: figures by hand, refusals, and properties.

use super::*;
use crate::pay::PayPolicy;
use proptest::prelude::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn worked(
    n: u128,
    officer: u128,
    name: &str,
    job_type: &str,
    minutes: i64,
    rate: Cents,
    bp: u32,
) -> WorkedShift {
    WorkedShift {
        timecard_id: id(n),
        officer_id: id(officer),
        officer_name: name.to_string(),
        job_type: job_type.to_string(),
        billable_minutes: minutes,
        rate_cents: rate,
        multiplier_bp: bp,
        vehicle: false,
    }
}

fn with_vehicle(w: WorkedShift) -> WorkedShift {
    WorkedShift { vehicle: true, ..w }
}

fn amounts(bill: &Bill) -> Vec<(LineKind, Option<usize>, Cents)> {
    bill.lines
        .iter()
        .map(|l| (l.kind, l.shift, l.amount_cents))
        .collect()
}

#[test]
fn one_line_per_timecard_with_the_officers_own_pay() {
    let w = [
        with_vehicle(worked(1, 10, "Dana Ruiz", "security", 195, 5_500, 10_000)),
        worked(2, 11, "Lee Park", "traffic", 180, 6_500, 12_500),
        with_vehicle(worked(3, 12, "Sam Ortiz", "security", 0, 5_500, 10_000)),
    ];
    let bill = invoice(&RateCard::default(), &w).unwrap();
    // Dana: 55.00 × 3.25 h = 178.75; vehicle 15.00 × 3.25 = 48.75; admin 5.00 × 3.25 = 16.25.
    // Lee: 65.00 × 3 h × 1.25 = 243.75; admin 15.00. Sam (no-show): 0, no fees.
    // Subtotal 502.50; event fee 3 % = 15.075 → 15.08; total 517.58.
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, Some(0), 17_875),
            (LineKind::Vehicle, Some(0), 4_875),
            (LineKind::AdminFee, Some(0), 1_625),
            (LineKind::OfficerHours, Some(1), 24_375),
            (LineKind::AdminFee, Some(1), 1_500),
            (LineKind::OfficerHours, Some(2), 0),
            (LineKind::EventFee, None, 1_508),
        ]
    );
    assert_eq!(
        (bill.subtotal_cents, bill.event_fee_cents, bill.total_cents),
        (50_250, 1_508, 51_758)
    );
    assert_eq!(bill.lines[0].description, "Dana Ruiz, 3 h 15 min security");
    assert_eq!(
        bill.lines[3].description,
        "Lee Park, 3 h 00 min traffic, ×1.25"
    );
    // 178.75 + 243.75 + 0
    assert_eq!(officer_share(&bill), 42_250);
    let shares = officer_shares(&bill, &w).unwrap();
    assert_eq!(
        shares.into_iter().collect::<Vec<_>>(),
        vec![(id(10), 17_875), (id(11), 24_375), (id(12), 0)]
    );
}

#[test]
fn an_odd_rate_is_rounded_once_per_timecard() {
    // 55.33 × 187 min × 1.25: 5533 × 187 = 1,034,671; × 12500 = 12,933,387,500;
    // / 600,000 = 21,555.65 → 21,556. Admin: 500 × 187 / 60 = 1,558.33 → 1,558.
    // Subtotal 23,114; fee 3 % = 693.42 → 693; total 23,807.
    let w = [worked(1, 10, "Dana Ruiz", "security", 187, 5_533, 12_500)];
    let bill = invoice(&RateCard::default(), &w).unwrap();
    assert_eq!(
        amounts(&bill),
        vec![
            (LineKind::OfficerHours, Some(0), 21_556),
            (LineKind::AdminFee, Some(0), 1_558),
            (LineKind::EventFee, None, 693),
        ]
    );
    assert_eq!(bill.total_cents, 23_807);
}

#[test]
fn two_timecards_of_one_officer_add_up_in_the_shares() {
    let w = [
        worked(1, 10, "Dana Ruiz", "security", 180, 5_500, 10_000),
        worked(2, 10, "Dana Ruiz", "traffic", 240, 6_500, 10_000),
    ];
    let bill = invoice(&RateCard::default(), &w).unwrap();
    // 165.00 + 260.00
    assert_eq!(
        officer_shares(&bill, &w).unwrap().get(&id(10)),
        Some(&42_500)
    );
    assert!(officer_shares(&bill, &w[..1]).is_err());
    // Per timecard, each keeps its officer: what a payout pays for it.
    assert_eq!(
        timecard_shares(&bill, &w)
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![(id(1), (id(10), 16_500)), (id(2), (id(10), 26_000))]
    );
    assert!(timecard_shares(&bill, &w[..1]).is_err());
}

#[test]
fn bad_timecards_are_refused_with_the_field_at_fault() {
    let ok = worked(1, 10, "Dana Ruiz", "security", 180, 5_500, 10_000);
    let card = RateCard::default();
    let field = |w: &[WorkedShift]| {
        let e = invoice(&card, w).unwrap_err();
        (e.field, e.code)
    };
    assert_eq!(field(&[]), ("worked".to_string(), InvalidCode::Required));
    let mut twice = ok.clone();
    twice.officer_name = "Lee Park".into();
    assert_eq!(
        field(&[ok.clone(), twice]),
        ("worked[1].timecard_id".to_string(), InvalidCode::Duplicate)
    );
    let with = |f: &dyn Fn(&mut WorkedShift)| {
        let mut w = ok.clone();
        w.timecard_id = id(2);
        f(&mut w);
        vec![ok.clone(), w]
    };
    assert_eq!(
        field(&with(&|w| w.officer_name = " ".into())),
        ("worked[1].officer_name".to_string(), InvalidCode::Required)
    );
    assert_eq!(
        field(&with(&|w| w.job_type = "x".repeat(41))),
        ("worked[1].job_type".to_string(), InvalidCode::TooLong)
    );
    assert_eq!(
        field(&with(&|w| w.billable_minutes = -1)),
        (
            "worked[1].billable_minutes".to_string(),
            InvalidCode::OutOfRange
        )
    );
    assert_eq!(
        field(&with(&|w| w.billable_minutes = 25 * 60 + 1)),
        (
            "worked[1].billable_minutes".to_string(),
            InvalidCode::OutOfRange
        )
    );
    assert_eq!(
        field(&with(&|w| w.rate_cents = -5)),
        ("worked[1].rate_cents".to_string(), InvalidCode::OutOfRange)
    );
    assert_eq!(
        field(&with(&|w| w.multiplier_bp = 9_999)),
        (
            "worked[1].multiplier_bp".to_string(),
            InvalidCode::OutOfRange
        )
    );
    let bad_card = RateCard {
        pay: PayPolicy {
            min_billable_minutes: -1,
            ..PayPolicy::default()
        },
        ..RateCard::default()
    };
    assert_eq!(
        invoice(&bad_card, &[ok]).unwrap_err().field,
        "rate_card.pay.min_billable_minutes"
    );
}

prop_compose! {
    fn arb_worked()(
        n in any::<u128>(),
        officer in 0u128..5,
        minutes in 0i64..=MAX_WORKED_MINUTES,
        rate in 0i64..=MAX_RATE_CENTS,
        bp in BP_ONE..=MAX_MULTIPLIER_BP,
        vehicle in any::<bool>(),
    ) -> WorkedShift {
        WorkedShift { vehicle, ..worked(n, officer, "Officer", "security", minutes, rate, bp) }
    }
}

proptest! {
    #[test]
    fn invoices_pay_officers_exactly_and_add_up(
        w in prop::collection::vec(arb_worked(), 1..20)
            .prop_filter("unique timecards", |w| {
                w.iter().map(|x| x.timecard_id).collect::<HashSet<_>>().len() == w.len()
            }),
        vehicle in 0i64..=MAX_RATE_CENTS,
        admin in 0i64..=MAX_RATE_CENTS,
        event_bp in 0u32..=10_000,
    ) {
        let card = RateCard {
            vehicle_fee_cents_per_hour: vehicle,
            admin_fee_cents_per_hour: admin,
            event_fee_bp: event_bp,
            ..RateCard::default()
        };
        let bill = invoice(&card, &w).unwrap();
        // The officer-hours lines are, one for one, what pay computes for each timecard.
        let officer_lines: Vec<Cents> = bill
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::OfficerHours)
            .map(|l| l.amount_cents)
            .collect();
        let paid: Vec<Cents> = w
            .iter()
            .map(|x| gross_cents(x.rate_cents, x.billable_minutes, x.multiplier_bp))
            .collect();
        prop_assert_eq!(&officer_lines, &paid);
        prop_assert_eq!(officer_share(&bill), paid.iter().sum::<Cents>());
        let shares = officer_shares(&bill, &w).unwrap();
        prop_assert_eq!(shares.values().sum::<Cents>(), officer_share(&bill));
        let but_fee: Cents = bill
            .lines
            .iter()
            .filter(|l| l.kind != LineKind::EventFee)
            .map(|l| l.amount_cents)
            .sum();
        prop_assert_eq!(but_fee, bill.subtotal_cents);
        prop_assert_eq!(bill.total_cents, bill.subtotal_cents + bill.event_fee_cents);
        let fee = (i128::from(bill.subtotal_cents) * i128::from(event_bp) + 5_000) / 10_000;
        prop_assert_eq!(i128::from(bill.event_fee_cents), fee);
        // The department's part (fees) is never negative.
        prop_assert!(bill.total_cents - officer_share(&bill) >= 0);
    }
}
