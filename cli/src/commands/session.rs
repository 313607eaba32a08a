//! Signing in and out, and `status`: who is signed in, where, when the last sync was, where
//! the secrets are kept, and what waits in the queue (with how to retry or discard it).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use serde::Serialize;

use offduty_core::CoreError;
use offduty_core::error::Confirmation;
use offduty_core::outbox::PendingAction;

use super::{App, sync};
use crate::config;
use crate::error::{CliError, Result, exit};
use crate::output::{self, print_json};
use crate::say;

/// `login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The e-mail address you sign in with (asked for when omitted).
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Sign out even though actions are still queued (they stay on this device).
    #[arg(long)]
    pub force: bool,
}

fn read_line(prompt: Option<&str>) -> Result<String> {
    if let Some(p) = prompt {
        eprint!("{p}");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn login(app: &App, args: &LoginArgs) -> Result<()> {
    let interactive = std::io::stdin().is_terminal();
    let email = match &args.email {
        Some(e) => e.trim().to_string(),
        None if interactive && !args.password_stdin => {
            read_line(Some("E-mail: "))?.trim().to_string()
        }
        None => return Err(CliError::bad_input("give your e-mail address with --email")),
    };
    let password = if args.password_stdin || !interactive {
        read_line(None)?
    } else {
        rpassword::prompt_password(format!("Password for {email}: "))
            .map_err(|e| CliError::failure(format!("cannot read the password: {e}")))?
    };
    let label = config::device_label();
    let session = match app.rt.block_on(app.core.login(&email, &password, &label)) {
        Ok(s) => s,
        Err(CoreError::Unauthorized(why)) => {
            return Err(CliError::new(
                exit::NOT_SIGNED_IN,
                format!("sign-in failed: {why}"),
            ));
        }
        Err(e) => return Err(app.err(e)),
    };
    let report = sync::run(app, true)?;
    let board = app
        .core
        .jobs(&offduty_core::board::BoardQuery::default())
        .map_err(|e| app.err(e))?;
    if app.json() {
        return print_json(&serde_json::json!({
            "session": session,
            "secrets": app.secrets_kind,
            "secrets_store": app.secrets_description,
            "upcoming_jobs": board.len(),
            "offline": report.offline,
        }));
    }
    say!(
        "Signed in as {} ({}) on {}.",
        session.display_name,
        session.email,
        session.server_url
    );
    say!("secrets: {}", app.secrets_description);
    say!("device: {label}");
    say!(
        "{} upcoming job{} on the board: `offduty jobs --eligible` lists the ones you can claim.",
        board.len(),
        if board.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

pub fn logout(app: &App, args: &LogoutArgs) -> Result<()> {
    let session = app.session()?;
    match app.rt.block_on(app.core.logout(args.force)) {
        Ok(()) => {}
        Err(CoreError::NeedsConfirmation {
            what: Confirmation::UnsentActions { .. },
            message,
        }) => {
            return Err(CliError::refused(format!(
                "not signed out: {message} (`offduty sync`, or `offduty logout --force`)"
            )));
        }
        Err(e) => return Err(app.err(e)),
    }
    if app.json() {
        return print_json(&serde_json::json!({"signed_out": session.email}));
    }
    say!("Signed out {} on {}.", session.email, session.server_url);
    Ok(())
}

#[derive(Serialize)]
struct Status {
    signed_in: bool,
    officer: Option<offduty_core::session::Session>,
    server: String,
    data_dir: String,
    last_sync: Option<chrono::DateTime<chrono::Utc>>,
    time_zone: String,
    secrets: &'static str,
    secrets_store: String,
    pending: usize,
    wedged: Vec<PendingAction>,
}

pub fn status(app: &App) -> Result<()> {
    let session = app.core.session().map_err(|e| app.err(e))?;
    let last_sync = app.core.last_sync().map_err(|e| app.err(e))?;
    let actions = app.core.pending_actions().map_err(|e| app.err(e))?;
    let tz = app.tz();
    let (wedged, pending): (Vec<PendingAction>, Vec<PendingAction>) =
        actions.into_iter().partition(|a| a.wedged_reason.is_some());
    if app.json() {
        return print_json(&Status {
            signed_in: session.is_some(),
            officer: session,
            server: app.server(),
            data_dir: app.settings.data_dir.display().to_string(),
            last_sync,
            time_zone: tz.to_string(),
            secrets: app.secrets_kind,
            secrets_store: app.secrets_description.clone(),
            pending: pending.len(),
            wedged,
        });
    }
    match &session {
        Some(s) => say!(
            "signed in as {} ({}), officer {}",
            s.display_name,
            s.email,
            s.officer_id
        ),
        None => say!("not signed in — run `offduty login --email you@department`"),
    }
    say!("server:      {}", app.server());
    say!(
        "data:        {}",
        crate::secrets::tilde(&app.settings.data_dir)
    );
    let now = chrono::Utc::now();
    match last_sync {
        Some(t) => say!(
            "last sync:   {} ({})",
            output::long_time(t, tz),
            output::ago(t, now)
        ),
        None => say!("last sync:   never"),
    }
    say!("secrets:     {}", app.secrets_description);
    say!(
        "pending:     {} action(s) waiting to be sent",
        pending.len()
    );
    for p in &pending {
        let retry = p
            .next_attempt_at
            .filter(|t| *t > now)
            .map(|t| format!(", next try {}", output::short_time(t, tz)))
            .unwrap_or_default();
        let err = p
            .last_error
            .as_deref()
            .map(|e| format!(", last error: {e}"))
            .unwrap_or_default();
        say!(
            "  {} {} · {}{retry}{err}",
            p.idempotency_key,
            p.kind,
            app.job_title(p.job_id)
        );
    }
    say!(
        "wedged:      {} action(s) the queue gave up on",
        wedged.len()
    );
    for w in &wedged {
        say!(
            "  {} {} · {}: {}",
            w.idempotency_key,
            w.kind,
            app.job_title(w.job_id),
            w.wedged_reason.as_deref().unwrap_or_default()
        );
        say!(
            "    retry: `offduty retry {k}` · discard: `offduty discard {k} --yes`",
            k = w.idempotency_key
        );
    }
    Ok(())
}
