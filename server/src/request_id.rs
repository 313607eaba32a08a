//! Request ids: every request gets one — the caller's `x-request-id` when it is sane, else a
//! fresh UUIDv7 — echoed in the response header, carried by the request's tracing span (so
//! every log line of the request names it) and added to every problem body as `request_id`.
//! The client's address for that span comes from here too ([`client_addr`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The header a request id travels in, both ways.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id accepted from a caller.
pub const MAX_LEN: usize = 128;

/// Problem bodies are small; a larger one is passed on untouched.
const MAX_PROBLEM_BYTES: usize = 64 * 1024;

/// The request's id, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a caller's id can be used as given: 1 to [`MAX_LEN`] characters of ASCII letters,
/// digits and `- _ . : / + = @` (UUIDs, nginx's `$request_id`, trace ids, base64). Anything
/// else — spaces, quotes, control characters, non-ASCII — is replaced, so an id can never
/// forge a log line or a header.
pub fn is_acceptable(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// The caller's id when acceptable, else a new UUIDv7.
pub fn choose(headers: &HeaderMap) -> String {
    headers
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_acceptable(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string)
}

/// Which peers may tell the client's address in `X-Forwarded-For` (the reverse proxy).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpAddr]>);

/// The client's address: the peer's, or — when the peer is a trusted proxy — the last address
/// of `X-Forwarded-For`, the one that proxy itself saw (`$proxy_add_x_forwarded_for` appends
/// it). Entries before it were written by the client and are never believed. `None` when the
/// server was not given connection info (in-process tests).
pub fn client_addr(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty());
    match forwarded {
        Some(v) => v.parse().ok().or(Some(peer)),
        None => Some(peer),
    }
}

/// The middleware: picks the id, puts it in the request (header and extension) for the layers
/// and handlers inside, then stamps the response.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let id = choose(req.headers());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    req.headers_mut().insert(HEADER, value.clone());
    let id: Arc<str> = id.into();
    req.extensions_mut().insert(RequestId(id.clone()));
    let resp = next.run(req).await;
    let mut resp = with_id_in_problem(resp, &id).await;
    resp.headers_mut().insert(HEADER, value);
    resp
}

/// Adds `request_id` to an `application/problem+json` body (keeping every other member).
async fn with_id_in_problem(resp: Response, id: &str) -> Response {
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if !is_problem || resp.headers().contains_key(header::CONTENT_ENCODING) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PROBLEM_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "could not read a problem body to add the request id");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let new_body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.entry("request_id")
                .or_insert_with(|| serde_json::Value::String(id.to_string()));
            serde_json::to_vec(&m)
                .map(axum::body::Bytes::from)
                .unwrap_or(bytes)
        }
        _ => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(new_body))
}

/// The tracing span of one request: its id, method, route template (or path when no route
/// matched) and client address. It is an ERROR-level span so that it is enabled whenever any
/// log line is (with `OFFDUTY_LOG=warn` an INFO span would be filtered out and the warnings of
/// the request would lose their id).
pub fn span<B>(req: &axum::http::Request<B>, trusted: &TrustedProxies) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map_or("-", RequestId::as_str);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path(), MatchedPath::as_str);
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = client_addr(peer, req.headers(), &trusted.0)
        .map_or_else(|| "-".to_string(), |ip| ip.to_string());
    tracing::error_span!(
        "request",
        id = %id,
        method = %req.method(),
        route = %route,
        client = %client,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_replaced() {
        for ok in [
            "abc",
            "0191f0e4-6c1b-7cc1-9a47-2b1f3f0e8a11",
            "4b7c2f0d9e8a1b3c5d7e9f0a1b2c3d4e",
            "Root=1-67891233-abcdef012345678912345678",
            &"a".repeat(MAX_LEN),
        ] {
            assert!(is_acceptable(ok), "{ok}");
        }
        for bad in [
            "",
            "has space",
            "quote\"",
            "new\nline",
            "semi;colon",
            "é",
            &"a".repeat(MAX_LEN + 1),
        ] {
            assert!(!is_acceptable(bad), "{bad:?}");
        }
        let mut h = HeaderMap::new();
        h.insert(HEADER, HeaderValue::from_static("from-the-proxy-42"));
        assert_eq!(choose(&h), "from-the-proxy-42");
        h.insert(HEADER, HeaderValue::from_static("two words"));
        let replaced = choose(&h);
        assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "{replaced}");
        assert!(uuid::Uuid::parse_str(&choose(&HeaderMap::new())).is_ok());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy_and_only_its_last_hop() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "203.0.113.50".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 192.0.2.1"),
        );
        // A client talking to us directly cannot name another address.
        assert_eq!(client_addr(Some(stranger), &h, &[proxy]), Some(stranger));
        // Through the proxy: the address the proxy appended, not what the client wrote.
        assert_eq!(
            client_addr(Some(proxy), &h, &[proxy]),
            Some("192.0.2.1".parse().unwrap())
        );
        // A proxy that sent no (or a garbled) header: the proxy's own address.
        assert_eq!(
            client_addr(Some(proxy), &HeaderMap::new(), &[proxy]),
            Some(proxy)
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("not-an-ip"));
        assert_eq!(client_addr(Some(proxy), &h, &[proxy]), Some(proxy));
        assert_eq!(client_addr(None, &h, &[proxy]), None);
    }
}
