//! The sync engine: push the outbox in order, store each outcome and drop its action in one
//! transaction, then pull what changed since the cursor and apply it in one transaction.
//! Progress and changes go to an observer. Cancel-safe: every step that matters is a single
//! commit, and a resend after an interruption is a replay under the same idempotency key.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::actions::ActionKind;
use offduty_domain::protocol::{ActionBatch, ActionResults, DeviceClock, Outcome, ProblemType};

use crate::Core;
use crate::api::WireBytes;
use crate::apply::{self, ChangeSummary};
use crate::error::{CoreError, Result};
use crate::outbox;
use crate::store::meta::{self, keys};

/// Actions per request.
pub const BATCH: usize = 50;

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Pushing,
    Pulling,
    Done,
}

/// Progress of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    /// Actions decided so far (pushing).
    pub done: u64,
    /// Actions that were queued when the sync started.
    pub total: u64,
}

/// Receives progress and changes (called on the syncing task; shells hop to their UI thread).
pub trait SyncObserver: Send + Sync {
    /// Progress of the current sync.
    fn on_progress(&self, progress: &Progress);
    /// What a pull changed (called only when something did).
    fn on_change(&self, change: &ChangeSummary);
}

/// One decided action, for the officer to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decided {
    pub idempotency_key: Uuid,
    pub kind: ActionKind,
    pub job_id: Uuid,
    pub outcome: Outcome,
}

impl Decided {
    /// The sentence for the officer ([`crate::outcome::text`]).
    pub fn text(&self, tz: chrono_tz::Tz) -> String {
        crate::outcome::text(&self.outcome, tz)
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Actions the server decided in this sync.
    pub decided: Vec<Decided>,
    pub pulled: Option<ChangeSummary>,
    /// Actions still queued (backing off, or held behind a wedged one).
    pub pending: u64,
    /// Actions the queue gave up on (the officer must retry or discard them).
    pub wedged: u64,
    /// Set when the server could not be reached: everything stays queued.
    pub offline: Option<String>,
    pub bytes: WireBytesReport,
}

/// Bytes on the wire during a sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireBytesReport {
    pub sent: u64,
    pub received: u64,
}

impl WireBytesReport {
    fn add(&mut self, w: WireBytes) {
        self.sent += w.sent;
        self.received += w.received;
    }
}

/// How one push request ended.
enum Pushed {
    /// Outcomes stored (or a culprit wedged); maybe more to send.
    Progress,
    /// Nothing (more) to send now.
    Idle,
    /// The server was unreachable.
    Offline(String),
    /// The server failed; retry later.
    Failed,
}

