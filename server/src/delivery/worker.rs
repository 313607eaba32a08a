//! The delivery worker: takes due notices from the outbox, decides per notice from the
//! officer's preferences (channels; quiet hours, which hold a non-urgent notice until the
//! window ends), sends through each channel's adapter, records every attempt, retries with
//! exponential backoff up to a cap and gives up after [`RetryPolicy::max_attempts`].
//!
//! Claiming is a lease: one short write transaction sets `lease_until_us` on the due rows it
//! selected (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several server processes share the
//! outbox without waiting on each other; SQLite's single writer serialises the claim). Nothing
//! is sent inside a transaction. Each attempt is recorded right after its send; a crash between
//! the two leaves the lease to run out and another pass to send again — a notice may arrive
//! twice, it is never lost. The attempt's primary key (notification, channel, destination,
//! attempt) makes a second record of the same attempt impossible.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use offduty_domain::notice::Notice;
use offduty_domain::prefs::Preferences;

use super::message::render;
use super::{Adapters, Channel, SendOutcome};
use crate::db::{Db, DbError, Dialect, get, to_us};

/// How the worker retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per destination before giving up (the last failure is recorded as the reason).
    pub max_attempts: u32,
    /// The wait after the first failure; doubled after each next one…
    pub base: Duration,
    /// …up to this.
    pub cap: Duration,
    /// How long a claimed notice belongs to the worker that claimed it.
    pub lease: Duration,
    /// Notices claimed per step.
    pub batch: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base: Duration::from_secs(30),
            cap: Duration::from_secs(60 * 60),
            lease: Duration::from_secs(5 * 60),
            batch: 50,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): `base · 2^(attempt-1)`, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }
}

/// What one step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Notices claimed.
    pub claimed: usize,
    /// Notices held for quiet hours.
    pub held_quiet: usize,
    /// Attempts by outcome.
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    pub gone: usize,
    pub no_provider: usize,
}

/// The worker's errors (the database; providers' failures are outcomes, not errors).
pub type WorkerError = DbError;

