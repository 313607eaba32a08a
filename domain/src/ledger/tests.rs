//! Tests of the ledger: each business event by hand, each refusal, and random sequences of
//! events checked against a separate model of who owes and holds what.

use super::*;
use crate::billing::{RateCard, invoice};
use proptest::prelude::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

const CUSTOMER: u128 = 100;
const A: u128 = 1;
const B: u128 = 2;

/// Officers A 178.75 and B 243.75; vehicle 48.75; admin 31.25; event fee 15.08: total 517.58.
fn split() -> Split {
    Split {
        officers: [(id(A), 17_875), (id(B), 24_375)].into_iter().collect(),
        vehicle_cents: 4_875,
        admin_fee_cents: 3_125,
        event_fee_cents: 1_508,
    }
}

fn sum_of_balances(l: &Ledger) -> i128 {
    l.balances().values().map(|b| i128::from(*b)).sum()
}

#[test]
fn an_invoice_owes_the_total_and_credits_each_officer_and_fee() {
    let mut l = Ledger::new();
    let e = l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    assert_eq!(e.kind(), EntryKind::Invoice);
    assert_eq!(e.invoice(), Some(id(9)));
    assert_eq!(e.legs().len(), 6);
    // 178.75 + 243.75 + 48.75 + 31.25 + 15.08 = 517.58
    assert_eq!(l.owed_by(id(CUSTOMER)), 51_758);
    assert_eq!(l.payable_to(id(A)), 17_875);
    assert_eq!(l.payable_to(id(B)), 24_375);
    assert_eq!(l.balance(Account::VehicleRevenue), -4_875);
    assert_eq!(l.balance(Account::AdminFeeRevenue), -3_125);
    assert_eq!(l.balance(Account::EventFeeRevenue), -1_508);
    assert_eq!(l.cash(), 0);
    assert_eq!(sum_of_balances(&l), 0);
}

#[test]
fn nothing_is_paid_out_before_the_customer_pays_and_never_more_than_earned() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    assert_eq!(
        l.payout(id(A), 17_875).unwrap_err(),
        LedgerError::CashShort {
            cash: 0,
            asked: 17_875
        }
    );
    assert_eq!(
        l.charge_succeeded(id(CUSTOMER), 51_759).unwrap_err(),
        LedgerError::ChargeExceedsOwed {
            owed: 51_758,
            asked: 51_759
        }
    );
    l.charge_succeeded(id(CUSTOMER), 51_758).unwrap();
    assert_eq!((l.cash(), l.owed_by(id(CUSTOMER))), (51_758, 0));
    assert_eq!(
        l.payout(id(A), 17_876).unwrap_err(),
        LedgerError::PayoutExceedsPayable {
            officer: id(A),
            payable: 17_875,
            asked: 17_876
        }
    );
    l.payout(id(A), 17_875).unwrap();
    // 517.58 - 178.75 = 338.83
    assert_eq!((l.cash(), l.payable_to(id(A))), (33_883, 0));
    // An officer on no invoice has earned nothing.
    assert!(matches!(
        l.payout(id(7), 1),
        Err(LedgerError::PayoutExceedsPayable { payable: 0, .. })
    ));
    assert_eq!(l.payout(id(B), 0).unwrap_err(), LedgerError::NotPositive);
    assert_eq!(l.entries().len(), 3);
    assert_eq!(sum_of_balances(&l), 0);
}

#[test]
fn a_credit_note_on_a_paid_invoice_leaves_a_credit_the_refund_pays_back() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    l.charge_succeeded(id(CUSTOMER), 51_758).unwrap();
    // Take back B's time and the event fee: 243.75 + 15.08 = 258.83.
    let part = Split {
        officers: [(id(B), 24_375)].into_iter().collect(),
        event_fee_cents: 1_508,
        ..Split::default()
    };
    let e = l.credit_note(id(9), &part).unwrap();
    assert_eq!(e.kind(), EntryKind::CreditNote);
    assert_eq!(l.owed_by(id(CUSTOMER)), -25_883);
    assert_eq!(l.payable_to(id(B)), 0);
    assert_eq!(l.balance(Account::EventFeeRevenue), 0);
    // The invoice entry is unchanged; what is left to credit shrank.
    assert_eq!(l.entries()[0].legs().len(), 6);
    let left = l.left_of(id(9)).unwrap();
    assert_eq!(left.officers.get(&id(B)), Some(&0));
    assert_eq!(left.officers.get(&id(A)), Some(&17_875));
    assert_eq!(left.event_fee_cents, 0);
    assert_eq!(
        l.refund(id(CUSTOMER), 25_884).unwrap_err(),
        LedgerError::RefundExceedsCredit {
            credit: 25_883,
            asked: 25_884
        }
    );
    l.refund(id(CUSTOMER), 25_883).unwrap();
    // 517.58 - 258.83 = 258.75
    assert_eq!((l.cash(), l.owed_by(id(CUSTOMER))), (25_875, 0));
    let again = Split {
        officers: [(id(B), 1)].into_iter().collect(),
        ..Split::default()
    };
    assert_eq!(
        l.credit_note(id(9), &again).unwrap_err(),
        LedgerError::CreditExceedsInvoice {
            account: Account::OfficerPayable { officer: id(B) },
            left: 0,
            asked: 1
        }
    );
    assert_eq!(sum_of_balances(&l), 0);
}

