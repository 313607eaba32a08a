//! `POST /v1/actions`: each officer action decided in order, under an idempotency key, in a
//! transaction it shares with the department's other waiting actions
//! ([`group_commit`](crate::services::group_commit)). A retry with the same key and payload
//! returns the stored outcome; the same key with another payload is refused (422); concurrent
//! duplicates produce one effect.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::Utc;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::protocol::{
    API_VERSION, Action, ActionBatch, ActionEnvelope, ActionOutcome, ActionResults, DeviceClock,
    Outcome, RejectCode,
};
use offduty_domain::timecard::PunchKind;

use crate::app::AppState;
use crate::db::rows::Department;
use crate::db::{DbError, get, to_us};
use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::services::arrival;
use crate::services::assignments::{self, TxCtx};
use crate::services::award::load_department;
use crate::services::changes;
use crate::services::clock::{self, Presigned};

/// Most actions accepted in one batch.
pub const MAX_BATCH: usize = 100;
/// How many times a transaction is retried after a serialization failure or deadlock.
const MAX_ATTEMPTS: usize = 5;

/// SHA-256 of the action's canonical JSON: what "the same payload" means.
pub fn request_hash(action: &Action) -> String {
    let bytes = serde_json::to_vec(action).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

struct StoredKey {
    hash: String,
    outcome: Outcome,
}

async fn stored(
    conn: &mut AnyConnection,
    user_id: Uuid,
    key: Uuid,
) -> Result<Option<StoredKey>, DbError> {
    let row = sqlx::query(
        "SELECT request_hash, outcome_json FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(user_id.to_string())
    .bind(key.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let outcome: String = get(&r, "outcome_json")?;
        Ok(StoredKey {
            hash: get(&r, "request_hash")?,
            outcome: serde_json::from_str(&outcome)
                .map_err(|e| DbError::corrupt("idempotency_keys", e))?,
        })
    })
    .transpose()
}

/// Decides a batch. A key already stored for a different action fails the whole batch with
/// 422 before anything is applied; a conflict that appears mid-batch (a concurrent request)
/// stops there, the actions before it staying applied (a retry returns their outcomes).
///
/// The batch joins its department's queue ([`group_commit`](crate::services::group_commit)): the actions waiting for a
/// department are decided together in one transaction, one at a time in order of receipt,
/// each with the outcome it would have had alone (decision 034).
pub async fn submit(
    state: &AppState,
    user: AuthUser,
    batch: ActionBatch,
) -> Result<ActionResults, ApiError> {
    if batch.actions.is_empty() {
        return Err(ApiError::invalid("actions", "send at least one action"));
    }
    if batch.actions.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "actions",
            format!("send at most {MAX_BATCH} actions per batch"),
        ));
    }
    if user.role != offduty_domain::protocol::Role::Officer {
        return Err(ApiError::forbidden("only officers submit actions"));
    }
    let ActionBatch {
        actions,
        device_clock,
        ..
    } = batch;
    // Work that needs no lock, on this request's task (so on either core): the key check, the
    // department, the signature checks.
    let mut items = Vec::with_capacity(actions.len());
    let dept = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        for (i, env) in actions.iter().enumerate() {
            // Fail fast on a reused key before anything is applied.
            let hash = request_hash(&env.action);
            if let Some(s) = stored(&mut conn, user.user_id, env.idempotency_key).await?
                && s.hash != hash
            {
                return Err(ApiError::idempotency_mismatch(
                    i,
                    env.idempotency_key,
                    false,
                ));
            }
            items.push((hash, env));
        }
        load_department(&mut conn, user.department_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?
    };
    let mut prepared = Vec::with_capacity(items.len());
    for (hash, env) in items {
        let presigned = match &env.action {
            Action::ClockIn { event } | Action::ClockOut { event } => {
                let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
                Some(clock::preverify(&mut conn, user.user_id, event).await?)
            }
            _ => None,
        };
        prepared.push(Prepared {
            env: env.clone(),
            hash,
            presigned,
            rate_limit: OnceLock::new(),
        });
    }
    let unit = Unit {
        user,
        dept,
        device_clock,
        items: prepared,
    };
    let outcomes = state.actions.decide(state, unit).await?;
    for (env, decided) in actions.iter().zip(&outcomes) {
        state.metrics.action_decided(&env.action, decided);
    }
    Ok(ActionResults {
        api_version: API_VERSION,
        outcomes,
    })
}

