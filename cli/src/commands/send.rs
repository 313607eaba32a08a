//! After an action is queued: sync at once, and tell the officer what the server decided — or
//! that the action waits in the queue because the server is unreachable (still a success).

use serde::Serialize;

use offduty_core::CoreError;
use offduty_core::actions::Queued;
use offduty_core::sync::SyncReport;
use offduty_domain::protocol::Outcome;

use super::App;
use crate::error::{CliError, Result, exit};
use crate::say;

/// What `--json` prints for an action.
#[derive(Serialize)]
struct ActionReport<'a> {
    queued: &'a Queued,
    /// The server decided the action in this run.
    sent: bool,
    outcome: Option<&'a Outcome>,
    /// Why the action is still queued, when it is.
    offline: Option<String>,
    message: String,
}

/// The "still queued" sentence.
pub fn queued_offline_text(server: &str) -> String {
    format!(
        "Queued — the server at {server} is unreachable; it will be sent on the next `offduty sync`."
    )
}

/// Syncs right after `queued` was accepted and reports what became of it. `done` is the
/// sentence printed before the outcome ("Claim queued for …").
pub fn send(app: &App, queued: &Queued, done: &str) -> Result<()> {
    let tz = app.tz();
    if !app.json() {
        say!("{done}");
    }
    let report: Result<SyncReport, CoreError> = app.rt.block_on(app.core.sync(None));
    let report = match report {
        Ok(r) => r,
        Err(CoreError::Unauthorized(_)) => {
            return Err(CliError::new(
                exit::NOT_SIGNED_IN,
                "Queued, but your session has ended: run `offduty login`, then `offduty sync`.",
            ));
        }
        Err(e) => {
            let e = app.err(e);
            return Err(CliError::new(
                e.code,
                format!(
                    "Queued, but the sync failed ({}); it will be sent on the next `offduty sync`.",
                    e.message
                ),
            ));
        }
    };
    let decided = report
        .decided
        .iter()
        .find(|d| d.idempotency_key == queued.idempotency_key);
    let (message, offline, refusal) = match (decided, &report.offline) {
        (Some(d), _) => {
            let text = d.text(tz);
            let refusal = match &d.outcome {
                Outcome::Rejected { ineligible, .. } if !ineligible.is_empty() => Some(
                    CliError::refused("The server refused it: you are not eligible for this job:")
                        .with_details(ineligible.iter().map(|r| r.explain(tz)).collect()),
                ),
                Outcome::Rejected { reason, .. } => Some(CliError::refused(format!(
                    "The server refused it: {reason}"
                ))),
                _ => None,
            };
            (text, None, refusal)
        }
        (None, Some(why)) => (queued_offline_text(&app.server()), Some(why.clone()), None),
        (None, None) => {
            let pending = app.core.pending_actions().map_err(|e| app.err(e))?;
            let wedged = pending
                .iter()
                .find(|p| p.idempotency_key == queued.idempotency_key)
                .and_then(|p| p.wedged_reason.clone());
            match wedged {
                Some(reason) => {
                    return Err(CliError::failure(format!(
                        "Could not send it: {reason}. Retry with `offduty retry {key}` or drop it \
                         with `offduty discard {key} --yes`.",
                        key = queued.idempotency_key
                    )));
                }
                None => (
                    "Queued — the server has not decided it yet; it will be sent on the next \
                     `offduty sync`."
                        .to_string(),
                    Some("not decided yet".to_string()),
                    None,
                ),
            }
        }
    };
    if app.json() {
        crate::output::print_json(&ActionReport {
            queued,
            sent: decided.is_some(),
            outcome: decided.map(|d| &d.outcome),
            offline,
            message,
        })?;
    } else {
        // The note (e.g. the cancellation window), unless the outcome says the same.
        if let Some(note) = queued.note.as_ref().filter(|n| **n != message) {
            say!("  {note}");
        }
        if refusal.is_none() {
            say!("{message}");
        }
    }
    match refusal {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
