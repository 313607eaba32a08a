//! The shift watcher (decision 043): a periodic task beside the award sweeper, the money task
//! and the delivery worker. Each pass ([`step`], which takes `now` so tests control time)
//! reminds officers whose shift starts soon, raises the alerts due on every slot of a shift that
//! has started (the rules are `offduty_domain::alerts`), and escalates the alerts nobody
//! acknowledged in time. Every write is idempotent — one alert per slot and kind, one reminder
//! per slot, one escalation per alert — so two passes, or two server processes, never repeat one.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_domain::alerts::{self, AlertKind, AlertRules, MAX_MINUTES, SlotFacts};

use crate::db::{Db, DbError, from_us, get, get_uuid, to_us};
use crate::services::alerts::{OpenAlert, Raised, SlotRef, escalate, raise};
use crate::services::award::load_department;
use crate::services::notify::{self, Notice};

/// Slots of shifts that ended longer ago than this are no longer watched.
const LOOK_BACK: chrono::Duration = chrono::Duration::hours(24);
/// Most rows one pass reads per query (the next pass takes the rest).
const BATCH: i64 = 1000;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchReport {
    pub reminded: usize,
    pub raised: usize,
    pub escalated: usize,
}

impl WatchReport {
    fn is_empty(&self) -> bool {
        *self == WatchReport::default()
    }
}

/// Each department's alert rules, read once per pass.
#[derive(Default)]
struct Rules(HashMap<Uuid, AlertRules>);

impl Rules {
    async fn of(&mut self, db: &Db, department_id: Uuid) -> Result<AlertRules, DbError> {
        if let Some(r) = self.0.get(&department_id) {
            return Ok(r.clone());
        }
        let mut conn = db.pool.acquire().await?;
        let rules = load_department(&mut conn, department_id)
            .await?
            .map(|d| d.rules.alerts)
            .unwrap_or_default();
        self.0.insert(department_id, rules.clone());
        Ok(rules)
    }
}

/// One pass at `now`.
pub async fn step(db: &Db, now: DateTime<Utc>) -> Result<WatchReport, DbError> {
    let mut rules = Rules::default();
    Ok(WatchReport {
        reminded: remind(db, &mut rules, now).await?,
        raised: watch_slots(db, &mut rules, now).await?,
        escalated: escalate_due(db, &mut rules, now).await?,
    })
}

