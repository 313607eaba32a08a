//! Invoice lines from worked time: one officer-hours line per approved timecard, carrying exactly
//! the cents the officer is paid, plus the vehicle and administrative fees and the event fee.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Bill, Line, LineKind, MAX_JOB_TYPE_CHARS, RateCard, duration, fee_lines, times};
use crate::pay::{BP_ONE, Cents, MAX_MULTIPLIER_BP, MAX_RATE_CENTS, gross_cents};
use crate::validation::{Invalid, InvalidCode, text};

/// Most timecards one invoice may hold.
pub const MAX_WORKED: usize = 5_000;
/// Most billable minutes of one timecard: 24 hours, plus an hour for rounding to the increment.
pub const MAX_WORKED_MINUTES: i64 = 25 * 60;
/// Longest officer name on an invoice line, in characters.
pub const MAX_OFFICER_NAME_CHARS: usize = 100;

/// One approved timecard to bill, as pay computed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkedShift {
    pub timecard_id: Uuid,
    /// The officer paid for it (whose payable the ledger credits).
    pub officer_id: Uuid,
    pub officer_name: String,
    pub job_type: String,
    /// Minutes paid, after rounding and the minimum ([`crate::pay::PayPolicy::billable_minutes`]).
    pub billable_minutes: i64,
    /// The officer's hourly rate, cents.
    pub rate_cents: Cents,
    /// The officer's multiplier, basis points.
    pub multiplier_bp: u32,
    /// Whether the officer brought a vehicle.
    pub vehicle: bool,
}

fn check(worked: &[WorkedShift]) -> Result<(), Invalid> {
    if worked.is_empty() {
        return Err(Invalid::new(
            "worked",
            InvalidCode::Required,
            "An invoice needs at least one worked shift.",
        ));
    }
    if worked.len() > MAX_WORKED {
        return Err(Invalid::new(
            "worked",
            InvalidCode::TooMany,
            format!(
                "An invoice can hold at most {MAX_WORKED} timecards (got {}).",
                worked.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (i, w) in worked.iter().enumerate() {
        let field = |name: &str| format!("worked[{i}].{name}");
        if !seen.insert(w.timecard_id) {
            return Err(Invalid::new(
                field("timecard_id"),
                InvalidCode::Duplicate,
                "This timecard is already on the invoice.",
            ));
        }
        text(
            &field("officer_name"),
            &w.officer_name,
            MAX_OFFICER_NAME_CHARS,
        )?;
        text(&field("job_type"), &w.job_type, MAX_JOB_TYPE_CHARS)?;
        if !(0..=MAX_WORKED_MINUTES).contains(&w.billable_minutes) {
            return Err(Invalid::new(
                field("billable_minutes"),
                InvalidCode::OutOfRange,
                format!(
                    "Billable time must be between 0 and {MAX_WORKED_MINUTES} minutes (got {}).",
                    w.billable_minutes
                ),
            ));
        }
        if !(0..=MAX_RATE_CENTS).contains(&w.rate_cents) {
            return Err(Invalid::new(
                field("rate_cents"),
                InvalidCode::OutOfRange,
                format!(
                    "The hourly rate must be between 0 and {MAX_RATE_CENTS} cents (got {}).",
                    w.rate_cents
                ),
            ));
        }
        if !(BP_ONE..=MAX_MULTIPLIER_BP).contains(&w.multiplier_bp) {
            return Err(Invalid::new(
                field("multiplier_bp"),
                InvalidCode::OutOfRange,
                format!(
                    "The multiplier must be between {BP_ONE} and {MAX_MULTIPLIER_BP} basis points \
                     (got {}).",
                    w.multiplier_bp
                ),
            ));
        }
    }
    Ok(())
}

/// The invoice for approved timecards: per timecard (in the given order; `Line::shift` is its
/// index in `worked`) an officer-hours line of `gross_cents(rate, billable_minutes, multiplier)`
/// — the very cents the officer is paid — then, for the same minutes and without the
/// multiplier, a vehicle line (when the officer brought one) and an administrative fee line;
/// then the event fee on the subtotal. A timecard with 0 billable minutes (a no-show) keeps its
/// officer-hours line at 0 and has no fee lines. Refuses an invalid card (fields under
/// `rate_card`), no timecards or more than 5,000, a timecard listed twice, blank or over-long
/// names and job types, and minutes, rates or multipliers out of range (fields `worked[i].…`).
pub fn invoice(card: &RateCard, worked: &[WorkedShift]) -> Result<Bill, Invalid> {
    card.validate().map_err(|e| e.within("rate_card"))?;
    check(worked)?;
    let mut lines = Vec::new();
    for (i, w) in worked.iter().enumerate() {
        let minutes = w.billable_minutes;
        let why = if w.multiplier_bp == BP_ONE {
            String::new()
        } else {
            format!(", {}", times(w.multiplier_bp))
        };
        lines.push(Line {
            kind: LineKind::OfficerHours,
            shift: Some(i),
            description: format!(
                "{}, {} {}{why}",
                w.officer_name.trim(),
                duration(minutes),
                w.job_type.trim()
            ),
            officers: 1,
            minutes,
            rate_cents: w.rate_cents,
            multiplier_bp: w.multiplier_bp,
            amount_cents: gross_cents(w.rate_cents, minutes, w.multiplier_bp),
        });
        if minutes > 0 {
            lines.extend(fee_lines(card, i, 1, minutes, w.vehicle)?);
        }
    }
    Bill::from_lines(lines, card.event_fee_bp)
}

/// What the officers earn on `bill`: the sum of its officer-hours and late-cancellation lines.
/// The rest of the total is the department's (vehicle, administrative and event fees).
pub fn officer_share(bill: &Bill) -> Cents {
    bill.sum_of(LineKind::OfficerHours) + bill.sum_of(LineKind::LateCancellation)
}

/// Each timecard's earnings on an invoice made by [`invoice`] from `worked`: its officer-hours
/// and late-cancellation lines, by `worked[line.shift].timecard_id`. What a payout pays for a
/// timecard. Lines whose shift index is outside `worked` are refused (the bill was not made
/// from this list).
pub fn timecard_shares(
    bill: &Bill,
    worked: &[WorkedShift],
) -> Result<BTreeMap<Uuid, (Uuid, Cents)>, Invalid> {
    let mut shares: BTreeMap<Uuid, (Uuid, Cents)> = BTreeMap::new();
    for l in &bill.lines {
        if l.kind != LineKind::OfficerHours && l.kind != LineKind::LateCancellation {
            continue;
        }
        let w = l.shift.and_then(|i| worked.get(i)).ok_or_else(|| {
            Invalid::new(
                "worked",
                InvalidCode::Inconsistent,
                "The invoice was not made from these timecards.",
            )
        })?;
        let share = &mut shares.entry(w.timecard_id).or_insert((w.officer_id, 0)).1;
        *share = share
            .checked_add(l.amount_cents)
            .ok_or_else(super::too_large)?;
    }
    Ok(shares)
}

/// Each officer's earnings on an invoice made by [`invoice`] from `worked`: the timecards'
/// shares ([`timecard_shares`]) added up by officer.
pub fn officer_shares(
    bill: &Bill,
    worked: &[WorkedShift],
) -> Result<BTreeMap<Uuid, Cents>, Invalid> {
    let mut shares = BTreeMap::new();
    for (officer, cents) in timecard_shares(bill, worked)?.into_values() {
        let share: &mut Cents = shares.entry(officer).or_default();
        *share = share.checked_add(cents).ok_or_else(super::too_large)?;
    }
    Ok(shares)
}

#[cfg(test)]
mod tests;
