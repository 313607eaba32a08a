//! What an officer may do on a job — claim, withdraw, cancel, transfer, clock in and out —
//! decided once, for the phone (before it queues the action) and for the server (before it
//! decides it). Each check returns either the way forward or a [`Refusal`]: a stable
//! [`RejectCode`] and the one sentence the officer reads, written here and nowhere else.
//!
//! The two sides know different things, so the checks take plain facts: the server passes its
//! own records (and no pending actions); the phone passes its cache with the actions still in
//! its outbox laid over it ([`Stake::pending`]). Facts only the server can know (whether
//! anyone is on the waitlist, a transfer target's schedule) stay on the server, but the
//! sentences for them are here too.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::award::{self, SignupState};
use crate::eligibility::IneligibleReason;
use crate::policy::{CancelPolicy, CancelWindow};
use crate::protocol::{AssignmentStatus, Job, JobStatus, OfficerProfile, Outcome, RejectCode};
use crate::timecard::PunchKind;
use crate::validation::{Invalid, optional_text};

pub mod arrival;
pub use arrival::{
    LATE_CHOICES, LateFacts, MAX_MINUTES_LATE, REPORT_LEAD_HOURS, check_report_late,
    check_wont_make_it, wont_make_it_confirmation,
};

/// Longest reason an officer may give for cancelling, in characters.
pub const MAX_CANCEL_REASON_CHARS: usize = 500;

/// The kinds of officer action (the `type` of [`crate::protocol::Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Claim,
    Withdraw,
    Cancel,
    Transfer,
    ClockIn,
    ClockOut,
    ReportLate,
    WontMakeIt,
}

impl ActionKind {
    /// The snake_case name used on the wire and in the phone's database.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Claim => "claim",
            ActionKind::Withdraw => "withdraw",
            ActionKind::Cancel => "cancel",
            ActionKind::Transfer => "transfer",
            ActionKind::ClockIn => "clock_in",
            ActionKind::ClockOut => "clock_out",
            ActionKind::ReportLate => "report_late",
            ActionKind::WontMakeIt => "wont_make_it",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<ActionKind> {
        Some(match s {
            "claim" => ActionKind::Claim,
            "withdraw" => ActionKind::Withdraw,
            "cancel" => ActionKind::Cancel,
            "transfer" => ActionKind::Transfer,
            "clock_in" => ActionKind::ClockIn,
            "clock_out" => ActionKind::ClockOut,
            "report_late" => ActionKind::ReportLate,
            "wont_make_it" => ActionKind::WontMakeIt,
            _ => return None,
        })
    }

    /// Whether this is a punch (clock in or out) rather than an action on the slot.
    pub fn is_punch(self) -> bool {
        matches!(self, ActionKind::ClockIn | ActionKind::ClockOut)
    }

    /// The noun for the officer: "claim", "withdrawal", "clock-in", …
    pub fn noun(self) -> &'static str {
        match self {
            ActionKind::Claim => "claim",
            ActionKind::Withdraw => "withdrawal",
            ActionKind::Cancel => "cancellation",
            ActionKind::Transfer => "transfer",
            ActionKind::ClockIn => "clock-in",
            ActionKind::ClockOut => "clock-out",
            ActionKind::ReportLate => "running-late notice",
            ActionKind::WontMakeIt => "won't-make-it notice",
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action on a job that the phone has queued but the server has not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub kind: ActionKind,
    /// The queue gave up sending it (it waits for the officer to retry or discard it).
    pub wedged: bool,
}

/// Where an officer stands on one job, as the deciding side knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stake {
    /// The server's last word; `None` when the officer never had a part in the job.
    pub status: Option<AssignmentStatus>,
    /// Holding the slot while offering it back to the board.
    pub offered: bool,
    /// Phone only: the latest slot action on this job still in the outbox. The server decides
    /// on its own records and leaves this `None`.
    pub pending: Option<Pending>,
}

impl Stake {
    /// The server's view of an assignment (nothing pending).
    pub fn of(status: Option<AssignmentStatus>, offered: bool) -> Stake {
        Stake {
            status,
            offered,
            pending: None,
        }
    }

