//! Service-level alerts (issue 12, decision 043): raising one on an awarded slot (once per slot
//! and kind, audited, the coordinators told through the outbox; for a no-show also the
//! customer's contacts, and the slot offered to the waitlist), escalating one nobody
//! acknowledged, a coordinator acknowledging one, and the lists the console shows. The shift
//! watcher ([`crate::services::shift_watch`]) decides *when*; this module does the writing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_domain::alerts::AlertKind;

use crate::db::{Db, DbError, from_us, get, get_uuid, to_us};
use crate::extract::AuthUser;
use crate::services::assignments::{self, TxCtx};
use crate::services::audit::{self, AuditEntry};
use crate::services::award::{load_department, system_actor};
use crate::services::changes;
use crate::services::notify::{self, Notice};

/// The slot an alert is about, as the watcher read it.
#[derive(Debug, Clone)]
pub struct SlotRef {
    pub department_id: Uuid,
    pub assignment_id: Uuid,
    pub job_id: Uuid,
    pub officer_id: Uuid,
}

/// What raising did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raised {
    /// The alert was new: written, audited, told.
    New,
    /// Another pass or process raised it already, or the slot changed since it was read (a
    /// no-show whose officer clocked in meanwhile): nothing written.
    Nothing,
}

/// Raises `kind` on `slot` in one transaction: the alert row (its unique key refuses a second
/// one), the audit entry, the coordinators' notices, and for a no-show the customer's notice
/// and the waitlist promotion.
pub async fn raise(
    db: &Db,
    slot: &SlotRef,
    kind: AlertKind,
    now: DateTime<Utc>,
) -> Result<Raised, DbError> {
    let mut tx = db.write().await?;
    // Takes the department's sequence first, like every other write: decisions about one
    // department are serialized across server processes.
    let seq = changes::next_seq(tx.conn(), slot.department_id).await?;
    let Some(dept) = load_department(tx.conn(), slot.department_id).await? else {
        return Ok(Raised::Nothing);
    };
    let ctx = TxCtx {
        user: system_actor(slot.department_id),
        dept: &dept,
        dialect: db.dialect,
        now,
        seq,
    };
    let conn = tx.conn();
    let Some(locked) =
        assignments::lock_job(conn, db.dialect, slot.department_id, slot.job_id).await?
    else {
        return Ok(Raised::Nothing);
    };
    let job = locked.job;
    if kind == AlertKind::NoShow && !still_absent(conn, slot.assignment_id).await? {
        return Ok(Raised::Nothing);
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO alerts (id, department_id, assignment_id, job_id, officer_id, kind, \
         raised_us) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (assignment_id, kind) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(slot.department_id.to_string())
    .bind(slot.assignment_id.to_string())
    .bind(slot.job_id.to_string())
    .bind(slot.officer_id.to_string())
    .bind(kind.as_str())
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Raised::Nothing);
    }
    let name = officer_name(conn, slot.officer_id).await?;
    let mut promoted = None;
    if kind == AlertKind::NoShow {
        promoted =
            assignments::release_no_show(conn, &ctx, &job, slot.assignment_id, slot.officer_id)
                .await?;
        let told = Notice::NoShowAtEvent {
            job_id: job.id,
            title: job.title.clone(),
            starts_at: job.starts_at,
            replaced: promoted.is_some(),
        };
        for contact in customer_contacts(conn, slot.department_id, job.id).await? {
            notify::enqueue(conn, slot.department_id, contact, &told, now).await?;
        }
    }
    audit::append(
        conn,
        slot.department_id,
        AuditEntry {
            actor_id: None,
            action: "alert_raised",
            entity: "alert",
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "kind": kind.as_str(),
                "job_id": job.id,
                "officer_id": slot.officer_id,
                "assignment_id": slot.assignment_id,
                "promoted": promoted,
            }),
        },
        now,
    )
    .await?;
    notify::enqueue_coordinators(
        conn,
        slot.department_id,
        &Notice::ShiftAlert {
            job_id: job.id,
            title: job.title.clone(),
            alert_id: id,
            alert: kind,
            officer_id: slot.officer_id,
            display_name: name,
            starts_at: job.starts_at,
            escalated: false,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Raised::New)
}

