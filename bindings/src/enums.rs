//! Enums the shells switch on (badges, icons, colours, which dialog to show), each mirroring
//! one type of the core or the domain; the sentences that go with them come from Rust too.

use offduty_core::standing;
use offduty_domain::{actions, award, protocol, validation};

/// The kinds of officer action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ActionKind {
    Claim,
    Withdraw,
    Cancel,
    Transfer,
    ClockIn,
    ClockOut,
}

impl From<actions::ActionKind> for ActionKind {
    fn from(k: actions::ActionKind) -> Self {
        use actions::ActionKind as K;
        match k {
            K::Claim => ActionKind::Claim,
            K::Withdraw => ActionKind::Withdraw,
            K::Cancel => ActionKind::Cancel,
            K::Transfer => ActionKind::Transfer,
            K::ClockIn => ActionKind::ClockIn,
            K::ClockOut => ActionKind::ClockOut,
        }
    }
}

/// Lifecycle of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<protocol::JobStatus> for JobStatus {
    fn from(s: protocol::JobStatus) -> Self {
        match s {
            protocol::JobStatus::Open => JobStatus::Open,
            protocol::JobStatus::Filled => JobStatus::Filled,
            protocol::JobStatus::Cancelled => JobStatus::Cancelled,
            protocol::JobStatus::Completed => JobStatus::Completed,
        }
    }
}

/// How a job's slots are awarded (the badge); the card carries the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<&award::AwardRule> for AwardRuleKind {
    fn from(r: &award::AwardRule) -> Self {
        match r {
            award::AwardRule::FirstCome => AwardRuleKind::FirstCome,
            award::AwardRule::Seniority => AwardRuleKind::Seniority,
            award::AwardRule::FewestHours { .. } => AwardRuleKind::FewestHours,
            award::AwardRule::Rotation => AwardRuleKind::Rotation,
            award::AwardRule::Lottery { .. } => AwardRuleKind::Lottery,
        }
    }
}

/// Where the officer stands on a job (the badge); the standing carries the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum StandingKind {
    None,
    Holding,
    Offered,
    Requested,
    Waitlisted,
    Pending,
    Wedged,
    Left,
    CalledOff,
}

impl From<standing::StandingKind> for StandingKind {
    fn from(k: standing::StandingKind) -> Self {
        use standing::StandingKind as K;
        match k {
            K::None => StandingKind::None,
            K::Holding => StandingKind::Holding,
            K::Offered => StandingKind::Offered,
            K::Requested => StandingKind::Requested,
            K::Waitlisted => StandingKind::Waitlisted,
            K::Pending => StandingKind::Pending,
            K::Wedged => StandingKind::Wedged,
            K::Left => StandingKind::Left,
            K::CalledOff => StandingKind::CalledOff,
        }
    }
}

/// The server's status of the officer's assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AssignmentStatus {
    Requested,
    Awarded,
    Waitlisted,
    Withdrawn,
    Cancelled,
    TransferredOut,
    JobCancelled,
}

impl From<protocol::AssignmentStatus> for AssignmentStatus {
    fn from(s: protocol::AssignmentStatus) -> Self {
        use protocol::AssignmentStatus as S;
        match s {
            S::Requested => AssignmentStatus::Requested,
            S::Awarded => AssignmentStatus::Awarded,
            S::Waitlisted => AssignmentStatus::Waitlisted,
            S::Withdrawn => AssignmentStatus::Withdrawn,
            S::Cancelled => AssignmentStatus::Cancelled,
            S::TransferredOut => AssignmentStatus::TransferredOut,
            S::JobCancelled => AssignmentStatus::JobCancelled,
        }
    }
}

/// A timecard's review state and how far its money has travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TimecardStatus {
    Open,
    Pending,
    NeedsReview,
    Approved,
    Invoiced,
    Paid,
}

impl From<protocol::TimecardStatus> for TimecardStatus {
    fn from(s: protocol::TimecardStatus) -> Self {
        use protocol::TimecardStatus as S;
        match s {
            S::Open => TimecardStatus::Open,
            S::Pending => TimecardStatus::Pending,
            S::NeedsReview => TimecardStatus::NeedsReview,
            S::Approved => TimecardStatus::Approved,
            S::Invoiced => TimecardStatus::Invoiced,
            S::Paid => TimecardStatus::Paid,
        }
    }
}

/// Why an action was refused, as a stable code a UI can act on.
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

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum InvalidCode {
    Required,
    TooLong,
    TooMany,
    OutOfRange,
    BadFormat,
    Inconsistent,
    Duplicate,
}

impl From<validation::InvalidCode> for InvalidCode {
    fn from(c: validation::InvalidCode) -> Self {
        use validation::InvalidCode as C;
        match c {
            C::Required => InvalidCode::Required,
            C::TooLong => InvalidCode::TooLong,
            C::TooMany => InvalidCode::TooMany,
            C::OutOfRange => InvalidCode::OutOfRange,
            C::BadFormat => InvalidCode::BadFormat,
            C::Inconsistent => InvalidCode::Inconsistent,
            C::Duplicate => InvalidCode::Duplicate,
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
            O::Rejected { .. } => OutcomeKind::Rejected,
        }
    }
}

/// The cancellation window that applies to a shift now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CancelWindow {
    /// The officer may cancel freely.
    Free,
    /// Only if someone on the waitlist takes the slot (or transfer it).
    NeedsReplacement,
    /// Only a coordinator can release the officer.
    CallCoordinator,
}

impl From<offduty_domain::policy::CancelWindow> for CancelWindow {
    fn from(w: offduty_domain::policy::CancelWindow) -> Self {
        use offduty_domain::policy::CancelWindow as W;
        match w {
            W::Free => CancelWindow::Free,
            W::NeedsReplacement => CancelWindow::NeedsReplacement,
            W::CallCoordinator => CancelWindow::CallCoordinator,
        }
    }
}

/// What the officer is asked to confirm before the core goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Confirmation {
    /// Signing out with `count` actions not yet sent (they stay on this device).
    UnsentActions { count: u32 },
    /// Recording a punch the classifier rejects.
    RejectedPunch,
}

impl From<offduty_core::error::Confirmation> for Confirmation {
    fn from(c: offduty_core::error::Confirmation) -> Self {
        use offduty_core::error::Confirmation as C;
        match c {
            C::UnsentActions { count } => Confirmation::UnsentActions { count },
            C::RejectedPunch => Confirmation::RejectedPunch,
        }
    }
}
