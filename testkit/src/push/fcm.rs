//! A contract fake of FCM HTTP v1 and Google's OAuth2 token endpoint.
//!
//! Token endpoint (`POST /token`, RFC 7523 JWT bearer grant as Google documents it for service
//! accounts): form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and `assertion`, an
//! RS256 JWT signed by the service account's key (checked against the test key's public half)
//! with `iss` = the account's e-mail, `scope` including `…/auth/firebase.messaging`, `aud` = the
//! token URI, `iat`/`exp` at most an hour apart and not expired. Answers `{access_token,
//! expires_in, token_type}` or `{error: "invalid_grant", error_description}`.
//!
//! Send (`POST /v1/projects/{project}/messages:send`): bearer access token from above; body
//! `{validate_only?, message}` where `message` has exactly one of `token`/`topic`/`condition`
//! and only the fields of the `Message` resource; `data` values are strings; `android.priority`
//! is `NORMAL` or `HIGH`. Answers 200 `{name: "projects/…/messages/…"}`; errors are
//! `google.rpc.Status` with an `FcmError` detail: 404 `UNREGISTERED` for a token marked gone,
//! 400 `INVALID_ARGUMENT`, 401 `UNAUTHENTICATED`, 429 `QUOTA_EXCEEDED`, 503 `UNAVAILABLE`.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use super::{Failures, bind, now_s, serve, split_jwt};

/// The service account the fake knows.
pub const CLIENT_EMAIL: &str = "offduty-push@offduty-test.iam.gserviceaccount.com";
pub const PROJECT: &str = "offduty-test";

const MESSAGE_FIELDS: &[&str] = &[
    "name",
    "data",
    "notification",
    "android",
    "webpush",
    "apns",
    "fcm_options",
    "token",
    "topic",
    "condition",
];
const ANDROID_FIELDS: &[&str] = &[
    "collapse_key",
    "priority",
    "ttl",
    "restricted_package_name",
    "data",
    "notification",
    "fcm_options",
    "direct_boot_ok",
];
const NOTIFICATION_FIELDS: &[&str] = &["title", "body", "image"];

#[derive(Default)]
struct Inner {
    access_tokens: HashSet<String>,
    gone: HashSet<String>,
    failures: Failures,
    sent: Vec<Value>,
    token_grants: usize,
    violations: Vec<String>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeFcm {
    addr: SocketAddr,
    public_key: Arc<Vec<u8>>,
    private_pem: String,
    inner: Arc<Mutex<Inner>>,
}

fn rpc_error(status: StatusCode, rpc: &str, fcm_code: Option<&str>, msg: &str) -> Response {
    let mut details = vec![];
    if let Some(c) = fcm_code {
        details.push(json!({
            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
            "errorCode": c,
        }));
    }
    let body = json!({"error": {
        "code": status.as_u16(), "message": msg, "status": rpc, "details": details,
    }});
    (status, Json(body)).into_response()
}

impl FakeFcm {
    /// Starts the fake with a fresh RSA-2048 service-account key.
    pub async fn start() -> Result<FakeFcm, String> {
        let kp = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| "RSA key generation failed".to_string())?;
        let der = kp
            .as_der()
            .map_err(|_| "PKCS#8 encoding failed".to_string())?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        let public_key = Arc::new(kp.public_key().as_ref().to_vec());
        let inner = Arc::new(Mutex::new(Inner::default()));
        let (listener, addr) = bind().await?;
        let fake = FakeFcm {
            addr,
            public_key,
            private_pem: pem,
            inner,
        };
        let app = Router::new().fallback(handle).with_state(fake.clone());
        serve(listener, app);
        Ok(fake)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The service account JSON a server is configured with (as Google's console downloads it).
    pub fn service_account_json(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123456789abcdef",
            "private_key": self.private_pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "token_uri": format!("{}/token", self.url()),
        })
        .to_string()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on, `token` is unregistered (the app was uninstalled).
    pub fn mark_gone(&self, token: &str) {
        self.lock().gone.insert(token.to_string());
    }

    /// The next `times` sends answer `status` (429 or 503).
    pub fn fail_next(&self, status: u16, times: usize) {
        self.lock().failures.push(status, times);
    }

    /// The messages accepted, in order.
    pub fn sent(&self) -> Vec<Value> {
        self.lock().sent.clone()
    }

    /// Access tokens granted.
    pub fn token_grants(&self) -> usize {
        self.lock().token_grants
    }

    /// Requests refused for breaking the contract.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn violation(&self, v: String) {
        self.lock().violations.push(v);
    }

