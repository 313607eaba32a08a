//! Reading the department's jobs, as the API (`GET /v1/jobs`, `GET /v1/jobs/{id}/roster`) and
//! the web console show them: a window of jobs (a customer's own only), one job, and a job's
//! roster in the order slots are held and the line waits. Reads only; no transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus, Role};

use crate::db::rows::{JOB_COLUMNS, job_from_row, to_u32};
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::jobs::fetch_job;

/// Which of the department's jobs to list.
#[derive(Debug, Clone, Copy)]
pub struct JobWindow {
    /// Jobs ending after this time.
    pub from: DateTime<Utc>,
    /// Jobs starting before this time (None: no limit).
    pub to: Option<DateTime<Utc>>,
    pub status: Option<JobStatus>,
    /// At most this many (1 to 2000).
    pub limit: u32,
}

/// The jobs `user` may see in `window`: the department's, or a customer's own, by start time.
pub async fn list(db: &Db, user: AuthUser, window: JobWindow) -> ApiResult<Vec<Job>> {
    let customer_clause = if user.role == Role::Customer {
        " AND j.customer_id = $5"
    } else {
        " AND $5 = $5"
    };
    let status_clause = if window.status.is_some() {
        " AND j.status = $6"
    } else {
        " AND $6 = $6"
    };
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs j JOIN departments d ON d.id = j.department_id \
         WHERE j.department_id = $1 AND j.ends_us > $2 AND j.starts_us < $3{customer_clause}{status_clause} \
         ORDER BY j.starts_us, j.id LIMIT $4"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(user.department_id.to_string())
        .bind(to_us(window.from))
        .bind(window.to.map(to_us).unwrap_or(i64::MAX))
        .bind(i64::from(window.limit.clamp(1, 2000)))
        .bind(user.user_id.to_string())
        .bind(window.status.map(|s| s.as_str()).unwrap_or("any"))
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?)
}

/// The department's job `id`, or 404 (also for another department's job).
pub async fn department_job(db: &Db, department_id: Uuid, id: Uuid) -> ApiResult<Job> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    fetch_job(&mut conn, department_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))
}

/// One line of a job's roster.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterEntry {
    pub assignment_id: Uuid,
    pub officer_id: Uuid,
    pub display_name: String,
    pub badge: String,
    pub status: AssignmentStatus,
    pub position: Option<u32>,
    pub offered: bool,
}

/// Who holds, asked for or waits for each slot of the department's job `id` (404 for another
/// department's job): awarded first, then requests, then the waitlist in its order.
pub async fn roster(db: &Db, department_id: Uuid, id: Uuid) -> ApiResult<Vec<RosterEntry>> {
    let rows = sqlx::query(
        "SELECT a.id, a.officer_id, a.status, a.position, a.offered_us, u.display_name, u.badge \
         FROM assignments a JOIN users u ON u.id = a.officer_id JOIN jobs j ON j.id = a.job_id \
         WHERE a.job_id = $1 AND j.department_id = $2 \
         ORDER BY CASE a.status WHEN 'awarded' THEN 0 WHEN 'requested' THEN 1 \
         WHEN 'waitlisted' THEN 2 ELSE 3 END, a.position, a.receipt_seq",
    )
    .bind(id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        department_job(db, department_id, id).await?;
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let status: String = get(r, "status")?;
        out.push(RosterEntry {
            assignment_id: get_uuid(r, "id")?,
            officer_id: get_uuid(r, "officer_id")?,
            display_name: get(r, "display_name")?,
            badge: get(r, "badge")?,
            status: AssignmentStatus::parse(&status)
                .ok_or_else(|| DbError::corrupt("assignments", status.clone()))?,
            position: get::<Option<i64>>(r, "position")?.map(to_u32),
            offered: get::<Option<i64>>(r, "offered_us")?.is_some(),
        });
    }
    Ok(out)
}
