//! Jobs: coordinators create, cancel and award them and see the roster; officers see their
//! department's board; customers see their own jobs.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::award::{self, AwardRule, ReleaseTier};
use offduty_domain::eligibility::Requirements;
use offduty_domain::geofence::{GeoPoint, Geofence, distance_m};
use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus, Role};

use crate::app::AppState;
use crate::db::rows::{JOB_COLUMNS, job_from_row};
use crate::db::{get, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser, PathId};
use crate::services::assignments::TxCtx;
use crate::services::audit::{self, AuditEntry};
use crate::services::award::{AwardReport, award_now, load_department};
use crate::services::changes::{self, Entity};
use crate::services::notify::{self, Notice};

/// Body of `POST /v1/jobs`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewJob {
    pub title: String,
    pub customer_name: String,
    /// The customer account this job is for, if the customer uses offduty.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    pub site_name: String,
    pub address: String,
    pub location: GeoPoint,
    pub geofence: Geofence,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub slots: u32,
    pub job_type: String,
    /// Hourly officer rate in cents; defaults to the department's rate for `job_type`.
    #[serde(default)]
    pub rate_cents: Option<i64>,
    #[serde(default)]
    pub requirements: Requirements,
    pub award_rule: AwardRule,
    /// Defaults to now.
    #[serde(default)]
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Required for ranked rules (the award runs then); optional for first come.
    #[serde(default)]
    pub signup_closes_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub release_tiers: Vec<ReleaseTier>,
    #[serde(default)]
    pub notes: String,
}

fn text(field: &str, v: &str, max: usize) -> Result<String, ApiError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Checks a new job; every error names its field.
fn validate(j: &NewJob, now: DateTime<Utc>) -> Result<(), ApiError> {
    text("title", &j.title, 120)?;
    text("customer_name", &j.customer_name, 120)?;
    text("site_name", &j.site_name, 120)?;
    text("address", &j.address, 200)?;
    j.location
        .validate()
        .map_err(|e| ApiError::invalid("location", e.to_string()))?;
    j.geofence
        .validate()
        .map_err(|e| ApiError::invalid("geofence", e.to_string()))?;
    let gap = distance_m(j.location, j.geofence.center());
    if gap > 5_000.0 {
        return Err(ApiError::invalid(
            "geofence",
            format!(
                "the fence is {:.1} km from the job's location",
                gap / 1000.0
            ),
        ));
    }
    if j.ends_at <= j.starts_at {
        return Err(ApiError::invalid("ends_at", "must be after starts_at"));
    }
    if j.ends_at - j.starts_at > Duration::hours(24) {
        return Err(ApiError::invalid(
            "ends_at",
            "a shift lasts at most 24 hours",
        ));
    }
    if j.starts_at <= now {
        return Err(ApiError::invalid("starts_at", "must be in the future"));
    }
    if j.starts_at > now + Duration::days(400) {
        return Err(ApiError::invalid("starts_at", "must be within 400 days"));
    }
    if j.slots == 0 || j.slots > 500 {
        return Err(ApiError::invalid("slots", "must be between 1 and 500"));
    }
    let jt = j.job_type.trim();
    if jt.is_empty()
        || jt.len() > 40
        || !jt
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
    {
        return Err(ApiError::invalid(
            "job_type",
            "use 1 to 40 lowercase letters, digits or underscores (e.g. traffic)",
        ));
    }
    if let Some(r) = j.rate_cents
        && !(1..=1_000_000).contains(&r)
    {
        return Err(ApiError::invalid(
            "rate_cents",
            "must be between 1 and 1000000 cents",
        ));
    }
    for (i, c) in j.requirements.certifications.iter().enumerate() {
        text(&format!("requirements.certifications[{i}]"), c, 40)?;
    }
    for (i, g) in j.requirements.groups.iter().enumerate() {
        text(&format!("requirements.groups[{i}]"), g, 40)?;
    }
    j.award_rule
        .validate()
        .map_err(|e| ApiError::invalid_at("award_rule", e))?;
    award::validate_tiers(&j.release_tiers)
        .map_err(|e| ApiError::invalid_at("release_tiers", e))?;
    let opens = j.signup_opens_at.unwrap_or(now);
    if opens > j.starts_at {
        return Err(ApiError::invalid(
            "signup_opens_at",
            "must be before starts_at",
        ));
    }
    match (j.award_rule.is_immediate(), j.signup_closes_at) {
        (false, None) => {
            return Err(ApiError::invalid(
                "signup_closes_at",
                "a ranked award rule needs a time when signups close (the award runs then)",
            ));
        }
        (_, Some(c)) if c <= opens || c > j.starts_at => {
            return Err(ApiError::invalid(
                "signup_closes_at",
                "must be after signup_opens_at and no later than starts_at",
            ));
        }
        _ => {}
    }
    if j.notes.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "notes",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

/// `POST /v1/jobs` (coordinator): posts a job on the board.
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<NewJob>,
) -> ApiResult<(axum::http::StatusCode, Json<Job>)> {
    user.require(Role::Coordinator)?;
    let now = Utc::now();
    validate(&req, now)?;
    let mut tx = state.db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    let dept = load_department(tx.conn(), user.department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    if let Some(c) = req.customer_id {
        let n: i64 = get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND department_id = $2 AND role = 'customer'",
            )
            .bind(c.to_string())
            .bind(dept.id.to_string())
            .fetch_one(&mut *tx.conn())
            .await?,
            "n",
        )?;
        if n == 0 {
            return Err(ApiError::invalid(
                "customer_id",
                "no such customer in your department",
            ));
        }
    }
    let rate = req
        .rate_cents
        .unwrap_or_else(|| dept.pay.rate_for(req.job_type.trim()));
    let multiplier = dept.pay.multiplier_bp(req.starts_at, now, dept.tz);
    let id = Uuid::now_v7();
    let opens = req.signup_opens_at.unwrap_or(now);
    let awarded_us = req.award_rule.is_immediate().then_some(to_us(now));
    sqlx::query(
        "INSERT INTO jobs (id, department_id, customer_id, title, customer_name, site_name, address, \
         lat, lon, geofence_json, starts_us, ends_us, slots, job_type, rate_cents, multiplier_bp, \
         requirements_json, award_rule_json, release_tiers_json, signup_opens_us, \
         signup_closes_us, awarded_us, status, notes, created_by, created_us, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, 'open', $23, $24, $25, $26)",
    )
    .bind(id.to_string())
    .bind(dept.id.to_string())
    .bind(req.customer_id.map(|c| c.to_string()))
    .bind(req.title.trim())
    .bind(req.customer_name.trim())
    .bind(req.site_name.trim())
    .bind(req.address.trim())
    .bind(req.location.lat)
    .bind(req.location.lon)
    .bind(json(&req.geofence))
    .bind(to_us(req.starts_at))
    .bind(to_us(req.ends_at))
    .bind(i64::from(req.slots))
    .bind(req.job_type.trim())
    .bind(rate)
    .bind(i64::from(multiplier))
    .bind(json(&req.requirements))
    .bind(json(&req.award_rule))
    .bind(json(&req.release_tiers))
    .bind(to_us(opens))
    .bind(req.signup_closes_at.map(to_us))
    .bind(awarded_us)
    .bind(req.notes.trim())
    .bind(user.user_id.to_string())
    .bind(to_us(now))
    .bind(seq)
    .execute(&mut *tx.conn())
    .await?;
    changes::record(tx.conn(), dept.id, seq, Entity::Job, id, None).await?;
    audit::append(
        tx.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "job_created",
            entity: "job",
            entity_id: id.to_string(),
            detail: serde_json::to_value(&req).unwrap_or_default(),
        },
        now,
    )
    .await?;
    let job = fetch_job(tx.conn(), dept.id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::CREATED, Json(job)))
}

