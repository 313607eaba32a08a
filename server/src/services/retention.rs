//! Keeping data as long as it should be, and no longer (decisions 020 and 022): the change log
//! is compacted past a horizon (phones with older cursors get a full snapshot), delivered
//! notifications are pruned after a retention period, idempotency keys after
//! [`KEEP_KEYS_DAYS`]. Undelivered notifications are never pruned, and the audit log is never
//! touched. Every server process runs this about hourly; each step is idempotent and safe beside
//! another process doing the same.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use uuid::Uuid;

use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::services::changes;

/// How long idempotency keys are kept (the promise is at least 30 days; DESIGN.md §2).
pub const KEEP_KEYS_DAYS: i64 = 35;

/// Change sequences compacted per transaction, so SQLite's single write lock is never held for
/// long (a sequence has a few change rows).
const COMPACT_CHUNK: i64 = 5_000;

/// Notifications deleted per statement, for the same reason.
const PRUNE_CHUNK: i64 = 1_000;

/// What is kept, and how often the sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Change-log rows older than this are compacted away (`--change-log-days`).
    pub change_log: Duration,
    /// Delivered notifications are deleted this long after delivery (`--notification-days`).
    pub notifications: Duration,
    /// Time between runs (also the granularity of the change log's time marks).
    pub every: StdDuration,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            change_log: Duration::days(30),
            notifications: Duration::days(90),
            every: StdDuration::from_secs(3600),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Time marks written (one per department with changes).
    pub marks: u64,
    pub compaction: CompactionReport,
    pub notifications: NotificationReport,
    pub idempotency_keys_deleted: u64,
    /// Web console sessions that ended more than a day ago.
    pub console_sessions_deleted: u64,
}

/// What a change-log compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactionReport {
    /// Departments whose watermark moved, with the new watermark.
    pub watermarks: Vec<(Uuid, i64)>,
    /// Change rows deleted.
    pub rows_deleted: u64,
}

/// What a notification prune did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationReport {
    /// Delivered notifications deleted.
    pub deleted: u64,
    /// Notifications never delivered and older than the retention period: kept, and reported.
    pub undelivered_kept: u64,
}

/// Records, for every department with changes, that its change sequence stood at its current
/// value at `now`. Compaction later turns "older than the horizon" into a sequence number.
pub async fn mark_heads(db: &Db, now: DateTime<Utc>) -> Result<u64, DbError> {
    // A committed change_seq S means every change <= S has committed (decision 002).
    let mut tx = db.write().await?;
    let r = sqlx::query(
        "INSERT INTO change_log_marks (department_id, seq, at_us) \
         SELECT id, change_seq, $1 FROM departments WHERE change_seq > 0 \
         ON CONFLICT DO NOTHING",
    )
    .bind(to_us(now))
    .execute(&mut *tx.conn())
    .await?;
    tx.commit().await?;
    Ok(r.rows_affected())
}

/// Compacts every department's change log through its newest mark at least `horizon` old.
pub async fn compact_change_log(
    db: &Db,
    now: DateTime<Utc>,
    horizon: Duration,
) -> Result<CompactionReport, DbError> {
    let due = sqlx::query(
        "SELECT department_id, MAX(seq) AS seq FROM change_log_marks WHERE at_us <= $1 \
         GROUP BY department_id ORDER BY department_id",
    )
    .bind(to_us(now - horizon))
    .fetch_all(&db.pool)
    .await?;
    let mut report = CompactionReport::default();
    for r in &due {
        let department_id = get_uuid(r, "department_id")?;
        let through: i64 = get(r, "seq")?;
        let (deleted, moved) = compact_through(db, department_id, through, now).await?;
        report.rows_deleted += deleted;
        if moved {
            report.watermarks.push((department_id, through));
        }
        let mut tx = db.write().await?;
        sqlx::query("DELETE FROM change_log_marks WHERE department_id = $1 AND seq < $2")
            .bind(department_id.to_string())
            .bind(through)
            .execute(&mut *tx.conn())
            .await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// Deletes the department's change rows with `seq <= through` and raises its watermark to
/// `through`, [`COMPACT_CHUNK`] sequences per transaction (deletions and watermark commit
/// together, so a sync sees both or neither). Returns (rows deleted, whether the watermark moved).
pub async fn compact_through(
    db: &Db,
    department_id: Uuid,
    through: i64,
    now: DateTime<Utc>,
) -> Result<(u64, bool), DbError> {
    let dept = department_id.to_string();
    let mut deleted = 0;
    let mut moved = false;
    loop {
        let mut tx = db.write().await?;
        // The watermark row is the compaction lock: two processes compacting the same
        // department take turns instead of deleting the same rows at once.
        sqlx::query(
            "INSERT INTO change_log_compaction (department_id, compacted_seq, compacted_us) \
             VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
        )
        .bind(&dept)
        .bind(to_us(now))
        .execute(&mut *tx.conn())
        .await?;
        let sql = format!(
            "SELECT compacted_seq FROM change_log_compaction WHERE department_id = $1{}",
            db.dialect.for_update()
        );
        let current: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&dept)
            .fetch_one(&mut *tx.conn())
            .await?
            .try_get("compacted_seq")?;
        if current >= through {
            tx.commit().await?;
            return Ok((deleted, moved));
        }
        let upto = through.min(current.saturating_add(COMPACT_CHUNK));
        deleted += sqlx::query("DELETE FROM change_log WHERE department_id = $1 AND seq <= $2")
            .bind(&dept)
            .bind(upto)
            .execute(&mut *tx.conn())
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE change_log_compaction SET compacted_seq = $1, compacted_us = $2 \
             WHERE department_id = $3",
        )
        .bind(upto)
        .bind(to_us(now))
        .bind(&dept)
        .execute(&mut *tx.conn())
        .await?;
        tx.commit().await?;
        moved = true;
    }
}

