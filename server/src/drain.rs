//! Requests answered before their body was read (a 401 on `POST /v1/actions`, a 413, a 404 with
//! a body) must leave the connection usable (decision 015). Left alone, hyper drops the unread
//! body, cannot read the rest cheaply, and closes the connection: the client, still sending,
//! meets a reset and often never sees the answer, and a pooled connection it reuses fails.
//! So the rest of the body is read and discarded — at most [`DRAIN_LIMIT`] bytes within
//! [`DRAIN_TIME`] — before the answer goes out; past either bound the answer says
//! `Connection: close`, and the client knows not to reuse the connection.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as _, Frame, SizeHint};

/// Most bytes read and discarded after an answer (four times the largest accepted body).
pub const DRAIN_LIMIT: u64 = 4 * crate::extract::MAX_BODY_BYTES as u64;

/// Longest time spent discarding a body (a phone on a poor network sends 1 MiB in a few seconds).
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The request body, shared between the handler (which may read it, or drop it unread) and this
/// middleware (which reads what is left once the handler has answered).
struct SharedBody(Arc<Mutex<Body>>);

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Pin::new(&mut *body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .size_hint()
    }
}

/// How discarding the rest of a body ended.
#[derive(Debug, PartialEq, Eq)]
enum Drained {
    /// Read to its end: the connection can serve the next request.
    Done(u64),
    /// Longer than [`DRAIN_LIMIT`], too slow, or broken: the connection must close.
    GaveUp(&'static str),
}

async fn discard(mut body: Body) -> Drained {
    if body.size_hint().exact().is_some_and(|n| n > DRAIN_LIMIT) {
        return Drained::GaveUp("declared length over the drain limit");
    }
    let read = async {
        let mut total = 0u64;
        loop {
            match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
                None => return Drained::Done(total),
                Some(Ok(frame)) => {
                    total += frame.data_ref().map_or(0, |d| d.len() as u64);
                    if total > DRAIN_LIMIT {
                        return Drained::GaveUp("body over the drain limit");
                    }
                }
                Some(Err(_)) => return Drained::GaveUp("body broken off"),
            }
        }
    };
    tokio::time::timeout(DRAIN_TIME, read)
        .await
        .unwrap_or(Drained::GaveUp("body too slow"))
}

/// Middleware: lends the handler a shared body; when the answer is ready and the body was not
/// read to its end, discards the rest first (or marks the answer `Connection: close`).
pub async fn middleware(req: Request, next: Next) -> Response {
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    // Nothing to drain; and a client waiting for `100 Continue` has not sent its body: hyper
    // answers it without asking for the body (the client then sends none).
    if req.body().is_end_stream() || expects_continue {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let shared = Arc::new(Mutex::new(body));
    let req = Request::from_parts(parts, Body::new(SharedBody(shared.clone())));
    let mut resp = next.run(req).await;
    // The handler is done with the request; a body still shared was handed on elsewhere (a
    // spawned task): leave it be.
    let Ok(body) = Arc::try_unwrap(shared) else {
        return resp;
    };
    let body = body.into_inner().unwrap_or_else(PoisonError::into_inner);
    if body.is_end_stream() {
        return resp;
    }
    match discard(body).await {
        Drained::Done(n) => {
            if n > 0 {
                tracing::debug!(
                    bytes = n,
                    status = resp.status().as_u16(),
                    "discarded an unread request body"
                );
            }
        }
        Drained::GaveUp(why) => {
            tracing::info!(
                why,
                status = resp.status().as_u16(),
                "unread request body; closing the connection"
            );
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
    }
    resp
}
