//! API errors as RFC 9457 problem details (`application/problem+json`) with a stable `type`.
//!
//! Every failure a handler can meet maps to one [`ApiError`]; bad input is always a 4xx naming
//! the field, and storage faults are a 503/500 with no internals leaked to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use offduty_domain::protocol::{Problem, ProblemType};
use offduty_domain::validation::{Invalid, InvalidCode};

use crate::db::DbError;

/// A problem detail response. The body is the domain's [`Problem`], which the phone reads
/// back as data (type, field, code, index) without parsing sentences.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// The kind of problem; its URI is the body's `type`.
    pub kind: ProblemType,
    pub title: &'static str,
    pub detail: String,
    /// The request field at fault (JSON path), when there is one.
    pub field: Option<String>,
    /// Why the field was refused, as a stable code (validation problems).
    pub code: Option<InvalidCode>,
    /// For a batch: the index of the item at fault.
    pub index: Option<u32>,
    /// For a reused idempotency key: whether the items before `index` were applied.
    pub applied_before: Option<bool>,
    /// For rate limits: seconds to wait.
    pub retry_after_s: Option<u64>,
    /// Members particular to one route (RFC 9457 extension members: a roster import's
    /// `errors`, an edit's `awarded`), added to the body beside the problem's own.
    pub extra: Option<Box<serde_json::Value>>,
}

impl ApiError {
    fn new(status: StatusCode, kind: ProblemType, title: &'static str, detail: String) -> Self {
        ApiError {
            status,
            kind,
            title,
            detail,
            field: None,
            code: None,
            index: None,
            applied_before: None,
            retry_after_s: None,
            extra: None,
        }
    }

    /// 422: a field has a value the server cannot accept (`code` says why).
    pub fn invalid_code(
        field: impl Into<String>,
        code: InvalidCode,
        detail: impl Into<String>,
    ) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::Validation,
            "Invalid request",
            detail.into(),
        );
        e.field = Some(field.into());
        e.code = Some(code);
        e
    }

    /// 422: a field has a value the server cannot accept, for a reason without its own code.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::invalid_code(field, InvalidCode::BadFormat, detail)
    }

    /// 422 from a domain validation error, its field placed under `parent` (the JSON path of
    /// the value validated; empty for the body itself).
    pub fn invalid_at(parent: &str, e: Invalid) -> Self {
        let e = e.within(parent);
        Self::invalid_code(e.field, e.code, e.message)
    }

    /// 400: the body or query could not be parsed at all.
    pub fn malformed(field: Option<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            ProblemType::Malformed,
            "Malformed request",
            detail.into(),
        );
        e.field = field;
        e
    }

    /// 401: no valid credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ProblemType::Unauthorized,
            "Not signed in",
            detail.into(),
        )
    }

    /// 403: signed in, but this role or user may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ProblemType::Forbidden,
            "Not allowed",
            detail.into(),
        )
    }

    /// 404: no such thing visible to this user (also used to hide other departments' records).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ProblemType::NotFound,
            "Not found",
            format!("no {what} with that id"),
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ProblemType::Conflict,
            "Conflict",
            detail.into(),
        )
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
            ProblemType::IdempotencyKeyReused,
            "Idempotency key reused",
            format!("idempotency key {key} was already used for a different action; {applied}"),
        );
        e.field = Some(format!("actions[{index}].idempotency_key"));
        e.index = u32::try_from(index).ok();
        e.applied_before = Some(applied_before);
        e
    }

    /// 429: too many attempts.
    pub fn rate_limited(retry_after_s: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemType::RateLimited,
            "Too many requests",
            format!("too many attempts; try again in {retry_after_s} s"),
        );
        e.retry_after_s = Some(retry_after_s);
        e
    }

    /// 503: the database is unreachable or busy; the client should retry.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Unavailable,
            "Temporarily unavailable",
            detail.into(),
        )
    }

    /// 413: the body is larger than the server accepts.
    pub fn too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::PayloadTooLarge,
            "Request body too large",
            format!("send at most {limit_bytes} bytes (split a batch of actions)"),
        )
    }

    /// 503: the request was not answered within the server's deadline
    /// (`--request-timeout-seconds`). What it had not committed is rolled back; an action
    /// retried with the same idempotency key is never applied twice.
    pub fn timed_out(limit: std::time::Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Timeout,
            "Request timed out",
            format!(
                "the server did not answer within {} s; retry (an action retried with the same \
                 idempotency key is never applied twice)",
                limit.as_secs_f64()
            ),
        )
    }

    /// 500: a bug. The detail is generic; the cause goes to the log.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemType::Internal,
            "Internal error",
            "the server failed to handle this request; it has been logged".to_string(),
        )
    }

    /// The `type` URI.
    pub fn type_uri(&self) -> String {
        self.kind.uri()
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: self.type_uri(),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            field: self.field.clone(),
            code: self.code,
            index: self.index,
            applied_before: self.applied_before,
            retry_after_s: self.retry_after_s,
            request_id: None,
        }
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
            // PostgreSQL refuses a NUL (or a byte its encoding lacks) in text: bad input that
            // slipped past a field check, never a server fault.
            DbError::Sqlx(sqlx::Error::Database(d))
                if matches!(d.code().as_deref(), Some("22021" | "22P05")) =>
            {
                tracing::warn!(error = %e, "text the database cannot store");
                ApiError::invalid(
                    "body",
                    "the request holds a character that cannot be stored (a NUL)",
                )
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
        /// The problem with the route's extension members beside it.
        #[derive(serde::Serialize)]
        struct Body {
            #[serde(flatten)]
            problem: Problem,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            extra: Option<serde_json::Value>,
        }
        let body = Body {
            problem: self.problem(),
            extra: self.extra.map(|b| *b),
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
