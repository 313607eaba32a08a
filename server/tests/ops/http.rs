//! Operations seen over HTTP, in process: request ids (header and problem bodies) and the
//! request deadline.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Backend, TestApp, envelope_with_key};
use offduty_server::app::{AppState, Limits, router};
use offduty_server::db::{Db, migrate};

/// Serves `app` on a fresh loopback port for the rest of the test.
async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn get(url: &str, request_id: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some(id) = request_id {
        req = req.header("x-request-id", id);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_response_carries_a_request_id_kept_from_the_caller_when_sane() {
    let app = TestApp::start(Backend::Sqlite).await;
    let health = format!("{}/v1/health", app.url);

    let r = get(&health, None).await;
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert!(
        Uuid::parse_str(id).is_ok(),
        "a generated id is a UUID: {id}"
    );
    let again = get(&health, None).await;
    assert_ne!(
        again.headers()["x-request-id"],
        id,
        "each request its own id"
    );

    let r = get(&health, Some("nginx-4b7c2f0d9e8a1b3c")).await;
    assert_eq!(r.headers()["x-request-id"], "nginx-4b7c2f0d9e8a1b3c");

    for insane in ["two words", "quote\"d", &"x".repeat(129)] {
        let r = get(&health, Some(insane)).await;
        let id = r.headers()["x-request-id"].to_str().unwrap();
        assert!(Uuid::parse_str(id).is_ok(), "{insane:?} replaced, got {id}");
    }
}

#[tokio::test]
async fn problem_bodies_carry_the_request_id_and_keep_their_members() {
    let app = TestApp::start(Backend::Sqlite).await;
    let (_, coord) = app.department("Ids").await;
    let http = reqwest::Client::new();

    // 401: no token.
    let r = http
        .get(format!("{}/v1/me", app.url))
        .header("x-request-id", "req-401")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "still a problem after the rewrite"
    );
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["request_id"], "req-401");
    assert_eq!(p["type"], "https://offduty.dev/problems/unauthorized");
    assert_eq!(p["status"], 401);
    assert!(p["title"].is_string() && p["detail"].is_string(), "{p}");

    // 422 naming the field: every member kept, plus the id.
    let r = http
        .post(format!("{}/v1/jobs", app.url))
        .bearer_auth(&coord.token)
        .header("x-request-id", "req-422")
        .json(&json!({"title": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["request_id"], "req-422");
    assert_eq!(p["type"], "https://offduty.dev/problems/validation");
    assert_eq!(p["field"], "title", "{p}");

    // 404 from the fallback, and 405: the id the server made is the header's.
    for (method, path, status) in [
        (reqwest::Method::GET, "/v1/nowhere", 404),
        (reqwest::Method::DELETE, "/v1/health", 405),
    ] {
        let r = http
            .request(method, format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status);
        let header = r.headers()["x-request-id"].to_str().unwrap().to_string();
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["request_id"], header.as_str(), "{p}");
        assert_eq!(p["status"], status);
    }

    // A large problem-free JSON answer is untouched (no request_id member).
    let (status, job) = app.get("/v1/jobs", &coord).await;
    assert_eq!(status, StatusCode::OK);
    assert!(job.is_array(), "{job}");
}

/// A request not answered within the deadline gets a 503 `timeout` problem, promptly, and
/// what it was doing is rolled back: the same action sent again is decided fresh.
#[tokio::test]
async fn a_request_over_the_deadline_is_a_503_timeout_problem_and_is_rolled_back() {
    let url = crate::common::fresh_database(Backend::Sqlite).await;
    let file = url.strip_prefix("sqlite://").unwrap().to_string();
    let db = Db::connect(&url, 4).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    let limits = Limits {
        request_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let state = AppState::with_limits(db.clone(), limits).await.unwrap();
    let addr = serve(router(state.clone())).await;
    // Fixtures through the shared harness, on the same database.
    let app = TestApp::start_on(Backend::Sqlite, &url).await;
    let (dept, coord) = app.department("Deadline").await;
    let officer = app.officer(dept).await;
    let job = app.job(&coord, |_| {}).await;
    let key = Uuid::now_v7();
    let batch =
        json!({"actions": [envelope_with_key(key, json!({"type": "claim", "job_id": job["id"]}))]});

    // Hold SQLite's write lock so the claim cannot be decided in time.
    let lock = rusqlite::Connection::open(&file).unwrap();
    lock.busy_timeout(Duration::from_secs(30)).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/v1/actions"))
        .bearer_auth(&officer.token)
        .header("x-request-id", "slow-one")
        .json(&batch)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    lock.execute_batch("ROLLBACK").unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["type"], "https://offduty.dev/problems/timeout", "{p}");
    assert_eq!(p["request_id"], "slow-one");
    assert_eq!(p["timeout_s"], 0.5);
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(5),
        "answered after {took:?} with a 0.5 s deadline"
    );
    eprintln!("measured: 0.5 s deadline answered after {took:?}");

    // Nothing was applied: the retry is decided now (not replayed) and wins the slot.
    let (status, body) = app.actions(&officer, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcomes"][0]["replayed"], false, "{body}");
    assert_eq!(body["outcomes"][0]["outcome"]["type"], "awarded", "{body}");
}