    fn pending_live(&self) -> Option<ActionKind> {
        self.pending.filter(|p| !p.wedged).map(|p| p.kind)
    }

    /// Whether the officer holds the slot, pending actions applied optimistically (a wedged
    /// action changes nothing until it is retried).
    pub fn holds_slot(&self) -> bool {
        match self.pending_live() {
            Some(
                ActionKind::Cancel
                | ActionKind::Transfer
                | ActionKind::Withdraw
                | ActionKind::WontMakeIt,
            ) => false,
            _ => self.status == Some(AssignmentStatus::Awarded),
        }
    }

    /// Whether the officer is committed to the job for scheduling: holds the slot, or has a
    /// claim waiting to sync.
    pub fn committed(&self) -> bool {
        self.holds_slot() || self.pending_live() == Some(ActionKind::Claim)
    }

    /// Whether a new claim would duplicate one already made (a wedged claim too: retry it).
    pub fn has_active_claim(&self) -> bool {
        self.status.is_some_and(AssignmentStatus::is_active)
            || self.pending.is_some_and(|p| p.kind == ActionKind::Claim)
    }

    /// Whether the officer is in line: asked for the job or waitlisted (or a claim is on its way).
    pub fn in_line(&self) -> bool {
        matches!(
            self.status,
            Some(AssignmentStatus::Requested | AssignmentStatus::Waitlisted)
        ) || self.pending_live() == Some(ActionKind::Claim)
    }
}

/// An action the rules refuse: a stable code, the sentence for the officer, and the eligibility
/// reasons when those are the cause.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{reason}")]
pub struct Refusal {
    pub code: RejectCode,
    pub reason: String,
    pub ineligible: Vec<IneligibleReason>,
}

impl From<Refusal> for Outcome {
    fn from(r: Refusal) -> Outcome {
        Outcome::Rejected {
            code: r.code,
            reason: r.reason,
            ineligible: r.ineligible,
        }
    }
}

impl Refusal {
    /// A refusal with no eligibility reasons.
    pub fn new(code: RejectCode, reason: impl Into<String>) -> Refusal {
        Refusal {
            code,
            reason: reason.into(),
            ineligible: Vec::new(),
        }
    }

    /// The job is not (or no longer) in the department.
    pub fn job_not_found() -> Refusal {
        Refusal::new(RejectCode::JobNotFound, "No such job.")
    }

    /// The officer has no slot on the job (cancel, transfer, punch).
    pub fn no_slot() -> Refusal {
        Refusal::new(
            RejectCode::NotAssigned,
            "You do not hold a slot on this job.",
        )
    }

    /// Once clocked in, only a coordinator can release the officer from the shift.
    pub fn clocked_in() -> Refusal {
        Refusal::new(
            RejectCode::CallCoordinator,
            "You have clocked in to this shift: only the detail coordinator can release you now.",
        )
    }

    /// The claimant is not an active officer of the department.
    pub fn not_an_officer() -> Refusal {
        Refusal::new(
            RejectCode::NotEligible,
            "Only active officers can claim jobs.",
        )
    }

    /// Inside the replacement window and nobody on the waitlist can take the slot.
    pub fn needs_replacement(policy: &CancelPolicy) -> Refusal {
        Refusal::new(
            RejectCode::NeedsReplacement,
            format!(
                "{} No one on the waitlist can take it: transfer it to a named officer, offer it \
                 on the board, or call the detail coordinator.",
                CancelWindow::NeedsReplacement.explain(policy)
            ),
        )
    }

    /// The officer is not eligible; the sentence joins every reason.
    pub fn not_eligible(reasons: Vec<IneligibleReason>, tz: Tz) -> Refusal {
        Refusal {
            code: RejectCode::NotEligible,
            reason: explain_all(&reasons, tz),
            ineligible: reasons,
        }
    }

    /// A transfer target who is not an active officer of the department.
    pub fn target_not_an_officer() -> Refusal {
        Refusal::new(
            RejectCode::TransferTargetInvalid,
            "That officer is not an active officer of your department.",
        )
    }

    /// A transfer target who already holds a slot on the job.
    pub fn target_holds_slot(name: &str) -> Refusal {
        Refusal::new(
            RejectCode::TransferTargetInvalid,
            format!("{name} already holds a slot on this job."),
        )
    }

