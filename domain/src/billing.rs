//! What a customer pays: the department's rate card, the estimate a business sees before it
//! requests an event, what cancelling a shift late costs, and (in `invoice`) the invoice for
//! worked time.
//!
//! # How a bill is worked out
//!
//! Each requested shift is billed per officer, then multiplied by the number of officers:
//!
//! - **minutes**: the scheduled length in whole minutes (seconds dropped) through
//!   [`PayPolicy::billable_minutes`] (rounded to the increment, half up, then the minimum). The
//!   same minutes apply to every officer of the shift.
//! - **officer hours**: `officers × gross_cents(rate, minutes, multiplier)`. The rate is the
//!   officer's rate for the job type and the multiplier the officer's (holiday or short notice,
//!   the larger, never compounded; short notice counts from the moment of the request). So the
//!   customer is billed, cent for cent, what the officers are paid for the scheduled time.
//! - **vehicle** (only when the shift asks for one, one vehicle per officer) and **administrative
//!   fee**: `officers × gross_cents(fee_per_hour, minutes, ×1)`: per billed officer-minute,
//!   **never** multiplied by the holiday or short-notice multiplier.
//! - **event fee**: `subtotal × event_fee_bp / 10000`, rounded half up once ([`percent_cents`],
//!   which is [`gross_cents`] itself: the crate keeps one rounding rule).
//!
//! The `subtotal` is the sum of every line but the event fee; the `total` is the subtotal plus the
//! event fee, which is the sum of every line. Fee lines whose rate is zero are left out, and so is
//! the event fee line when its basis points are zero. With a valid rate card and request no sum can
//! overflow (at most 50 shifts × 50 officers × 1,440 minutes × 10,000.00 an hour × 10 is about
//! 2 × 10^13 cents); the sums are still checked and refused rather than wrapped.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::pay::{BP_ONE, Cents, MAX_RATE_CENTS, PayPolicy, gross_cents};
use crate::validation::{Invalid, InvalidCode};

mod invoice;
mod request;
pub use invoice::{
    MAX_OFFICER_NAME_CHARS, MAX_WORKED, MAX_WORKED_MINUTES, WorkedShift, invoice, officer_share,
    officer_shares, timecard_shares,
};
pub use request::{RequestedShift, validate_request};

/// Most shifts one event request may hold.
pub const MAX_SHIFTS: usize = 50;
/// Most officers one shift may ask for.
pub const MAX_OFFICERS: u32 = 50;
/// Longest shift, in minutes (24 hours).
pub const MAX_SHIFT_MINUTES: i64 = 24 * 60;
/// Longest job type, in characters.
pub const MAX_JOB_TYPE_CHARS: usize = 40;
/// Largest event fee: 100 % of the subtotal, in basis points.
pub const MAX_EVENT_FEE_BP: u32 = 10_000;
/// Longest late-cancellation window, in hours (30 days).
pub const MAX_LATE_CANCEL_HOURS: u32 = 720;
/// Longest window a customer has to review a timecard after clock-out, in hours (30 days).
pub const MAX_REVIEW_HOURS: u32 = 720;
/// The customer's review window when the department set none: 72 hours.
pub const DEFAULT_REVIEW_HOURS: u32 = 72;

fn default_review_hours() -> u32 {
    DEFAULT_REVIEW_HOURS
}

/// The department's prices for customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateCard {
    /// Officer hours: the customer is billed the officer's minutes at the officer's rate and
    /// multiplier (base rate by job type, holidays and their multiplier, short-notice multiplier,
    /// minimum minutes per shift, rounding increment).
    pub pay: PayPolicy,
    /// Per billed officer-hour when the shift asks for a vehicle, cents (no multiplier).
    pub vehicle_fee_cents_per_hour: Cents,
    /// The department's administrative fee per billed officer-hour, cents (no multiplier).
    pub admin_fee_cents_per_hour: Cents,
    /// The event fee, in basis points of the subtotal (300 = 3 %).
    pub event_fee_bp: u32,
    /// Cancelling a shift less than this many hours before it starts is late.
    pub late_cancel_hours: u32,
    /// A customer may approve or dispute a timecard of its organization until this many hours
    /// after clock-out; then it is approved automatically ([`review_closes_at`]).
    #[serde(default = "default_review_hours")]
    pub timecard_review_hours: u32,
}

