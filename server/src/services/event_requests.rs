//! Event requests (issue 11, decision 039): a customer asks for officers at one of its sites
//! (shifts, officers per shift, job type, vehicle, on-site contact, instructions), sees the
//! estimate from the department's rate card first, and follows the request; a coordinator
//! approves it (as is, or with its rate, award rule and signup window changed), asks for
//! changes, or rejects it with a reason. Approving posts one job per shift in the same
//! transaction, so phones see them at their next sync (the change log). A customer may cancel:
//! free before approval, and after it at the rate card's late-cancellation cost, shown first.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::award::AwardRule;
use offduty_domain::billing::{self, Bill, RequestedShift};
use offduty_domain::eligibility::Requirements;
use offduty_domain::pay::Cents;
use offduty_domain::protocol::{Job, JobStatus, Role};

use crate::db::{
    Db, DbError, get, get_json, get_opt_time, get_opt_uuid, get_time, get_uuid, json, to_us,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::assignments::TxCtx;
use crate::services::audit::{self, AuditEntry};
use crate::services::customers::{self, Organization, Site};
use crate::services::fields::text;
use crate::services::jobs::{self, NewJob};
use crate::services::rate_card;
use crate::services::txn::DeptTx;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting in the coordinators' queue.
    Submitted,
    /// A coordinator asked the customer to change it; the customer edits and submits again.
    ChangesRequested,
    /// Published as jobs.
    Approved,
    Rejected,
    Cancelled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Submitted => "submitted",
            RequestStatus::ChangesRequested => "changes_requested",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        Ok(match s {
            "submitted" => RequestStatus::Submitted,
            "changes_requested" => RequestStatus::ChangesRequested,
            "approved" => RequestStatus::Approved,
            "rejected" => RequestStatus::Rejected,
            "cancelled" => RequestStatus::Cancelled,
            other => {
                return Err(DbError::corrupt(
                    "event_requests",
                    format!("status {other:?}"),
                ));
            }
        })
    }

    /// Whether the customer may still edit it.
    pub fn editable(self) -> bool {
        matches!(
            self,
            RequestStatus::Submitted | RequestStatus::ChangesRequested
        )
    }
}

/// What a customer asks for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventForm {
    pub site_id: Uuid,
    pub title: String,
    pub job_type: String,
    #[serde(default)]
    pub vehicle: bool,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub instructions: String,
    /// The shifts, each with its officers (the job type and vehicle above apply to all).
    pub shifts: Vec<ShiftForm>,
}

/// One shift of a request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftForm {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub officers: u32,
}

impl EventForm {
    /// The shifts as the rate card bills them.
    pub fn requested(&self) -> Vec<RequestedShift> {
        self.shifts
            .iter()
            .map(|s| RequestedShift {
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                officers: s.officers,
                job_type: self.job_type.trim().to_string(),
                vehicle: self.vehicle,
            })
            .collect()
    }
}

/// A request as its customer and the coordinators see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventRequest {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization: String,
    /// Whether the requester is a customer or an affiliate (decision 047).
    pub organization_kind: customers::OrganizationKind,
    pub site_id: Uuid,
    pub site: String,
    pub address: String,
    pub title: String,
    pub job_type: String,
    pub vehicle: bool,
    pub contact_name: String,
    pub contact_phone: String,
    pub instructions: String,
    pub shifts: Vec<RequestedShift>,
    /// The estimate the customer saw when submitting.
    pub estimate: Bill,
    pub status: RequestStatus,
    /// The coordinator's reason, when changes were asked for or it was rejected.
    pub reason: Option<String>,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancellation_fee_cents: Option<Cents>,
}

const COLUMNS: &str = "r.id, r.organization_id, o.name AS organization, \
    o.kind AS organization_kind, r.site_id, \
    s.name AS site, s.address, r.title, r.job_type, r.vehicle, r.contact_name, r.contact_phone, \
    r.instructions, r.shifts_json, r.estimate_json, r.status, r.reason, r.submitted_by, \
    r.submitted_us, r.decided_us, r.decided_by, r.cancelled_us, r.cancellation_fee_cents";

