//! Devices: an officer registers each phone's P-256 public key before signing clock events.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_domain::timecard;

use crate::app::AppState;
use crate::db::{get, get_opt_time, get_time, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser, PathId};

pub use offduty_domain::protocol::{Device, RegisterDevice};

/// `POST /v1/devices`: registers this phone's signing key for the signed-in officer.
pub async fn register(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<RegisterDevice>,
) -> ApiResult<(axum::http::StatusCode, Json<Device>)> {
    user.require(Role::Officer)?;
    let key = timecard::parse_public_key(&req.public_key)
        .map_err(|e| ApiError::invalid("public_key", format!("not a P-256 public key: {e}")))?;
    let label = req.label.trim();
    if label.is_empty() || label.chars().count() > 64 {
        return Err(ApiError::invalid(
            "label",
            "give the device a name of 1 to 64 characters",
        ));
    }
    let count: i64 = get(
        &sqlx::query("SELECT COUNT(*) AS n FROM devices WHERE user_id = $1 AND revoked_us IS NULL")
            .bind(user.user_id.to_string())
            .fetch_one(&state.db.pool)
            .await?,
        "n",
    )?;
    if count >= 10 {
        return Err(ApiError::conflict(
            "you have 10 active devices; revoke one first",
        ));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let encoded = timecard::encode_public_key(&key);
    sqlx::query(
        "INSERT INTO devices (id, user_id, department_id, public_key, label, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(user.user_id.to_string())
    .bind(user.department_id.to_string())
    .bind(&encoded)
    .bind(label)
    .bind(to_us(now))
    .execute(&state.db.pool)
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(Device {
            id,
            label: label.to_string(),
            public_key: encoded,
            last_seq: 0,
            last_hash: None,
            created_at: now,
            revoked_at: None,
        }),
    ))
}

/// `GET /v1/devices`: the signed-in user's devices.
pub async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<Device>>> {
    let rows = sqlx::query(
        "SELECT id, label, public_key, last_seq, last_hash, created_us, revoked_us FROM devices \
         WHERE user_id = $1 ORDER BY created_us",
    )
    .bind(user.user_id.to_string())
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(Device {
            id: get_uuid(r, "id")?,
            label: get(r, "label")?,
            public_key: get(r, "public_key")?,
            last_seq: crate::db::rows::to_u64(get(r, "last_seq")?),
            last_hash: get(r, "last_hash")?,
            created_at: get_time(r, "created_us")?,
            revoked_at: get_opt_time(r, "revoked_us")?,
        });
    }
    Ok(Json(out))
}

/// `POST /v1/devices/{id}/revoke`: the device can no longer sign clock events (nor receive
/// pushes: its push token is forgotten).
pub async fn revoke(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<axum::http::StatusCode> {
    let mut tx = state.db.write().await?;
    let n = sqlx::query(
        "UPDATE devices SET revoked_us = $1 WHERE id = $2 AND user_id = $3 AND revoked_us IS NULL",
    )
    .bind(to_us(Utc::now()))
    .bind(id.to_string())
    .bind(user.user_id.to_string())
    .execute(&mut *tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(ApiError::not_found("active device"));
    }
    // A revoked device is no longer reached by pushes either.
    crate::routes::push_tokens::forget(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