impl Default for RateCard {
    /// [`PayPolicy::default`], a vehicle 15.00 and the administrative fee 5.00 per officer-hour,
    /// an event fee of 3 %, cancellations under 24 hours before the start are late, and
    /// customers review timecards within 72 hours of clock-out.
    fn default() -> Self {
        RateCard {
            pay: PayPolicy::default(),
            vehicle_fee_cents_per_hour: 1500,
            admin_fee_cents_per_hour: 500,
            event_fee_bp: 300,
            late_cancel_hours: 24,
            timecard_review_hours: DEFAULT_REVIEW_HOURS,
        }
    }
}

impl RateCard {
    /// Checks the card: the pay policy ([`PayPolicy::validate`], fields under `pay`), fees of
    /// 0..=1,000,000 cents an hour, an event fee of 0..=10000 bp, a late-cancellation window of
    /// 0..=720 hours and a review window of 1..=720 hours.
    pub fn validate(&self) -> Result<(), Invalid> {
        self.pay.validate().map_err(|e| e.within("pay"))?;
        for (field, value) in [
            (
                "vehicle_fee_cents_per_hour",
                self.vehicle_fee_cents_per_hour,
            ),
            ("admin_fee_cents_per_hour", self.admin_fee_cents_per_hour),
        ] {
            if !(0..=MAX_RATE_CENTS).contains(&value) {
                return Err(Invalid::new(
                    field,
                    InvalidCode::OutOfRange,
                    format!("must be between 0 and {MAX_RATE_CENTS} cents an hour (got {value})"),
                ));
            }
        }
        if self.event_fee_bp > MAX_EVENT_FEE_BP {
            return Err(Invalid::new(
                "event_fee_bp",
                InvalidCode::OutOfRange,
                format!(
                    "must be between 0 and {MAX_EVENT_FEE_BP} basis points (got {})",
                    self.event_fee_bp
                ),
            ));
        }
        if self.late_cancel_hours > MAX_LATE_CANCEL_HOURS {
            return Err(Invalid::new(
                "late_cancel_hours",
                InvalidCode::OutOfRange,
                format!(
                    "must be between 0 and {MAX_LATE_CANCEL_HOURS} hours (got {})",
                    self.late_cancel_hours
                ),
            ));
        }
        if !(1..=MAX_REVIEW_HOURS).contains(&self.timecard_review_hours) {
            return Err(Invalid::new(
                "timecard_review_hours",
                InvalidCode::OutOfRange,
                format!(
                    "must be between 1 and {MAX_REVIEW_HOURS} hours (got {})",
                    self.timecard_review_hours
                ),
            ));
        }
        Ok(())
    }

    /// When the customer's review of a timecard clocked out at `clock_out` closes: clock-out plus
    /// [`RateCard::timecard_review_hours`]. At that instant and after, the customer can no
    /// longer approve or dispute it, and it is approved automatically.
    pub fn review_closes_at(&self, clock_out: DateTime<Utc>) -> DateTime<Utc> {
        clock_out + TimeDelta::hours(i64::from(self.timecard_review_hours))
    }

    /// Whether a customer may still approve or dispute a timecard clocked out at `clock_out`.
    pub fn in_review_window(&self, clock_out: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now < self.review_closes_at(clock_out)
    }
}