#[test]
fn what_an_officer_was_paid_cannot_be_credited_back() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    l.charge_succeeded(id(CUSTOMER), 51_758).unwrap();
    l.payout(id(A), 10_000).unwrap();
    let all_of_a = Split {
        officers: [(id(A), 17_875)].into_iter().collect(),
        ..Split::default()
    };
    assert_eq!(
        l.credit_note(id(9), &all_of_a).unwrap_err(),
        LedgerError::CreditExceedsPayable {
            officer: id(A),
            payable: 7_875,
            asked: 17_875
        }
    );
    assert_eq!(l.payable_to(id(A)), 7_875);
}

#[test]
fn a_full_credit_note_on_an_unpaid_invoice_clears_every_balance() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    let all = l.left_of(id(9)).unwrap();
    assert_eq!(all, split());
    l.credit_note(id(9), &all).unwrap();
    assert!(l.balances().values().all(|b| *b == 0), "{:?}", l.balances());
    assert_eq!(l.entries().len(), 2);
    assert_eq!(
        l.credit_note(id(9), &all).unwrap_err(),
        LedgerError::CreditExceedsInvoice {
            account: Account::OfficerPayable { officer: id(A) },
            left: 0,
            asked: 17_875
        }
    );
}

#[test]
fn invoices_are_posted_once_and_must_exist_to_be_credited() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    assert_eq!(
        l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap_err(),
        LedgerError::DuplicateInvoice(id(9))
    );
    assert_eq!(
        l.credit_note(id(8), &split()).unwrap_err(),
        LedgerError::UnknownInvoice(id(8))
    );
    assert_eq!(
        l.invoice_issued(id(10), id(CUSTOMER), &Split::default())
            .unwrap_err(),
        LedgerError::NotPositive
    );
    let negative = Split {
        admin_fee_cents: -1,
        ..split()
    };
    assert_eq!(
        l.invoice_issued(id(11), id(CUSTOMER), &negative)
            .unwrap_err(),
        LedgerError::Negative
    );
    assert_eq!(l.entries().len(), 1);
}

#[test]
fn entries_refuse_no_legs_negative_amounts_two_sided_legs_and_imbalance() {
    let cash = Account::Cash;
    let r = Account::Receivable {
        customer: id(CUSTOMER),
    };
    let new = |legs| Entry::new(EntryKind::Charge, None, legs, "t");
    assert_eq!(new(vec![]).unwrap_err(), LedgerError::Empty);
    assert_eq!(
        new(vec![Leg::debit(cash, -5), Leg::credit(r, -5)]).unwrap_err(),
        LedgerError::Negative
    );
    let both = Leg {
        account: cash,
        debit_cents: 5,
        credit_cents: 5,
    };
    assert_eq!(new(vec![both]).unwrap_err(), LedgerError::BadLeg);
    assert_eq!(
        new(vec![Leg::debit(cash, 0)]).unwrap_err(),
        LedgerError::BadLeg
    );
    assert_eq!(
        new(vec![Leg::debit(cash, 500), Leg::credit(r, 499)]).unwrap_err(),
        LedgerError::Unbalanced {
            debits: 500,
            credits: 499
        }
    );
    let ok = new(vec![Leg::debit(cash, 500), Leg::credit(r, 500)]).unwrap();
    assert_eq!(ok.memo(), "t");
    // Deserializing goes through the same checks.
    let json = serde_json::to_value(&ok).unwrap();
    assert_eq!(json["legs"][1]["account"]["account"], "receivable");
    assert_eq!(serde_json::from_value::<Entry>(json.clone()).unwrap(), ok);
    let mut bad = json;
    bad["legs"][1]["credit_cents"] = 499.into();
    assert!(serde_json::from_value::<Entry>(bad).is_err());
}

