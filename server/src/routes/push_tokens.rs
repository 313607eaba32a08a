//! Push tokens: an officer's phone tells the server where its push service (FCM, APNs) reaches
//! it, per registered device. Only the device's owner may set or clear it; a revoked device is
//! refused; a token moves to the newest device that registers it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_domain::push::{PushPlatform, PushToken};

use crate::app::AppState;
use crate::db::{DbError, get, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser, PathId};

/// The push token the server keeps for a device.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DevicePushToken {
    pub device_id: Uuid,
    pub platform: PushPlatform,
    pub token: String,
    pub updated_at: DateTime<Utc>,
}

/// Whether `device` is the caller's own: `Ok(true)` active, `Ok(false)` revoked; 404 when it
/// is not theirs (another officer's, another department's, or none).
async fn own_device(conn: &mut AnyConnection, user: &AuthUser, device: Uuid) -> ApiResult<bool> {
    let row = sqlx::query(
        "SELECT revoked_us FROM devices WHERE id = $1 AND user_id = $2 AND department_id = $3",
    )
    .bind(device.to_string())
    .bind(user.user_id.to_string())
    .bind(user.department_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Err(ApiError::not_found("device")),
        Some(r) => Ok(get::<Option<i64>>(&r, "revoked_us")?.is_none()),
    }
}

/// Forgets a device's push token (its owner signed out, or it was revoked).
pub async fn forget(conn: &mut AnyConnection, device: Uuid) -> Result<(), DbError> {
    sqlx::query("DELETE FROM device_push_tokens WHERE device_id = $1")
        .bind(device.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `PUT /v1/devices/{id}/push-token` (officer, own device): sets where the push service
/// reaches this device. The same token on another device is moved here (the phone changed
/// hands or the app was reinstalled).
pub async fn put_token(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(device): PathId,
    ApiJson(req): ApiJson<PushToken>,
) -> ApiResult<Json<DevicePushToken>> {
    user.require(Role::Officer)?;
    req.validate().map_err(|e| ApiError::invalid_at("", e))?;
    let mut tx = state.db.write().await?;
    if !own_device(tx.conn(), &user, device).await? {
        return Err(ApiError::conflict(
            "this device was revoked; sign in again to register it before setting its push token",
        ));
    }
    let now = Utc::now();
    sqlx::query(
        "DELETE FROM device_push_tokens WHERE platform = $1 AND token = $2 AND device_id <> $3",
    )
    .bind(req.platform.as_str())
    .bind(&req.token)
    .bind(device.to_string())
    .execute(&mut *tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO device_push_tokens (device_id, platform, token, updated_us) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (device_id) DO UPDATE SET platform = excluded.platform, \
           token = excluded.token, updated_us = excluded.updated_us",
    )
    .bind(device.to_string())
    .bind(req.platform.as_str())
    .bind(&req.token)
    .bind(to_us(now))
    .execute(&mut *tx.conn())
    .await?;
    tx.commit().await?;
    Ok(Json(DevicePushToken {
        device_id: device,
        platform: req.platform,
        token: req.token,
        updated_at: now,
    }))
}

/// `DELETE /v1/devices/{id}/push-token` (officer, own device): the device no longer receives
/// pushes (its officer signed out). Idempotent; allowed on a revoked device.
pub async fn delete_token(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(device): PathId,
) -> ApiResult<StatusCode> {
    user.require(Role::Officer)?;
    let mut tx = state.db.write().await?;
    own_device(tx.conn(), &user, device).await?;
    forget(tx.conn(), device).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
