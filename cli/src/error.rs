//! The CLI's error: a message for stderr, optional detail lines (every eligibility reason), and
//! the exit code a script can act on. Core errors are mapped to it in one place.

use std::fmt;

use chrono_tz::Tz;

use offduty_core::CoreError;
use offduty_domain::protocol::RejectCode;

/// Exit codes.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Refused by the rules (not eligible, outside the fence, cancellation window, …).
    pub const REFUSED: u8 = 1;
    /// Bad input: arguments, ids, coordinates.
    pub const BAD_INPUT: u8 = 2;
    /// Not signed in, or the session ended.
    pub const NOT_SIGNED_IN: u8 = 3;
    /// The server or local storage failed.
    pub const FAILURE: u8 = 4;
}

/// An error to report and exit with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: u8,
    pub message: String,
    /// Further lines (e.g. every reason a job is not open to the officer).
    pub details: Vec<String>,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Bad input (exit 2).
    pub fn bad_input(message: impl Into<String>) -> CliError {
        CliError::new(exit::BAD_INPUT, message)
    }

    /// Refused by the rules (exit 1).
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError::new(exit::REFUSED, message)
    }

    /// Server or storage failure (exit 4).
    pub fn failure(message: impl Into<String>) -> CliError {
        CliError::new(exit::FAILURE, message)
    }

    /// Not signed in (exit 3).
    pub fn not_signed_in() -> CliError {
        CliError::new(
            exit::NOT_SIGNED_IN,
            "not signed in — run `offduty login` first",
        )
    }

    pub fn with_details(mut self, details: Vec<String>) -> CliError {
        self.details = details;
        self
    }

    /// Maps a core error; `tz` is used to explain eligibility reasons, `server` names the
    /// server in "unreachable" messages.
    pub fn from_core(e: CoreError, tz: Tz, server: &str) -> CliError {
        match e {
            CoreError::Rejected {
                code: RejectCode::AlreadyClaimed,
                reason,
                ..
            } => CliError::refused(format!("already claimed — {reason}")),
            CoreError::Rejected {
                reason, ineligible, ..
            } => {
                if ineligible.is_empty() {
                    CliError::refused(reason)
                } else {
                    CliError::refused("You are not eligible for this job:")
                        .with_details(ineligible.iter().map(|r| r.explain(tz)).collect())
                }
            }
            CoreError::Invalid(e) => {
                CliError::bad_input(format!("invalid {}: {}", e.field, e.message))
            }
            CoreError::NeedsConfirmation { message, .. } => CliError::refused(message),
            CoreError::NotFound(what) => CliError::bad_input(format!(
                "no {what} with that id in the local cache (run `offduty sync`, then try again)"
            )),
            CoreError::Unauthorized(why) => CliError::new(
                exit::NOT_SIGNED_IN,
                format!("not signed in ({why}) — run `offduty login`"),
            ),
            CoreError::Offline(why) => CliError::failure(format!(
                "the server at {server} is unreachable ({})",
                first_line(&why)
            )),
            CoreError::Http(problem) => CliError::failure(format!(
                "the server refused the request ({}): {}",
                problem.status,
                first_line(&problem.detail)
            )),
            other => CliError::failure(first_line(&other.to_string())),
        }
    }
}

/// Keeps messages to one line.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failure(format!("i/o: {e}"))
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError::failure(format!("json: {e}"))
    }
}

/// Result alias.
pub type Result<T, E = CliError> = std::result::Result<T, E>;
