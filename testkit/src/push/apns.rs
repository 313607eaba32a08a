//! A contract fake of the Apple Push Notification service (provider API, token-based).
//!
//! Only HTTP/2 is answered (as APNs; here h2c with prior knowledge on loopback — the real
//! service is TLS with ALPN `h2`); an HTTP/1.1 request is refused and noted. `POST
//! /3/device/{token}` with `authorization: bearer <JWT>` — ES256, header `kid` = the key id,
//! claims `iss` = the team id and `iat` no older than an hour, signature checked against the
//! test key — `apns-topic` = the app's bundle id, `apns-push-type` (`alert` needs an `aps.alert`),
//! `apns-priority` 5 or 10, a JSON body with an `aps` dictionary, at most 4096 bytes, a
//! hexadecimal device token. Answers 200 with an `apns-id` header; errors are `{"reason": …}`:
//! 400 `BadDeviceToken` / `MissingTopic` / `BadPriority` / `PayloadEmpty`, 403
//! `InvalidProviderToken` / `ExpiredProviderToken`, 410 `Unregistered` (with `timestamp`), 413
//! `PayloadTooLarge`, 429 `TooManyRequests`, 503 `ServiceUnavailable`.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde_json::{Value, json};

use super::{Failures, bind, now_s, serve, split_jwt};

pub const KEY_ID: &str = "ABC123DEFG";
pub const TEAM_ID: &str = "DEF123GHIJ";
pub const TOPIC: &str = "org.offduty.app";

#[derive(Default)]
struct Inner {
    gone: HashSet<String>,
    bad: HashSet<String>,
    failures: Failures,
    sent: Vec<(String, Value, Value)>,
    violations: Vec<String>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeApns {
    addr: SocketAddr,
    key: Arc<SigningKey>,
    inner: Arc<Mutex<Inner>>,
}

fn reason(status: StatusCode, reason: &str) -> Response {
    let mut body = json!({"reason": reason});
    if status == StatusCode::GONE {
        body["timestamp"] = json!(now_s() * 1000);
    }
    (status, Json(body)).into_response()
}

impl FakeApns {
    pub async fn start() -> Result<FakeApns, String> {
        let key = Arc::new(SigningKey::random(&mut rand::rngs::OsRng));
        let (listener, addr) = bind().await?;
        let fake = FakeApns {
            addr,
            key,
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let app = Router::new().fallback(handle).with_state(fake.clone());
        serve(listener, app);
        Ok(fake)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `.p8` key (PKCS#8 PEM) a server is configured with.
    pub fn key_pem(&self) -> Result<String, String> {
        use p256::pkcs8::EncodePrivateKey;
        self.key
            .to_pkcs8_pem(Default::default())
            .map(|p| p.to_string())
            .map_err(|e| e.to_string())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on, `token` is unregistered (410).
    pub fn mark_gone(&self, token: &str) {
        self.lock().gone.insert(token.to_string());
    }

    /// From now on, `token` is refused as `BadDeviceToken` (400).
    pub fn mark_bad(&self, token: &str) {
        self.lock().bad.insert(token.to_string());
    }

    /// The next `times` requests answer `status` (429 or 503).
    pub fn fail_next(&self, status: u16, times: usize) {
        self.lock().failures.push(status, times);
    }

    /// Accepted notifications: (device token, headers as JSON, body).
    pub fn sent(&self) -> Vec<(String, Value, Value)> {
        self.lock().sent.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn check_jwt(&self, jwt: &str) -> Result<(), (StatusCode, &'static str, String)> {
        let bad = |why: String| (StatusCode::FORBIDDEN, "InvalidProviderToken", why);
        let (header, claims, input, sig) = split_jwt(jwt).map_err(bad)?;
        if header["alg"] != "ES256" || header["kid"] != KEY_ID {
            return Err(bad(format!("header {header}")));
        }
        if claims["iss"] != TEAM_ID {
            return Err(bad("iss is not the team id".into()));
        }
        let sig = Signature::from_slice(&sig).map_err(|e| bad(e.to_string()))?;
        VerifyingKey::from(&*self.key)
            .verify(input.as_bytes(), &sig)
            .map_err(|_| bad("bad signature".into()))?;
        let iat = claims["iat"].as_i64().unwrap_or(0);
        if now_s() - iat > 3600 {
            return Err((
                StatusCode::FORBIDDEN,
                "ExpiredProviderToken",
                "older than an hour".into(),
            ));
        }
        Ok(())
    }
}

async fn handle(State(fake): State<FakeApns>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.version != Version::HTTP_2 {
        fake.lock()
            .violations
            .push(format!("{:?} instead of HTTP/2", parts.version));
        return StatusCode::HTTP_VERSION_NOT_SUPPORTED.into_response();
    }
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let refuse = |status: StatusCode, r: &'static str, why: String| {
        fake.lock().violations.push(format!("{r}: {why}"));
        reason(status, r)
    };
    let Some(token) = parts
        .uri
        .path()
        .strip_prefix("/3/device/")
        .map(str::to_string)
    else {
        return refuse(StatusCode::NOT_FOUND, "BadPath", parts.uri.path().into());
    };
    if parts.method != "POST" {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "".into(),
        );
    }
    let h = |n: &str| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let Some(jwt) = h("authorization").and_then(|a| a.strip_prefix("bearer ").map(str::to_string))
    else {
        return refuse(StatusCode::FORBIDDEN, "MissingProviderToken", "".into());
    };
    if let Err((s, r, why)) = fake.check_jwt(&jwt) {
        return refuse(s, r, why);
    }
    if h("apns-topic").as_deref() != Some(TOPIC) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "MissingTopic",
            format!("{:?}", h("apns-topic")),
        );
    }
    let priority = h("apns-priority");
    if !matches!(priority.as_deref(), None | Some("5" | "10" | "1")) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BadPriority",
            format!("{priority:?}"),
        );
    }
    let push_type = h("apns-push-type");
    if !matches!(push_type.as_deref(), Some("alert" | "background")) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidPushType",
            format!("{push_type:?}"),
        );
    }
    if bytes.len() > 4096 {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge", "".into());
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !body["aps"].is_object() {
        return refuse(StatusCode::BAD_REQUEST, "PayloadEmpty", "no aps".into());
    }
    if push_type.as_deref() == Some("alert") && body["aps"]["alert"].is_null() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "PayloadEmpty",
            "alert without aps.alert".into(),
        );
    }
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return refuse(StatusCode::BAD_REQUEST, "BadDeviceToken", token);
    }
    let mut g = fake.lock();
    if let Some(status) = g.failures.next() {
        let (s, r) = match status {
            429 => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests"),
            _ => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
        };
        return reason(s, r);
    }
    if g.bad.contains(&token) {
        return reason(StatusCode::BAD_REQUEST, "BadDeviceToken");
    }
    if g.gone.contains(&token) {
        return reason(StatusCode::GONE, "Unregistered");
    }
    let headers = json!({
        "apns-topic": h("apns-topic"),
        "apns-push-type": push_type,
        "apns-priority": priority,
        "apns-collapse-id": h("apns-collapse-id"),
    });
    g.sent.push((token, headers, body));
    let id = uuid::Uuid::new_v4().to_string().to_uppercase();
    ([("apns-id", id)], StatusCode::OK).into_response()
}