const FROM: &str = "event_requests r JOIN organizations o ON o.id = r.organization_id \
    JOIN sites s ON s.id = r.site_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<EventRequest, DbError> {
    Ok(EventRequest {
        id: get_uuid(r, "id")?,
        organization_id: get_uuid(r, "organization_id")?,
        organization: get(r, "organization")?,
        organization_kind: customers::OrganizationKind::parse(&get::<String>(
            r,
            "organization_kind",
        )?),
        site_id: get_uuid(r, "site_id")?,
        site: get(r, "site")?,
        address: get(r, "address")?,
        title: get(r, "title")?,
        job_type: get(r, "job_type")?,
        vehicle: get::<i64>(r, "vehicle")? != 0,
        contact_name: get(r, "contact_name")?,
        contact_phone: get(r, "contact_phone")?,
        instructions: get(r, "instructions")?,
        shifts: get_json(r, "shifts_json")?,
        estimate: get_json(r, "estimate_json")?,
        status: RequestStatus::parse(&get::<String>(r, "status")?)?,
        reason: get(r, "reason")?,
        submitted_by: get_uuid(r, "submitted_by")?,
        submitted_at: get_time(r, "submitted_us")?,
        decided_at: get_opt_time(r, "decided_us")?,
        decided_by: get_opt_uuid(r, "decided_by")?,
        cancelled_at: get_opt_time(r, "cancelled_us")?,
        cancellation_fee_cents: get(r, "cancellation_fee_cents")?,
    })
}

/// One request of the department.
pub async fn load(
    conn: &mut AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> Result<Option<EventRequest>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1 AND r.department_id = $2");
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// One request as `user` may see it: a coordinator any of the department's, a customer only
/// its organization's (another's is "not found", so its existence is not told).
pub async fn visible(db: &Db, user: AuthUser, id: Uuid) -> ApiResult<EventRequest> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let req = load(&mut conn, user.department_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("event request"))?;
    match user.role {
        Role::Coordinator => Ok(req),
        Role::Customer => {
            let org = customers::of_customer(&mut conn, user).await?;
            if org.id == req.organization_id {
                Ok(req)
            } else {
                Err(ApiError::not_found("event request"))
            }
        }
        _ => Err(ApiError::forbidden(
            "event requests are for customers and coordinators",
        )),
    }
}

/// The requests `user` may list, oldest first, optionally only those with `status`: a
/// coordinator the department's, a customer its organization's; anyone else is refused.
pub async fn list(
    db: &Db,
    user: AuthUser,
    status: Option<RequestStatus>,
) -> ApiResult<Vec<EventRequest>> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let (scope, owner) = match user.role {
        Role::Coordinator => ("r.department_id", user.department_id),
        Role::Customer => (
            "r.organization_id",
            customers::of_customer(&mut conn, user).await?.id,
        ),
        Role::Officer => {
            return Err(ApiError::forbidden(
                "event requests are for customers and coordinators",
            ));
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {scope} = $1 AND r.department_id = $2 \
         AND ($3 = '' OR r.status = $3) ORDER BY r.submitted_us, r.id"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(owner.to_string())
        .bind(user.department_id.to_string())
        .bind(status.map(RequestStatus::as_str).unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The coordinators' queue: submitted requests, oldest first.
pub async fn queue(db: &Db, department_id: Uuid) -> Result<Vec<EventRequest>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.department_id = $1 AND r.status = 'submitted' \
         ORDER BY r.submitted_us, r.id"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// An organization's requests, newest first.
pub async fn of_organization(db: &Db, organization_id: Uuid) -> Result<Vec<EventRequest>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.organization_id = $1 \
         ORDER BY r.submitted_us DESC, r.id DESC"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(organization_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The jobs a request was published as, by start.
pub async fn jobs_of(db: &Db, department_id: Uuid, event_id: Uuid) -> Result<Vec<Job>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let rows = sqlx::query::<Any>(
        "SELECT id FROM jobs WHERE event_id = $1 AND department_id = $2 ORDER BY starts_us, id",
    )
    .bind(event_id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(j) = jobs::fetch_job(&mut conn, department_id, get_uuid(r, "id")?).await? {
            jobs.push(j);
        }
    }
    Ok(jobs)
}

/// The checked form: trimmed texts, the site (the customer's own), and the estimate.
struct Checked {
    title: String,
    job_type: String,
    contact_name: String,
    contact_phone: String,
    instructions: String,
    site: Site,
    shifts: Vec<RequestedShift>,
    estimate: Bill,
}

async fn check(
    conn: &mut AnyConnection,
    t_dept: &crate::db::rows::Department,
    org: &Organization,
    form: &EventForm,
    now: DateTime<Utc>,
) -> ApiResult<Checked> {
    let title = text("title", &form.title, 120)?;
    let job_type = text("job_type", &form.job_type, 40)?;
    let contact_name = text("contact_name", &form.contact_name, 120)?;
    let contact_phone = text("contact_phone", &form.contact_phone, 30)?;
    let instructions = form.instructions.trim().to_string();
    crate::services::fields::printable("instructions", &instructions)?;
    if instructions.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "instructions",
            "must be at most 2000 characters",
        ));
    }
    let site = customers::site(conn, org.id, form.site_id)
        .await?
        .ok_or_else(|| ApiError::invalid("site_id", "choose one of your organization's sites"))?;
    let card = rate_card::load(conn, t_dept).await?;
    let shifts = form.requested();
    let estimate = billing::estimate(&card, t_dept.tz, now, &shifts)
        .map_err(|e| ApiError::invalid_code(e.field, e.code, e.message))?;
    Ok(Checked {
        title,
        job_type,
        contact_name,
        contact_phone,
        instructions,
        site,
        shifts,
        estimate,
    })
}