#[test]
fn an_invoice_from_timecards_splits_into_officers_and_fees() {
    let worked = |n: u128, officer: u128, minutes: i64, rate: Cents, vehicle: bool| WorkedShift {
        timecard_id: id(n),
        officer_id: id(officer),
        officer_name: "Officer".into(),
        job_type: "security".into(),
        billable_minutes: minutes,
        rate_cents: rate,
        multiplier_bp: 10_000,
        vehicle,
    };
    let w = [
        worked(1, A, 240, 5_500, true),
        worked(2, B, 180, 5_500, false),
    ];
    let bill = invoice(&RateCard::default(), &w).unwrap();
    let s = Split::of_invoice(&bill, &w).unwrap();
    // A: 55.00 × 4 = 220.00, vehicle 60.00, admin 20.00; B: 165.00, admin 15.00.
    // Subtotal 480.00; event fee 14.40; total 494.40.
    assert_eq!(
        s.officers.into_iter().collect::<Vec<_>>(),
        vec![(id(A), 22_000), (id(B), 16_500)]
    );
    assert_eq!(
        (s.vehicle_cents, s.admin_fee_cents, s.event_fee_cents),
        (6_000, 3_500, 1_440)
    );
    assert_eq!(bill.total_cents, 49_440);
}

#[test]
fn a_ledger_rebuilt_from_its_entries_is_the_same() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    l.charge_succeeded(id(CUSTOMER), 51_758).unwrap();
    l.payout(id(A), 17_875).unwrap();
    let part = Split {
        officers: [(id(B), 24_375)].into_iter().collect(),
        ..Split::default()
    };
    l.credit_note(id(9), &part).unwrap();
    l.refund(id(CUSTOMER), 24_375).unwrap();
    let stored = serde_json::to_string(l.entries()).unwrap();
    let again = Ledger::replay(serde_json::from_str(&stored).unwrap()).unwrap();
    assert_eq!(again, l);
    // What a credit note may still take back is rebuilt too.
    assert_eq!(again.left_of(id(9)), l.left_of(id(9)));
}

#[test]
fn replay_refuses_entries_the_events_would_not_have_written() {
    let mut l = Ledger::new();
    l.invoice_issued(id(9), id(CUSTOMER), &split()).unwrap();
    l.charge_succeeded(id(CUSTOMER), 51_758).unwrap();
    let mut entries = l.entries().to_vec();
    // A payout of more than A earned, balanced and well formed, but not allowed.
    let payout = |cents| {
        Entry::new(
            EntryKind::Payout,
            None,
            vec![
                Leg::debit(Account::OfficerPayable { officer: id(A) }, cents),
                Leg::credit(Account::Cash, cents),
            ],
            format!("Payout of {cents} cents"),
        )
        .unwrap()
    };
    entries.push(payout(17_876));
    assert!(matches!(
        Ledger::replay(entries.clone()),
        Err(LedgerError::PayoutExceedsPayable {
            payable: 17_875,
            ..
        })
    ));
    // The allowed amount with another memo is not what the event writes.
    entries.pop();
    let relabelled = Entry::new(
        EntryKind::Payout,
        None,
        payout(100).legs().to_vec(),
        "Bonus",
    )
    .unwrap();
    entries.push(relabelled);
    assert_eq!(
        Ledger::replay(entries.clone()).unwrap_err(),
        LedgerError::NotReplayable { index: 2 }
    );
    // A "charge" that moves cash to cash.
    entries.pop();
    entries.push(
        Entry::new(
            EntryKind::Charge,
            None,
            vec![Leg::debit(Account::Cash, 5), Leg::credit(Account::Cash, 5)],
            "Charge of 5 cents",
        )
        .unwrap(),
    );
    assert_eq!(
        Ledger::replay(entries).unwrap_err(),
        LedgerError::NotReplayable { index: 2 }
    );
}

// ---- random sequences against a model ---------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Issue {
        customer: u128,
        officers: Vec<(u128, Cents)>,
        vehicle: Cents,
        admin: Cents,
        event: Cents,
    },
    Charge {
        customer: u128,
        cents: Cents,
    },
    ChargeAll {
        customer: u128,
    },
    Credit {
        invoice: usize,
        part_bp: i64,
    },
    Refund {
        customer: u128,
        cents: Cents,
    },
    RefundAll {
        customer: u128,
    },
    Payout {
        officer: u128,
        cents: Cents,
    },
    PayoutAll {
        officer: u128,
    },
}

