//! The public errors, mapped from the core's detailed error in one place.

use offduty_core::CoreError;

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
    /// The rules refuse the action; `reason` is what to tell the officer, `code` a stable
    /// identifier (`not_eligible`, `call_coordinator`, …), `reason_codes` one identifier per
    /// eligibility reason (`rank_too_low`, `rest`, …).
    #[error("{reason}")]
    Rejected {
        code: String,
        reason: String,
        reason_codes: Vec<String>,
    },
    /// An argument is not valid; `field` names it.
    #[error("invalid {field}: {detail}")]
    Invalid { field: String, detail: String },
    /// The device's storage failed (full disk, corrupt file).
    #[error("storage: {detail}")]
    Storage { detail: String },
    /// A bug or a failing platform service; report it.
    #[error("internal error: {detail}")]
    Internal { detail: String },
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
            CoreError::Http {
                status: 409,
                detail,
                ..
            } => ApiError::Conflict { detail },
            CoreError::Http { kind, detail, .. } if kind.ends_with("idempotency-key-reused") => {
                ApiError::Conflict { detail }
            }
            CoreError::Http {
                status: 429,
                detail,
                ..
            } => ApiError::Rejected {
                code: "rate_limited".into(),
                reason: detail,
                reason_codes: Vec::new(),
            },
            CoreError::Http {
                status,
                kind,
                detail,
            } => ApiError::Rejected {
                code: kind
                    .rsplit('/')
                    .next()
                    .filter(|s| !s.is_empty())
                    .unwrap_or("refused")
                    .to_string(),
                reason: if detail.is_empty() {
                    format!("the server refused ({status})")
                } else {
                    detail
                },
                reason_codes: Vec::new(),
            },
            CoreError::Server(detail) => ApiError::Internal {
                detail: format!("the server failed: {detail}"),
            },
            CoreError::Rejected {
                code,
                reason,
                ineligible,
            } => ApiError::Rejected {
                code: crate::types::wire_name(&code),
                reason,
                reason_codes: ineligible.iter().map(crate::types::type_code).collect(),
            },
            CoreError::Invalid { field, detail } => ApiError::Invalid { field, detail },
            CoreError::NotFound(what) => ApiError::Rejected {
                code: "not_found".into(),
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
