//! The department's rate card (`offduty_domain::billing::RateCard`): what customers are billed.
//! Its hourly rates, holidays, minimum and rounding are the department's pay policy
//! (`departments.pay_json`, what officers are paid: one place); its fees (vehicle,
//! administrative, event fee, late-cancellation window) are `departments.fees_json`, written as
//! the rate card's own JSON without its `pay` member, so the fields are defined once, in the
//! domain.

use chrono::{DateTime, Utc};
use offduty_domain::billing::RateCard;
use offduty_domain::protocol::Role;
use sqlx::AnyConnection;

use crate::db::rows::Department;
use crate::db::{Db, DbError, get, json};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::txn::DeptTx;

/// The department's rate card: its pay policy with its fees (the defaults where none were set).
pub async fn load(conn: &mut AnyConnection, dept: &Department) -> Result<RateCard, DbError> {
    let row = sqlx::query("SELECT fees_json FROM departments WHERE id = $1")
        .bind(dept.id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let fees: Option<String> = get(&row, "fees_json")?;
    Ok(from_parts(dept, fees.as_deref()))
}

/// The rate card of the department `department_id` (what its customers are billed).
pub async fn current(db: &Db, department_id: uuid::Uuid) -> ApiResult<RateCard> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let dept = crate::services::award::load_department(&mut conn, department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    Ok(load(&mut conn, &dept).await?)
}

/// The rate card from the department's pay policy and its stored fees. Fees that cannot be read
/// (never written by this server) fall back to the defaults, with an error in the log.
fn from_parts(dept: &Department, fees: Option<&str>) -> RateCard {
    let defaults = RateCard {
        pay: dept.pay.clone(),
        ..RateCard::default()
    };
    let Some(fees) = fees else {
        return defaults;
    };
    let parsed = serde_json::from_str::<serde_json::Value>(fees).and_then(|mut v| {
        if let Some(o) = v.as_object_mut() {
            o.insert("pay".into(), serde_json::to_value(&dept.pay)?);
        }
        serde_json::from_value::<RateCard>(v)
    });
    match parsed {
        Ok(card) => card,
        Err(e) => {
            tracing::error!(error = %e, department = %dept.id, "unreadable fees_json; using the default fees");
            defaults
        }
    }
}

/// The rate card's fees as stored: its JSON without the pay policy.
fn fees_json(card: &RateCard) -> String {
    let mut v = serde_json::to_value(card).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("pay");
    }
    json(&v)
}

/// A coordinator sets the rate card: the pay policy (which officers' pay follows too) and the
/// fees, checked by the domain; audited with the old and new card. Phones sync the new pay.
pub async fn save(
    db: &Db,
    coordinator: AuthUser,
    card: &RateCard,
    now: DateTime<Utc>,
) -> ApiResult<RateCard> {
    coordinator.require(Role::Coordinator)?;
    card.validate()
        .map_err(|e| ApiError::invalid_at("rate_card", e))?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.clone();
    let before = load(t.conn(), &dept).await?;
    sqlx::query("UPDATE departments SET pay_json = $1, fees_json = $2 WHERE id = $3")
        .bind(json(&card.pay))
        .bind(fees_json(card))
        .bind(dept.id.to_string())
        .execute(&mut *t.conn())
        .await?;
    // The pay policy is part of the rules every phone holds: they sync it again.
    let seq = t.seq;
    changes::record(t.conn(), dept.id, seq, Entity::Rules, dept.id, None).await?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "rate_card_set",
            entity: "department",
            entity_id: dept.id.to_string(),
            detail: serde_json::json!({"from": before, "to": card}),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(card.clone())
}
