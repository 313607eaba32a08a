//! Awarding ranked jobs when signups close (seniority, fewest hours, rotation, lottery), and the
//! background sweep that runs it. Safe with several server processes: each award runs in one
//! transaction under the department lock and re-checks that the job is still unawarded.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::protocol::{AssignmentStatus, JobStatus, Role};

use crate::db::rows::{DEPARTMENT_COLUMNS, Department, department_from_row};
use crate::db::{Db, DbError, get_uuid, to_us};
use crate::extract::AuthUser;
use crate::services::assignments::{self, LockedJob, TxCtx};
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::notify::{self, AwardedHow, Notice};
use crate::services::schedule;

/// What an award run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AwardReport {
    pub job_id: Uuid,
    /// Officers awarded a slot, in rank order.
    pub awarded: Vec<Uuid>,
    /// Officers placed on the waitlist, in order.
    pub waitlisted: Vec<Uuid>,
    /// Officers in line who were not eligible when the award ran (they stay in line).
    pub skipped_ineligible: Vec<Uuid>,
}

/// Awards a ranked job's slots now (inside the caller's transaction). `None` when the job is
/// not a ranked job waiting for its award.
pub async fn award_job(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
) -> Result<Option<AwardReport>, DbError> {
    let Some(LockedJob { job, awarded }) =
        assignments::lock_job(conn, ctx.dialect, ctx.dept.id, job_id).await?
    else {
        return Ok(None);
    };
    if awarded || !matches!(job.status, JobStatus::Open | JobStatus::Filled) {
        return Ok(None);
    }
    let order = crate::services::line::line_order(conn, &job).await?;
    let mut report = AwardReport {
        job_id,
        awarded: Vec::new(),
        waitlisted: Vec::new(),
        skipped_ineligible: Vec::new(),
    };
    let mut free = i64::from(job.slots) - i64::from(job.slots_filled);
    for officer_id in &order {
        let Some(row) = assignments::find_assignment(conn, job.id, *officer_id).await? else {
            continue;
        };
        let eligible = match schedule::load_officer(conn, ctx.dept.id, *officer_id).await? {
            Some(p) => schedule::check_eligibility(conn, ctx.dept, &job, &p)
                .await?
                .is_empty(),
            None => false,
        };
        let status = if eligible && free > 0 {
            free -= 1;
            report.awarded.push(*officer_id);
            AssignmentStatus::Awarded
        } else {
            if !eligible {
                report.skipped_ineligible.push(*officer_id);
            }
            report.waitlisted.push(*officer_id);
            AssignmentStatus::Waitlisted
        };
        sqlx::query(
            "UPDATE assignments SET status = $1, position = NULL, updated_us = $2, version = $3 \
             WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(to_us(ctx.now))
        .bind(ctx.seq)
        .bind(row.id.to_string())
        .execute(&mut *conn)
        .await?;
        ctx.record_change(conn, Entity::Assignment, row.id, Some(*officer_id))
            .await?;
    }
    sqlx::query("UPDATE jobs SET awarded_us = $1 WHERE id = $2")
        .bind(to_us(ctx.now))
        .bind(job.id.to_string())
        .execute(&mut *conn)
        .await?;
    assignments::refresh_job(conn, ctx, &job).await?;
    crate::services::line::renumber_line(conn, ctx, &job).await?;
    for officer_id in &report.awarded {
        let notice = Notice::Awarded {
            job_id: job.id,
            title: job.title.clone(),
            how: AwardedHow::Award,
        };
        notify::enqueue(conn, ctx.dept.id, *officer_id, &notice, ctx.now).await?;
    }
    for (i, officer_id) in report.waitlisted.iter().enumerate() {
        let notice = Notice::Waitlisted {
            job_id: job.id,
            title: job.title.clone(),
            position: u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        notify::enqueue(conn, ctx.dept.id, *officer_id, &notice, ctx.now).await?;
    }
    audit::append(
        conn,
        ctx.dept.id,
        AuditEntry {
            actor_id: Some(ctx.user.user_id).filter(|u| !u.is_nil()),
            action: "award",
            entity: "job",
            entity_id: job.id.to_string(),
            detail: serde_json::json!({
                "rule": job.award_rule,
                "ranking": order,
                "awarded": report.awarded,
                "skipped_ineligible": report.skipped_ineligible,
            }),
        },
        ctx.now,
    )
    .await?;
    Ok(Some(report))
}

/// Loads a department by id.
pub async fn load_department(
    conn: &mut AnyConnection,
    department_id: Uuid,
) -> Result<Option<Department>, DbError> {
    let sql = format!("SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(department_from_row).transpose()
}

/// Runs one award in its own transaction, as `actor` (a coordinator, or the system sweep).
pub async fn award_now(
    db: &Db,
    actor: AuthUser,
    job_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<AwardReport>, DbError> {
    let mut tx = db.write().await?;
    let seq = changes::next_seq(tx.conn(), actor.department_id).await?;
    let Some(dept) = load_department(tx.conn(), actor.department_id).await? else {
        return Ok(None);
    };
    let ctx = TxCtx {
        user: actor,
        dept: &dept,
        dialect: db.dialect,
        now,
        seq,
    };
    let report = award_job(tx.conn(), &ctx, job_id).await?;
    if report.is_some() {
        tx.commit().await?;
    }
    Ok(report)
}

/// The identity the background sweep acts as in the audit log (no user).
pub(crate) fn system_actor(department_id: Uuid) -> AuthUser {
    AuthUser {
        user_id: Uuid::nil(),
        department_id,
        role: Role::Coordinator,
    }
}

/// Awards every ranked job whose signups have closed, and marks finished jobs completed.
/// Returns how many jobs changed.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due = sqlx::query(
        "SELECT id, department_id FROM jobs WHERE awarded_us IS NULL \
         AND signup_closes_us IS NOT NULL AND signup_closes_us <= $1 \
         AND status IN ('open', 'filled') ORDER BY signup_closes_us LIMIT 100",
    )
    .bind(to_us(now))
    .fetch_all(&db.pool)
    .await?;
    let mut changed = 0;
    for r in &due {
        let job_id = get_uuid(r, "id")?;
        let dept = get_uuid(r, "department_id")?;
        if award_now(db, system_actor(dept), job_id, now)
            .await?
            .is_some()
        {
            changed += 1;
        }
    }
    let finished = sqlx::query(
        "SELECT id, department_id FROM jobs WHERE ends_us <= $1 AND status IN ('open', 'filled') \
         ORDER BY ends_us LIMIT 500",
    )
    .bind(to_us(now))
    .fetch_all(&db.pool)
    .await?;
    for r in &finished {
        let job_id = get_uuid(r, "id")?;
        let dept = get_uuid(r, "department_id")?;
        let mut tx = db.write().await?;
        let seq = changes::next_seq(tx.conn(), dept).await?;
        let n = sqlx::query(
            "UPDATE jobs SET status = 'completed', version = $1 WHERE id = $2 \
             AND status IN ('open', 'filled')",
        )
        .bind(seq)
        .bind(job_id.to_string())
        .execute(&mut *tx.conn())
        .await?
        .rows_affected();
        if n > 0 {
            changes::record(tx.conn(), dept, seq, Entity::Job, job_id, None).await?;
            tx.commit().await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Runs [`sweep`] every `every` until `stop` says so (or its sender is gone). A sweep under
/// way when `stop` comes is finished first: the sweeper stops only between sweeps. (Expired
/// rows are removed by [`crate::services::retention`].)
pub async fn run_sweeper(db: Db, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        match sweep(&db, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "award sweep changed jobs"),
            Err(e) => tracing::warn!(error = %e, "award sweep failed; will retry"),
        }
    }
}
