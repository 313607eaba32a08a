//! `sync`: sends the queue and pulls what changed, with a progress bar (when stderr is a
//! terminal) driven by the core's `SyncObserver`, then a summary of every decided action.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use offduty_core::apply::ChangeSummary;
use offduty_core::sync::{Phase, Progress, SyncObserver, SyncReport};

use super::App;
use crate::error::{CliError, Result};
use crate::output::print_json;
use crate::say;

/// Feeds the core's progress into an indicatif bar.
struct Bar(ProgressBar);

impl SyncObserver for Bar {
    fn on_progress(&self, p: &Progress) {
        self.0.set_length(p.total.max(1));
        self.0.set_position(p.done.min(p.total));
        let msg = match p.phase {
            Phase::Pushing if p.total == 0 => "nothing to send".to_string(),
            Phase::Pushing => format!("sending actions {}/{}", p.done, p.total),
            Phase::Pulling => "fetching changes".to_string(),
            Phase::Done => "done".to_string(),
        };
        self.0.set_message(msg);
        if p.phase == Phase::Done {
            self.0.set_position(p.total.max(1));
        }
    }

    fn on_change(&self, _change: &ChangeSummary) {}
}

/// Runs a sync; the bar shows when `progress` is set and stderr is a terminal.
pub fn run(app: &App, progress: bool) -> Result<SyncReport> {
    let target = if progress && !app.json() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(1), target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} syncing [{bar:24}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let observer = Arc::new(Bar(bar.clone()));
    let result = app.rt.block_on(app.core.sync(Some(observer)));
    bar.finish_and_clear();
    result.map_err(|e| app.err(e))
}

#[derive(Serialize)]
struct DecidedLine {
    idempotency_key: uuid::Uuid,
    kind: offduty_domain::actions::ActionKind,
    job_id: uuid::Uuid,
    title: String,
    outcome: offduty_domain::protocol::Outcome,
    text: String,
}

pub fn sync(app: &App) -> Result<()> {
    app.session()?;
    let report = run(app, true)?;
    let tz = app.tz();
    let lines: Vec<DecidedLine> = report
        .decided
        .iter()
        .map(|d| DecidedLine {
            idempotency_key: d.idempotency_key,
            kind: d.kind,
            job_id: d.job_id,
            title: app.job_title(d.job_id),
            outcome: d.outcome.clone(),
            text: d.text(tz),
        })
        .collect();
    if app.json() {
        print_json(&serde_json::json!({
            "decided": lines,
            "pulled": report.pulled,
            "pending": report.pending,
            "wedged": report.wedged,
            "offline": report.offline,
            "bytes": report.bytes,
        }))?;
    } else {
        if report.offline.is_some() && report.pending > 0 {
            say!(
                "{} action(s) stay queued until the server can be reached.",
                report.pending
            );
        }
        for l in &lines {
            say!("{} · {}: {}", l.kind.noun(), l.title, l.text);
        }
        if let Some(p) = &report.pulled {
            if p.is_empty() {
                say!("Up to date.");
            } else {
                say!(
                    "Pulled {} job{}, {} assignment{}, {} timecard{}{}.",
                    p.jobs,
                    if p.jobs == 1 { "" } else { "s" },
                    p.assignments,
                    if p.assignments == 1 { "" } else { "s" },
                    p.timecards,
                    if p.timecards == 1 { "" } else { "s" },
                    if p.rules_changed {
                        " and the department's rules"
                    } else {
                        ""
                    }
                );
            }
        }
        if report.pending > 0 {
            say!("{} action(s) still queued.", report.pending);
        }
        if report.wedged > 0 {
            say!(
                "{} action(s) could not be sent: see `offduty status` to retry or discard them.",
                report.wedged
            );
        }
    }
    if let Some(why) = &report.offline {
        return Err(CliError::failure(format!(
            "the server at {} is unreachable ({why})",
            app.server()
        )));
    }
    if report.wedged > 0 {
        return Err(CliError::failure(format!(
            "{} action(s) are wedged (see `offduty status`)",
            report.wedged
        )));
    }
    Ok(())
}