    /// A transfer target who may not work the job.
    pub fn target_not_eligible(name: &str, reasons: Vec<IneligibleReason>, tz: Tz) -> Refusal {
        Refusal {
            code: RejectCode::TransferTargetInvalid,
            reason: format!("{name} cannot take this job: {}", explain_all(&reasons, tz)),
            ineligible: reasons,
        }
    }

    /// A cancellation reason that fails validation.
    pub fn invalid(e: &Invalid) -> Refusal {
        Refusal::new(
            RejectCode::Invalid,
            format!("The {} {}.", e.field, e.message),
        )
    }
}

fn explain_all(reasons: &[IneligibleReason], tz: Tz) -> String {
    reasons
        .iter()
        .map(|r| r.explain(tz))
        .collect::<Vec<_>>()
        .join(" ")
}

fn closed(job: &Job, now: DateTime<Utc>) -> Result<(), Refusal> {
    match job.closed_reason(now) {
        Some(why) => Err(Refusal::new(RejectCode::JobClosed, why)),
        None => Ok(()),
    }
}

/// What a claim needs to know.
#[derive(Debug, Clone, Copy)]
pub struct ClaimFacts<'a> {
    pub job: &'a Job,
    pub stake: Stake,
    pub claimant: Claimant<'a>,
    /// For ranked rules: the award already ran (signups then no longer close). Always true for
    /// first come.
    pub award_ran: bool,
    /// Why the officer may not work the job (empty: eligible, or unknown before a sync).
    pub ineligible: &'a [IneligibleReason],
    pub now: DateTime<Utc>,
    /// The department's time zone, for the sentences.
    pub tz: Tz,
}

/// Who claims, as far as the deciding side knows.
#[derive(Debug, Clone, Copy)]
pub enum Claimant<'a> {
    /// An active officer of the department.
    Officer(&'a OfficerProfile),
    /// Not an active officer of the department (the server found no such officer).
    NotAnOfficer,
    /// Not known yet (the phone before its first sync): the checks that need a profile pass.
    Unknown,
}

/// Where an accepted claim goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimPath {
    /// A ranked rule before its award: the claim is a request, ranked when signups close.
    Request,
    /// First come, or after the award: a free slot, an offered one, or the waitlist.
    Take,
}

/// Whether `f` may claim the job, and how the claim would be decided. In order: the job is
/// closed; the officer already claimed it; is not an active officer; signups have not opened
/// for them; is not eligible.
pub fn check_claim(f: &ClaimFacts<'_>) -> Result<ClaimPath, Refusal> {
    closed(f.job, f.now)?;
    if f.stake.has_active_claim() {
        return Err(already_claimed(f.stake));
    }
    let groups: &[String] = match f.claimant {
        Claimant::Officer(o) => &o.groups,
        Claimant::NotAnOfficer => return Err(Refusal::not_an_officer()),
        Claimant::Unknown => &[],
    };
    let closes = if f.award_ran {
        None
    } else {
        f.job.signup_closes_at
    };
    let state = award::signup_state(
        f.job.signup_opens_at,
        closes,
        &f.job.release_tiers,
        groups,
        f.now,
    );
    if let SignupState::NotYetOpen { .. } = state {
        return Err(Refusal::new(
            RejectCode::SignupClosed,
            state.explain_in(f.tz),
        ));
    }
    if !f.ineligible.is_empty() {
        return Err(Refusal::not_eligible(f.ineligible.to_vec(), f.tz));
    }
    Ok(if f.award_ran {
        ClaimPath::Take
    } else {
        ClaimPath::Request
    })
}

fn already_claimed(stake: Stake) -> Refusal {
    let what = match (stake.status, stake.pending) {
        (Some(AssignmentStatus::Awarded), _) => "You already hold a slot on this job.",
        (Some(AssignmentStatus::Requested), _) => "You already asked for this job.",
        (Some(AssignmentStatus::Waitlisted), _) => "You are already on this job's waitlist.",
        (_, Some(Pending { wedged: true, .. })) => {
            "Your earlier claim on this job could not be sent: retry it or discard it first."
        }
        _ => "Your claim on this job is waiting to sync.",
    };
    Refusal::new(RejectCode::AlreadyClaimed, what)
}