/// One action ready to be decided: its payload hash and, for a punch, its checked signature.
pub struct Prepared {
    pub env: ActionEnvelope,
    pub hash: String,
    pub presigned: Option<Presigned>,
    /// A claim's rate-limit verdict, taken once: a transaction rolled back and decided again
    /// (group commit's failure paths) does not charge the officer twice.
    pub rate_limit: OnceLock<Result<(), Duration>>,
}

/// One request's actions: decided in order, together.
pub struct Unit {
    pub user: AuthUser,
    pub dept: Department,
    pub device_clock: Option<DeviceClock>,
    pub items: Vec<Prepared>,
}

/// What deciding some of a unit's actions inside a shared transaction gave.
pub enum UnitDecided {
    /// Every action decided.
    All(Vec<ActionOutcome>),
    /// The action at `index` reuses a key stored for another payload; those before it are
    /// decided (their effects stand) and those after it are not.
    KeyReused {
        decided: Vec<ActionOutcome>,
        index: usize,
    },
}

impl UnitDecided {
    /// The request's answer.
    pub fn into_result(self, unit: &Unit) -> Result<Vec<ActionOutcome>, ApiError> {
        match self {
            UnitDecided::All(outcomes) => Ok(outcomes),
            UnitDecided::KeyReused { index, .. } => Err(ApiError::idempotency_mismatch(
                index,
                unit.items[index].env.idempotency_key,
                true,
            )),
        }
    }
}

/// Decides every action of `unit` inside the caller's transaction, which holds the
/// department's lock ([`changes::lock_department`]). An error leaves the transaction with partial
/// effects: the caller rolls it back and decides the unit alone.
pub async fn decide_unit_in(
    conn: &mut AnyConnection,
    state: &AppState,
    unit: &Unit,
) -> Result<UnitDecided, DbError> {
    let mut outcomes = Vec::with_capacity(unit.items.len());
    for (index, item) in unit.items.iter().enumerate() {
        let key = item.env.idempotency_key;
        let (replayed, outcome) = match decide_in(conn, state, unit, item).await? {
            Decided::Fresh(outcome) | Decided::NotStored(outcome) => (false, outcome),
            Decided::Replay(outcome) => (true, outcome),
            Decided::KeyReused => {
                return Ok(UnitDecided::KeyReused {
                    decided: outcomes,
                    index,
                });
            }
        };
        outcomes.push(ActionOutcome {
            idempotency_key: key,
            replayed,
            outcome,
        });
    }
    Ok(UnitDecided::All(outcomes))
}

/// Decides a unit's actions alone: each in its own transaction, retried after a serialization
/// failure, a deadlock or a concurrent duplicate. The path every action took before grouping,
/// and the one a unit takes when its shared transaction fails.
pub async fn decide_unit_alone(
    state: &AppState,
    unit: &Unit,
) -> Result<Vec<ActionOutcome>, ApiError> {
    let mut outcomes = Vec::with_capacity(unit.items.len());
    for (index, item) in unit.items.iter().enumerate() {
        outcomes.push(decide_one(state, unit, item, index).await?);
    }
    Ok(outcomes)
}

async fn decide_one(
    state: &AppState,
    unit: &Unit,
    item: &Prepared,
    index: usize,
) -> Result<ActionOutcome, ApiError> {
    let key = item.env.idempotency_key;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let decided = async {
            let mut tx = state.db.write().await?;
            changes::lock_department(tx.conn(), state.db.dialect, unit.user.department_id).await?;
            let decided = decide_in(tx.conn(), state, unit, item).await?;
            tx.commit().await?;
            Ok::<_, DbError>(decided)
        }
        .await;
        let (replayed, outcome) = match decided {
            Ok(Decided::Fresh(outcome) | Decided::NotStored(outcome)) => (false, outcome),
            Ok(Decided::Replay(outcome)) => (true, outcome),
            Ok(Decided::KeyReused) => return Err(ApiError::idempotency_mismatch(index, key, true)),
            // A concurrent duplicate committed first: loop to read its stored outcome.
            Err(e) if e.is_unique_violation() && attempt < MAX_ATTEMPTS => continue,
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(5 * attempt as u64)).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        return Ok(ActionOutcome {
            idempotency_key: key,
            replayed,
            outcome,
        });
    }
}

