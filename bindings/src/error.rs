//! The public errors, mapped from the core's detailed error in one place.

use offduty_core::CoreError;
use offduty_domain::protocol::{Problem, ProblemType};

use crate::enums::{Confirmation, InvalidCode, RejectCode};

/// What went wrong, in terms a UI can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The server cannot be reached. Anything queued stays queued; try again later.
    #[error("offline: {detail}")]
    Offline { detail: String },
    /// Not signed in, or the session ended: show the sign-in screen.
    #[error("not signed in: {detail}")]
    Unauthorized { detail: String },
    /// The request conflicts with the current state (refresh and look again).
    #[error("conflict: {detail}")]
    Conflict { detail: String },
    /// The rules refuse the action; `reason` is what to tell the officer, `code` what to do
    /// about it, `reason_codes` one identifier per eligibility reason (`rank_too_low`, `rest`, …).
    #[error("{reason}")]
    Rejected {
        code: RejectCode,
        reason: String,
        reason_codes: Vec<String>,
    },
    /// An argument is not valid: `field` names it (a JSON path such as `quiet_hours[2].start`),
    /// `code` says why, `detail` says it in words.
    #[error("invalid {field}: {detail}")]
    Invalid {
        field: String,
        code: InvalidCode,
        detail: String,
    },
    /// The officer must confirm first (`what`); `detail` is the question to show. Call again
    /// with the confirmation to go ahead.
    #[error("{detail}")]
    NeedsConfirmation { what: Confirmation, detail: String },
    /// The device's storage failed (full disk, corrupt file).
    #[error("storage: {detail}")]
    Storage { detail: String },
    /// A bug or a failing platform service; report it.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

/// A refusal of the server's that no rule code describes.
fn server_refusal(problem: &Problem) -> ApiError {
    ApiError::Rejected {
        code: match problem.problem_type() {
            Some(ProblemType::RateLimited) => RejectCode::RateLimited,
            _ => RejectCode::Refused,
        },
        reason: if problem.detail.is_empty() {
            format!("the server refused ({})", problem.status)
        } else {
            problem.detail.clone()
        },
        reason_codes: Vec::new(),
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Storage(e) => ApiError::Storage {
                detail: e.to_string(),
            },
            CoreError::Corrupt(d) => ApiError::Storage { detail: d },
            CoreError::Io(e) => ApiError::Storage {
                detail: e.to_string(),
            },
            CoreError::Offline(detail) => ApiError::Offline { detail },
            CoreError::Unauthorized(detail) => ApiError::Unauthorized { detail },
            CoreError::Http(problem) => match problem.problem_type() {
                Some(ProblemType::Conflict | ProblemType::IdempotencyKeyReused) => {
                    ApiError::Conflict {
                        detail: problem.detail,
                    }
                }
                Some(ProblemType::Validation | ProblemType::Malformed) => ApiError::Invalid {
                    field: problem.field.clone().unwrap_or_else(|| "body".into()),
                    code: problem
                        .code
                        .map(InvalidCode::from)
                        .unwrap_or(InvalidCode::BadFormat),
                    detail: problem.detail,
                },
                _ => server_refusal(&problem),
            },
            CoreError::Server(detail) => ApiError::Internal {
                detail: format!("the server failed: {detail}"),
            },
            CoreError::Rejected {
                code,
                reason,
                ineligible,
            } => ApiError::Rejected {
                code: code.into(),
                reason,
                reason_codes: ineligible.iter().map(crate::types::type_code).collect(),
            },
            CoreError::Invalid(e) => ApiError::Invalid {
                field: e.field,
                code: e.code.into(),
                detail: e.message,
            },
            CoreError::NeedsConfirmation { what, message } => ApiError::NeedsConfirmation {
                what: what.into(),
                detail: message,
            },
            // Every lookup the core makes by id is of a job.
            CoreError::NotFound(what) => ApiError::Rejected {
                code: RejectCode::JobNotFound,
                reason: format!("No {what} with that id on this device; sync and try again."),
                reason_codes: Vec::new(),
            },
            CoreError::Platform(detail) => ApiError::Internal {
                detail: format!("platform service: {detail}"),
            },
            CoreError::Cancelled => ApiError::Internal {
                detail: "cancelled".into(),
            },
            CoreError::Internal(detail) => ApiError::Internal { detail },
        }
    }
}

/// A platform service (signer, secret store, clock, observer) failed. Foreign implementations
/// throw this; an unexpected exception becomes `Failed` too, never a crash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PlatformError {
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PlatformError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PlatformError::Failed {
            detail: format!("unexpected error in platform code: {}", e.reason),
        }
    }
}
