//! Health, readiness and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::app::AppState;
use crate::error::ApiResult;

/// `GET /v1/health`: the process is up (no database access; the benchmarks' floor).
pub async fn health() -> &'static str {
    "ok"
}

/// `GET /v1/ready`: the database answers.
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    sqlx::query("SELECT 1").execute(&state.db.pool).await?;
    Ok(Json(serde_json::json!({
        "status": "ready",
        "database": match state.db.dialect {
            crate::db::Dialect::Sqlite => "sqlite",
            crate::db::Dialect::Postgres => "postgres",
        },
        "api_version": offduty_domain::protocol::API_VERSION,
    })))
}

/// `GET /v1/openapi.json`: this API's OpenAPI 3.1 document.
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
}
