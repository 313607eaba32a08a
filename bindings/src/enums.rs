//! Enums the shells switch on (badges, icons, colours, which dialog to show). Most are the
//! domain's or the core's own types, exported as they are (`#[uniffi::remote]` repeats their
//! definition for UniFFI; the compiler checks it matches); the sentences that go with them
//! come from Rust too.

pub use offduty_core::error::Confirmation;
pub use offduty_core::standing::StandingKind;
pub use offduty_domain::actions::ActionKind;
pub use offduty_domain::award::AwardRuleKind;
pub use offduty_domain::policy::CancelWindow;
pub use offduty_domain::protocol::{AssignmentStatus, JobStatus, TimecardStatus};
pub use offduty_domain::validation::InvalidCode;

use offduty_domain::protocol;

/// The kinds of officer action.
#[uniffi::remote(Enum)]
pub enum ActionKind {
    Claim,
    Withdraw,
    Cancel,
    Transfer,
    ClockIn,
    ClockOut,
    /// "Running late": the department is told when to expect the officer.
    ReportLate,
    /// "Won't make it": the shift given up at short notice.
    WontMakeIt,
}

/// Lifecycle of a job.
#[uniffi::remote(Enum)]
pub enum JobStatus {
    /// Taking claims.
    Open,
    /// Every slot is taken; claims join the waitlist.
    Filled,
    /// Called off.
    Cancelled,
    /// Over.
    Completed,
}

/// How a job's slots are awarded (the badge); the card carries the sentence.
#[uniffi::remote(Enum)]
pub enum AwardRuleKind {
    /// Decided the moment a claim arrives.
    FirstCome,
    /// Ranked when signups close: most senior first.
    Seniority,
    /// Ranked when signups close: fewest recent off-duty hours first.
    FewestHours,
    /// Ranked when signups close: longest since their last detail first.
    Rotation,
    /// Ranked when signups close: a reproducible draw.
    Lottery,
}

/// Where the officer stands on a job (the badge); the standing carries the sentence.
#[uniffi::remote(Enum)]
pub enum StandingKind {
    /// No part in the job.
    None,
    /// Holds a slot.
    Holding,
    /// Holds a slot and offers it on the board.
    Offered,
    /// Asked for a ranked job; waits for the award.
    Requested,
    /// In line for a slot.
    Waitlisted,
    /// An action on the job waits to sync.
    Pending,
    /// An action on the job could not be sent (retry or discard it).
    Wedged,
    /// Withdrew, cancelled or handed the slot on.
    Left,
    /// The job was called off.
    CalledOff,
}

/// The server's status of the officer's assignment.
#[uniffi::remote(Enum)]
pub enum AssignmentStatus {
    Requested,
    Awarded,
    Waitlisted,
    Withdrawn,
    Cancelled,
    TransferredOut,
    JobCancelled,
}

/// A timecard's review state and how far its money has travelled.
#[uniffi::remote(Enum)]
pub enum TimecardStatus {
    Open,
    Pending,
    NeedsReview,
    Approved,
    Invoiced,
    Paid,
    /// A coordinator rejected it (the timecard carries the reason); nothing on it is owed.
    Rejected,
}

/// Why a field was refused.
#[uniffi::remote(Enum)]
pub enum InvalidCode {
    Required,
    TooLong,
    TooMany,
    OutOfRange,
    BadFormat,
    Inconsistent,
    Duplicate,
}

/// The cancellation window that applies to a shift now.
#[uniffi::remote(Enum)]
pub enum CancelWindow {
    /// The officer may cancel freely.
    Free,
    /// Only if someone on the waitlist takes the slot (or transfer it).
    NeedsReplacement,
    /// Only a coordinator can release the officer.
    CallCoordinator,
}

/// What the officer is asked to confirm before the core goes ahead.
#[uniffi::remote(Enum)]
pub enum Confirmation {
    /// Signing out with `count` actions not yet sent (they stay on this device).
    UnsentActions { count: u32 },
    /// Recording a punch the classifier rejects.
    RejectedPunch,
}

/// Why an action was refused, as a stable code a UI can act on: the domain's codes and
/// `Refused` for a server refusal no code describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RejectCode {
    JobNotFound,
    JobClosed,
    SignupClosed,
    NotEligible,
    AlreadyClaimed,
    NotAssigned,
    NeedsReplacement,
    CallCoordinator,
    TransferTargetInvalid,
    BadSignature,
    Replayed,
    ChainMismatch,
    UnknownDevice,
    PunchOutOfOrder,
    RateLimited,
    Invalid,
    /// The server refused the request for a reason this version has no code for (the
    /// sentence says why).
    Refused,
}

impl From<protocol::RejectCode> for RejectCode {
    fn from(c: protocol::RejectCode) -> Self {
        use protocol::RejectCode as C;
        match c {
            C::JobNotFound => RejectCode::JobNotFound,
            C::JobClosed => RejectCode::JobClosed,
            C::SignupClosed => RejectCode::SignupClosed,
            C::NotEligible => RejectCode::NotEligible,
            C::AlreadyClaimed => RejectCode::AlreadyClaimed,
            C::NotAssigned => RejectCode::NotAssigned,
            C::NeedsReplacement => RejectCode::NeedsReplacement,
            C::CallCoordinator => RejectCode::CallCoordinator,
            C::TransferTargetInvalid => RejectCode::TransferTargetInvalid,
            C::BadSignature => RejectCode::BadSignature,
            C::Replayed => RejectCode::Replayed,
            C::ChainMismatch => RejectCode::ChainMismatch,
            C::UnknownDevice => RejectCode::UnknownDevice,
            C::PunchOutOfOrder => RejectCode::PunchOutOfOrder,
            C::RateLimited => RejectCode::RateLimited,
            C::Invalid => RejectCode::Invalid,
        }
    }
}

/// What became of an action, as a value to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum OutcomeKind {
    Awarded,
    Requested,
    Waitlisted,
    Withdrawn,
    Cancelled,
    Transferred,
    Punched,
    /// The department knows the officer is running late.
    LateReported,
    Rejected,
}

impl From<&protocol::Outcome> for OutcomeKind {
    fn from(o: &protocol::Outcome) -> Self {
        use protocol::Outcome as O;
        match o {
            O::Awarded { .. } => OutcomeKind::Awarded,
            O::Requested { .. } => OutcomeKind::Requested,
            O::Waitlisted { .. } => OutcomeKind::Waitlisted,
            O::Withdrawn { .. } => OutcomeKind::Withdrawn,
            O::Cancelled { .. } => OutcomeKind::Cancelled,
            O::Transferred { .. } => OutcomeKind::Transferred,
            O::Punched { .. } => OutcomeKind::Punched,
            O::LateReported { .. } => OutcomeKind::LateReported,
            O::Rejected { .. } => OutcomeKind::Rejected,
        }
    }
}
