//! Group commit for officer actions (decision 034). Every department has a queue in each
//! server process. A request puts its actions (a [`Unit`]) on its department's queue and waits;
//! one task per busy department takes what is waiting, decides it in **one** write transaction
//! (one durable commit) — unit after unit in order of receipt, each action exactly as it would
//! be decided alone — and answers every request after the commit.
//!
//! Failure cases, each tested in `server/tests/group_commit.rs`:
//! - an action whose statements fail fails alone: the transaction is rolled back, the units
//!   before the failed one are decided together again (in a new transaction), then the failed
//!   unit alone (its own transactions, with the retries every action had before grouping), then
//!   the units after it together. Nothing is answered before its transaction commits, so
//!   deciding again is invisible, and a claim's rate-limit verdict is taken once per action
//!   ([`Prepared::rate_limit`](crate::services::actions::Prepared::rate_limit)). No savepoints:
//!   the common path pays nothing for the rare one;
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

/// Decides `group` in as few transactions as its failures allow, answering each unit, in
/// order of receipt.
async fn decide_group(state: &AppState, group: VecDeque<Waiting>) {
    let mut work = VecDeque::from([Step::Together(group)]);
    while let Some(step) = work.pop_front() {
        match step {
            Step::Alone(w) => {
                let result = decide_unit_alone(state, &w.unit).await;
                let _ = w.reply.send(result);
            }
            Step::Together(mut units) => match shared_transaction(state, &units).await {
                Ok(decided) => {
                    for (w, d) in units.into_iter().zip(decided) {
                        let result = d.into_result(&w.unit);
                        let _ = w.reply.send(result);
                    }
                }
                Err(Failure::Unit { index, error }) => {
                    // Rolled back. The units before the failed one are decided together
                    // again, then the failed one alone, then the rest together.
                    tracing::debug!(%error, index, "an action failed inside a shared transaction; it is decided alone");
                    let mut rest = units.split_off(index);
                    if !rest.is_empty() {
                        let failed = rest.pop_front();
                        if !rest.is_empty() {
                            work.push_front(Step::Together(rest));
                        }
                        if let Some(failed) = failed {
                            work.push_front(Step::Alone(Box::new(failed)));
                        }
                    }
                    if !units.is_empty() {
                        work.push_front(Step::Together(units));
                    }
                }
                Err(Failure::Whole(error)) => {
                    tracing::warn!(%error, units = units.len(), "a shared action transaction failed; deciding its units alone");
                    for w in units.into_iter().rev() {
                        work.push_front(Step::Alone(Box::new(w)));
                    }
                }
            },
        }
    }
}

/// What is left to decide of a group.
enum Step {
    Together(VecDeque<Waiting>),
    Alone(Box<Waiting>),
}

/// Why a shared transaction committed nothing.
enum Failure {
    /// The unit at `index` failed (the transaction is rolled back).
    Unit { index: usize, error: DbError },
    /// `BEGIN`, the department lock or the commit failed.
    Whole(DbError),
}

/// One shared transaction over every unit of `units`, in order: commits and returns what each
/// was decided, or commits nothing.
async fn shared_transaction(
    state: &AppState,
    units: &VecDeque<Waiting>,
) -> Result<Vec<UnitDecided>, Failure> {
    let Some(first) = units.front() else {
        return Ok(Vec::new());
    };
    let mut tx = state.db.write().await.map_err(Failure::Whole)?;
    changes::lock_department(tx.conn(), state.db.dialect, first.unit.user.department_id)
        .await
        .map_err(Failure::Whole)?;
    let mut decided = Vec::with_capacity(units.len());
    for (index, w) in units.iter().enumerate() {
        match decide_unit_in(tx.conn(), state, &w.unit).await {
            Ok(d) => decided.push(d),
            // Dropping the transaction rolls it back.
            Err(error) => return Err(Failure::Unit { index, error }),
        }
    }
    tx.commit().await.map_err(Failure::Whole)?;
    state.actions.transactions.fetch_add(1, Ordering::Relaxed);
    Ok(decided)
}