fn arb_op() -> impl Strategy<Value = Op> {
    let customer = 0u128..3;
    let officer = 0u128..4;
    prop_oneof![
        3 => (
            customer.clone(),
            prop::collection::vec((officer.clone(), 0i64..100_000), 0..4),
            0i64..5_000,
            0i64..5_000,
            0i64..2_000,
        )
            .prop_map(|(customer, officers, vehicle, admin, event)| Op::Issue {
                customer, officers, vehicle, admin, event
            }),
        1 => (customer.clone(), -10i64..150_000).prop_map(|(customer, cents)| Op::Charge { customer, cents }),
        2 => customer.clone().prop_map(|customer| Op::ChargeAll { customer }),
        2 => (0usize..8, 0i64..=10_000).prop_map(|(invoice, part_bp)| Op::Credit { invoice, part_bp }),
        1 => (customer.clone(), -10i64..50_000).prop_map(|(customer, cents)| Op::Refund { customer, cents }),
        1 => customer.prop_map(|customer| Op::RefundAll { customer }),
        1 => (officer.clone(), -10i64..100_000).prop_map(|(officer, cents)| Op::Payout { officer, cents }),
        2 => officer.prop_map(|officer| Op::PayoutAll { officer }),
    ]
}

/// Who owes and holds what, kept without the ledger.
#[derive(Default)]
struct Model {
    earned: BTreeMap<Uuid, i128>,
    paid: BTreeMap<Uuid, i128>,
    owed: BTreeMap<Uuid, i128>,
    cash: i128,
    invoices: Vec<Uuid>,
}

impl Model {
    fn payable(&self, o: Uuid) -> i128 {
        self.earned.get(&o).copied().unwrap_or(0) - self.paid.get(&o).copied().unwrap_or(0)
    }
    fn owed(&self, c: Uuid) -> i128 {
        self.owed.get(&c).copied().unwrap_or(0)
    }
}

fn apply(l: &mut Ledger, m: &mut Model, op: &Op) -> Result<bool, TestCaseError> {
    Ok(match op {
        Op::Issue {
            customer,
            officers,
            vehicle,
            admin,
            event,
        } => {
            let mut split = Split {
                vehicle_cents: *vehicle,
                admin_fee_cents: *admin,
                event_fee_cents: *event,
                ..Split::default()
            };
            for (o, c) in officers {
                *split.officers.entry(id(*o)).or_default() += c;
            }
            let invoice = Uuid::from_u128(1_000 + m.invoices.len() as u128);
            let total: i128 = split
                .officers
                .values()
                .map(|c| i128::from(*c))
                .sum::<i128>()
                + i128::from(vehicle + admin + event);
            let r = l.invoice_issued(invoice, id(*customer), &split);
            prop_assert_eq!(r.is_ok(), total > 0);
            if total > 0 {
                m.invoices.push(invoice);
                *m.owed.entry(id(*customer)).or_default() += total;
                for (o, c) in &split.officers {
                    *m.earned.entry(*o).or_default() += i128::from(*c);
                }
            }
            total > 0
        }
        Op::Charge { customer, cents } => charge(l, m, *customer, *cents)?,
        Op::ChargeAll { customer } => {
            let owed = m.owed(id(*customer));
            charge(l, m, *customer, Cents::try_from(owed).unwrap_or(0))?
        }
        Op::Credit { invoice, part_bp } => {
            let Some(inv) = m.invoices.get(*invoice).copied() else {
                return Ok(false);
            };
            let left = l.left_of(inv).expect("posted");
            let part = |c: Cents| c * part_bp / 10_000;
            let split = Split {
                officers: left.officers.iter().map(|(o, c)| (*o, part(*c))).collect(),
                vehicle_cents: part(left.vehicle_cents),
                admin_fee_cents: part(left.admin_fee_cents),
                event_fee_cents: part(left.event_fee_cents),
            };
            let total = i128::from(split.total().expect("small"));
            let covered = split
                .officers
                .iter()
                .all(|(o, c)| i128::from(*c) <= m.payable(*o));
            let r = l.credit_note(inv, &split);
            prop_assert_eq!(r.is_ok(), total > 0 && covered, "{:?}", r);
            if total > 0 && covered {
                for (o, c) in &split.officers {
                    *m.earned.entry(*o).or_default() -= i128::from(*c);
                }
                let customer = l
                    .entries()
                    .last()
                    .expect("posted")
                    .legs()
                    .iter()
                    .find_map(|g| match g.account {
                        Account::Receivable { customer } => Some(customer),
                        _ => None,
                    });
                *m.owed.entry(customer.expect("receivable leg")).or_default() -= total;
            }
            total > 0 && covered
        }
        Op::Refund { customer, cents } => refund(l, m, *customer, *cents)?,
        Op::RefundAll { customer } => {
            let credit = -m.owed(id(*customer));
            refund(l, m, *customer, Cents::try_from(credit).unwrap_or(0))?
        }
        Op::Payout { officer, cents } => payout(l, m, *officer, *cents)?,
        Op::PayoutAll { officer } => {
            let p = m.payable(id(*officer)).min(m.cash);
            payout(l, m, *officer, Cents::try_from(p).unwrap_or(0))?
        }
    })
}