fn us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Claims up to `policy.batch` due notices for this worker until `now + lease`.
async fn claim(db: &Db, policy: &RetryPolicy, now: DateTime<Utc>) -> Result<Vec<String>, DbError> {
    let lock = match db.dialect {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let now_us = to_us(now);
    let mut tx = db.write().await?;
    // `lock` is one of two constants above.
    let sql = format!(
        "SELECT id FROM notifications WHERE sent_us IS NULL AND due_us <= $1 \
         AND (lease_until_us IS NULL OR lease_until_us <= $1) ORDER BY due_us, id LIMIT $2{lock}"
    );
    let rows = sqlx::query::<sqlx::Any>(sqlx::AssertSqlSafe(sql))
        .bind(now_us)
        .bind(policy.batch)
        .fetch_all(&mut *tx.conn())
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = get(r, "id")?;
        sqlx::query("UPDATE notifications SET lease_until_us = $1 WHERE id = $2")
            .bind(now_us.saturating_add(us(policy.lease)))
            .bind(&id)
            .execute(&mut *tx.conn())
            .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// One pass: claim due notices and deliver each. `now` is passed in so tests control time.
pub async fn step(
    db: &Db,
    adapters: &Adapters,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
) -> Result<StepReport, WorkerError> {
    let mut report = StepReport::default();
    let ids = claim(db, policy, now).await?;
    report.claimed = ids.len();
    for id in ids {
        if let Err(e) = deliver(db, adapters, policy, now, &id, &mut report).await {
            // The lease runs out and a later pass tries again: never lost.
            tracing::warn!(notification = %id, error = %e, "delivery failed; will retry");
        }
    }
    Ok(report)
}

/// What the worker knows about a notice's addressee.
struct Addressee {
    prefs: Preferences,
    email: String,
    phone: Option<String>,
    disabled: bool,
    tz: Tz,
}

async fn addressee(db: &Db, user_id: &str) -> Result<Option<Addressee>, DbError> {
    let row = sqlx::query(
        "SELECT u.prefs_json, u.email, u.phone, u.disabled, d.time_zone FROM users u \
         JOIN departments d ON d.id = u.department_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let prefs_json: String = get(&r, "prefs_json")?;
    let tz: String = get(&r, "time_zone")?;
    Ok(Some(Addressee {
        prefs: serde_json::from_str(&prefs_json).unwrap_or_default(),
        email: get(&r, "email")?,
        phone: get::<Option<String>>(&r, "phone")?.filter(|p| !p.trim().is_empty()),
        disabled: get::<i64>(&r, "disabled")? != 0,
        tz: tz.parse().unwrap_or(Tz::UTC),
    }))
}

/// Every destination the officer's preferences allow, in a stable order.
async fn destinations(
    db: &Db,
    user_id: &str,
    who: &Addressee,
) -> Result<Vec<(Channel, String)>, DbError> {
    let mut out = Vec::new();
    if who.prefs.channels.push {
        let rows = sqlx::query(
            "SELECT t.platform, t.token FROM device_push_tokens t \
             JOIN devices d ON d.id = t.device_id \
             WHERE d.user_id = $1 AND d.revoked_us IS NULL ORDER BY t.platform, t.token",
        )
        .bind(user_id)
        .fetch_all(&db.pool)
        .await?;
        for r in &rows {
            let platform: String = get(r, "platform")?;
            let channel = match platform.as_str() {
                "fcm" => Channel::Fcm,
                "apns" => Channel::Apns,
                _ => continue,
            };
            out.push((channel, get::<String>(r, "token")?));
        }
    }
    if who.prefs.channels.email && !who.email.trim().is_empty() {
        out.push((Channel::Email, who.email.clone()));
    }
    if who.prefs.channels.sms
        && let Some(phone) = &who.phone
    {
        out.push((Channel::Sms, phone.clone()));
    }
    Ok(out)
}

/// When the notice's job starts, measured from `now`.
async fn starts_in(
    db: &Db,
    notice: Option<&Notice>,
    now: DateTime<Utc>,
) -> Result<Option<chrono::Duration>, DbError> {
    let Some(job_id) = notice.and_then(Notice::job_id) else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT starts_us FROM jobs WHERE id = $1")
        .bind(job_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        Some(r) => Some(crate::db::from_us(get::<i64>(&r, "starts_us")?) - now),
        None => None,
    })
}

/// Ends the notice: every channel reached an end (or there was nothing to reach).
async fn finish(db: &Db, id: &str, state: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE notifications SET delivery_state = $1, sent_us = $2, lease_until_us = NULL \
         WHERE id = $3",
    )
    .bind(state)
    .bind(to_us(now))
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Puts the notice back for a later pass at `due`.
async fn postpone(db: &Db, id: &str, state: &str, due: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE notifications SET delivery_state = $1, due_us = $2, lease_until_us = NULL \
         WHERE id = $3",
    )
    .bind(state)
    .bind(to_us(due))
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// One recorded attempt.
struct Attempt<'a> {
    channel: Channel,
    destination: &'a str,
    attempt: u32,
    outcome: &'static str,
    code: &'a str,
    detail: &'a str,
    next: Option<DateTime<Utc>>,
}

async fn record(db: &Db, id: &str, a: &Attempt<'_>, now: DateTime<Utc>) -> Result<(), DbError> {
    let r = sqlx::query(
        "INSERT INTO delivery_attempts (notification_id, channel, destination, attempt, outcome, \
         code, detail, at_us, next_attempt_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(a.channel.as_str())
    .bind(a.destination)
    .bind(i64::from(a.attempt))
    .bind(a.outcome)
    .bind(a.code)
    .bind(a.detail)
    .bind(to_us(now))
    .bind(a.next.map(to_us))
    .execute(&db.pool)
    .await;
    match r {
        Ok(_) => Ok(()),
        // Another worker whose lease overlapped recorded this very attempt: keep the first.
        Err(e) => {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                tracing::warn!(notification = %id, "attempt already recorded by another worker");
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

async fn forget_token(db: &Db, channel: Channel, token: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM device_push_tokens WHERE platform = $1 AND token = $2")
        .bind(channel.as_str())
        .bind(token)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Delivers one claimed notice.
async fn deliver(
    db: &Db,
    adapters: &Adapters,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
    id: &str,
    report: &mut StepReport,
) -> Result<(), DbError> {
    let Some(row) =
        sqlx::query("SELECT user_id, kind, payload_json FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
    else {
        return Ok(());
    };
    let user_id: String = get(&row, "user_id")?;
    let kind: String = get(&row, "kind")?;
    let payload: String = get(&row, "payload_json")?;
    let notice = serde_json::from_str::<serde_json::Value>(&payload)
        .ok()
        .and_then(|v| Notice::parse(&v));

    let Some(who) = addressee(db, &user_id).await? else {
        return finish(db, id, "not_sent", now).await;
    };
    if who.disabled {
        return finish(db, id, "not_sent", now).await;
    }
    let urgent = match &notice {
        Some(n) => n.is_urgent(starts_in(db, Some(n), now).await?),
        None => false,
    };
    if !urgent && let Some(end) = who.prefs.quiet_until(now, who.tz) {
        report.held_quiet += 1;
        return postpone(db, id, "quiet", end).await;
    }

    // What each destination has had so far: (attempts, last outcome).
    let mut before: HashMap<(String, String), (u32, String)> = HashMap::new();
    for r in sqlx::query(
        "SELECT channel, destination, attempt, outcome FROM delivery_attempts \
         WHERE notification_id = $1 ORDER BY attempt",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    {
        let n = u32::try_from(get::<i64>(&r, "attempt")?).unwrap_or(u32::MAX);
        before.insert(
            (get(&r, "channel")?, get(&r, "destination")?),
            (n, get(&r, "outcome")?),
        );
    }

    let message = render(id, &kind, notice.as_ref(), urgent, who.tz);
    let mut next_retry: Option<Duration> = None;
    let mut any_delivered = before.values().any(|(_, o)| o == "delivered");
    let mut any_open = false;
    for (channel, dest) in destinations(db, &user_id, &who).await? {
        let (done, last) = before
            .get(&(channel.as_str().to_string(), dest.clone()))
            .map(|(n, o)| (*n, o.as_str()))
            .unwrap_or((0, "retry"));
        if last != "retry" {
            continue; // this destination already reached an end
        }
        let attempt = done.saturating_add(1);
        let Some(sender) = adapters.get(channel) else {
            report.no_provider += 1;
            let a = Attempt {
                channel,
                destination: &dest,
                attempt,
                outcome: "no_provider",
                code: "",
                detail: "no provider configured",
                next: None,
            };
            record(db, id, &a, now).await?;
            continue;
        };
        let outcome = sender.send(&dest, &message).await;
        let (kind, code, detail, next) = match &outcome {
            SendOutcome::Delivered { code } => {
                report.delivered += 1;
                any_delivered = true;
                ("delivered", code.clone(), String::new(), None)
            }
            SendOutcome::Gone { code, detail } => {
                report.gone += 1;
                if matches!(channel, Channel::Fcm | Channel::Apns) {
                    forget_token(db, channel, &dest).await?;
                }
                ("gone", code.clone(), detail.clone(), None)
            }
            SendOutcome::Failed { code, detail } => {
                report.failed += 1;
                ("failed", code.clone(), detail.clone(), None)
            }
            SendOutcome::Retry { code, detail } if attempt >= policy.max_attempts => {
                report.failed += 1;
                let why = format!("gave up after {attempt} attempts: {detail}");
                ("failed", code.clone(), why, None)
            }
            SendOutcome::Retry { code, detail } => {
                report.retrying += 1;
                any_open = true;
                let wait = policy.backoff(attempt);
                next_retry = Some(next_retry.map_or(wait, |w: Duration| w.min(wait)));
                let at = now + chrono::Duration::from_std(wait).unwrap_or_default();
                ("retry", code.clone(), detail.clone(), Some(at))
            }
        };
        let a = Attempt {
            channel,
            destination: &dest,
            attempt,
            outcome: kind,
            code: &code,
            detail: &detail,
            next,
        };
        record(db, id, &a, now).await?;
    }

    match next_retry {
        Some(wait) if any_open => {
            let due = now + chrono::Duration::from_std(wait).unwrap_or_default();
            postpone(db, id, "retrying", due).await
        }
        _ => {
            let state = if any_delivered { "delivered" } else { "failed" };
            finish(db, id, state, now).await
        }
    }
}

/// Runs [`step`] every `every` until `stop` turns true (between passes), like the award and
/// retention sweepers; a pass that finds a full batch runs again at once.
pub async fn run(
    db: Db,
    adapters: Adapters,
    policy: RetryPolicy,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        loop {
            match step(&db, &adapters, &policy, Utc::now()).await {
                Ok(r) if r.claimed as i64 >= policy.batch && !*stop.borrow() => continue,
                Ok(r) if r.claimed > 0 => tracing::info!(?r, "delivery pass"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "delivery pass failed; will retry"),
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (1..=9).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(secs, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(p.backoff(200), p.cap, "no overflow");
    }
}
