//! Jobs: coordinators create, edit, cancel and award them and see the roster; officers see
//! their department's board; customers see their own jobs. The decisions are in
//! `services::jobs` and `services::job_edit`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus, Role};

use crate::app::AppState;
use crate::db::rows::{JOB_COLUMNS, job_from_row};
use crate::db::{get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser, PathId};
use crate::services::award::{AwardReport, award_now};
use crate::services::job_edit::{self, JobUpdate};
use crate::services::jobs::{self, fetch_job};

pub use crate::services::jobs::NewJob;

/// `POST /v1/jobs` (coordinator): posts a job on the board.
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<NewJob>,
) -> ApiResult<(axum::http::StatusCode, Json<Job>)> {
    user.require(Role::Coordinator)?;
    let job = jobs::create(&state.db, user, &req, Utc::now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(job)))
}

/// `PATCH /v1/jobs/{id}` (coordinator): edits or reschedules a job; everyone on it is told and
/// re-checked (decision 018).
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<JobUpdate>> {
    user.require(Role::Coordinator)?;
    let patch = job_edit::parse_patch(&body)?;
    Ok(Json(
        job_edit::update(&state.db, user, id, &patch, Utc::now()).await?,
    ))
}

/// The department's job `id`, or 404 (also for another department's job).
async fn department_job(state: &AppState, department_id: Uuid, id: Uuid) -> ApiResult<Job> {
    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .map_err(crate::db::DbError::from)?;
    fetch_job(&mut conn, department_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))
}

/// Query of `GET /v1/jobs`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct JobQuery {
    /// Jobs ending after this time (default: 24 hours ago).
    pub from: Option<DateTime<Utc>>,
    /// Jobs starting before this time (default: no limit).
    pub to: Option<DateTime<Utc>>,
    /// Only jobs with this status.
    pub status: Option<JobStatus>,
    /// At most this many (default 500, max 2000).
    pub limit: Option<u32>,
}

/// `GET /v1/jobs`: the department's jobs (officers, coordinators) or the customer's own.
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> ApiResult<Json<Vec<Job>>> {
    let from = q.from.unwrap_or_else(|| Utc::now() - Duration::days(1));
    let to = q.to.map(to_us).unwrap_or(i64::MAX);
    let limit = i64::from(q.limit.unwrap_or(500).clamp(1, 2000));
    let customer_clause = if user.role == Role::Customer {
        " AND j.customer_id = $5"
    } else {
        " AND $5 = $5"
    };
    let status_clause = if q.status.is_some() {
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
        .bind(to_us(from))
        .bind(to)
        .bind(limit)
        .bind(user.user_id.to_string())
        .bind(q.status.map(|s| s.as_str()).unwrap_or("any"))
        .fetch_all(&state.db.pool)
        .await?;
    let jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(jobs))
}

/// `GET /v1/jobs/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Job>> {
    let job = department_job(&state, user.department_id, id).await?;
    if user.role == Role::Customer {
        let owner: Option<String> = get(
            &sqlx::query("SELECT customer_id FROM jobs WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&state.db.pool)
                .await?,
            "customer_id",
        )?;
        if owner.as_deref() != Some(user.user_id.to_string().as_str()) {
            return Err(ApiError::not_found("job"));
        }
    }
    Ok(Json(job))
}

/// `POST /v1/jobs/{id}/cancel` (coordinator): calls the job off; everyone on it is told.
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Job>> {
    user.require(Role::Coordinator)?;
    Ok(Json(jobs::cancel(&state.db, user, id, Utc::now()).await?))
}

/// `POST /v1/jobs/{id}/award` (coordinator): closes signups on a ranked job now and awards it.
pub async fn award(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<AwardReport>> {
    user.require(Role::Coordinator)?;
    department_job(&state, user.department_id, id).await?;
    match award_now(&state.db, user, id, Utc::now()).await? {
        Some(report) => Ok(Json(report)),
        None => Err(ApiError::conflict(
            "this job is first come, first served, already awarded, or no longer open",
        )),
    }
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

/// `GET /v1/jobs/{id}/roster` (coordinator): who holds, asked for or waits for each slot.
pub async fn roster(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Vec<RosterEntry>>> {
    user.require(Role::Coordinator)?;
    let rows = sqlx::query(
        "SELECT a.id, a.officer_id, a.status, a.position, a.offered_us, u.display_name, u.badge \
         FROM assignments a JOIN users u ON u.id = a.officer_id JOIN jobs j ON j.id = a.job_id \
         WHERE a.job_id = $1 AND j.department_id = $2 \
         ORDER BY CASE a.status WHEN 'awarded' THEN 0 WHEN 'requested' THEN 1 \
         WHEN 'waitlisted' THEN 2 ELSE 3 END, a.position, a.receipt_seq",
    )
    .bind(id.to_string())
    .bind(user.department_id.to_string())
    .fetch_all(&state.db.pool)
    .await?;
    if rows.is_empty() {
        department_job(&state, user.department_id, id).await?;
    }
    let mut out = Vec::new();
    for r in &rows {
        let status: String = get(r, "status")?;
        out.push(RosterEntry {
            assignment_id: get_uuid(r, "id")?,
            officer_id: get_uuid(r, "officer_id")?,
            display_name: get(r, "display_name")?,
            badge: get(r, "badge")?,
            status: AssignmentStatus::parse(&status)
                .ok_or_else(|| crate::db::DbError::corrupt("assignments", status.clone()))?,
            position: get::<Option<i64>>(r, "position")?.map(crate::db::rows::to_u32),
            offered: get::<Option<i64>>(r, "offered_us")?.is_some(),
        });
    }
    Ok(Json(out))
}
