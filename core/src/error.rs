//! The core's detailed error. The FFI layer maps it to a small enum a UI can act on.

use offduty_domain::actions::Refusal;
use offduty_domain::eligibility::IneligibleReason;
use offduty_domain::protocol::{Problem, RejectCode};
use offduty_domain::validation::{Invalid, InvalidCode};

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
    /// The server refused a request outright: its problem detail (type, field, code, index),
    /// kept as data.
    #[error("server refused the request ({}): {}", .0.status, .0.detail)]
    Http(Box<Problem>),
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
    /// An argument is not valid: which field, a stable code and a sentence.
    #[error("invalid {}: {}", .0.field, .0.message)]
    Invalid(Invalid),
    /// The officer must confirm first: `message` says what happens if they go ahead.
    #[error("{message}")]
    NeedsConfirmation { what: Confirmation, message: String },
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
    pub fn invalid(field: &str, code: InvalidCode, detail: impl Into<String>) -> CoreError {
        CoreError::Invalid(Invalid::new(field, code, detail))
    }
}

impl From<Refusal> for CoreError {
    fn from(r: Refusal) -> Self {
        CoreError::Rejected {
            code: r.code,
            reason: r.reason,
            ineligible: r.ineligible,
        }
    }
}

impl From<Invalid> for CoreError {
    fn from(e: Invalid) -> Self {
        CoreError::Invalid(e)
    }
}

/// What the officer is asked to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Confirmation {
    /// Signing out with actions not yet sent (they stay on the device).
    UnsentActions { count: u32 },
    /// Recording a punch the classifier rejects (a coordinator will see why).
    RejectedPunch,
}

/// Result alias.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::Internal(format!("json: {e}"))
    }
}