/// Raises (or, when the slot has one of this kind already, re-opens: raised again now, neither
/// escalated nor acknowledged) an alert an officer's own action causes — running late, won't
/// make it (decision 048) — inside the caller's transaction, which holds the department's
/// lock. Audited `alert_raised` with the officer as the actor; the coordinators get the
/// `shift_alert` notice only when `tell` (the caller may tell them in its own words).
pub(crate) async fn raise_in(
    conn: &mut sqlx::AnyConnection,
    slot: &SlotRef,
    kind: AlertKind,
    now: DateTime<Utc>,
    tell: Option<(&str, DateTime<Utc>)>,
) -> Result<Uuid, DbError> {
    let fresh = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO alerts (id, department_id, assignment_id, job_id, officer_id, kind, \
         raised_us) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (assignment_id, kind) DO UPDATE SET raised_us = excluded.raised_us, \
         escalated_us = NULL, acknowledged_us = NULL, acknowledged_by = NULL",
    )
    .bind(fresh.to_string())
    .bind(slot.department_id.to_string())
    .bind(slot.assignment_id.to_string())
    .bind(slot.job_id.to_string())
    .bind(slot.officer_id.to_string())
    .bind(kind.as_str())
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    let id = get_uuid(
        &sqlx::query("SELECT id FROM alerts WHERE assignment_id = $1 AND kind = $2")
            .bind(slot.assignment_id.to_string())
            .bind(kind.as_str())
            .fetch_one(&mut *conn)
            .await?,
        "id",
    )?;
    audit::append(
        conn,
        slot.department_id,
        AuditEntry {
            actor_id: Some(slot.officer_id),
            action: "alert_raised",
            entity: "alert",
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "kind": kind.as_str(),
                "job_id": slot.job_id,
                "officer_id": slot.officer_id,
                "assignment_id": slot.assignment_id,
                "reopened": id != fresh,
            }),
        },
        now,
    )
    .await?;
    if let Some((title, starts_at)) = tell {
        let name = officer_name(conn, slot.officer_id).await?;
        notify::enqueue_coordinators(
            conn,
            slot.department_id,
            &Notice::ShiftAlert {
                job_id: slot.job_id,
                title: title.to_string(),
                alert_id: id,
                alert: kind,
                officer_id: slot.officer_id,
                display_name: name,
                starts_at,
                escalated: false,
            },
            now,
        )
        .await?;
    }
    Ok(id)
}

/// Under the lock: the slot is still the officer's and still has no clock-in.
async fn still_absent(
    conn: &mut sqlx::AnyConnection,
    assignment_id: Uuid,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "SELECT a.status, (SELECT COUNT(*) FROM timecards t WHERE t.assignment_id = a.id \
           AND t.in_us IS NOT NULL) AS clocked FROM assignments a WHERE a.id = $1",
    )
    .bind(assignment_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => get::<String>(&r, "status")? == "awarded" && get::<i64>(&r, "clocked")? == 0,
        None => false,
    })
}

pub(crate) async fn officer_name(
    conn: &mut sqlx::AnyConnection,
    id: Uuid,
) -> Result<String, DbError> {
    let row = sqlx::query("SELECT display_name FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => get(&r, "display_name")?,
        None => String::new(),
    })
}

/// The customer accounts told of a no-show on the job: the job's own customer, and the
/// accounts of the organization whose event request the job was published from (migration
/// 0009). Disabled accounts are left out.
pub async fn customer_contacts(
    conn: &mut sqlx::AnyConnection,
    department_id: Uuid,
    job_id: Uuid,
) -> Result<Vec<Uuid>, DbError> {
    let rows = sqlx::query(
        "SELECT u.id FROM users u WHERE u.department_id = $1 AND u.role = 'customer' \
         AND u.disabled = 0 AND (u.id = (SELECT j.customer_id FROM jobs j WHERE j.id = $2) \
           OR u.organization_id = (SELECT e.organization_id FROM jobs j \
             JOIN event_requests e ON e.id = j.event_id WHERE j.id = $2)) ORDER BY u.id",
    )
    .bind(department_id.to_string())
    .bind(job_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| get_uuid(r, "id")).collect()
}

/// An open alert the watcher may escalate.
#[derive(Debug, Clone)]
pub struct OpenAlert {
    pub id: Uuid,
    pub department_id: Uuid,
    pub kind: AlertKind,
    pub raised_at: DateTime<Utc>,
}

