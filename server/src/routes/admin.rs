//! Department administration: officers, imported on-duty hours, rules, the audit log; and each
//! user's own notifications.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::pay::PayPolicy;
use offduty_domain::protocol::{DepartmentRules, OfficerProfile, Role};

use crate::app::AppState;
use crate::db::rows::RulesJson;
use crate::db::{DbError, get, get_time, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::services::audit::{self, AuditEntry, AuditEntryRecord, ChainReport};
use crate::services::award::load_department;
use crate::services::changes::{self, Entity};
use crate::services::schedule::{PROFILE_COLUMNS, profile_from_row};

/// `GET /v1/officers` (coordinator): the department's officers.
pub async fn officers(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<OfficerProfile>>> {
    user.require(Role::Coordinator)?;
    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM users u WHERE u.department_id = $1 AND u.role = 'officer' \
         ORDER BY u.seniority, u.id"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(user.department_id.to_string())
        .fetch_all(&state.db.pool)
        .await?;
    Ok(Json(
        rows.iter()
            .map(profile_from_row)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

/// One imported on-duty shift.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DutyBlockImport {
    pub officer_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Body of `POST /v1/duty-blocks`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DutyImport {
    /// Where the hours come from (e.g. the scheduling system's name).
    pub source: String,
    pub blocks: Vec<DutyBlockImport>,
}

/// Result of an import.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

/// `POST /v1/duty-blocks` (coordinator): imports on-duty shifts, which count toward hour caps.
pub async fn import_duty_blocks(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<DutyImport>,
) -> ApiResult<Json<ImportResult>> {
    user.require(Role::Coordinator)?;
    let source = req.source.trim();
    if source.is_empty() || source.len() > 64 {
        return Err(ApiError::invalid(
            "source",
            "name the source in 1 to 64 characters",
        ));
    }
    if req.blocks.is_empty() || req.blocks.len() > 10_000 {
        return Err(ApiError::invalid("blocks", "send 1 to 10000 blocks"));
    }
    for (i, b) in req.blocks.iter().enumerate() {
        if b.ends_at <= b.starts_at || b.ends_at - b.starts_at > Duration::hours(24) {
            return Err(ApiError::invalid(
                format!("blocks[{i}].ends_at"),
                "must be after starts_at, at most 24 hours later",
            ));
        }
    }
    let now = Utc::now();
    let mut tx = state.db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    let mut officers = std::collections::BTreeSet::new();
    for (i, b) in req.blocks.iter().enumerate() {
        let n: i64 = get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND department_id = $2 AND role = 'officer'",
            )
            .bind(b.officer_id.to_string())
            .bind(user.department_id.to_string())
            .fetch_one(&mut *tx.conn())
            .await?,
            "n",
        )?;
        if n == 0 {
            return Err(ApiError::invalid(
                format!("blocks[{i}].officer_id"),
                "no such officer in your department",
            ));
        }
        sqlx::query(
            "INSERT INTO duty_blocks (id, department_id, officer_id, starts_us, ends_us, source, created_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(user.department_id.to_string())
        .bind(b.officer_id.to_string())
        .bind(to_us(b.starts_at))
        .bind(to_us(b.ends_at))
        .bind(source)
        .bind(to_us(now))
        .execute(&mut *tx.conn())
        .await?;
        officers.insert(b.officer_id);
    }
    for o in &officers {
        changes::record(
            tx.conn(),
            user.department_id,
            seq,
            Entity::Duty,
            *o,
            Some(*o),
        )
        .await?;
    }
    audit::append(
        tx.conn(),
        user.department_id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "duty_imported",
            entity: "department",
            entity_id: user.department_id.to_string(),
            detail: serde_json::json!({"source": source, "blocks": req.blocks.len()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ImportResult {
        imported: req.blocks.len(),
    }))
}

/// The department as coordinators manage it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentSettings {
    pub rules: DepartmentRules,
    pub pay: PayPolicy,
}

/// The department as an officer or a customer sees it: the rules, not the pay policy.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentRulesView {
    pub rules: DepartmentRules,
}

/// `GET /v1/department` as the caller's role may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DepartmentView {
    /// Coordinators: the rules and the pay policy.
    Coordinator(DepartmentSettings),
    /// Officers and customers: the rules.
    Member(DepartmentRulesView),
}

/// `GET /v1/department`: the rules everyone works under (pay policy for coordinators).
pub async fn department(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<DepartmentView>> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let dept = load_department(&mut conn, user.department_id)
        .await?
        .ok_or_else(|| ApiError::not_found("department"))?;
    Ok(Json(if user.role == Role::Coordinator {
        DepartmentView::Coordinator(DepartmentSettings {
            rules: dept.wire_rules(),
            pay: dept.pay.clone(),
        })
    } else {
        DepartmentView::Member(DepartmentRulesView {
            rules: dept.wire_rules(),
        })
    }))
}

/// Body of `PUT /v1/department`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateDepartment {
    pub rules: RulesJson,
    pub pay: PayPolicy,
}

/// `PUT /v1/department` (coordinator): replaces the department's rules and pay policy.
pub async fn update_department(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<UpdateDepartment>,
) -> ApiResult<Json<DepartmentSettings>> {
    user.require(Role::Coordinator)?;
    req.rules
        .limits
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.limits", e))?;
    req.rules
        .cancel_policy
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.cancel_policy", e))?;
    req.rules
        .pay_period
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.pay_period", e))?;
    req.rules
        .alerts
        .validate()
        .map_err(|e| ApiError::invalid_at("rules.alerts", e))?;
    let t = &req.rules.punch_thresholds;
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
    req.pay
        .validate()
        .map_err(|e| ApiError::invalid_at("pay", e))?;
    let now = Utc::now();
    let mut tx = state.db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    sqlx::query("UPDATE departments SET rules_json = $1, pay_json = $2 WHERE id = $3")
        .bind(json(&req.rules))
        .bind(json(&req.pay))
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
            detail: serde_json::json!({"rules": req.rules, "pay": req.pay}),
        },
        now,
    )
    .await?;
    let dept = load_department(tx.conn(), user.department_id)
        .await?
        .ok_or_else(|| ApiError::not_found("department"))?;
    tx.commit().await?;
    Ok(Json(DepartmentSettings {
        rules: dept.wire_rules(),
        pay: dept.pay,
    }))
}

