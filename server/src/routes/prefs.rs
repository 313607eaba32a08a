//! The signed-in officer's notification preferences (channels, quiet hours).

use axum::Json;
use axum::extract::State;
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::prefs::Preferences;
use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::db::{DbError, get, json};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::services::changes::{self, Entity};

/// Reads a user's preferences.
pub async fn load(conn: &mut AnyConnection, user_id: Uuid) -> Result<Option<Preferences>, DbError> {
    let row = sqlx::query("SELECT prefs_json FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let s: String = get(&r, "prefs_json")?;
        serde_json::from_str(&s).map_err(|e| DbError::corrupt("users.prefs_json", e))
    })
    .transpose()
}

/// `GET /v1/preferences` (officer).
pub async fn get_prefs(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Preferences>> {
    user.require(Role::Officer)?;
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let prefs = load(&mut conn, user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    Ok(Json(prefs))
}

/// `PUT /v1/preferences` (officer): replaces them (last writer wins; `version` is set by the
/// server).
pub async fn put_prefs(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(mut prefs): ApiJson<Preferences>,
) -> ApiResult<Json<Preferences>> {
    user.require(Role::Officer)?;
    prefs.validate().map_err(|e| ApiError::invalid_at("", e))?;
    let mut tx = state.db.write().await?;
    let seq = changes::next_seq(tx.conn(), user.department_id).await?;
    prefs.version = crate::db::rows::to_u64(seq);
    sqlx::query("UPDATE users SET prefs_json = $1 WHERE id = $2 AND department_id = $3")
        .bind(json(&prefs))
        .bind(user.user_id.to_string())
        .bind(user.department_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    changes::record(
        tx.conn(),
        user.department_id,
        seq,
        Entity::Prefs,
        user.user_id,
        Some(user.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(prefs))
}