/// What a line of a bill charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Officers' time at their rate and multiplier.
    OfficerHours,
    /// Vehicles, per billed officer-hour.
    Vehicle,
    /// The department's administrative fee, per billed officer-hour.
    AdminFee,
    /// The event fee, a percentage of the subtotal.
    EventFee,
    /// The officers' minimum time owed for a shift cancelled late.
    LateCancellation,
}

/// One line of a bill.
///
/// For every kind but [`LineKind::EventFee`]: `amount_cents = officers × gross_cents(rate_cents,
/// minutes, multiplier_bp)`, with `minutes` per officer. For the event fee: `officers` and
/// `minutes` are 0, `rate_cents` is the subtotal it is taken of, `multiplier_bp` the fee's basis
/// points, and `amount_cents = percent_cents(rate_cents, multiplier_bp)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub kind: LineKind,
    /// Index of the shift (in the request, or of the worked shift in an invoice); `None` for the
    /// event fee.
    pub shift: Option<usize>,
    /// A short English sentence for the customer.
    pub description: String,
    pub officers: u32,
    /// Billed minutes per officer.
    pub minutes: i64,
    /// Hourly rate in cents (the subtotal, for the event fee).
    pub rate_cents: Cents,
    /// Multiplier in basis points (10000 for fees; the fee's basis points for the event fee).
    pub multiplier_bp: u32,
    pub amount_cents: Cents,
}

/// A bill: its lines and totals. `subtotal_cents` is the sum of the lines other than the event
/// fee, `total_cents = subtotal_cents + event_fee_cents` is the sum of all lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bill {
    pub lines: Vec<Line>,
    pub subtotal_cents: Cents,
    pub event_fee_cents: Cents,
    pub total_cents: Cents,
}

impl Bill {
    /// A bill with no lines and a total of 0.
    pub fn empty() -> Bill {
        Bill {
            lines: Vec::new(),
            subtotal_cents: 0,
            event_fee_cents: 0,
            total_cents: 0,
        }
    }

    /// The sum of the lines of `kind`.
    pub fn sum_of(&self, kind: LineKind) -> Cents {
        self.lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.amount_cents)
            .sum()
    }

    /// Totals `lines` (none of them an event fee) and adds the event fee line at `event_fee_bp`.
    /// No lines give [`Bill::empty`].
    pub(crate) fn from_lines(mut lines: Vec<Line>, event_fee_bp: u32) -> Result<Bill, Invalid> {
        if lines.is_empty() {
            return Ok(Bill::empty());
        }
        let subtotal = lines.iter().try_fold(0 as Cents, |sum, l| {
            sum.checked_add(l.amount_cents).ok_or_else(too_large)
        })?;
        let fee = percent_cents(subtotal, event_fee_bp);
        if event_fee_bp > 0 {
            lines.push(Line {
                kind: LineKind::EventFee,
                shift: None,
                description: format!("Event fee, {} of the subtotal", percent(event_fee_bp)),
                officers: 0,
                minutes: 0,
                rate_cents: subtotal,
                multiplier_bp: event_fee_bp,
                amount_cents: fee,
            });
        }
        Ok(Bill {
            lines,
            subtotal_cents: subtotal,
            event_fee_cents: fee,
            total_cents: subtotal.checked_add(fee).ok_or_else(too_large)?,
        })
    }
}

pub(crate) fn too_large() -> Invalid {
    Invalid::new(
        "shifts",
        InvalidCode::OutOfRange,
        "The amounts are too large to bill.",
    )
}

/// `amount × bp / 10000`, rounded half up to the cent: [`gross_cents`]`(amount, 60, bp)`, which
/// is the same fraction (`amount × 60 × bp / 600000`) under the crate's one rounding rule.
pub fn percent_cents(amount: Cents, bp: u32) -> Cents {
    gross_cents(amount, 60, bp)
}

