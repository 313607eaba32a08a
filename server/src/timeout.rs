//! The request deadline (`--request-timeout-seconds`): a request not answered in time gets a
//! 503 problem of type `timeout` instead of holding the client (and a connection) forever.
//! The handler's future is dropped there: an open transaction rolls back; an action already
//! committed stays committed and a retry with its idempotency key returns its stored outcome.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The default deadline.
pub const DEFAULT: Duration = Duration::from_secs(30);

/// Middleware: answers with [`ApiError::timed_out`] when the inner service takes longer than
/// the limit to produce a response head.
pub async fn middleware(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "request timed out");
            ApiError::timed_out(limit).into_response()
        }
    }
}
