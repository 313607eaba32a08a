//! `POST /v1/actions`: the officer's queued actions, decided in order.

use axum::Json;
use axum::extract::State;

use offduty_domain::protocol::{ActionBatch, ActionResults};

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::services::actions;

/// `POST /v1/actions` (officer): decides each action in its own transaction, in order, and
/// returns one outcome per action. Refused actions are outcomes (200), not errors.
pub async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(batch): ApiJson<ActionBatch>,
) -> ApiResult<Json<ActionResults>> {
    Ok(Json(actions::submit(&state, user, batch).await?))
}
