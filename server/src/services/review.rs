//! The customer's review of worked time (decision 040). A timecard of a job whose customer
//! belongs to an organization is reviewed by that organization's customers: **approved**, or
//! **disputed** with a reason, until the department's review window closes
//! (`RateCard::review_closes_at`, clock-out + `timecard_review_hours`); after it, the money
//! task approves it automatically. A dispute waits for a coordinator, who confirms the hours or
//! adjusts them (the pay is worked out again by the pay policy). Every decision is audited.
//!
//! `customer_review`: NULL (not decided) → `approved` | `auto_approved` | `disputed` →
//! `resolved`. Billing (services::invoices) takes a timecard once its status is `approved` (the
//! coordinator's step, unchanged) **and** its review is `approved`, `auto_approved` or
//! `resolved`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::pay;
use offduty_domain::protocol::Role;

use crate::db::{Db, DbError, from_us, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::customers;
use crate::services::rate_card;
use crate::services::txn::DeptTx;

/// Longest dispute reason or resolution note, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// Statuses a timecard may be reviewed in (clocked out, not refused, not yet billed).
const REVIEWABLE: &str = "('pending', 'needs_review', 'approved')";

/// The customer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Approve,
    Dispute { reason: String },
}

/// A coordinator's answer to a dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The punches stand as recorded.
    Confirm { note: String },
    /// The time worked was this many minutes; pay and bill follow the pay policy.
    Adjust { worked_minutes: i64, note: String },
}

/// A timecard as its customer or a coordinator reviews it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub timecard_id: Uuid,
    pub job_title: String,
    pub organization_id: Uuid,
    pub organization: String,
    pub officer_name: String,
    pub status: String,
    pub clock_in: Option<DateTime<Utc>>,
    pub clock_out: DateTime<Utc>,
    pub worked_minutes: i64,
    pub billable_minutes: i64,
    pub gross_cents: i64,
    pub review: Option<String>,
    pub dispute_reason: Option<String>,
    pub review_closes_at: DateTime<Utc>,
}

const ITEM_SQL: &str = "SELECT t.id, j.title, o.id AS org_id, o.name AS org_name, \
     u.display_name, t.status, t.in_us, t.out_us, t.worked_minutes, t.billable_minutes, \
     t.gross_cents, t.customer_review, t.dispute_reason \
     FROM timecards t JOIN jobs j ON j.id = t.job_id \
     JOIN users c ON c.id = j.customer_id \
     JOIN organizations o ON o.id = c.organization_id \
     JOIN users u ON u.id = t.officer_id \
     WHERE t.department_id = $1 AND t.out_us IS NOT NULL";

fn item(
    r: &sqlx::any::AnyRow,
    card: &offduty_domain::billing::RateCard,
) -> Result<ReviewItem, DbError> {
    let out = from_us(get::<i64>(r, "out_us")?);
    Ok(ReviewItem {
        timecard_id: get_uuid(r, "id")?,
        job_title: get(r, "title")?,
        organization_id: get_uuid(r, "org_id")?,
        organization: get(r, "org_name")?,
        officer_name: get(r, "display_name")?,
        status: get(r, "status")?,
        clock_in: get::<Option<i64>>(r, "in_us")?.map(from_us),
        clock_out: out,
        worked_minutes: get::<Option<i64>>(r, "worked_minutes")?.unwrap_or(0),
        billable_minutes: get::<Option<i64>>(r, "billable_minutes")?.unwrap_or(0),
        gross_cents: get::<Option<i64>>(r, "gross_cents")?.unwrap_or(0),
        review: get(r, "customer_review")?,
        dispute_reason: get(r, "dispute_reason")?,
        review_closes_at: card.review_closes_at(out),
    })
}

async fn items(
    conn: &mut AnyConnection,
    department_id: Uuid,
    filter: &str,
    bind: Option<String>,
) -> ApiResult<Vec<ReviewItem>> {
    let dept = crate::services::award::load_department(conn, department_id)
        .await?
        .ok_or_else(|| ApiError::not_found("department"))?;
    let card = rate_card::load(conn, &dept).await?;
    let sql = format!("{ITEM_SQL} {filter} ORDER BY t.out_us, t.id");
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql)).bind(department_id.to_string());
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(DbError::from)?;
    Ok(rows
        .iter()
        .map(|r| item(r, &card))
        .collect::<Result<_, _>>()?)
}