/// What the request would cost, from the department's rate card, without submitting it.
pub async fn estimate(
    db: &Db,
    user: AuthUser,
    form: &EventForm,
    now: DateTime<Utc>,
) -> ApiResult<Bill> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let org = customers::of_customer(&mut conn, user).await?;
    let dept = crate::services::award::load_department(&mut conn, user.department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    Ok(check(&mut conn, &dept, &org, form, now).await?.estimate)
}

/// Submits a new request (or, with `id`, changes one that is still waiting or was sent back,
/// which puts it back in the queue). Needs a validated payment method or invoice terms.
pub async fn submit(
    db: &Db,
    user: AuthUser,
    id: Option<Uuid>,
    form: &EventForm,
    now: DateTime<Utc>,
) -> ApiResult<EventRequest> {
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let dept = t.dept.clone();
    let org = customers::of_customer(t.conn(), user).await?;
    if !org.may_request() {
        return Err(ApiError::forbidden(
            "save and validate a payment method before your first request (or ask the \
             department for invoice terms)",
        ));
    }
    let c = check(t.conn(), &dept, &org, form, now).await?;
    let id = match id {
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO event_requests (id, department_id, organization_id, site_id, title, \
                 job_type, vehicle, contact_name, contact_phone, instructions, shifts_json, \
                 estimate_json, status, submitted_by, submitted_us, version) VALUES ($1, $2, $3, \
                 $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted', $13, $14, $15)",
            )
            .bind(id.to_string())
            .bind(dept.id.to_string())
            .bind(org.id.to_string())
            .bind(c.site.id.to_string())
            .bind(&c.title)
            .bind(&c.job_type)
            .bind(i64::from(form.vehicle))
            .bind(&c.contact_name)
            .bind(&c.contact_phone)
            .bind(&c.instructions)
            .bind(json(&c.shifts))
            .bind(json(&c.estimate))
            .bind(user.user_id.to_string())
            .bind(to_us(now))
            .bind(t.seq)
            .execute(&mut *t.conn())
            .await?;
            id
        }
        Some(id) => {
            let before = load(t.conn(), dept.id, id)
                .await?
                .filter(|r| r.organization_id == org.id)
                .ok_or_else(|| ApiError::not_found("event request"))?;
            if !before.status.editable() {
                return Err(ApiError::conflict(format!(
                    "this request is {} and can no longer be changed",
                    status_words(before.status)
                )));
            }
            sqlx::query(
                "UPDATE event_requests SET site_id = $1, title = $2, job_type = $3, vehicle = $4, \
                 contact_name = $5, contact_phone = $6, instructions = $7, shifts_json = $8, \
                 estimate_json = $9, status = 'submitted', reason = NULL, submitted_us = $10, \
                 version = $11 WHERE id = $12",
            )
            .bind(c.site.id.to_string())
            .bind(&c.title)
            .bind(&c.job_type)
            .bind(i64::from(form.vehicle))
            .bind(&c.contact_name)
            .bind(&c.contact_phone)
            .bind(&c.instructions)
            .bind(json(&c.shifts))
            .bind(json(&c.estimate))
            .bind(to_us(now))
            .bind(t.seq)
            .bind(id.to_string())
            .execute(&mut *t.conn())
            .await?;
            id
        }
    };
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "event_requested",
            entity: "event_request",
            entity_id: id.to_string(),
            detail: serde_json::json!({"organization": org.id, "site": c.site.id,
                "shifts": c.shifts.len(), "estimate_cents": c.estimate.total_cents}),
        },
        now,
    )
    .await?;
    let req = load(t.conn(), dept.id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(req)
}

