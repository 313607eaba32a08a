//! The action queue (outbox): a persisted FIFO of the officer's actions, each with its UUIDv7
//! idempotency key. Sent in order; retried with backoff; an action the server keeps refusing is
//! *wedged* with a reason the officer sees — never dropped silently. An action leaves the queue
//! only in the transaction that stores its outcome.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::actions::ActionKind;
use offduty_domain::protocol::{Action, ActionEnvelope, Outcome};

use crate::error::{CoreError, Result};
use crate::store::{from_us, to_us};

/// Server failures (5xx, unreadable answers) tolerated before an action is wedged. Being
/// offline or throttled never counts.
pub const MAX_FAILURES: i64 = 8;
/// Longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::minutes(5);

/// An action waiting to be sent (or wedged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAction {
    pub idempotency_key: Uuid,
    pub kind: ActionKind,
    pub job_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Why the queue gave up on it; the officer can retry or discard it.
    pub wedged_reason: Option<String>,
}

/// Writes an action to the queue (inside the caller's transaction, with its local effects).
pub fn enqueue(conn: &Connection, action: Action, device_time: DateTime<Utc>) -> Result<Uuid> {
    let key = Uuid::now_v7();
    let kind = action.kind();
    let job_id = action.job_id();
    let envelope = ActionEnvelope {
        idempotency_key: key,
        created_at: device_time,
        action,
    };
    conn.execute(
        "INSERT INTO outbox (idempotency_key, kind, job_id, envelope_json, created_us) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key.to_string(),
            kind.as_str(),
            job_id.to_string(),
            serde_json::to_string(&envelope)?,
            to_us(device_time)
        ],
    )?;
    Ok(key)
}

/// Actions in the queue, wedged ones included.
pub fn count_pending(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?)
}

/// Every queued action, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<PendingAction>> {
    let mut st = conn.prepare(
        "SELECT idempotency_key, kind, job_id, created_us, attempts, next_attempt_us, last_error, \
         wedged_reason FROM outbox ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (key, kind, job, created, attempts, next, last_error, wedged) = row?;
        out.push(PendingAction {
            idempotency_key: parse_uuid(&key)?,
            kind: ActionKind::parse(&kind)
                .ok_or_else(|| CoreError::Internal(format!("outbox holds a bad kind {kind:?}")))?,
            job_id: parse_uuid(&job)?,
            created_at: from_us(created),
            attempts,
            next_attempt_at: (next > 0).then(|| from_us(next)),
            last_error,
            wedged_reason: wedged,
        });
    }
    Ok(out)
}

fn parse_uuid(s: &str) -> Result<Uuid> {
    s.parse()
        .map_err(|_| CoreError::Internal(format!("outbox holds a bad uuid {s:?}")))
}

/// One queued action ready to send.
#[derive(Debug, Clone)]
pub struct Due {
    pub seq: i64,
    pub key: Uuid,
    pub envelope: ActionEnvelope,
}

