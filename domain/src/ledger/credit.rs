//! What a credit note takes back of an issued invoice when it corrects some of its timecards:
//! their officer-hours, vehicle and administrative lines as issued, and the event fee on their
//! subtotal at the invoice's own rate (half up, the crate's one rounding rule).

use std::collections::BTreeSet;

use uuid::Uuid;

use super::Split;
use crate::billing::{Bill, LineKind, WorkedShift, percent_cents};
use crate::validation::{Invalid, InvalidCode};

impl Split {
    /// The part of invoice `bill` (made by [`crate::billing::invoice`] from `worked`) that
    /// belongs to the timecards `selected`. Every timecard selected gives exactly
    /// [`Split::of_invoice`]; a part gives its lines as issued and the event fee
    /// `percent_cents(part's subtotal, the invoice's event fee bp)`, which is never more than
    /// the invoice's (the fee rounds monotonically). Refuses an empty selection or a timecard
    /// that is not on the invoice.
    pub fn of_timecards(
        bill: &Bill,
        worked: &[WorkedShift],
        selected: &BTreeSet<Uuid>,
    ) -> Result<Split, Invalid> {
        if selected.is_empty() {
            return Err(Invalid::new(
                "timecards",
                InvalidCode::Required,
                "Choose at least one timecard to credit.",
            ));
        }
        for id in selected {
            if !worked.iter().any(|w| w.timecard_id == *id) {
                return Err(Invalid::new(
                    "timecards",
                    InvalidCode::Inconsistent,
                    format!("Timecard {id} is not on this invoice."),
                ));
            }
        }
        let full = Split::of_invoice(bill, worked)?;
        if worked.iter().all(|w| selected.contains(&w.timecard_id)) {
            return Ok(full);
        }
        let on = |i: Option<usize>| {
            i.and_then(|i| worked.get(i))
                .is_some_and(|w| selected.contains(&w.timecard_id))
        };
        let mut part = Split::default();
        let mut subtotal: i64 = 0;
        for l in bill.lines.iter().filter(|l| on(l.shift)) {
            subtotal = subtotal.checked_add(l.amount_cents).ok_or_else(overflow)?;
            match l.kind {
                LineKind::OfficerHours | LineKind::LateCancellation => {
                    let w = l.shift.and_then(|i| worked.get(i)).ok_or_else(overflow)?;
                    *part.officers.entry(w.officer_id).or_default() += l.amount_cents;
                }
                LineKind::Vehicle => part.vehicle_cents += l.amount_cents,
                LineKind::AdminFee => part.admin_fee_cents += l.amount_cents,
                LineKind::EventFee => {}
            }
        }
        part.officers.retain(|_, c| *c != 0);
        let bp = bill
            .lines
            .iter()
            .find(|l| l.kind == LineKind::EventFee)
            .map_or(0, |l| l.multiplier_bp);
        part.event_fee_cents = percent_cents(subtotal, bp).min(full.event_fee_cents);
        Ok(part)
    }
}

fn overflow() -> Invalid {
    Invalid::new(
        "bill",
        InvalidCode::Inconsistent,
        "The invoice was not made from these timecards.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::{RateCard, invoice};

    fn worked(n: usize) -> Vec<WorkedShift> {
        (0..n)
            .map(|i| WorkedShift {
                timecard_id: Uuid::from_u128(i as u128 + 1),
                officer_id: Uuid::from_u128(100 + i as u128),
                officer_name: format!("Officer {i}"),
                job_type: "security".into(),
                billable_minutes: 240 + 15 * i as i64,
                rate_cents: 5_000,
                multiplier_bp: 10_000,
                vehicle: i % 2 == 0,
            })
            .collect()
    }

    #[test]
    fn crediting_every_timecard_takes_back_the_whole_invoice() {
        let w = worked(3);
        let bill = invoice(&RateCard::default(), &w).expect("bill");
        let all: BTreeSet<Uuid> = w.iter().map(|w| w.timecard_id).collect();
        let split = Split::of_timecards(&bill, &w, &all).expect("split");
        assert_eq!(split.total(), Some(bill.total_cents));
    }

    #[test]
    fn crediting_one_timecard_takes_its_lines_and_its_event_fee() {
        let w = worked(3);
        let bill = invoice(&RateCard::default(), &w).expect("bill");
        let one: BTreeSet<Uuid> = [w[1].timecard_id].into();
        let split = Split::of_timecards(&bill, &w, &one).expect("split");
        // Officer 1: 4 h 15 min at 50.00 = 212.50; admin 5.00/h = 21.25; no vehicle (odd);
        // event fee 3 % of 233.75 = 7.0125 → 7.01.
        assert_eq!(split.officers.get(&w[1].officer_id), Some(&21_250));
        assert_eq!(split.officers.len(), 1);
        assert_eq!(split.vehicle_cents, 0);
        assert_eq!(split.admin_fee_cents, 2_125);
        assert_eq!(split.event_fee_cents, 701);
    }

    #[test]
    fn a_timecard_not_on_the_invoice_is_refused() {
        let w = worked(2);
        let bill = invoice(&RateCard::default(), &w).expect("bill");
        let other: BTreeSet<Uuid> = [Uuid::from_u128(999)].into();
        assert!(Split::of_timecards(&bill, &w, &other).is_err());
        assert!(Split::of_timecards(&bill, &w, &BTreeSet::new()).is_err());
    }
}