/// What a coordinator may change when approving.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Approval {
    /// Default: first come.
    #[serde(default)]
    pub award_rule: Option<AwardRule>,
    /// Hourly officer rate in cents; default the rate card's for the job type.
    #[serde(default)]
    pub rate_cents: Option<Cents>,
    /// When signups close (ranked rules award then). Default for a ranked rule: 24 hours before
    /// the first shift, or halfway there when that is sooner than an hour from now.
    #[serde(default)]
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Officers per shift, when the coordinator changes the number asked for.
    #[serde(default)]
    pub officers: Option<u32>,
}

/// The default close of signups for a ranked rule before a shift starting at `first`.
fn default_close(first: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let day_before = first - Duration::hours(24);
    if day_before >= now + Duration::hours(1) {
        day_before
    } else {
        now + (first - now) / 2
    }
}

/// Approves a submitted request: posts one job per shift (the site's fence, the customer's
/// instructions and on-site contact in the notes) and marks it approved, in one transaction.
pub async fn approve(
    db: &Db,
    coordinator: AuthUser,
    id: Uuid,
    edits: &Approval,
    now: DateTime<Utc>,
) -> ApiResult<(EventRequest, Vec<Job>)> {
    coordinator.require(Role::Coordinator)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept_id = t.dept.id;
    let req = decidable(t.conn(), dept_id, id).await?;
    let org = customers::load(t.conn(), dept_id, req.organization_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let site = customers::site(t.conn(), org.id, req.site_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let rule = edits.award_rule.clone().unwrap_or(AwardRule::FirstCome);
    let first = req
        .shifts
        .iter()
        .map(|s| s.starts_at)
        .min()
        .ok_or_else(|| ApiError::conflict("this request has no shifts"))?;
    if first <= now {
        return Err(ApiError::conflict(
            "the first shift has already started; ask the customer for new dates",
        ));
    }
    let closes = match (rule.is_immediate(), edits.signup_closes_at) {
        (true, c) => c,
        (false, Some(c)) => Some(c),
        (false, None) => Some(default_close(first, now)),
    };
    let mut notes = format!(
        "On-site contact: {} {}",
        req.contact_name, req.contact_phone
    );
    if !req.instructions.is_empty() {
        notes.push('\n');
        notes.push_str(&req.instructions);
    }
    let mut posted = Vec::with_capacity(req.shifts.len());
    for (i, shift) in req.shifts.iter().enumerate() {
        let job = NewJob {
            title: req.title.clone(),
            customer_name: org.name.clone(),
            customer_id: Some(req.submitted_by),
            site_name: site.name.clone(),
            address: site.address.clone(),
            location: site.location,
            geofence: site.geofence.clone(),
            starts_at: shift.starts_at,
            ends_at: shift.ends_at,
            slots: edits.officers.unwrap_or(shift.officers),
            job_type: req.job_type.clone(),
            rate_cents: edits.rate_cents,
            requirements: Requirements::default(),
            award_rule: rule.clone(),
            signup_opens_at: None,
            signup_closes_at: closes,
            release_tiers: Vec::new(),
            notes: notes.clone(),
        };
        jobs::validate(&job, now).map_err(|mut e| {
            if let Some(f) = e.field.take() {
                e.field = Some(format!("shifts[{i}].{f}"));
            }
            e
        })?;
        let posted_job = jobs::create_in(&mut t, coordinator, &job, now).await?;
        sqlx::query("UPDATE jobs SET event_id = $1 WHERE id = $2")
            .bind(id.to_string())
            .bind(posted_job.id.to_string())
            .execute(&mut *t.conn())
            .await?;
        posted.push(posted_job);
    }
    decide(
        &mut t,
        coordinator,
        &req,
        RequestStatus::Approved,
        None,
        now,
    )
    .await?;
    audit::append(
        t.conn(),
        dept_id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "event_approved",
            entity: "event_request",
            entity_id: id.to_string(),
            detail: serde_json::json!({"jobs": posted.iter().map(|j| j.id).collect::<Vec<_>>(),
                "edits": edits}),
        },
        now,
    )
    .await?;
    let req = load(t.conn(), dept_id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok((req, posted))
}

/// Sends a submitted request back to its customer with what to change.
pub async fn request_changes(
    db: &Db,
    coordinator: AuthUser,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<EventRequest> {
    refuse(
        db,
        coordinator,
        id,
        reason,
        RequestStatus::ChangesRequested,
        now,
    )
    .await
}

/// Rejects a submitted request with a reason the customer reads.
pub async fn reject(
    db: &Db,
    coordinator: AuthUser,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<EventRequest> {
    refuse(db, coordinator, id, reason, RequestStatus::Rejected, now).await
}

async fn refuse(
    db: &Db,
    coordinator: AuthUser,
    id: Uuid,
    reason: &str,
    to: RequestStatus,
    now: DateTime<Utc>,
) -> ApiResult<EventRequest> {
    coordinator.require(Role::Coordinator)?;
    let reason = text("reason", reason, 500)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept_id = t.dept.id;
    let req = decidable(t.conn(), dept_id, id).await?;
    decide(&mut t, coordinator, &req, to, Some(&reason), now).await?;
    let action = if to == RequestStatus::Rejected {
        "event_rejected"
    } else {
        "event_changes_requested"
    };
    audit::append(
        t.conn(),
        dept_id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action,
            entity: "event_request",
            entity_id: id.to_string(),
            detail: serde_json::json!({"reason": reason}),
        },
        now,
    )
    .await?;
    let req = load(t.conn(), dept_id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(req)
}

/// The request, if it is waiting for a decision.
async fn decidable(conn: &mut AnyConnection, dept_id: Uuid, id: Uuid) -> ApiResult<EventRequest> {
    let req = load(conn, dept_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("event request"))?;
    if req.status != RequestStatus::Submitted {
        return Err(ApiError::conflict(format!(
            "this request is {}; only a submitted request can be decided",
            status_words(req.status)
        )));
    }
    Ok(req)
}

async fn decide(
    t: &mut DeptTx,
    coordinator: AuthUser,
    req: &EventRequest,
    to: RequestStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE event_requests SET status = $1, reason = $2, decided_by = $3, decided_us = $4, \
         version = $5 WHERE id = $6",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .bind(t.seq)
    .bind(req.id.to_string())
    .execute(&mut *t.conn())
    .await?;
    Ok(())
}

/// What cancelling the request now would cost: nothing before approval; after it, the rate
/// card's late-cancellation bill for the shifts that have not been called off.
pub async fn cancellation_cost(
    db: &Db,
    user: AuthUser,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Bill> {
    let req = visible(db, user, id).await?;
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let dept = crate::services::award::load_department(&mut conn, user.department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    cost(&mut conn, &dept, &req, now).await
}

async fn cost(
    conn: &mut AnyConnection,
    dept: &crate::db::rows::Department,
    req: &EventRequest,
    now: DateTime<Utc>,
) -> ApiResult<Bill> {
    if req.status != RequestStatus::Approved {
        return Ok(Bill::empty());
    }
    let card = rate_card::load(conn, dept).await?;
    billing::late_cancellation(&card, dept.tz, req.submitted_at, now, &req.shifts)
        .map_err(|e| ApiError::invalid_code(e.field, e.code, e.message))
}

/// The customer cancels its request: every job it was published as is called off (officers
/// told), and the late-cancellation cost, if any, is recorded on the request and audited.
/// `expected_fee_cents` is the cost the customer was shown: if it changed meanwhile (an hour
/// passed into the window), nothing is done and the new cost is asked for again.
pub async fn cancel(
    db: &Db,
    customer: AuthUser,
    id: Uuid,
    expected_fee_cents: Cents,
    now: DateTime<Utc>,
) -> ApiResult<(EventRequest, Bill)> {
    customer.require(Role::Customer)?;
    let mut t = DeptTx::begin(db, customer.department_id).await?;
    let dept = t.dept.clone();
    let org = customers::of_customer(t.conn(), customer).await?;
    let req = load(t.conn(), dept.id, id)
        .await?
        .filter(|r| r.organization_id == org.id)
        .ok_or_else(|| ApiError::not_found("event request"))?;
    if matches!(
        req.status,
        RequestStatus::Cancelled | RequestStatus::Rejected
    ) {
        return Err(ApiError::conflict(format!(
            "this request is already {}",
            status_words(req.status)
        )));
    }
    let bill = cost(t.conn(), &dept, &req, now).await?;
    if bill.total_cents != expected_fee_cents {
        let mut e = ApiError::conflict(
            "the cancellation cost has changed since it was shown; look at it again",
        );
        e.field = Some("expected_fee_cents".into());
        return Err(e);
    }
    let job_ids = sqlx::query::<Any>(
        "SELECT id FROM jobs WHERE event_id = $1 AND status NOT IN ('cancelled', 'completed')",
    )
    .bind(id.to_string())
    .fetch_all(&mut *t.conn())
    .await?
    .iter()
    .map(|r| get_uuid(r, "id"))
    .collect::<Result<Vec<_>, _>>()?;
    {
        let ctx = TxCtx {
            user: customer,
            dept: &t.dept,
            dialect: db.dialect,
            now,
            seq: t.seq,
        };
        for job in &job_ids {
            jobs::cancel_in(t.tx.conn(), &ctx, *job).await?;
        }
    }
    sqlx::query(
        "UPDATE event_requests SET status = 'cancelled', cancelled_us = $1, \
         cancellation_fee_cents = $2, version = $3 WHERE id = $4",
    )
    .bind(to_us(now))
    .bind(bill.total_cents)
    .bind(t.seq)
    .bind(id.to_string())
    .execute(&mut *t.conn())
    .await?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(customer.user_id),
            action: "event_cancelled",
            entity: "event_request",
            entity_id: id.to_string(),
            detail: serde_json::json!({"fee_cents": bill.total_cents, "jobs_called_off": job_ids}),
        },
        now,
    )
    .await?;
    let req = load(t.conn(), dept.id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok((req, bill))
}

/// A request's status in words, for sentences.
pub fn status_words(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Submitted => "waiting for the department",
        RequestStatus::ChangesRequested => "sent back for changes",
        RequestStatus::Approved => "approved",
        RequestStatus::Rejected => "declined",
        RequestStatus::Cancelled => "cancelled",
    }
}

/// How many of the request's jobs are filled, for the customer's view.
pub fn filled(jobs: &[Job]) -> (u32, u32) {
    jobs.iter()
        .filter(|j| j.status != JobStatus::Cancelled)
        .fold((0, 0), |(f, s), j| (f + j.slots_filled, s + j.slots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_signups_close_a_day_ahead_or_halfway_when_that_is_too_soon() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let far = now + Duration::days(10);
        assert_eq!(default_close(far, now), far - Duration::hours(24));
        // 20 h away: a day before is in the past, so halfway (10 h from now).
        let near = now + Duration::hours(20);
        assert_eq!(default_close(near, now), now + Duration::hours(10));
        // 25 h away: a day before is 1 h from now, still allowed.
        let edge = now + Duration::hours(25);
        assert_eq!(default_close(edge, now), now + Duration::hours(1));
    }

    #[test]
    fn statuses_read_back_as_written_and_only_waiting_ones_are_editable() {
        for s in [
            RequestStatus::Submitted,
            RequestStatus::ChangesRequested,
            RequestStatus::Approved,
            RequestStatus::Rejected,
            RequestStatus::Cancelled,
        ] {
            assert_eq!(RequestStatus::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                s.editable(),
                matches!(
                    s,
                    RequestStatus::Submitted | RequestStatus::ChangesRequested
                )
            );
        }
        assert!(RequestStatus::parse("lost").is_err());
    }
}
