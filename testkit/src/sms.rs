//! A contract fake of an SMS provider with Twilio's Messages API (decision 041): `POST
//! /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth with the account SID and
//! auth token, a form-encoded body with `To`, `From` (or `MessagingServiceSid`) and `Body`, no
//! parameter outside the API's list. Answers 201 with a message resource (`sid` `SM…`, `status`
//! `queued`, …); errors are Twilio's `{code, message, more_info, status}`: 401 / 20003 bad
//! credentials, 400 / 21211 invalid `To`, 400 / 21610 the recipient replied STOP, 400 / 21602
//! no body, 429 / 20429 too many requests, 503.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use crate::push::{bind, serve};

pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
pub const AUTH_TOKEN: &str = "test-auth-token-not-a-secret";
pub const FROM: &str = "+15005550006";

const PARAMS: &[&str] = &[
    "To",
    "From",
    "MessagingServiceSid",
    "Body",
    "MediaUrl",
    "ContentSid",
    "ContentVariables",
    "StatusCallback",
    "ApplicationSid",
    "MaxPrice",
    "ProvideFeedback",
    "Attempt",
    "ValidityPeriod",
    "ForceDelivery",
    "ContentRetention",
    "AddressRetention",
    "SmartEncoded",
    "PersistentAction",
    "ShortenUrls",
    "ScheduleType",
    "SendAt",
    "SendAsMms",
    "RiskCheck",
];

#[derive(Default)]
struct Inner {
    stopped: HashSet<String>,
    failures: std::collections::VecDeque<u16>,
    sent: Vec<Value>,
    violations: Vec<String>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeSms {
    addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({
        "code": code, "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

impl FakeSms {
    pub async fn start() -> Result<FakeSms, String> {
        let (listener, addr) = bind().await?;
        let fake = FakeSms {
            addr,
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let app = Router::new().fallback(handle).with_state(fake.clone());
        serve(listener, app);
        Ok(fake)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `number` replied STOP: messages to it are refused (21610).
    pub fn stop(&self, number: &str) {
        self.lock().stopped.insert(number.to_string());
    }

    pub fn fail_next(&self, status: u16, times: usize) {
        self.lock()
            .failures
            .extend(std::iter::repeat_n(status, times));
    }

    /// Accepted messages as their form fields.
    pub fn sent(&self) -> Vec<Value> {
        self.lock().sent.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

async fn handle(State(fake): State<FakeSms>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let refuse = |status: StatusCode, code: i64, msg: String| {
        fake.lock().violations.push(format!("{code}: {msg}"));
        error(status, code, &msg)
    };
    if parts.method != "POST"
        || parts.uri.path() != format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    {
        return refuse(StatusCode::NOT_FOUND, 20404, parts.uri.path().to_string());
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"))
    );
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if auth != Some(expected.as_str()) {
        return refuse(StatusCode::UNAUTHORIZED, 20003, "Authenticate".into());
    }
    let ctype = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    if ctype != Some("application/x-www-form-urlencoded") {
        return refuse(
            StatusCode::BAD_REQUEST,
            20001,
            format!("content-type {ctype:?}"),
        );
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !PARAMS.contains(&k.as_str())) {
        return refuse(
            StatusCode::BAD_REQUEST,
            20001,
            format!("unknown parameter {k}"),
        );
    }
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let to = get("To").unwrap_or_default();
    let e164 = to.len() >= 8
        && to.len() <= 16
        && to.starts_with('+')
        && to[1..].chars().all(|c| c.is_ascii_digit());
    if !e164 {
        return refuse(
            StatusCode::BAD_REQUEST,
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    if get("From").is_none() && get("MessagingServiceSid").is_none() {
        return refuse(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.".into(),
        );
    }
    let Some(text) = get("Body").filter(|b| !b.is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            21602,
            "Message body is required.".into(),
        );
    };
    if text.chars().count() > 1600 {
        return refuse(
            StatusCode::BAD_REQUEST,
            21617,
            "The concatenated message body exceeds the 1600 character limit.".into(),
        );
    }
    let mut g = fake.lock();
    if let Some(status) = g.failures.pop_front() {
        let s = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return error(
            s,
            if status == 429 { 20429 } else { 20500 },
            "Too Many Requests",
        );
    }
    if g.stopped.contains(&to) {
        return error(
            StatusCode::BAD_REQUEST,
            21610,
            "Attempt to send to unsubscribed recipient",
        );
    }
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    let msg = json!({
        "sid": sid, "account_sid": ACCOUNT_SID, "to": to, "from": get("From"), "body": text,
        "status": "queued", "num_segments": "1", "direction": "outbound-api",
        "api_version": "2010-04-01", "error_code": null, "error_message": null,
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"),
    });
    g.sent.push(msg.clone());
    (StatusCode::CREATED, Json(msg)).into_response()
}
