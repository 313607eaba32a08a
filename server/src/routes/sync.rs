//! `GET /v1/sync?cursor=N`: parses the cursor and checks the caller is an officer; the read
//! model is [`crate::services::sync`].

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use offduty_domain::protocol::{Role, SyncResponse};

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::services::sync;

/// Query of `GET /v1/sync`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SyncQuery {
    /// The cursor from the previous sync; 0 (or absent) for a full snapshot.
    pub cursor: Option<u64>,
}

/// `GET /v1/sync` (officer).
pub async fn sync(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<SyncQuery>,
) -> ApiResult<Json<SyncResponse>> {
    user.require(Role::Officer)?;
    let cursor = q.cursor.unwrap_or(0);
    let response = sync::read(&state.db, user.department_id, user.user_id, cursor).await?;
    state
        .metrics
        .sync_pulled(cursor, response.cursor, response.full);
    Ok(Json(response))
}
