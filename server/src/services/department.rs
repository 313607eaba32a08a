//! A coordinator replaces the department's rules and pay policy: what `PUT /v1/department` and
//! the console's settings page both call, so both check the same things (the domain's
//! validators) and write the same change-log and audit entries.

use chrono::{DateTime, Utc};
use offduty_domain::pay::PayPolicy;
use offduty_domain::protocol::Role;

use crate::db::rows::{Department, RulesJson};
use crate::db::{Db, json};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::award::load_department;
use crate::services::changes::{self, Entity};

/// Checks `rules` and `pay` (422 naming the field under `rules.`/`pay.`).
pub fn validate(rules: &RulesJson, pay: &PayPolicy) -> ApiResult<()> {
    rules
        .limits
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.limits", e))?;
    rules
        .cancel_policy
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.cancel_policy", e))?;
    rules
        .pay_period
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.pay_period", e))?;
    rules
        .alerts
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.alerts", e))?;
    let t = &rules.punch_thresholds;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(t.max_accuracy_m)
        || !positive(t.max_speed_mps)
        || t.max_fix_age_s <= 0
        || t.max_clock_drift_s <= 0
    {
        return Err(ApiError::invalid(
            "rules.punch_thresholds",
            "every threshold must be a positive number",
        ));
    }
    pay.validate().map_err(|e| ApiError::invalid_at("pay", e))
}

/// Replaces the department's rules and pay policy; phones sync them again; audited as
/// `rules_updated`. Returns the department as stored.
pub async fn update(
    db: &Db,
    user: AuthUser,
    rules: &RulesJson,
    pay: &PayPolicy,
    now: DateTime<Utc>,
) -> ApiResult<Department> {
    user.require(Role::Coordinator)?;
    validate(rules, pay)?;
    let mut tx = db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    sqlx::query("UPDATE departments SET rules_json = $1, pay_json = $2 WHERE id = $3")
        .bind(json(rules))
        .bind(json(pay))
        .bind(user.department_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    changes::record(
        tx.conn(),
        user.department_id,
        seq,
        Entity::Rules,
        user.department_id,
        None,
    )
    .await?;
    audit::append(
        tx.conn(),
        user.department_id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "rules_updated",
            entity: "department",
            entity_id: user.department_id.to_string(),
            detail: serde_json::json!({"rules": rules, "pay": pay}),
        },
        now,
    )
    .await?;
    let dept = load_department(tx.conn(), user.department_id)
        .await?
        .ok_or_else(|| ApiError::not_found("department"))?;
    tx.commit().await?;
    Ok(dept)
}