/// Whether the officer may leave the line on a job (a request or a waitlist place).
pub fn check_withdraw(stake: Stake) -> Result<(), Refusal> {
    if stake.pending_live() == Some(ActionKind::Withdraw) {
        return Err(Refusal::new(
            RejectCode::NotAssigned,
            "Your withdrawal is already waiting to sync.",
        ));
    }
    if stake.holds_slot() {
        return Err(Refusal::new(
            RejectCode::Invalid,
            "You hold a slot on this job: cancel or transfer it instead.",
        ));
    }
    if !stake.in_line() {
        return Err(Refusal::new(
            RejectCode::NotAssigned,
            "You have no request or waitlist place on this job.",
        ));
    }
    Ok(())
}

/// What a cancellation needs to know.
#[derive(Debug, Clone, Copy)]
pub struct CancelFacts<'a> {
    pub job: &'a Job,
    pub stake: Stake,
    /// The officer has clocked in to this shift.
    pub clocked_in: bool,
    pub policy: &'a CancelPolicy,
    pub now: DateTime<Utc>,
}

/// Whether the officer may give up the shift, and which window applies. In the replacement
/// window the server also needs someone to take the slot ([`Refusal::needs_replacement`]).
pub fn check_cancel(f: &CancelFacts<'_>) -> Result<CancelWindow, Refusal> {
    if !f.stake.holds_slot() {
        return Err(Refusal::no_slot());
    }
    if f.job.status == JobStatus::Cancelled {
        return Err(Refusal::new(
            RejectCode::JobClosed,
            "This job was called off.",
        ));
    }
    if f.clocked_in {
        return Err(Refusal::clocked_in());
    }
    let window = f.policy.window(f.job.starts_at, f.now);
    match window {
        CancelWindow::CallCoordinator => Err(Refusal::new(
            RejectCode::CallCoordinator,
            window.explain(f.policy),
        )),
        CancelWindow::Free | CancelWindow::NeedsReplacement => Ok(window),
    }
}

/// The reason an officer gives for cancelling: trimmed, blank is none, at most
/// [`MAX_CANCEL_REASON_CHARS`] characters.
pub fn cancel_reason(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    optional_text("reason", raw, MAX_CANCEL_REASON_CHARS)
}

/// What a transfer needs to know.
#[derive(Debug, Clone, Copy)]
pub struct TransferFacts<'a> {
    pub job: &'a Job,
    pub stake: Stake,
    pub clocked_in: bool,
    /// The officer giving the shift away.
    pub me: Uuid,
    /// The officer taking it; `None` offers it back to the board.
    pub to: Option<Uuid>,
    pub now: DateTime<Utc>,
}

/// Whether the officer may hand the shift on. The target's own standing and eligibility are
/// judged by the server ([`Refusal::target_not_eligible`] and its siblings).
pub fn check_transfer(f: &TransferFacts<'_>) -> Result<(), Refusal> {
    if !f.stake.holds_slot() {
        return Err(Refusal::no_slot());
    }
    closed(f.job, f.now)?;
    if f.clocked_in {
        return Err(Refusal::clocked_in());
    }
    if f.to == Some(f.me) {
        return Err(Refusal::new(
            RejectCode::TransferTargetInvalid,
            "You already hold this slot.",
        ));
    }
    Ok(())
}

/// The punches already made on a shift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PunchesMade {
    pub clock_in: bool,
    pub clock_out: bool,
}

/// Whether the officer may punch `kind` on a shift: they hold it, and punches go in, then out,
/// once each.
pub fn check_punch(kind: PunchKind, holds_slot: bool, made: PunchesMade) -> Result<(), Refusal> {
    if !holds_slot {
        return Err(Refusal::no_slot());
    }
    let why = match kind {
        PunchKind::In if made.clock_in => "You are already clocked in for this shift.",
        PunchKind::Out if !made.clock_in => "Clock in before clocking out.",
        PunchKind::Out if made.clock_out => "You already clocked out of this shift.",
        _ => return Ok(()),
    };
    Err(Refusal::new(RejectCode::PunchOutOfOrder, why))
}

#[cfg(test)]
mod tests;