    fn grant(&self, form: &str) -> Result<Value, String> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("grant_type").as_deref() != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
            return Err("grant_type must be the JWT bearer grant".into());
        }
        let jwt = get("assertion").ok_or("assertion is required")?;
        let (header, claims, input, sig) = split_jwt(&jwt)?;
        if header["alg"] != "RS256" {
            return Err(format!("alg must be RS256, not {}", header["alg"]));
        }
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            self.public_key.as_slice(),
        )
        .verify(input.as_bytes(), &sig)
        .map_err(|_| "invalid JWT signature".to_string())?;
        if claims["iss"] != CLIENT_EMAIL {
            return Err("iss is not the service account".into());
        }
        if claims["aud"] != format!("{}/token", self.url()) {
            return Err("aud is not the token URI".into());
        }
        let scope = claims["scope"].as_str().unwrap_or("");
        if !scope
            .split(' ')
            .any(|s| s == "https://www.googleapis.com/auth/firebase.messaging")
        {
            return Err("scope lacks firebase.messaging".into());
        }
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap_or(0),
            claims["exp"].as_i64().unwrap_or(0),
        );
        if exp <= now_s() || exp - iat > 3600 || iat > now_s() + 60 {
            return Err("iat/exp invalid (at most one hour, not expired)".into());
        }
        let token = format!("ya29.fake-{}", uuid::Uuid::new_v4().simple());
        let mut g = self.lock();
        g.access_tokens.insert(token.clone());
        g.token_grants += 1;
        Ok(json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}))
    }

    fn check_message(body: &Value) -> Result<String, String> {
        let obj = body.as_object().ok_or("the body is a JSON object")?;
        for k in obj.keys() {
            if k != "message" && k != "validate_only" {
                return Err(format!("Unknown name \"{k}\": Cannot find field."));
            }
        }
        let m = body["message"].as_object().ok_or("message is required")?;
        for k in m.keys() {
            if !MESSAGE_FIELDS.contains(&k.as_str()) {
                return Err(format!(
                    "Unknown name \"{k}\" at 'message': Cannot find field."
                ));
            }
        }
        let targets = ["token", "topic", "condition"]
            .iter()
            .filter(|t| m.contains_key(**t))
            .count();
        if targets != 1 {
            return Err("exactly one of token, topic, condition".into());
        }
        if let Some(d) = m.get("data") {
            let d = d.as_object().ok_or("data is a map")?;
            if d.values().any(|v| !v.is_string()) {
                return Err("data values must be strings".into());
            }
        }
        if let Some(n) = m.get("notification") {
            let n = n.as_object().ok_or("notification is an object")?;
            if let Some(k) = n
                .keys()
                .find(|k| !NOTIFICATION_FIELDS.contains(&k.as_str()))
            {
                return Err(format!("Unknown name \"{k}\" at 'message.notification'"));
            }
        }
        if let Some(a) = m.get("android") {
            let a = a.as_object().ok_or("android is an object")?;
            if let Some(k) = a.keys().find(|k| !ANDROID_FIELDS.contains(&k.as_str())) {
                return Err(format!("Unknown name \"{k}\" at 'message.android'"));
            }
            if let Some(p) = a.get("priority")
                && !matches!(p.as_str(), Some("NORMAL" | "HIGH"))
            {
                return Err(format!("Invalid value at 'message.android.priority' ({p})"));
            }
        }
        Ok(m.get("token")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string())
    }
}

async fn handle(State(fake): State<FakeFcm>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    if parts.method == "POST" && path == "/token" {
        return match fake.grant(&String::from_utf8_lossy(&bytes)) {
            Ok(v) => Json(v).into_response(),
            Err(e) => {
                fake.violation(format!("token: {e}"));
                let body = json!({"error": "invalid_grant", "error_description": e});
                (StatusCode::BAD_REQUEST, Json(body)).into_response()
            }
        };
    }
    if parts.method != "POST" || path != format!("/v1/projects/{PROJECT}/messages:send") {
        return rpc_error(StatusCode::NOT_FOUND, "NOT_FOUND", None, "no such method");
    }
    let bearer = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !fake.lock().access_tokens.contains(bearer) {
        fake.violation("send: no valid access token".into());
        return rpc_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            Some("THIRD_PARTY_AUTH_ERROR"),
            "Request had invalid authentication credentials.",
        );
    }
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            fake.violation(format!("send: not JSON: {e}"));
            return rpc_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                None,
                "bad JSON",
            );
        }
    };
    let token = match FakeFcm::check_message(&body) {
        Ok(t) => t,
        Err(e) => {
            fake.violation(format!("send: {e}"));
            return rpc_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                Some("INVALID_ARGUMENT"),
                &e,
            );
        }
    };
    let mut g = fake.lock();
    if let Some(status) = g.failures.next() {
        let (rpc, code) = match status {
            429 => ("RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
            500 => ("INTERNAL", "INTERNAL"),
            _ => ("UNAVAILABLE", "UNAVAILABLE"),
        };
        let s = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return rpc_error(s, rpc, Some(code), "try again later");
    }
    if g.gone.contains(&token) {
        return rpc_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            Some("UNREGISTERED"),
            "Requested entity was not found.",
        );
    }
    g.sent.push(body["message"].clone());
    let name = format!(
        "projects/{PROJECT}/messages/0:{}",
        uuid::Uuid::new_v4().simple()
    );
    Json(json!({"name": name})).into_response()
}