/// The next actions to send, in order: stops at the first one still backing off (order
/// matters: a claim must reach the server before its cancel); skips wedged actions and holds
/// every later action on the same job behind them.
pub fn due(conn: &Connection, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>> {
    let mut st = conn.prepare(
        "SELECT seq, idempotency_key, job_id, envelope_json, next_attempt_us, wedged_reason \
         FROM outbox ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    let mut held_jobs = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let job: String = r.get(2)?;
        let wedged: Option<String> = r.get(5)?;
        if wedged.is_some() || held_jobs.contains(&job) {
            held_jobs.insert(job);
            continue;
        }
        let next: i64 = r.get(4)?;
        if next > to_us(now) {
            break;
        }
        let envelope: ActionEnvelope = serde_json::from_str(&r.get::<_, String>(3)?)?;
        out.push(Due {
            seq: r.get(0)?,
            key: parse_uuid(&r.get::<_, String>(1)?)?,
            envelope,
        });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// When the queue may try again after `attempts` failures: 2^n seconds, at most five minutes.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 1i64 << attempts.clamp(0, 16);
    Duration::seconds(secs).min(MAX_BACKOFF)
}

/// Why sending failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The device could not reach the server: not the action's fault. Nothing is delayed (the
    /// next sync, e.g. on reconnect, sends it at once) and it never wedges.
    Offline,
    /// The server asked the device to slow down (429, rate-limited claim): wait a little, but
    /// it never wedges.
    Throttled,
    /// The server failed (5xx, unreadable answer): back off; wedged after [`MAX_FAILURES`].
    Server,
}

/// Records a failed attempt for these actions.
pub fn record_failure(
    conn: &Connection,
    keys: &[Uuid],
    error: &str,
    failure: Failure,
    now: DateTime<Utc>,
) -> Result<()> {
    for key in keys {
        let attempts: Option<i64> = conn
            .query_row(
                "SELECT attempts FROM outbox WHERE idempotency_key = ?1",
                [key.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(attempts) = attempts else { continue };
        let (attempts, next, wedged) = match failure {
            Failure::Offline => (attempts, None, None),
            Failure::Throttled => (attempts, Some(now + backoff(attempts.max(1))), None),
            Failure::Server => {
                let n = attempts + 1;
                let wedged = (n >= MAX_FAILURES)
                    .then(|| format!("gave up after {n} failed attempts: {error}"));
                (n, Some(now + backoff(n)), wedged)
            }
        };
        conn.execute(
            "UPDATE outbox SET attempts = ?1, next_attempt_us = COALESCE(?2, next_attempt_us), \
             last_error = ?3, wedged_reason = COALESCE(?4, wedged_reason) WHERE idempotency_key = ?5",
            params![attempts, next.map(to_us), error, wedged, key.to_string()],
        )?;
    }
    Ok(())
}

/// Wedges one action with a reason (the server refused it as malformed, or reused its key).
pub fn wedge(conn: &Connection, key: Uuid, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET wedged_reason = ?1, last_error = ?1 WHERE idempotency_key = ?2",
        params![reason, key.to_string()],
    )?;
    Ok(())
}

/// Stores the outcome and removes the action from the queue (one transaction, the caller's).
pub fn complete(conn: &Connection, key: Uuid, outcome: &Outcome, now: DateTime<Utc>) -> Result<()> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT kind, job_id FROM outbox WHERE idempotency_key = ?1",
            [key.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((kind, job_id)) = row else {
        return Ok(());
    };
    conn.execute(
        "INSERT OR REPLACE INTO outcomes (idempotency_key, kind, job_id, outcome_json, decided_us) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key.to_string(),
            kind,
            job_id,
            serde_json::to_string(outcome)?,
            to_us(now)
        ],
    )?;
    conn.execute(
        "DELETE FROM outbox WHERE idempotency_key = ?1",
        [key.to_string()],
    )?;
    Ok(())
}

/// Puts a wedged action back in line.
pub fn retry(conn: &Connection, key: Uuid) -> Result<bool> {
    let n = conn.execute(
        "UPDATE outbox SET wedged_reason = NULL, attempts = 0, next_attempt_us = 0 \
         WHERE idempotency_key = ?1 AND wedged_reason IS NOT NULL",
        [key.to_string()],
    )?;
    Ok(n > 0)
}

/// How the reason of an action the officer discarded begins (kept in `outcomes` as a refusal).
pub const DISCARDED: &str = "Discarded on this device after: ";

/// Discards a wedged action at the officer's request; the decision is kept in `outcomes`.
pub fn discard(conn: &Connection, key: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let wedged: Option<String> = conn
        .query_row(
            "SELECT wedged_reason FROM outbox WHERE idempotency_key = ?1",
            [key.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(reason) = wedged else {
        return Ok(false);
    };
    let outcome = Outcome::Rejected {
        code: offduty_domain::protocol::RejectCode::Invalid,
        reason: format!("{DISCARDED}{reason}"),
        ineligible: Vec::new(),
    };
    complete(conn, key, &outcome, now)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn claim(job: Uuid) -> Action {
        Action::Claim { job_id: job }
    }

    #[test]
    fn actions_come_out_in_order_and_leave_only_with_their_outcome() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let k1 = s.write(|tx| enqueue(tx, claim(a), now)).unwrap();
        let k2 = s.write(|tx| enqueue(tx, claim(b), now)).unwrap();
        let ready = s.read(|c| due(c, now, 10)).unwrap();
        assert_eq!(
            ready.iter().map(|d| d.key).collect::<Vec<_>>(),
            vec![k1, k2]
        );
        let out = Outcome::Awarded {
            assignment_id: Uuid::now_v7(),
        };
        s.write(|tx| complete(tx, k1, &out, now)).unwrap();
        assert_eq!(s.read(count_pending).unwrap(), 1);
    }

    #[test]
    fn a_wedged_action_holds_later_actions_on_the_same_job_only() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let k1 = s.write(|tx| enqueue(tx, claim(a), now)).unwrap();
        let _k2 = s
            .write(|tx| enqueue(tx, Action::Withdraw { job_id: a }, now))
            .unwrap();
        let k3 = s.write(|tx| enqueue(tx, claim(b), now)).unwrap();
        s.write(|tx| wedge(tx, k1, "refused")).unwrap();
        let ready = s.read(|c| due(c, now, 10)).unwrap();
        assert_eq!(ready.iter().map(|d| d.key).collect::<Vec<_>>(), vec![k3]);
        assert!(s.write(|tx| retry(tx, k1)).unwrap());
        assert_eq!(s.read(|c| due(c, now, 10)).unwrap().len(), 3);
    }

    #[test]
    fn server_failures_back_off_then_wedge_but_offline_never_delays_or_wedges() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let k = s
            .write(|tx| enqueue(tx, claim(Uuid::now_v7()), now))
            .unwrap();
        for _ in 0..50 {
            s.write(|tx| record_failure(tx, &[k], "no route to host", Failure::Offline, now))
                .unwrap();
        }
        assert!(s.read(list).unwrap()[0].wedged_reason.is_none());
        assert_eq!(
            s.read(|c| due(c, now, 10)).unwrap().len(),
            1,
            "sent at once on reconnect"
        );
        s.write(|tx| record_failure(tx, &[k], "429", Failure::Throttled, now))
            .unwrap();
        assert!(
            s.read(|c| due(c, now, 10)).unwrap().is_empty(),
            "throttled: waits"
        );
        s.write(|tx| record_failure(tx, &[k], "503", Failure::Server, now))
            .unwrap();
        assert!(
            s.read(|c| due(c, now, 10)).unwrap().is_empty(),
            "backing off"
        );
        assert_eq!(
            s.read(|c| due(c, now + Duration::minutes(6), 10))
                .unwrap()
                .len(),
            1
        );
        for _ in 0..MAX_FAILURES {
            s.write(|tx| record_failure(tx, &[k], "503", Failure::Server, now))
                .unwrap();
        }
        let p = &s.read(list).unwrap()[0];
        assert!(p.wedged_reason.as_deref().unwrap().contains("503"), "{p:?}");
        assert!(s.write(|tx| discard(tx, k, now)).unwrap());
        assert_eq!(s.read(count_pending).unwrap(), 0);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