/// The customer's organization's clocked-out timecards, newest review first: those still to
/// review and those decided.
pub async fn of_customer(db: &Db, user: AuthUser) -> ApiResult<Vec<ReviewItem>> {
    let mut tx = db.read().await?;
    let org = customers::of_customer(&mut tx, user).await?;
    items(
        &mut tx,
        user.department_id,
        "AND o.id = $2",
        Some(org.id.to_string()),
    )
    .await
}

/// One organization's clocked-out timecards, for a coordinator's page of it (an affiliate's).
pub async fn of_organization(
    db: &Db,
    department_id: Uuid,
    organization_id: Uuid,
) -> ApiResult<Vec<ReviewItem>> {
    let mut tx = db.read().await?;
    items(
        &mut tx,
        department_id,
        "AND o.id = $2",
        Some(organization_id.to_string()),
    )
    .await
}

/// The department's disputed timecards, for the coordinators.
pub async fn disputes(db: &Db, department_id: Uuid) -> ApiResult<Vec<ReviewItem>> {
    let mut tx = db.read().await?;
    items(
        &mut tx,
        department_id,
        "AND t.customer_review = 'disputed'",
        None,
    )
    .await
}

fn note(field: &str, text: &str, required: bool) -> ApiResult<String> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(ApiError::invalid(field, "say why: the department reads it"));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(t.to_string())
}

/// A customer approves or disputes a timecard of its organization within the review window.
/// Another organization's timecard (or another department's) is "not found".
pub async fn customer_review(
    db: &Db,
    user: AuthUser,
    timecard_id: Uuid,
    review: Review,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    user.require(Role::Customer)?;
    let reason = match &review {
        Review::Approve => None,
        Review::Dispute { reason } => Some(note("reason", reason, true)?),
    };
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let (seq, dept) = (t.seq, t.dept.clone());
    let org = customers::of_customer(t.conn(), user).await?;
    let card = rate_card::load(t.conn(), &dept).await?;
    let row = sqlx::query(
        "SELECT t.status, t.out_us, t.customer_review, t.officer_id FROM timecards t \
         JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
         WHERE t.id = $1 AND t.department_id = $2 AND c.organization_id = $3",
    )
    .bind(timecard_id.to_string())
    .bind(dept.id.to_string())
    .bind(org.id.to_string())
    .fetch_optional(&mut *t.conn())
    .await
    .map_err(DbError::from)?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    let Some(out_us) = get::<Option<i64>>(&row, "out_us")? else {
        return Err(ApiError::conflict("the officer has not clocked out yet"));
    };
    if let Some(done) = get::<Option<String>>(&row, "customer_review")? {
        return Err(ApiError::conflict(format!(
            "this timecard was already reviewed ({})",
            done.replace('_', " ")
        )));
    }
    let status: String = get(&row, "status")?;
    if !REVIEWABLE.contains(&format!("'{status}'")) {
        return Err(ApiError::conflict(format!(
            "this timecard is {status}; it can no longer be reviewed"
        )));
    }
    if !card.in_review_window(from_us(out_us), now) {
        return Err(ApiError::conflict(format!(
            "the review window closed at {}; the timecard was approved automatically",
            card.review_closes_at(from_us(out_us)).to_rfc3339()
        )));
    }
    let decided = if reason.is_some() {
        "disputed"
    } else {
        "approved"
    };
    sqlx::query(
        "UPDATE timecards SET customer_review = $1, customer_reviewed_by = $2, \
         customer_reviewed_us = $3, dispute_reason = $4 WHERE id = $5",
    )
    .bind(decided)
    .bind(user.user_id.to_string())
    .bind(to_us(now))
    .bind(reason.clone())
    .bind(timecard_id.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: if reason.is_some() {
                "timecard_disputed"
            } else {
                "timecard_customer_approved"
            },
            entity: "timecard",
            entity_id: timecard_id.to_string(),
            detail: serde_json::json!({"organization": org.id, "reason": reason}),
        },
        now,
    )
    .await?;
    let officer = get_uuid(&row, "officer_id")?;
    changes::record(
        t.conn(),
        dept.id,
        seq,
        Entity::Timecard,
        timecard_id,
        Some(officer),
    )
    .await?;
    t.commit().await
}