/// "3 %" style text for basis points: 300 → "3%", 250 → "2.5%", 1 → "0.01%".
fn percent(bp: u32) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        format!("{whole}%")
    } else if frac.is_multiple_of(10) {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

/// "×1.25" style text for a multiplier in basis points (trailing zeros dropped).
pub(crate) fn times(bp: u32) -> String {
    let frac = format!("{:04}", bp % BP_ONE);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("×{}", bp / BP_ONE)
    } else {
        format!("×{}.{frac}", bp / BP_ONE)
    }
}

/// "4 h 00 min" for 240.
pub(crate) fn duration(minutes: i64) -> String {
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

/// "1 officer" / "2 officers".
pub(crate) fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `officers × gross_cents(rate, minutes, bp)`, checked.
pub(crate) fn per_officer_times(
    officers: u32,
    rate: Cents,
    minutes: i64,
    bp: u32,
) -> Result<Cents, Invalid> {
    gross_cents(rate, minutes, bp)
        .checked_mul(Cents::from(officers))
        .ok_or_else(too_large)
}

/// What applies to one validated shift.
struct Priced {
    job_type: String,
    rate_cents: Cents,
    multiplier_bp: u32,
    /// Why the multiplier is not ×1: "holiday" or "short notice".
    reason: Option<&'static str>,
    billable_minutes: i64,
}

fn price(card: &RateCard, tz: Tz, requested_at: DateTime<Utc>, s: &RequestedShift) -> Priced {
    let job_type = s.job_type.trim().to_string();
    let pay = &card.pay;
    let multiplier_bp = pay.multiplier_bp(s.starts_at, requested_at, tz);
    let holiday = pay
        .holidays
        .contains(&s.starts_at.with_timezone(&tz).date_naive());
    let reason = if multiplier_bp == BP_ONE {
        None
    } else if holiday && multiplier_bp == pay.holiday_multiplier_bp {
        Some("holiday")
    } else {
        Some("short notice")
    };
    let worked = s.ends_at.signed_duration_since(s.starts_at).num_minutes();
    Priced {
        rate_cents: pay.rate_for(&job_type),
        multiplier_bp,
        reason,
        billable_minutes: pay.billable_minutes(worked),
        job_type,
    }
}

/// The officer-hours-like line, the vehicle line and the admin line of one shift billed
/// `minutes` per officer.
fn shift_lines(
    card: &RateCard,
    index: usize,
    shift: &RequestedShift,
    p: &Priced,
    minutes: i64,
    late: bool,
) -> Result<Vec<Line>, Invalid> {
    let officers = shift.officers;
    let who = count(officers, "officer", "officers");
    let time = duration(minutes);
    let why = p
        .reason
        .map(|r| format!(", {} {r}", times(p.multiplier_bp)))
        .unwrap_or_default();
    let (kind, description) = if late {
        (
            LineKind::LateCancellation,
            format!(
                "Late cancellation, {who} × {time} minimum {}{why}",
                p.job_type
            ),
        )
    } else {
        (
            LineKind::OfficerHours,
            format!("{who} × {time} {}{why}", p.job_type),
        )
    };
    let mut lines = vec![Line {
        kind,
        shift: Some(index),
        description,
        officers,
        minutes,
        rate_cents: p.rate_cents,
        multiplier_bp: p.multiplier_bp,
        amount_cents: per_officer_times(officers, p.rate_cents, minutes, p.multiplier_bp)?,
    }];
    lines.extend(fee_lines(card, index, officers, minutes, shift.vehicle)?);
    Ok(lines)
}

/// The vehicle line (when asked for) and the administrative fee line for `officers` billed
/// `minutes` each; lines whose rate is 0 are left out.
pub(crate) fn fee_lines(
    card: &RateCard,
    index: usize,
    officers: u32,
    minutes: i64,
    vehicle: bool,
) -> Result<Vec<Line>, Invalid> {
    let time = duration(minutes);
    let mut lines = Vec::new();
    let rate = card.vehicle_fee_cents_per_hour;
    if vehicle && rate > 0 {
        lines.push(Line {
            kind: LineKind::Vehicle,
            shift: Some(index),
            description: format!("{} × {time}", count(officers, "vehicle", "vehicles")),
            officers,
            minutes,
            rate_cents: rate,
            multiplier_bp: BP_ONE,
            amount_cents: per_officer_times(officers, rate, minutes, BP_ONE)?,
        });
    }
    let rate = card.admin_fee_cents_per_hour;
    if rate > 0 {
        lines.push(Line {
            kind: LineKind::AdminFee,
            shift: Some(index),
            description: format!(
                "Administrative fee, {} × {time}",
                count(officers, "officer", "officers")
            ),
            officers,
            minutes,
            rate_cents: rate,
            multiplier_bp: BP_ONE,
            amount_cents: per_officer_times(officers, rate, minutes, BP_ONE)?,
        });
    }
    Ok(lines)
}

fn check_inputs(
    card: &RateCard,
    requested_at: DateTime<Utc>,
    shifts: &[RequestedShift],
) -> Result<(), Invalid> {
    card.validate().map_err(|e| e.within("rate_card"))?;
    validate_request(requested_at, shifts)
}

/// The estimate a business sees before it submits an event request made at `requested_at`: for
/// each shift an officer-hours line, a vehicle line when asked for and an administrative fee
/// line, then the event fee (see the module's doc for the figures). Refuses an invalid card
/// (fields under `rate_card`) or request ([`validate_request`]).
pub fn estimate(
    card: &RateCard,
    tz: Tz,
    requested_at: DateTime<Utc>,
    shifts: &[RequestedShift],
) -> Result<Bill, Invalid> {
    check_inputs(card, requested_at, shifts)?;
    let mut lines = Vec::new();
    for (i, s) in shifts.iter().enumerate() {
        let p = price(card, tz, requested_at, s);
        lines.extend(shift_lines(card, i, s, &p, p.billable_minutes, false)?);
    }
    Bill::from_lines(lines, card.event_fee_bp)
}

/// What cancelling the request (made at `requested_at`) costs at `cancelled_at`.
///
/// A shift is late when it starts less than `late_cancel_hours` after `cancelled_at` and has not
/// yet ended (`ends_at > cancelled_at`); a shift already under way counts. Each late shift is
/// billed every officer's minimum billable time (`pay.min_billable_minutes`) at the shift's rate
/// and multiplier (a [`LineKind::LateCancellation`] line), plus the vehicle and administrative
/// fees for that time, plus the event fee on that subtotal. Shifts further out, and shifts
/// already over, cost nothing; when nothing is late the bill is [`Bill::empty`]. A minimum of 0
/// minutes makes late cancellation free. Refuses what [`estimate`] refuses, and a `cancelled_at`
/// before `requested_at`.
pub fn late_cancellation(
    card: &RateCard,
    tz: Tz,
    requested_at: DateTime<Utc>,
    cancelled_at: DateTime<Utc>,
    shifts: &[RequestedShift],
) -> Result<Bill, Invalid> {
    check_inputs(card, requested_at, shifts)?;
    if cancelled_at < requested_at {
        return Err(Invalid::new(
            "cancelled_at",
            InvalidCode::Inconsistent,
            "A request cannot be cancelled before it was made.",
        ));
    }
    let window = TimeDelta::hours(i64::from(card.late_cancel_hours));
    let minutes = card.pay.min_billable_minutes;
    let mut lines = Vec::new();
    for (i, s) in shifts.iter().enumerate() {
        let late =
            s.starts_at.signed_duration_since(cancelled_at) < window && s.ends_at > cancelled_at;
        if late && minutes > 0 {
            let p = price(card, tz, requested_at, s);
            lines.extend(shift_lines(card, i, s, &p, minutes, true)?);
        }
    }
    Bill::from_lines(lines, card.event_fee_bp)
}

#[cfg(test)]
mod tests;