fn charge(
    l: &mut Ledger,
    m: &mut Model,
    customer: u128,
    cents: Cents,
) -> Result<bool, TestCaseError> {
    let c = id(customer);
    let ok = cents > 0 && i128::from(cents) <= m.owed(c);
    prop_assert_eq!(l.charge_succeeded(c, cents).is_ok(), ok);
    if ok {
        *m.owed.entry(c).or_default() -= i128::from(cents);
        m.cash += i128::from(cents);
    }
    Ok(ok)
}

fn refund(
    l: &mut Ledger,
    m: &mut Model,
    customer: u128,
    cents: Cents,
) -> Result<bool, TestCaseError> {
    let c = id(customer);
    let x = i128::from(cents);
    let ok = cents > 0 && x <= -m.owed(c) && x <= m.cash;
    prop_assert_eq!(l.refund(c, cents).is_ok(), ok);
    if ok {
        *m.owed.entry(c).or_default() += x;
        m.cash -= x;
    }
    Ok(ok)
}

fn payout(
    l: &mut Ledger,
    m: &mut Model,
    officer: u128,
    cents: Cents,
) -> Result<bool, TestCaseError> {
    let o = id(officer);
    let x = i128::from(cents);
    let ok = cents > 0 && x <= m.payable(o) && x <= m.cash;
    prop_assert_eq!(l.payout(o, cents).is_ok(), ok);
    if ok {
        *m.paid.entry(o).or_default() += x;
        m.cash -= x;
    }
    Ok(ok)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn random_events_keep_the_books_balanced_and_never_pay_what_was_not_earned(
        ops in prop::collection::vec(arb_op(), 1..60),
    ) {
        let mut l = Ledger::new();
        let mut m = Model::default();
        for op in &ops {
            let before = l.entries().to_vec();
            let posted = apply(&mut l, &mut m, op)?;
            // Append-only: what was there stays as it was; one entry more, or none.
            prop_assert_eq!(&l.entries()[..before.len()], &before[..]);
            prop_assert_eq!(l.entries().len(), before.len() + usize::from(posted));
            for e in l.entries() {
                let debits: i128 = e.legs().iter().map(|g| i128::from(g.debit_cents)).sum();
                let credits: i128 = e.legs().iter().map(|g| i128::from(g.credit_cents)).sum();
                prop_assert_eq!(debits, credits);
                prop_assert!(e.legs().iter().all(|g| g.debit_cents >= 0 && g.credit_cents >= 0));
            }
            prop_assert_eq!(sum_of_balances(&l), 0);
            prop_assert!(l.cash() >= 0);
            prop_assert_eq!(i128::from(l.cash()), m.cash);
            for o in 0..4 {
                let o = id(o);
                prop_assert!(l.payable_to(o) >= 0);
                let paid = m.paid.get(&o).copied().unwrap_or(0);
                let earned = m.earned.get(&o).copied().unwrap_or(0);
                prop_assert!(paid <= earned, "officer {} paid {} of {}", o, paid, earned);
                prop_assert_eq!(i128::from(l.payable_to(o)), earned - paid);
            }
            for c in 0..3 {
                prop_assert_eq!(i128::from(l.owed_by(id(c))), m.owed(id(c)));
            }
        }
        // The money held is what customers paid in, net of refunds, less what officers got.
        let paid_out: i128 = m.paid.values().sum();
        let payouts: i128 = l
            .entries()
            .iter()
            .filter(|e| e.kind() == EntryKind::Payout)
            .flat_map(|e| e.legs())
            .map(|g| i128::from(g.credit_cents))
            .sum();
        prop_assert_eq!(paid_out, payouts);
        // The entries alone rebuild the same ledger.
        prop_assert_eq!(Ledger::replay(l.entries().to_vec()), Ok(l));
    }
}