/// A coordinator resolves a disputed timecard: confirms it, or adjusts the minutes worked (the
/// billable minutes and pay are worked out again by the department's pay policy).
pub async fn resolve(
    db: &Db,
    coordinator: AuthUser,
    timecard_id: Uuid,
    resolution: Resolution,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    coordinator.require(Role::Coordinator)?;
    let text = match &resolution {
        Resolution::Confirm { note: n } | Resolution::Adjust { note: n, .. } => {
            note("note", n, true)?
        }
    };
    if let Resolution::Adjust { worked_minutes, .. } = resolution
        && !(0..=offduty_domain::billing::MAX_WORKED_MINUTES).contains(&worked_minutes)
    {
        return Err(ApiError::invalid(
            "worked_minutes",
            format!(
                "must be between 0 and {} minutes",
                offduty_domain::billing::MAX_WORKED_MINUTES
            ),
        ));
    }
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let (seq, dept) = (t.seq, t.dept.clone());
    let row = sqlx::query(
        "SELECT customer_review, officer_id, rate_cents, multiplier_bp, worked_minutes, \
         gross_cents FROM timecards WHERE id = $1 AND department_id = $2",
    )
    .bind(timecard_id.to_string())
    .bind(dept.id.to_string())
    .fetch_optional(&mut *t.conn())
    .await
    .map_err(DbError::from)?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    if get::<Option<String>>(&row, "customer_review")?.as_deref() != Some("disputed") {
        return Err(ApiError::conflict("this timecard is not disputed"));
    }
    let mut detail = serde_json::json!({"note": text});
    if let Resolution::Adjust { worked_minutes, .. } = resolution {
        let billable = dept.pay.billable_minutes(worked_minutes);
        let rate: i64 = get(&row, "rate_cents")?;
        let mult = u32::try_from(get::<i64>(&row, "multiplier_bp")?)
            .map_err(|e| DbError::corrupt("timecards", e))?;
        let gross = pay::gross_cents(rate, billable, mult);
        sqlx::query(
            "UPDATE timecards SET worked_minutes = $1, billable_minutes = $2, gross_cents = $3, \
             version = $4 WHERE id = $5",
        )
        .bind(worked_minutes)
        .bind(billable)
        .bind(gross)
        .bind(seq)
        .bind(timecard_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
        detail = serde_json::json!({
            "note": text,
            "worked_minutes": {"from": get::<Option<i64>>(&row, "worked_minutes")?, "to": worked_minutes},
            "gross_cents": {"from": get::<Option<i64>>(&row, "gross_cents")?, "to": gross},
        });
    }
    sqlx::query(
        "UPDATE timecards SET customer_review = 'resolved', dispute_resolution = $1 WHERE id = $2",
    )
    .bind(text)
    .bind(timecard_id.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: match resolution {
                Resolution::Confirm { .. } => "dispute_confirmed",
                Resolution::Adjust { .. } => "dispute_adjusted",
            },
            entity: "timecard",
            entity_id: timecard_id.to_string(),
            detail,
        },
        now,
    )
    .await?;
    let officer = get_uuid(&row, "officer_id")?;
    changes::record(
        t.conn(),
        dept.id,
        seq,
        Entity::Timecard,
        timecard_id,
        Some(officer),
    )
    .await?;
    t.commit().await
}

/// Approves, for the customer, every timecard of the department whose review window has closed
/// undecided; returns how many. One department transaction (safe beside other processes).
pub async fn auto_approve(db: &Db, department_id: Uuid, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.clone();
    let card = rate_card::load(t.conn(), &dept).await?;
    let cutoff = to_us(now) - i64::from(card.timecard_review_hours) * 3_600_000_000;
    let sql = format!(
        "SELECT t.id FROM timecards t JOIN jobs j ON j.id = t.job_id \
         JOIN users c ON c.id = j.customer_id \
         WHERE t.department_id = $1 AND c.organization_id IS NOT NULL \
         AND t.customer_review IS NULL AND t.out_us IS NOT NULL AND t.out_us <= $2 \
         AND t.status IN {REVIEWABLE} ORDER BY t.out_us, t.id"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(dept.id.to_string())
        .bind(cutoff)
        .fetch_all(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    if rows.is_empty() {
        // Nothing decided: the sequence taken is not recorded anywhere; roll back.
        return Ok(0);
    }
    for r in &rows {
        let id = get_uuid(r, "id")?;
        sqlx::query(
            "UPDATE timecards SET customer_review = 'auto_approved', customer_reviewed_us = $1 \
             WHERE id = $2",
        )
        .bind(to_us(now))
        .bind(id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
        audit::append(
            t.conn(),
            dept.id,
            AuditEntry {
                actor_id: None,
                action: "timecard_auto_approved",
                entity: "timecard",
                entity_id: id.to_string(),
                detail: serde_json::json!({"review_hours": card.timecard_review_hours}),
            },
            now,
        )
        .await?;
    }
    t.commit().await?;
    Ok(rows.len())
}
