//! What the screen tests share besides `offduty_testkit::phone`: the demo department's
//! coordinator (posting a job, calling one off) over the real API, a listener that counts,
//! picking jobs the core says an officer may work, and a proxy in front of the server that
//! refuses action batches the way a stricter server would (so the core wedges an action).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_screens::board::{BoardFilters, BoardRow, Eligibility};
use offduty_screens::{Listener, Screens};
use offduty_testkit::phone::{DEMO_PASSWORD, DemoServer, Phone};

/// A listener that counts how often it was told.
#[derive(Default)]
pub struct Count(AtomicUsize);

impl Listener for Count {
    fn changed(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A new listener, shared with the screen.
pub fn counter() -> Arc<Count> {
    Arc::new(Count::default())
}

/// The demo's coordinator, over the real API.
pub struct Coordinator {
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Coordinator {
    pub async fn sign_in(server: &DemoServer) -> Coordinator {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{}/v1/auth/login", server.url))
            .json(&json!({"email": "coordinator@columbus.demo", "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Coordinator {
            url: server.url.clone(),
            token: body["access_token"].as_str().expect("a token").to_string(),
            http,
        }
    }

    async fn post(&self, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let value: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {value}");
        value
    }

    /// Posts a first-come job at Ohio Stadium with `slots` slots; returns its id.
    pub async fn post_job(&self, title: &str, starts_at: DateTime<Utc>, slots: u32) -> String {
        let body = json!({
            "title": title,
            "customer_name": "Ohio State Athletics",
            "site_name": "Ohio Stadium, Gate 10",
            "address": "411 Woody Hayes Dr, Columbus, OH 43210",
            "location": {"lat": 40.0017, "lon": -83.0197},
            "geofence": {"type": "circle", "center": {"lat": 40.0017, "lon": -83.0197}, "radius_m": 300.0},
            "starts_at": starts_at,
            "ends_at": starts_at + Duration::hours(4),
            "slots": slots,
            "job_type": "traffic",
            "award_rule": {"type": "first_come"},
            "notes": "Report to Sgt. Ortiz at Gate 10.",
        });
        self.post("/v1/jobs", Some(body)).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Calls a job off.
    pub async fn call_off(&self, job: &str) {
        self.post(&format!("/v1/jobs/{job}/cancel"), None).await;
    }
}

/// A phone signed in as demo officer `n` (`officer0NN@columbus.demo`), its screens on top.
pub async fn officer(upstream: SocketAddr, n: u32) -> (Phone, Arc<Screens>) {
    let phone = Phone::new(upstream);
    phone.sign_in(&format!("officer{n:03}@columbus.demo")).await;
    let screens = Screens::new(phone.core.clone());
    (phone, screens)
}

/// The board's rows this officer may claim now: first come, a free slot, eligible (the core
/// says so, whatever the time of day), no part in it yet; soonest first.
pub fn claimable(screens: &Arc<Screens>) -> Vec<BoardRow> {
    let board = screens.board();
    board.set_filters(BoardFilters {
        only_eligible: true,
        ..BoardFilters::default()
    });
    board.load_more();
    board
        .state()
        .rows
        .into_iter()
        .filter(|r| {
            r.award == AwardRuleKind::FirstCome
                && !r.full
                && r.standing == StandingKind::None
                && r.eligibility == Eligibility::Eligible
        })
        .collect()
}

/// Claims `n` jobs one after another from the job screen, each one the officer may still claim
/// after the ones before (a claim changes eligibility: overlaps, hour caps, rest); returns
/// their ids, each now held.
pub async fn claim_n(screens: &Arc<Screens>, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    while out.len() < n {
        let next = claimable(screens)
            .into_iter()
            .find(|r| !out.contains(&r.job_id))
            .unwrap_or_else(|| panic!("only {} jobs this officer may claim", out.len()));
        let job = screens.job(&next.job_id);
        job.perform(offduty_screens::actions::JobActionKind::Claim, None)
            .await;
        let s = job.state();
        assert_eq!(
            s.detail.map(|d| d.standing),
            Some(StandingKind::Holding),
            "{:?}",
            s.notice
        );
        out.push(next.job_id);
    }
    out
}

/// Signs in demo officers from `first` on until `wanted` of them may work `job` (the core's
/// eligibility decides: demo officers have on-duty shifts).
pub async fn eligible_for(
    server: &DemoServer,
    job: &str,
    first: u32,
    wanted: usize,
) -> Vec<(Phone, Arc<Screens>)> {
    let mut out = Vec::new();
    for n in first..first + 40 {
        let (phone, screens) = officer(server.addr, n).await;
        let s = screens.job(job).state();
        if s.detail.map(|d| d.eligibility) == Some(Eligibility::Eligible) {
            out.push((phone, screens));
            if out.len() == wanted {
                return out;
            }
        }
    }
    panic!("fewer than {wanted} demo officers may work {job}");
}

/// A whole hour `days` from now (a job far from most on-duty shifts).
pub fn days_ahead(days: i64) -> DateTime<Utc> {
    use chrono::Timelike;
    let t = Utc::now() + Duration::days(days);
    t.with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap()
}

/// What the refusing proxy does with `POST /v1/actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Actions {
    /// Forward it.
    Pass = 0,
    /// 422 with a problem whose `index` names the first action (the core wedges it).
    Refuse = 1,
    /// 503 (the core backs off and tries again later).
    Fail = 2,
}

#[derive(Clone)]
struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    mode: Arc<AtomicU8>,
}

/// An HTTP proxy in front of the server that refuses or fails action batches while told to.
pub struct RefusingProxy {
    pub addr: SocketAddr,
    mode: Arc<AtomicU8>,
}

impl RefusingProxy {
    pub async fn start(upstream: SocketAddr) -> RefusingProxy {
        let mode = Arc::new(AtomicU8::new(Actions::Pass as u8));
        let state = ProxyState {
            upstream: format!("http://{upstream}"),
            http: reqwest::Client::new(),
            mode: mode.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        RefusingProxy { addr, mode }
    }

    pub fn set(&self, mode: Actions) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}

/// The reason the refusing proxy gives (the officer reads it on the wedged action).
pub const REFUSAL: &str = "this server cannot read the action";

async fn forward(State(p): State<ProxyState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.method == Method::POST && parts.uri.path() == "/v1/actions" {
        match p.mode.load(Ordering::SeqCst) {
            1 => {
                let problem = json!({
                    "type": "https://offduty.dev/problems/validation",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": REFUSAL,
                    "field": "actions[0].action",
                    "code": "bad_format",
                    "index": 0,
                });
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    [("content-type", "application/problem+json")],
                    problem.to_string(),
                )
                    .into_response();
            }
            2 => {
                return (StatusCode::SERVICE_UNAVAILABLE, "busy, try later").into_response();
            }
            _ => {}
        }
    }
    let body: Bytes = axum::body::to_bytes(body, 1 << 26).await.unwrap();
    let url = format!(
        "{}{}",
        p.upstream,
        parts
            .uri
            .path_and_query()
            .map(|x| x.as_str())
            .unwrap_or("/")
    );
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap();
    let mut headers = HeaderMap::new();
    for (k, v) in parts.headers.iter() {
        if k != "host" && k != "content-length" && k != "accept-encoding" {
            headers.insert(k.clone(), v.clone());
        }
    }
    let resp = p
        .http
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let bytes = resp.bytes().await.unwrap();
    (status, [("content-type", content_type)], bytes).into_response()
}
