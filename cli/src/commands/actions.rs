//! Claim, withdraw, cancel and transfer (queued, then sent at once), and what to do with an
//! action the queue gave up on: retry or discard it.

use clap::Args;
use uuid::Uuid;

use super::{App, confirm, send};
use crate::error::{CliError, Result};
use crate::output::print_json;
use crate::say;

/// A job named by id.
#[derive(Debug, Args)]
pub struct JobArg {
    /// The job: its id, or its first or last 8+ characters (as `offduty jobs` shows).
    pub id: String,
}

/// `cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The job: its id, or its first or last 8+ characters.
    pub id: String,
    /// Why you cancel (the coordinator sees it).
    #[arg(long)]
    pub reason: Option<String>,
}

/// `transfer`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["to", "board"]))]
pub struct TransferArgs {
    /// The job: its id, or its first or last 8+ characters.
    pub id: String,
    /// Hand the shift to this officer (their officer id).
    #[arg(long, value_name = "OFFICER_ID")]
    pub to: Option<Uuid>,
    /// Offer the shift back on the board (you keep it until someone takes it).
    #[arg(long)]
    pub board: bool,
}

/// `retry` / `discard`.
#[derive(Debug, Args)]
pub struct KeyArg {
    /// The queued action's key (or its first or last 8+ characters), as `offduty status` shows.
    pub key: String,
}

pub fn claim(app: &App, args: &JobArg) -> Result<()> {
    app.session()?;
    let id = app.resolve_job(&args.id)?;
    let queued = app.core.claim(id).map_err(|e| app.err(e))?;
    // The note of a claim is the award rule: useful to read when the claim is ranked later.
    let queued = offduty_core::actions::Queued {
        note: None,
        ..queued
    };
    send::send(
        app,
        &queued,
        &format!("Claim queued: {}", app.job_title(id)),
    )
}

pub fn withdraw(app: &App, args: &JobArg) -> Result<()> {
    app.session()?;
    let id = app.resolve_job(&args.id)?;
    let queued = app.core.withdraw(id).map_err(|e| app.err(e))?;
    send::send(
        app,
        &queued,
        &format!("Withdrawal queued: {}", app.job_title(id)),
    )
}

pub fn cancel(app: &App, args: &CancelArgs) -> Result<()> {
    app.session()?;
    let id = app.resolve_job(&args.id)?;
    // The core's note says which cancellation window applies.
    let queued = app
        .core
        .cancel(id, args.reason.clone())
        .map_err(|e| app.err(e))?;
    send::send(
        app,
        &queued,
        &format!("Cancellation queued: {}", app.job_title(id)),
    )
}

pub fn transfer(app: &App, args: &TransferArgs) -> Result<()> {
    app.session()?;
    let id = app.resolve_job(&args.id)?;
    let to = if args.board { None } else { args.to };
    let queued = app.core.transfer(id, to).map_err(|e| app.err(e))?;
    let what = match to {
        Some(o) => format!("Transfer to officer {o} queued: {}", app.job_title(id)),
        None => format!("Offer on the board queued: {}", app.job_title(id)),
    };
    send::send(app, &queued, &what)
}

pub fn retry(app: &App, args: &KeyArg) -> Result<()> {
    app.session()?;
    let key = app.resolve_action(&args.key)?;
    let found = app.core.retry_action(key).map_err(|e| app.err(e))?;
    if !found {
        return Err(CliError::bad_input(format!(
            "no wedged action with key {key} (see `offduty status`)"
        )));
    }
    let pending = app.core.pending_actions().map_err(|e| app.err(e))?;
    let queued =
        pending
            .iter()
            .find(|p| p.idempotency_key == key)
            .map(|p| offduty_core::actions::Queued {
                idempotency_key: key,
                kind: p.kind,
                job_id: p.job_id,
                note: None,
            });
    match queued {
        Some(q) => send::send(app, &q, &format!("Back in the queue: {} {key}", q.kind)),
        None => {
            say!("Back in the queue: {key}");
            Ok(())
        }
    }
}

pub fn discard(app: &App, args: &KeyArg) -> Result<()> {
    app.session()?;
    let key = app.resolve_action(&args.key)?;
    let pending = app.core.pending_actions().map_err(|e| app.err(e))?;
    let Some(action) = pending.iter().find(|p| p.idempotency_key == key) else {
        return Err(CliError::bad_input(format!(
            "no queued action with key {key} (see `offduty status`)"
        )));
    };
    if action.wedged_reason.is_none() {
        return Err(CliError::refused(format!(
            "your {} {key} is still being sent: only an action the queue gave up on can be \
             discarded",
            action.kind
        )));
    }
    let question = format!(
        "Discard your {} on \"{}\"? It will never be sent.",
        action.kind,
        app.job_title(action.job_id)
    );
    if !confirm(&app.settings, &question)? {
        return Err(CliError::bad_input(
            "not discarded: confirm with --yes (discarding cannot be undone)",
        ));
    }
    if !app.core.discard_action(key).map_err(|e| app.err(e))? {
        return Err(CliError::refused(format!(
            "your {} {key} was sent or retried meanwhile: nothing discarded",
            action.kind
        )));
    }
    if app.json() {
        print_json(&serde_json::json!({"discarded": key, "kind": action.kind}))
    } else {
        say!("Discarded your {} ({key}).", action.kind);
        Ok(())
    }
}
