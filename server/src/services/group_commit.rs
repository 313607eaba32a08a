//! Group commit for officer actions (decision 034). Every department has a queue in each
//! server process. A request puts its actions (a [`Unit`]) on its department's queue and waits;
//! one task per busy department takes what is waiting, decides it in **one** write transaction
//! (one durable commit) — unit after unit in order of receipt, each action exactly as it would
//! be decided alone — and answers every request after the commit.
//!
//! Failure cases, each tested in `server/tests/group_commit.rs`:
//! - an action whose statements fail rolls back alone: each unit runs under a savepoint; on an
//!   error the transaction is rolled back to it, the units before it are committed and
//!   answered, then the failed unit is decided alone (its own transactions, with the retries
//!   every action had before grouping), then the rest continue in a new shared transaction;
//! - a failed commit (or a failed `BEGIN`) answers nobody from the shared transaction: every
//!   unit in it is decided alone, in order of receipt;
//! - a request that goes away (client gone, deadline) does not cancel its unit: the deciding
//!   task is not the request's, so a transaction is never abandoned half way; the officer's
//!   retry with the same keys gets the stored outcomes.
//!
//! Between processes (several servers on one PostgreSQL, or on one SQLite file) nothing
//! changes: each shared transaction takes the department's lock first, exactly as a lone action
//! does.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use offduty_domain::protocol::ActionOutcome;
use sqlx::Executor;
use tokio::sync::{Notify, oneshot};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::DbError;
use crate::error::ApiError;
use crate::services::actions::{Unit, UnitDecided, decide_unit_alone, decide_unit_in};
use crate::services::changes;

/// How actions are grouped into transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupConfig {
    /// The most actions decided in one transaction (a unit larger than this is decided in a
    /// transaction of its own). 1 decides every unit alone, as before grouping.
    pub max_actions: usize,
    /// How long the deciding task waits for `max_actions` actions before it starts a
    /// transaction with fewer. Zero (the default) waits for nothing: a group is whatever
    /// arrived while the previous transaction ran, so a lone action pays no delay.
    pub linger: Duration,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            max_actions: 128,
            linger: Duration::ZERO,
        }
    }
}

type Reply = oneshot::Sender<Result<Vec<ActionOutcome>, ApiError>>;

struct Waiting {
    unit: Unit,
    reply: Reply,
}

#[derive(Default)]
struct DeptQueue {
    state: Mutex<QueueState>,
    arrived: Notify,
}

#[derive(Default)]
struct QueueState {
    waiting: VecDeque<Waiting>,
    /// Actions in `waiting`.
    actions: usize,
    /// Whether a task is deciding this department's queue.
    running: bool,
}

/// Every department's queue in this process.
pub struct ActionQueues {
    config: GroupConfig,
    queues: Mutex<HashMap<Uuid, Arc<DeptQueue>>>,
    groups: AtomicUsize,
    largest_group: AtomicUsize,
    transactions: AtomicUsize,
}

/// What grouping has done in this process (for tests and the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupStats {
    /// Groups taken from the queues.
    pub groups: usize,
    /// The most actions in one group.
    pub largest_group: usize,
    /// Shared transactions committed (a group whose action fails takes more than one).
    pub transactions: usize,
}

