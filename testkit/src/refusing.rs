//! An HTTP proxy in front of a real server that answers chosen routes itself — a problem a
//! stricter (newer) server would send, or a 503 — while told to, and forwards everything else
//! untouched. The core's, the screens' tests use it to wedge an action or to have an edit
//! refused without a server that really refuses it. Runs on the test's tokio runtime.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What the proxy answers on a route it is told to refuse.
#[derive(Debug, Clone)]
pub enum Answer {
    /// `422` with an `application/problem+json` body.
    Problem(Value),
    /// `503` (the core backs off and tries again later).
    Unavailable,
}

/// A validation problem as the server writes one (`field`, `code`; `index` for a batch).
pub fn validation_problem(detail: &str, field: &str, code: &str, index: Option<u32>) -> Answer {
    let mut p = json!({
        "type": "https://offduty.dev/problems/validation",
        "title": "Invalid request",
        "status": 422,
        "detail": detail,
        "field": field,
        "code": code,
    });
    if let Some(i) = index {
        p["index"] = json!(i);
    }
    Answer::Problem(p)
}

type Rules = Arc<Mutex<Vec<(String, String, Answer)>>>;

#[derive(Clone)]
struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    rules: Rules,
}

/// A running proxy; it stops when the test's runtime ends.
pub struct RefusingProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    rules: Rules,
}

impl RefusingProxy {
    /// A proxy on a free loopback port in front of `upstream`, forwarding everything.
    pub async fn start(upstream: SocketAddr) -> RefusingProxy {
        let rules: Rules = Arc::default();
        let state = ProxyState {
            upstream: format!("http://{upstream}"),
            http: reqwest::Client::new(),
            rules: rules.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        RefusingProxy { addr, rules }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// From now on, `method path` (the path without its query) is answered with `answer`.
    pub fn refuse(&self, method: &str, path: &str, answer: Answer) {
        let mut rules = self.rules.lock().unwrap();
        rules.retain(|(m, p, _)| !(m == method && p == path));
        rules.push((method.to_string(), path.to_string(), answer));
    }

    /// From now on, `method path` goes to the server again.
    pub fn pass(&self, method: &str, path: &str) {
        let mut rules = self.rules.lock().unwrap();
        rules.retain(|(m, p, _)| !(m == method && p == path));
    }
}

async fn forward(State(p): State<ProxyState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let answer = p
        .rules
        .lock()
        .unwrap()
        .iter()
        .find(|(m, path, _)| m == parts.method.as_str() && path == parts.uri.path())
        .map(|(_, _, a)| a.clone());
    match answer {
        Some(Answer::Problem(problem)) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                [("content-type", "application/problem+json")],
                problem.to_string(),
            )
                .into_response();
        }
        Some(Answer::Unavailable) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "busy, try later").into_response();
        }
        None => {}
    }
    let Ok(body) = axum::body::to_bytes(body, 1 << 26).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let body: Bytes = body;
    let url = format!(
        "{}{}",
        p.upstream,
        parts
            .uri
            .path_and_query()
            .map(|x| x.as_str())
            .unwrap_or("/")
    );
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let mut headers = HeaderMap::new();
    for (k, v) in parts.headers.iter() {
        if k != "host" && k != "content-length" && k != "accept-encoding" {
            headers.insert(k.clone(), v.clone());
        }
    }
    let Ok(resp) = p
        .http
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await
    else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let bytes = resp.bytes().await.unwrap_or_default();
    (status, [("content-type", content_type)], bytes).into_response()
}