async fn fetch_job(
    conn: &mut sqlx::AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> Result<Option<Job>, crate::db::DbError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs j JOIN departments d ON d.id = j.department_id \
         WHERE j.id = $1 AND j.department_id = $2"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(job_from_row).transpose()
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
    let now = Utc::now();
    let mut tx = state.db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    let dept = load_department(tx.conn(), user.department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    let ctx = TxCtx {
        user,
        dept: &dept,
        dialect: state.db.dialect,
        now,
        seq,
    };
    let Some(locked) =
        crate::services::assignments::lock_job(tx.conn(), ctx.dialect, dept.id, id).await?
    else {
        return Err(ApiError::not_found("job"));
    };
    let job = locked.job;
    if matches!(job.status, JobStatus::Cancelled | JobStatus::Completed) {
        return Err(ApiError::conflict(format!(
            "the job is already {}",
            job.status.as_str()
        )));
    }
    let rows = sqlx::query(
        "SELECT id, officer_id FROM assignments WHERE job_id = $1 \
         AND status IN ('requested', 'awarded', 'waitlisted')",
    )
    .bind(id.to_string())
    .fetch_all(&mut *tx.conn())
    .await?;
    for r in &rows {
        let aid = get_uuid(r, "id")?;
        let officer = get_uuid(r, "officer_id")?;
        sqlx::query(
            "UPDATE assignments SET status = $1, position = NULL, offered_us = NULL, \
             updated_us = $2, version = $3 WHERE id = $4",
        )
        .bind(AssignmentStatus::JobCancelled.as_str())
        .bind(to_us(now))
        .bind(seq)
        .bind(aid.to_string())
        .execute(&mut *tx.conn())
        .await?;
        changes::record(
            tx.conn(),
            dept.id,
            seq,
            Entity::Assignment,
            aid,
            Some(officer),
        )
        .await?;
        notify::enqueue(
            tx.conn(),
            dept.id,
            officer,
            &Notice::JobCancelled {
                job_id: id,
                title: job.title.clone(),
            },
            now,
        )
        .await?;
    }
    sqlx::query(
        "UPDATE jobs SET status = 'cancelled', slots_filled = 0, slots_offered = 0, version = $1 \
         WHERE id = $2",
    )
    .bind(seq)
    .bind(id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    changes::record(tx.conn(), dept.id, seq, Entity::Job, id, None).await?;
    audit::append(
        tx.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "job_cancelled",
            entity: "job",
            entity_id: id.to_string(),
            detail: serde_json::json!({"officers_told": rows.len()}),
        },
        now,
    )
    .await?;
    let job = fetch_job(tx.conn(), dept.id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(job))
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
