//! Jobs: coordinators create, edit, cancel and award them and see the roster; officers see
//! their department's board; customers see their own jobs. The decisions are in
//! `services::jobs` and `services::job_edit`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

use offduty_domain::protocol::{Job, JobStatus, Role};

use crate::app::AppState;
use crate::db::get;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser, PathId};
use crate::services::award::{AwardReport, award_now};
use crate::services::job_edit::{self, JobUpdate};
use crate::services::job_reads::{self, JobWindow};
use crate::services::jobs;

pub use crate::services::job_reads::RosterEntry;

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
    job_reads::department_job(&state.db, department_id, id).await
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
    let window = JobWindow {
        from: q.from.unwrap_or_else(|| Utc::now() - Duration::days(1)),
        to: q.to,
        status: q.status,
        limit: q.limit.unwrap_or(500),
    };
    Ok(Json(job_reads::list(&state.db, user, window).await?))
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

/// `GET /v1/jobs/{id}/roster` (coordinator): who holds, asked for or waits for each slot.
pub async fn roster(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Vec<RosterEntry>>> {
    user.require(Role::Coordinator)?;
    Ok(Json(
        job_reads::roster(&state.db, user.department_id, id).await?,
    ))
}