/// A queued notification.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub sent: bool,
}

/// `GET /v1/notifications`: the signed-in user's notifications, newest first.
pub async fn notifications(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<Notification>>> {
    let rows = sqlx::query(
        "SELECT id, kind, payload_json, created_us, sent_us FROM notifications \
         WHERE user_id = $1 AND department_id = $2 ORDER BY created_us DESC, id DESC LIMIT 200",
    )
    .bind(user.user_id.to_string())
    .bind(user.department_id.to_string())
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let payload: String = get(r, "payload_json")?;
        out.push(Notification {
            id: get_uuid(r, "id")?,
            kind: get(r, "kind")?,
            payload: serde_json::from_str(&payload)
                .map_err(|e| DbError::corrupt("notifications", e))?,
            created_at: get_time(r, "created_us")?,
            sent: get::<Option<i64>>(r, "sent_us")?.is_some(),
        });
    }
    Ok(Json(out))
}

/// Query of `GET /v1/audit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Entries after this sequence (default 0).
    pub after: Option<i64>,
    /// At most this many (default 500, max 5000).
    pub limit: Option<i64>,
}

/// `GET /v1/audit` (coordinator): the department's audit log, oldest first.
pub async fn audit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntryRecord>>> {
    user.require(Role::Coordinator)?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    Ok(Json(
        audit::list(
            &state.db,
            user.department_id,
            q.after.unwrap_or(0).max(0),
            limit,
        )
        .await?,
    ))
}

/// `GET /v1/audit/verify` (coordinator): recomputes the department's audit hash chain.
pub async fn audit_verify(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<ChainReport>> {
    user.require(Role::Coordinator)?;
    Ok(Json(
        audit::verify_chain(&state.db, user.department_id).await?,
    ))
}
