//! API errors as RFC 9457 problem details (`application/problem+json`) with a stable `type`.
//!
//! Every failure a handler can meet maps to one [`ApiError`]; bad input is always a 4xx naming
//! the field, and storage faults are a 503/500 with no internals leaked to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db::DbError;

/// Base of every problem `type` URI.
pub const PROBLEM_BASE: &str = "https://offduty.dev/problems/";

/// A problem detail response.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable slug, e.g. `validation`, `unauthorized`; the `type` is `PROBLEM_BASE + slug`.
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// The request field at fault (JSON path), when there is one.
    pub field: Option<String>,
    /// Extra members (e.g. `index` for a batch item, `retry_after_s`).
    pub extra: Option<serde_json::Value>,
}

/// The JSON body of a problem detail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// URI identifying the kind of problem (stable).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// JSON path of the request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request's id (also in the `x-request-id` response header): quote it to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub extra: Option<serde_json::Value>,
}

impl ApiError {
    fn new(status: StatusCode, slug: &'static str, title: &'static str, detail: String) -> Self {
        ApiError {
            status,
            slug,
            title,
            detail,
            field: None,
            extra: None,
        }
    }

    /// 422: a field has a value the server cannot accept.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid request",
            detail.into(),
        );
        e.field = Some(field.into());
        e
    }

    /// 400: the body or query could not be parsed at all.
    pub fn malformed(field: Option<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "Malformed request",
            detail.into(),
        );
        e.field = field;
        e
    }

    /// 413: the body is larger than the server accepts.
    pub fn too_large(limit_bytes: usize) -> Self {
        let mut e = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("send at most {limit_bytes} bytes (split a batch of actions)"),
        );
        e.extra = Some(serde_json::json!({ "limit_bytes": limit_bytes }));
        e
    }

    /// 401: no valid credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Not signed in",
            detail.into(),
        )
    }

    /// 403: signed in, but this role or user may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            detail.into(),
        )
    }

    /// 404: no such thing visible to this user (also used to hide other departments' records).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no {what} with that id"),
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail.into())
    }

    /// 422: an idempotency key was reused with a different payload. `applied_before` says
    /// whether the batch's actions before `index` were applied (a conflict found mid-batch) or
    /// nothing was (found before applying anything).
    pub fn idempotency_mismatch(index: usize, key: uuid::Uuid, applied_before: bool) -> Self {
        let applied = if applied_before {
            format!("actions before index {index} were applied, the rest were not")
        } else {
            "no action of this batch was applied".to_string()
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
            format!("idempotency key {key} was already used for a different action; {applied}"),
        );
        e.field = Some(format!("actions[{index}].idempotency_key"));
        e.extra = Some(serde_json::json!({ "index": index, "applied_before": applied_before }));
        e
    }

    /// 429: too many attempts.
    pub fn rate_limited(retry_after_s: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("too many attempts; try again in {retry_after_s} s"),
        );
        e.extra = Some(serde_json::json!({ "retry_after_s": retry_after_s }));
        e
    }

    /// 503: the database is unreachable or busy; the client should retry.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
            detail.into(),
        )
    }

    /// 503: the request was not answered within the server's deadline (`--request-timeout-seconds`).
    /// What it had not committed is rolled back; an action retried with the same idempotency
    /// key is never applied twice.
    pub fn timed_out(limit: std::time::Duration) -> Self {
        let secs = limit.as_secs_f64();
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "Request timed out",
            format!(
                "the server did not answer within {secs} s; retry (an action retried with the \
                 same idempotency key is never applied twice)"
            ),
        );
        e.extra = Some(serde_json::json!({ "timeout_s": secs }));
        e
    }

    /// 500: a bug. The detail is generic; the cause goes to the log.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed to handle this request; it has been logged".to_string(),
        )
    }

    /// The `type` URI.
    pub fn type_uri(&self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match &e {
            DbError::Sqlx(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::unavailable("the database is unavailable; retry shortly")
            }
            _ if e.is_retryable() => {
                tracing::warn!(error = %e, "database busy");
                ApiError::unavailable("the database is busy; retry shortly")
            }
            _ => {
                tracing::error!(error = %e, "database error");
                ApiError::internal()
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::from(DbError::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: self.type_uri(),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
            // Filled in by the request-id middleware, which sees every problem body.
            request_id: None,
            extra: self.extra,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        resp
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;