/// Shift reminders: one per awarded slot, inside the department's lead time, before the start.
async fn remind(db: &Db, rules: &mut Rules, now: DateTime<Utc>) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.officer_id, a.department_id, j.id AS job_id, j.title, j.site_name, \
         j.starts_us FROM assignments a JOIN jobs j ON j.id = a.job_id \
         LEFT JOIN shift_reminders r ON r.assignment_id = a.id \
         WHERE a.status = 'awarded' AND j.status IN ('open', 'filled') \
         AND j.starts_us > $1 AND j.starts_us <= $2 AND r.assignment_id IS NULL \
         ORDER BY j.starts_us, a.id LIMIT $3",
    )
    .bind(to_us(now))
    .bind(to_us(
        now + chrono::Duration::minutes(i64::from(MAX_MINUTES)),
    ))
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for r in &rows {
        let dept = get_uuid(r, "department_id")?;
        let starts_at = from_us(get(r, "starts_us")?);
        if !alerts::reminder_due(&rules.of(db, dept).await?, starts_at, now) {
            continue;
        }
        let assignment = get_uuid(r, "id")?;
        let mut tx = db.write().await?;
        let conn = tx.conn();
        let n = sqlx::query(
            "INSERT INTO shift_reminders (assignment_id, department_id, sent_us) \
             VALUES ($1, $2, $3) ON CONFLICT (assignment_id) DO NOTHING",
        )
        .bind(assignment.to_string())
        .bind(dept.to_string())
        .bind(to_us(now))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n == 0 {
            continue;
        }
        let notice = Notice::ShiftReminder {
            job_id: get_uuid(r, "job_id")?,
            title: get(r, "title")?,
            site_name: get(r, "site_name")?,
            starts_at,
        };
        notify::enqueue(conn, dept, get_uuid(r, "officer_id")?, &notice, now).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// The alerts due on slots of shifts that started (and ended at most [`LOOK_BACK`] ago).
async fn watch_slots(db: &Db, rules: &mut Rules, now: DateTime<Utc>) -> Result<usize, DbError> {
    let since = to_us(now - LOOK_BACK);
    let rows = sqlx::query(
        "SELECT a.id, a.officer_id, a.department_id, a.updated_us, j.id AS job_id, j.starts_us, \
           j.ends_us, \
           t.in_us, t.out_us, t.status AS card_status, lr.eta_us AS late_eta_us, \
           (SELECT COUNT(*) FROM clock_events e WHERE e.timecard_id = t.id \
              AND e.verdict = 'needs_review') AS doubtful \
         FROM assignments a JOIN jobs j ON j.id = a.job_id \
         LEFT JOIN timecards t ON t.assignment_id = a.id \
         LEFT JOIN late_reports lr ON lr.assignment_id = a.id \
         WHERE a.status = 'awarded' AND j.status <> 'cancelled' \
         AND j.starts_us <= $1 AND j.ends_us > $2 ORDER BY j.starts_us, a.id LIMIT $3",
    )
    .bind(to_us(now))
    .bind(since)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut raised_before: HashSet<(Uuid, String)> = HashSet::new();
    for r in sqlx::query(
        "SELECT x.assignment_id, x.kind FROM alerts x JOIN jobs j ON j.id = x.job_id \
         WHERE j.starts_us <= $1 AND j.ends_us > $2",
    )
    .bind(to_us(now))
    .bind(since)
    .fetch_all(&db.pool)
    .await?
    {
        raised_before.insert((get_uuid(&r, "assignment_id")?, get(&r, "kind")?));
    }
    let mut raised = 0;
    for r in &rows {
        let slot = SlotRef {
            department_id: get_uuid(r, "department_id")?,
            assignment_id: get_uuid(r, "id")?,
            job_id: get_uuid(r, "job_id")?,
            officer_id: get_uuid(r, "officer_id")?,
        };
        let facts = SlotFacts {
            starts_at: from_us(get(r, "starts_us")?),
            ends_at: from_us(get(r, "ends_us")?),
            held_since: from_us(get(r, "updated_us")?),
            // A card's clock-in time (a card imported without its clock events has one too).
            clock_in: get::<Option<i64>>(r, "in_us")?.map(from_us),
            clock_out: get::<Option<i64>>(r, "out_us")?.map(from_us),
            punch_needs_review: get::<i64>(r, "doubtful")? > 0
                || get::<Option<String>>(r, "card_status")?.as_deref() == Some("needs_review"),
            // The arrival the officer reported from the phone (decision 048).
            late_eta: get::<Option<i64>>(r, "late_eta_us")?.map(from_us),
        };
        let due = alerts::due(&rules.of(db, slot.department_id).await?, &facts, now);
        for kind in due {
            if raised_before.contains(&(slot.assignment_id, kind.as_str().to_string())) {
                continue;
            }
            if raise(db, &slot, kind, now).await? == Raised::New {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

/// Escalates, once, each open alert nobody acknowledged within its department's delay.
async fn escalate_due(db: &Db, rules: &mut Rules, now: DateTime<Utc>) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "SELECT id, department_id, kind, raised_us FROM alerts \
         WHERE acknowledged_us IS NULL AND escalated_us IS NULL AND raised_us <= $1 \
         ORDER BY raised_us, id LIMIT $2",
    )
    .bind(to_us(now))
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    let mut n = 0;
    for r in &rows {
        let alert = OpenAlert {
            id: get_uuid(r, "id")?,
            department_id: get_uuid(r, "department_id")?,
            kind: AlertKind::parse(&get::<String>(r, "kind")?),
            raised_at: from_us(get(r, "raised_us")?),
        };
        if alerts::escalation_due(
            &rules.of(db, alert.department_id).await?,
            alert.raised_at,
            now,
        ) && escalate(db, &alert, now).await?
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Runs [`step`] every `every` until `stop` turns true (between passes), like the award
/// sweeper and the delivery worker.
pub async fn run(db: Db, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        match step(&db, Utc::now()).await {
            Ok(r) if r.is_empty() => {}
            Ok(r) => tracing::info!(?r, "shift watch pass"),
            Err(e) => tracing::warn!(error = %e, "shift watch pass failed; will retry"),
        }
    }
}
