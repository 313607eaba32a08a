//! A coordinator's decisions about whole jobs: what a valid job is, posting one, and calling one
//! off. Editing a job is in [`crate::services::job_edit`]. Each runs in one write transaction
//! under the department lock; routes only parse and authorize.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::award::{self, AwardRule, ReleaseTier};
use offduty_domain::eligibility::Requirements;
use offduty_domain::geofence::{GeoPoint, Geofence, distance_m};
use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus};

use crate::db::rows::{JOB_COLUMNS, job_from_row};
use crate::db::{Db, DbError, get, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::assignments::{self, TxCtx};
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::Entity;
use crate::services::fields::{names, text};
use crate::services::notify::{self, Notice};
use crate::services::txn::DeptTx;

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

/// Checks a job as it would be posted (or as an edit would leave it); every error names its
/// field.
pub fn validate(j: &NewJob, now: DateTime<Utc>) -> Result<(), ApiError> {
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
    names(
        "requirements.certifications",
        &j.requirements.certifications,
    )?;
    names("requirements.groups", &j.requirements.groups)?;
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

/// Reads one job of the department.
pub async fn fetch_job(
    conn: &mut AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> Result<Option<Job>, DbError> {
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

/// Posts a job on the board.
pub async fn create(db: &Db, user: AuthUser, req: &NewJob, now: DateTime<Utc>) -> ApiResult<Job> {
    validate(req, now)?;
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let job = create_in(&mut t, user, req, now).await?;
    t.commit().await?;
    Ok(job)
}

/// Posts a job inside the caller's transaction (an approved event request posts one per
/// shift): checks the customer, writes the job, its change and its audit entry. The caller has
/// validated `req`.
pub async fn create_in(
    t: &mut DeptTx,
    user: AuthUser,
    req: &NewJob,
    now: DateTime<Utc>,
) -> ApiResult<Job> {
    let (seq, dept_id) = (t.seq, t.dept.id);
    if let Some(c) = req.customer_id {
        let n: i64 = get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND department_id = $2 AND role = 'customer'",
            )
            .bind(c.to_string())
            .bind(dept_id.to_string())
            .fetch_one(&mut *t.conn())
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
        .unwrap_or_else(|| t.dept.pay.rate_for(req.job_type.trim()));
    let multiplier = t.dept.pay.multiplier_bp(req.starts_at, now, t.dept.tz);
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
    .bind(dept_id.to_string())
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
    .execute(&mut *t.conn())
    .await?;
    crate::services::changes::record(t.conn(), dept_id, seq, Entity::Job, id, None).await?;
    audit::append(
        t.conn(),
        dept_id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "job_created",
            entity: "job",
            entity_id: id.to_string(),
            detail: serde_json::to_value(req).unwrap_or_default(),
        },
        now,
    )
    .await?;
    let job = fetch_job(t.conn(), dept_id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(job)
}

/// Calls a job off: everyone holding, asking for or waiting for a slot loses it and is told.
pub async fn cancel(db: &Db, user: AuthUser, job_id: Uuid, now: DateTime<Utc>) -> ApiResult<Job> {
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let ctx = TxCtx {
        user,
        dept: &t.dept,
        dialect: db.dialect,
        now,
        seq: t.seq,
    };
    let job = cancel_in(t.tx.conn(), &ctx, job_id).await?;
    t.commit().await?;
    Ok(job)
}

/// Calls a job off inside the caller's transaction (a cancelled event request calls off all of
/// its jobs at once).
pub async fn cancel_in(conn: &mut AnyConnection, ctx: &TxCtx<'_>, job_id: Uuid) -> ApiResult<Job> {
    let (user, now) = (ctx.user, ctx.now);
    let Some(locked) = assignments::lock_job(conn, ctx.dialect, ctx.dept.id, job_id).await? else {
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
    .bind(job.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let officer = get_uuid(r, "officer_id")?;
        assignments::set_status(
            conn,
            ctx,
            get_uuid(r, "id")?,
            officer,
            AssignmentStatus::JobCancelled,
        )
        .await?;
        notify::enqueue(
            conn,
            ctx.dept.id,
            officer,
            &Notice::JobCancelled {
                job_id: job.id,
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
    .bind(ctx.seq)
    .bind(job.id.to_string())
    .execute(&mut *conn)
    .await?;
    ctx.record_change(conn, Entity::Job, job.id, None).await?;
    audit::append(
        conn,
        ctx.dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "job_cancelled",
            entity: "job",
            entity_id: job.id.to_string(),
            detail: serde_json::json!({"officers_told": rows.len()}),
        },
        now,
    )
    .await?;
    let job = fetch_job(conn, ctx.dept.id, job.id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(job)
}