impl ActionQueues {
    pub fn new(config: GroupConfig) -> ActionQueues {
        ActionQueues {
            config: GroupConfig {
                max_actions: config.max_actions.max(1),
                linger: config.linger,
            },
            queues: Mutex::new(HashMap::new()),
            groups: AtomicUsize::new(0),
            largest_group: AtomicUsize::new(0),
            transactions: AtomicUsize::new(0),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> GroupConfig {
        self.config
    }

    /// What grouping has done so far.
    pub fn stats(&self) -> GroupStats {
        GroupStats {
            groups: self.groups.load(Ordering::Relaxed),
            largest_group: self.largest_group.load(Ordering::Relaxed),
            transactions: self.transactions.load(Ordering::Relaxed),
        }
    }

    /// Decides `unit` with whatever else is waiting for its department, and returns its
    /// outcomes once they are committed.
    pub async fn decide(
        &self,
        state: &AppState,
        unit: Unit,
    ) -> Result<Vec<ActionOutcome>, ApiError> {
        if self.config.max_actions == 1 {
            return decide_unit_alone(state, &unit).await;
        }
        let department = unit.user.department_id;
        let queue = self
            .queues
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(department)
            .or_default()
            .clone();
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut s = queue.state.lock().unwrap_or_else(PoisonError::into_inner);
            s.actions += unit.items.len();
            s.waiting.push_back(Waiting { unit, reply });
            !std::mem::replace(&mut s.running, true)
        };
        queue.arrived.notify_one();
        if start {
            let state = state.clone();
            tokio::spawn(async move { run(state, department, queue).await });
        }
        answer.await.unwrap_or_else(|_| {
            // The deciding task ended without answering: only a panic inside it does that.
            Err(ApiError::internal())
        })
    }
}

/// Decides a department's queue until it is empty.
async fn run(state: AppState, department: Uuid, queue: Arc<DeptQueue>) {
    let config = state.actions.config;
    loop {
        if !config.linger.is_zero() {
            // Wait for a full group, or for the linger to pass.
            let deadline = tokio::time::Instant::now() + config.linger;
            loop {
                let arrived = queue.arrived.notified();
                let full = queue
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .actions
                    >= config.max_actions;
                if full || tokio::time::timeout_at(deadline, arrived).await.is_err() {
                    break;
                }
            }
        }
        let group = {
            let mut s = queue.state.lock().unwrap_or_else(PoisonError::into_inner);
            let mut group = VecDeque::new();
            let mut actions = 0;
            while let Some(next) = s.waiting.front() {
                let n = next.unit.items.len();
                if !group.is_empty() && actions + n > config.max_actions {
                    break;
                }
                actions += n;
                if let Some(w) = s.waiting.pop_front() {
                    group.push_back(w);
                }
            }
            s.actions -= actions;
            if group.is_empty() {
                s.running = false;
                // Forget idle departments' queues (a new request makes a new one).
                let mut all = state
                    .actions
                    .queues
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if all.get(&department).is_some_and(|q| Arc::ptr_eq(q, &queue)) {
                    all.remove(&department);
                }
                return;
            }
            state.actions.groups.fetch_add(1, Ordering::Relaxed);
            state
                .actions
                .largest_group
                .fetch_max(actions, Ordering::Relaxed);
            group
        };
        decide_group(&state, group).await;
    }
}

/// Decides `group` in as few transactions as its failures allow, answering each unit.
async fn decide_group(state: &AppState, mut group: VecDeque<Waiting>) {
    while !group.is_empty() {
        match shared_transaction(state, &mut group).await {
            Shared::Committed { failed } => {
                if let Some(w) = failed {
                    let result = decide_unit_alone(state, &w.unit).await;
                    let _ = w.reply.send(result);
                }
            }
            Shared::Failed { units, error } => {
                tracing::warn!(%error, units = units.len(), "a shared action transaction failed; deciding its units alone");
                for w in units {
                    let result = decide_unit_alone(state, &w.unit).await;
                    let _ = w.reply.send(result);
                }
            }
        }
    }
}

enum Shared {
    /// The units decided in the transaction were committed and answered; `failed` (if any)
    /// was rolled back to its savepoint and waits to be decided alone.
    Committed { failed: Option<Box<Waiting>> },
    /// Nothing was committed: these units must be decided alone.
    Failed { units: Vec<Waiting>, error: DbError },
}

/// One shared transaction over the front of `group`: takes units until one fails or the
/// group is done, and commits what was decided.
async fn shared_transaction(state: &AppState, group: &mut VecDeque<Waiting>) -> Shared {
    let mut tx = match state.db.write().await {
        Ok(tx) => tx,
        Err(error) => {
            return Shared::Failed {
                units: group.drain(..).collect(),
                error,
            };
        }
    };
    let department = group.front().map(|w| w.unit.user.department_id);
    if let Some(department) = department
        && let Err(error) = changes::lock_department(tx.conn(), state.db.dialect, department).await
    {
        drop(tx);
        return Shared::Failed {
            units: group.drain(..).collect(),
            error,
        };
    }
    // A lone unit needs no savepoint: if it fails, the whole transaction is its own.
    let savepoints = group.len() > 1;
    let mut decided: Vec<(Waiting, UnitDecided)> = Vec::with_capacity(group.len());
    let mut failed = None;
    let mut actions = 0;
    while let Some(w) = group.pop_front() {
        let result = async {
            if savepoints {
                tx.conn().execute("SAVEPOINT unit").await?;
            }
            let decided = decide_unit_in(tx.conn(), state, &w.unit).await?;
            if savepoints {
                tx.conn().execute("RELEASE SAVEPOINT unit").await?;
            }
            Ok::<_, DbError>(decided)
        }
        .await;
        match result {
            Ok(d) => {
                actions += w.unit.items.len();
                decided.push((w, d));
            }
            Err(error) if savepoints => {
                let undone = async {
                    tx.conn().execute("ROLLBACK TO SAVEPOINT unit").await?;
                    tx.conn().execute("RELEASE SAVEPOINT unit").await?;
                    Ok::<_, DbError>(())
                }
                .await;
                if let Err(e) = undone {
                    // The transaction cannot be trusted: nothing of it is committed.
                    drop(tx);
                    let mut units: Vec<Waiting> = decided.into_iter().map(|(w, _)| w).collect();
                    units.push(w);
                    return Shared::Failed { units, error: e };
                }
                tracing::debug!(%error, "an action failed inside a shared transaction; it is decided alone");
                failed = Some(Box::new(w));
                break;
            }
            Err(error) => {
                drop(tx);
                return Shared::Failed {
                    units: vec![w],
                    error,
                };
            }
        }
    }
    if let Err(error) = tx.commit().await {
        let mut units: Vec<Waiting> = decided.into_iter().map(|(w, _)| w).collect();
        units.extend(failed.map(|w| *w));
        return Shared::Failed { units, error };
    }
    if actions > 0 {
        state.actions.transactions.fetch_add(1, Ordering::Relaxed);
    }
    for (w, d) in decided {
        let result = d.into_result(&w.unit);
        let _ = w.reply.send(result);
    }
    Shared::Committed { failed }
}