enum Decided {
    Fresh(Outcome),
    /// Refused without a decision (rate limit): not stored under the key, so a retry counts.
    NotStored(Outcome),
    Replay(Outcome),
    KeyReused,
}

/// Decides one action inside a write transaction that holds the department's lock
/// ([`changes::lock_department`]): the key lookup, then — for an action not decided before —
/// the department's next sequence, the decision and the stored outcome. A replayed or
/// rate-limited action writes nothing.
async fn decide_in(
    conn: &mut AnyConnection,
    state: &AppState,
    unit: &Unit,
    item: &Prepared,
) -> Result<Decided, DbError> {
    let user = unit.user;
    let env = &item.env;
    // The department lock is held: it orders receipt and makes the key lookup below see every
    // committed duplicate.
    if let Some(s) = stored(conn, user.user_id, env.idempotency_key).await? {
        return Ok(if s.hash == item.hash {
            Decided::Replay(s.outcome)
        } else {
            Decided::KeyReused
        });
    }
    if matches!(env.action, Action::Claim { .. }) {
        // Charged only for a claim not decided before (under the lock, so concurrent
        // duplicates of one claim are one attempt).
        let verdict = item
            .rate_limit
            .get_or_init(|| state.claim_limiter.check(&user.user_id.to_string()));
        if let Err(wait) = verdict {
            return Ok(Decided::NotStored(Outcome::Rejected {
                code: RejectCode::RateLimited,
                reason: format!(
                    "Too many claims in a short time; try again in {} s.",
                    wait.as_secs().max(1)
                ),
                ineligible: Vec::new(),
            }));
        }
    }
    let seq = changes::next_seq(conn, user.department_id).await?;
    let now = Utc::now();
    let ctx = TxCtx {
        user,
        dept: &unit.dept,
        dialect: state.db.dialect,
        now,
        seq,
    };
    let outcome = match &env.action {
        Action::Claim { job_id } => assignments::claim(conn, &ctx, *job_id).await?,
        Action::Withdraw { job_id } => assignments::withdraw(conn, &ctx, *job_id).await?,
        Action::Cancel { job_id, reason } => {
            assignments::cancel(conn, &ctx, *job_id, reason.as_deref()).await?
        }
        Action::Transfer {
            job_id,
            to_officer_id,
        } => assignments::transfer(conn, &ctx, *job_id, *to_officer_id).await?,
        Action::ReportLate {
            job_id,
            minutes_late,
        } => arrival::report_late(conn, &ctx, *job_id, *minutes_late).await?,
        Action::WontMakeIt { job_id, reason } => {
            arrival::wont_make_it(conn, &ctx, *job_id, reason.as_deref()).await?
        }
        Action::ClockIn { event } | Action::ClockOut { event } => {
            let kind = if matches!(env.action, Action::ClockIn { .. }) {
                PunchKind::In
            } else {
                PunchKind::Out
            };
            match &item.presigned {
                Some(Presigned::Refused(outcome)) => outcome.clone(),
                _ => clock::punch(conn, &ctx, event, kind, unit.device_clock.as_ref()).await?,
            }
        }
    };
    if let Outcome::Rejected { code, reason, .. } = &outcome {
        // Every refusal is on the record (including attempts on other departments' jobs).
        crate::services::audit::append(
            conn,
            user.department_id,
            crate::services::audit::AuditEntry {
                actor_id: Some(user.user_id),
                action: "action_refused",
                entity: "job",
                entity_id: env.action.job_id().to_string(),
                detail: serde_json::json!({"kind": env.action.kind(), "code": code, "reason": reason}),
            },
            now,
        )
        .await?;
    }
    sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, outcome_json, created_us) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.user_id.to_string())
    .bind(env.idempotency_key.to_string())
    .bind(&item.hash)
    .bind(crate::db::json(&outcome))
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    Ok(Decided::Fresh(outcome))
}

/// Deletes idempotency keys older than `keep_days` (never less than 30). Returns rows deleted.
pub async fn purge_keys(db: &crate::db::Db, keep_days: i64) -> Result<u64, DbError> {
    let cutoff = Utc::now() - chrono::Duration::days(keep_days.max(30));
    let r = sqlx::query("DELETE FROM idempotency_keys WHERE created_us < $1")
        .bind(to_us(cutoff))
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}
