//! The core's detailed error. The FFI layer maps it to a small enum a UI can act on.

use offduty_domain::eligibility::IneligibleReason;
use offduty_domain::protocol::RejectCode;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The local database failed.
    #[error("local storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The local database is corrupt and was set aside (see `Store::open`).
    #[error("local storage was corrupt and has been rebuilt: {0}")]
    Corrupt(String),
    /// A file operation failed (exporting rescued actions, the key file).
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// The server could not be reached (no network, DNS, timeout). Queued work stays queued.
    #[error("offline: {0}")]
    Offline(String),
    /// Not signed in, or the session ended: sign in again.
    #[error("not signed in: {0}")]
    Unauthorized(String),
    /// The server refused a request outright (4xx problem detail).
    #[error("server refused the request ({status}): {detail}")]
    Http {
        status: u16,
        kind: String,
        detail: String,
    },
    /// The server failed (5xx) or answered something unreadable.
    #[error("server error: {0}")]
    Server(String),
    /// The action is refused by the rules, checked locally before queueing.
    #[error("{reason}")]
    Rejected {
        code: RejectCode,
        reason: String,
        ineligible: Vec<IneligibleReason>,
    },
    /// The request is not valid (bad argument from the caller).
    #[error("invalid {field}: {detail}")]
    Invalid { field: String, detail: String },
    /// A record the caller named is not in the local cache.
    #[error("no {0} with that id (sync, then try again)")]
    NotFound(&'static str),
    /// The platform's signer or secret store failed.
    #[error("platform service failed: {0}")]
    Platform(String),
    /// Work was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A bug: an invariant did not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    /// A local refusal with no eligibility reasons.
    pub fn rejected(code: RejectCode, reason: impl Into<String>) -> CoreError {
        CoreError::Rejected {
            code,
            reason: reason.into(),
            ineligible: Vec::new(),
        }
    }

    /// A bad argument.
    pub fn invalid(field: &str, detail: impl Into<String>) -> CoreError {
        CoreError::Invalid {
            field: field.to_string(),
            detail: detail.into(),
        }
    }
}

/// Result alias.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::Internal(format!("json: {e}"))
    }
}