impl Core {
    /// Pushes queued actions, then pulls changes. Returns what happened; being offline is not
    /// an error (the report says so and everything stays queued). Not signed in is.
    pub async fn sync(&self, observer: Option<Arc<dyn SyncObserver>>) -> Result<SyncReport> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let mut report = SyncReport::default();
        let total = u64::try_from(self.store.read(outbox::count_pending)?).unwrap_or(0);
        let notify = |p: Progress| {
            if let Some(o) = &observer {
                o.on_progress(&p);
            }
        };
        notify(Progress {
            phase: Phase::Pushing,
            done: 0,
            total,
        });
        let mut limit = BATCH;
        loop {
            match self.push_once(limit, &mut report).await? {
                Pushed::Progress => {
                    limit = BATCH;
                    notify(Progress {
                        phase: Phase::Pushing,
                        done: report.decided.len() as u64,
                        total,
                    });
                }
                Pushed::Idle => break,
                Pushed::Offline(why) => {
                    report.offline = Some(why);
                    break;
                }
                Pushed::Failed if limit > 1 => limit = 1,
                Pushed::Failed => break,
            }
        }
        if report.offline.is_none() {
            notify(Progress {
                phase: Phase::Pulling,
                done: report.decided.len() as u64,
                total,
            });
            match self.pull(&mut report).await {
                Ok(change) => {
                    if let Some(o) = &observer
                        && !change.is_empty()
                    {
                        o.on_change(&change);
                    }
                    report.pulled = Some(change);
                }
                Err(CoreError::Offline(why)) => report.offline = Some(why),
                Err(e) => return Err(e),
            }
        }
        if report.offline.is_none() {
            self.push_preferences().await?;
            self.push_push_token().await?;
        }
        let pending = self.store.read(outbox::list)?;
        report.wedged = pending.iter().filter(|p| p.wedged_reason.is_some()).count() as u64;
        report.pending = pending.len() as u64 - report.wedged;
        notify(Progress {
            phase: Phase::Done,
            done: report.decided.len() as u64,
            total,
        });
        Ok(report)
    }

    /// Calls `f` with an access token, refreshing once on 401.
    pub(crate) async fn authed<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let token = self.access_token().await?;
        match f(token).await {
            Err(CoreError::Unauthorized(_)) => {
                let token = self.refreshed_access_token().await?;
                f(token).await
            }
            other => other,
        }
    }

    async fn push_once(&self, limit: usize, report: &mut SyncReport) -> Result<Pushed> {
        let clock = &self.services.clock;
        let due = self.store.read(|c| outbox::due(c, clock.now(), limit))?;
        if due.is_empty() {
            return Ok(Pushed::Idle);
        }
        let keys: Vec<Uuid> = due.iter().map(|d| d.key).collect();
        let batch = ActionBatch {
            actions: due.iter().map(|d| d.envelope.clone()).collect(),
            device_clock: Some(DeviceClock {
                device_time: clock.now(),
                monotonic_ms: clock.monotonic_ms(),
                boot_id: clock.boot_id(),
            }),
        };
        let result = self
            .authed(|token| {
                let api = self.api();
                let batch = batch.clone();
                async move { api.actions(&token, &batch).await }
            })
            .await;
        let now = clock.now();
        match result {
            Ok((results, wire)) => {
                report.bytes.add(wire);
                self.store_outcomes(&due, results, report)?;
                Ok(Pushed::Progress)
            }
            Err(CoreError::Offline(why)) => {
                self.store.write(|tx| {
                    outbox::record_failure(tx, &keys, &why, outbox::Failure::Offline, now)
                })?;
                Ok(Pushed::Offline(why))
            }
            Err(CoreError::Http(problem)) => {
                if problem.problem_type() == Some(ProblemType::RateLimited) || problem.status == 429
                {
                    self.store.write(|tx| {
                        outbox::record_failure(
                            tx,
                            &keys,
                            &problem.detail,
                            outbox::Failure::Throttled,
                            now,
                        )
                    })?;
                    return Ok(Pushed::Idle);
                }
                // A refusal of the request itself: the problem names the action at fault.
                let index = problem.index.and_then(|i| usize::try_from(i).ok());
                let culprit = match (index, due.len()) {
                    (Some(i), _) if i < due.len() => Some(due[i].key),
                    (_, 1) => Some(due[0].key),
                    _ => None,
                };
                match culprit {
                    Some(key) => {
                        let detail = &problem.detail;
                        let reason = if problem.problem_type()
                            == Some(ProblemType::IdempotencyKeyReused)
                        {
                            format!(
                                "the server already used this action's key for another action ({detail})"
                            )
                        } else {
                            format!("the server refused it ({}): {detail}", problem.status)
                        };
                        self.store.write(|tx| outbox::wedge(tx, key, &reason))?;
                        Ok(Pushed::Progress)
                    }
                    // Unknown culprit in a batch: retry one at a time to find it.
                    None => Ok(Pushed::Failed),
                }
            }
            Err(CoreError::Server(why)) => {
                self.store.write(|tx| {
                    outbox::record_failure(tx, &keys, &why, outbox::Failure::Server, now)
                })?;
                Ok(Pushed::Failed)
            }
            Err(e) => Err(e),
        }
    }

    fn store_outcomes(
        &self,
        due: &[outbox::Due],
        results: ActionResults,
        report: &mut SyncReport,
    ) -> Result<()> {
        let now = self.services.clock.now();
        for (d, o) in due.iter().zip(results.outcomes) {
            if o.idempotency_key != d.key {
                return Err(CoreError::Server(format!(
                    "outcome for {} answered action {}",
                    o.idempotency_key, d.key
                )));
            }
            if let Outcome::Rejected {
                code: offduty_domain::protocol::RejectCode::RateLimited,
                reason,
                ..
            } = &o.outcome
            {
                // Not a decision: the server did not look at it. Back off and send it again.
                self.store.write(|tx| {
                    outbox::record_failure(tx, &[d.key], reason, outbox::Failure::Throttled, now)
                })?;
                continue;
            }
            self.store.write(|tx| {
                match &o.outcome {
                    Outcome::Punched { event_id, verdict, reasons, .. } => {
                        tx.execute(
                            "UPDATE punches SET server_verdict = ?1, server_reasons_json = ?2 WHERE event_id = ?3",
                            rusqlite::params![verdict.as_str(), serde_json::to_string(reasons)?, event_id.to_string()],
                        )?;
                    }
                    // A refused punch does not count: the officer can punch again.
                    Outcome::Rejected { reason, .. } => {
                        tx.execute(
                            "UPDATE punches SET server_verdict = 'refused', server_reasons_json = ?1 \
                             WHERE idempotency_key = ?2",
                            rusqlite::params![serde_json::to_string(reason)?, d.key.to_string()],
                        )?;
                    }
                    _ => {}
                }
                outbox::complete(tx, d.key, &o.outcome, now)
            })?;
            report.decided.push(Decided {
                idempotency_key: d.key,
                kind: d.envelope.action.kind(),
                job_id: d.envelope.action.job_id(),
                outcome: o.outcome,
            });
        }
        Ok(())
    }

    async fn pull(&self, report: &mut SyncReport) -> Result<ChangeSummary> {
        let cursor = self.store.read(apply::cursor)?;
        let (resp, wire) = self
            .authed(|token| {
                let api = self.api();
                async move { api.sync(&token, cursor).await }
            })
            .await?;
        report.bytes.add(wire);
        let now = self.services.clock.now();
        self.store.write(|tx| {
            let change = apply::apply_sync(tx, &resp)?;
            meta::set(
                tx,
                keys::LAST_SYNC_US,
                &crate::store::to_us(now).to_string(),
            )?;
            Ok(change)
        })
    }
}