/// The department's watermark (0 when never compacted).
pub async fn watermark(db: &Db, department_id: Uuid) -> Result<i64, DbError> {
    let mut conn = db.pool.acquire().await?;
    changes::compacted_through(&mut conn, department_id).await
}

/// Deletes notifications delivered more than `keep` ago. Undelivered ones are never deleted:
/// those older than `keep` are counted (and logged by [`run_once`]) so an operator sees a
/// delivery problem instead of losing the notices (decision 022).
pub async fn prune_notifications(
    db: &Db,
    now: DateTime<Utc>,
    keep: Duration,
) -> Result<NotificationReport, DbError> {
    let cutoff = to_us(now - keep);
    let mut report = NotificationReport::default();
    loop {
        let mut tx = db.write().await?;
        let n = sqlx::query(
            "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications \
             WHERE sent_us IS NOT NULL AND sent_us < $1 LIMIT $2)",
        )
        .bind(cutoff)
        .bind(PRUNE_CHUNK)
        .execute(&mut *tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        report.deleted += n;
        if n < PRUNE_CHUNK.unsigned_abs() {
            break;
        }
    }
    // Their delivery attempts go with them (decision 041); an unfinished notice keeps its own.
    let mut tx = db.write().await?;
    sqlx::query(
        "DELETE FROM delivery_attempts WHERE at_us < $1 AND notification_id NOT IN \
         (SELECT id FROM notifications WHERE sent_us IS NULL)",
    )
    .bind(cutoff)
    .execute(&mut *tx.conn())
    .await?;
    tx.commit().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM notifications WHERE sent_us IS NULL AND created_us < $1",
    )
    .bind(cutoff)
    .fetch_one(&db.pool)
    .await?;
    report.undelivered_kept = u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0);
    Ok(report)
}

/// One retention run: mark, compact, prune notifications, purge idempotency keys and ended
/// console sessions. A failing
/// step is logged and the others still run; the report holds what succeeded.
pub async fn run_once(db: &Db, now: DateTime<Utc>, policy: &RetentionPolicy) -> RetentionReport {
    let mut report = RetentionReport::default();
    match compact_change_log(db, now, policy.change_log).await {
        Ok(c) => report.compaction = c,
        Err(e) => tracing::warn!(error = %e, "change-log compaction failed; will retry"),
    }
    match mark_heads(db, now).await {
        Ok(n) => report.marks = n,
        Err(e) => tracing::warn!(error = %e, "change-log mark failed; will retry"),
    }
    match prune_notifications(db, now, policy.notifications).await {
        Ok(n) => report.notifications = n,
        Err(e) => tracing::warn!(error = %e, "notification prune failed; will retry"),
    }
    match crate::services::actions::purge_keys(db, KEEP_KEYS_DAYS).await {
        Ok(n) => report.idempotency_keys_deleted = n,
        Err(e) => tracing::warn!(error = %e, "idempotency key purge failed; will retry"),
    }
    match crate::console::session::purge_ended(db, now).await {
        Ok(n) => report.console_sessions_deleted = n,
        Err(e) => tracing::warn!(error = %e, "console session purge failed; will retry"),
    }
    // Sign-ins that waited for a second factor and ended over a day ago (decision 038).
    if let Err(e) = crate::console::second_factor::purge_ended(db, now).await {
        tracing::warn!(error = %e, "second-factor state purge failed; will retry");
    }
    if report.notifications.undelivered_kept > 0 {
        tracing::warn!(
            count = report.notifications.undelivered_kept,
            days = policy.notifications.num_days(),
            "notifications undelivered for longer than the retention period are kept; check delivery"
        );
    }
    if !report.compaction.watermarks.is_empty()
        || report.notifications.deleted > 0
        || report.idempotency_keys_deleted > 0
        || report.console_sessions_deleted > 0
    {
        tracing::info!(
            change_rows = report.compaction.rows_deleted,
            departments = report.compaction.watermarks.len(),
            notifications = report.notifications.deleted,
            idempotency_keys = report.idempotency_keys_deleted,
            console_sessions = report.console_sessions_deleted,
            "retention sweep deleted expired rows"
        );
    }
    report
}

/// Runs [`run_once`] every `policy.every` until `stop` says so (or its sender is gone); a run
/// under way is finished first.
pub async fn run(db: Db, policy: RetentionPolicy, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(policy.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        run_once(&db, Utc::now(), &policy).await;
    }
}