/// Escalates an alert once: marks it, audits, and tells every active coordinator again,
/// urgently. False when it was acknowledged or escalated meanwhile (by another process too).
pub async fn escalate(db: &Db, alert: &OpenAlert, now: DateTime<Utc>) -> Result<bool, DbError> {
    let mut tx = db.write().await?;
    let conn = tx.conn();
    let n = sqlx::query(
        "UPDATE alerts SET escalated_us = $1 WHERE id = $2 AND escalated_us IS NULL \
         AND acknowledged_us IS NULL",
    )
    .bind(to_us(now))
    .bind(alert.id.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let r = sqlx::query(
        "SELECT x.job_id, x.officer_id, j.title, j.starts_us, u.display_name FROM alerts x \
         JOIN jobs j ON j.id = x.job_id JOIN users u ON u.id = x.officer_id WHERE x.id = $1",
    )
    .bind(alert.id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let job_id = get_uuid(&r, "job_id")?;
    let officer_id = get_uuid(&r, "officer_id")?;
    audit::append(
        conn,
        alert.department_id,
        AuditEntry {
            actor_id: None,
            action: "alert_escalated",
            entity: "alert",
            entity_id: alert.id.to_string(),
            detail: serde_json::json!({
                "kind": alert.kind.as_str(),
                "raised_at": alert.raised_at,
            }),
        },
        now,
    )
    .await?;
    notify::enqueue_coordinators(
        conn,
        alert.department_id,
        &Notice::ShiftAlert {
            job_id,
            title: get(&r, "title")?,
            alert_id: alert.id,
            alert: alert.kind,
            officer_id,
            display_name: get(&r, "display_name")?,
            starts_at: from_us(get(&r, "starts_us")?),
            escalated: true,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What acknowledging did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    /// Acknowledged now (audited).
    Now,
    /// Someone acknowledged it before: nothing changed.
    Already,
    /// No such alert in the coordinator's department.
    NotFound,
}

/// A coordinator acknowledges an alert of their department: it stops escalating and moves to
/// the history. Audited.
pub async fn acknowledge(
    db: &Db,
    who: AuthUser,
    alert_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Acknowledged, DbError> {
    let mut tx = db.write().await?;
    let conn = tx.conn();
    let row = sqlx::query(
        "SELECT kind, acknowledged_us FROM alerts WHERE id = $1 AND department_id = $2",
    )
    .bind(alert_id.to_string())
    .bind(who.department_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Acknowledged::NotFound);
    };
    if get::<Option<i64>>(&row, "acknowledged_us")?.is_some() {
        return Ok(Acknowledged::Already);
    }
    let n = sqlx::query(
        "UPDATE alerts SET acknowledged_us = $1, acknowledged_by = $2 WHERE id = $3 \
         AND acknowledged_us IS NULL",
    )
    .bind(to_us(now))
    .bind(who.user_id.to_string())
    .bind(alert_id.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(Acknowledged::Already);
    }
    audit::append(
        conn,
        who.department_id,
        AuditEntry {
            actor_id: Some(who.user_id),
            action: "alert_acknowledged",
            entity: "alert",
            entity_id: alert_id.to_string(),
            detail: serde_json::json!({"kind": get::<String>(&row, "kind")?}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Acknowledged::Now)
}

/// One alert as the console lists it.
#[derive(Debug, Clone)]
pub struct AlertView {
    pub id: Uuid,
    pub kind: AlertKind,
    pub job_id: Uuid,
    pub job_title: String,
    pub officer: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
}

/// Most acknowledged alerts the history shows.
pub const HISTORY: i64 = 50;

/// The department's open alerts (escalated first, then oldest first) and its latest
/// acknowledged ones (newest first).
pub async fn list(
    db: &Db,
    department_id: Uuid,
) -> Result<(Vec<AlertView>, Vec<AlertView>), DbError> {
    const COLUMNS: &str = "x.id, x.kind, x.job_id, j.title, j.starts_us, j.ends_us, \
        u.display_name, x.raised_us, x.escalated_us, x.acknowledged_us, b.display_name AS ack_name \
        FROM alerts x JOIN jobs j ON j.id = x.job_id JOIN users u ON u.id = x.officer_id \
        LEFT JOIN users b ON b.id = x.acknowledged_by WHERE x.department_id = $1";
    let open = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} AND x.acknowledged_us IS NULL \
         ORDER BY CASE WHEN x.escalated_us IS NULL THEN 1 ELSE 0 END, x.raised_us, x.id"
    )))
    .bind(department_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} AND x.acknowledged_us IS NOT NULL \
         ORDER BY x.acknowledged_us DESC, x.id LIMIT $2"
    )))
    .bind(department_id.to_string())
    .bind(HISTORY)
    .fetch_all(&db.pool)
    .await?;
    let view = |r: &sqlx::any::AnyRow| -> Result<AlertView, DbError> {
        Ok(AlertView {
            id: get_uuid(r, "id")?,
            kind: AlertKind::parse(&get::<String>(r, "kind")?),
            job_id: get_uuid(r, "job_id")?,
            job_title: get(r, "title")?,
            officer: get(r, "display_name")?,
            starts_at: from_us(get(r, "starts_us")?),
            ends_at: from_us(get(r, "ends_us")?),
            raised_at: from_us(get(r, "raised_us")?),
            escalated_at: get::<Option<i64>>(r, "escalated_us")?.map(from_us),
            acknowledged_at: get::<Option<i64>>(r, "acknowledged_us")?.map(from_us),
            acknowledged_by: get(r, "ack_name")?,
        })
    };
    Ok((
        open.iter().map(view).collect::<Result<_, _>>()?,
        done.iter().map(view).collect::<Result<_, _>>()?,
    ))
}
