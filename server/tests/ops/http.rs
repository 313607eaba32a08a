//! Operations seen over HTTP, in process: request ids (header and problem bodies), the request
//! deadline, and the Prometheus metrics after some traffic.

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
    assert!(
        p["detail"].as_str().unwrap().contains("within 0.5 s"),
        "{p}"
    );
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

/// The value of the series `name{labels}` in an OpenMetrics text, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_actions_by_outcome_and_sync_lag() {
    let app = TestApp::start(Backend::Sqlite).await;
    let metrics = serve(offduty_server::metrics::router(app.state.clone())).await;
    let (dept, coord) = app.department("Metrics").await;
    let officer = app.officer(dept).await;
    let other = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let job_id = job["id"].as_str().unwrap().to_string();

    // Two reads of one route with different ids; one unknown route; one 401.
    for id in [job_id.as_str(), "00000000-0000-7000-8000-000000000000"] {
        app.get(&format!("/v1/jobs/{id}"), &coord).await;
    }
    app.call(reqwest::Method::GET, "/v1/nowhere/at-all", None, None)
        .await;
    app.call(reqwest::Method::GET, "/v1/me", None, None).await;

    // A full sync, then actions: awarded, a replay, a second officer waitlisted, a rejection.
    let (_, full) = app.get("/v1/sync?cursor=0", &officer).await;
    let cursor = full["cursor"].as_u64().unwrap();
    let key = Uuid::now_v7();
    let claim = json!({"type": "claim", "job_id": job_id});
    let batch = json!({"actions": [envelope_with_key(key, claim.clone())]});
    for _ in 0..2 {
        let (status, body) = app.actions(&officer, &batch).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(app.claim(&other, &job_id).await["type"], "waitlisted");
    assert_eq!(
        app.claim(&officer, &job_id).await["code"],
        "already_claimed"
    );
    // A delta sync: how many changes behind was the cursor?
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={cursor}"), &officer)
        .await;
    let lag = delta["cursor"].as_u64().unwrap() - cursor;
    assert!(lag >= 2, "the claims moved the head: {lag}");

    let resp = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        offduty_server::metrics::CONTENT_TYPE
    );
    let text = resp.text().await.unwrap();
    let expect = |series: &str, want: f64| {
        assert_eq!(sample(&text, series), Some(want), "{series} in\n{text}");
    };
    expect(
        r#"offduty_http_requests_total{method="GET",route="/v1/jobs/{id}",status="2xx"}"#,
        1.0,
    );
    expect(
        r#"offduty_http_requests_total{method="GET",route="/v1/jobs/{id}",status="4xx"}"#,
        1.0,
    );
    expect(
        r#"offduty_http_request_duration_seconds_count{method="GET",route="/v1/jobs/{id}",status="2xx"}"#,
        1.0,
    );
    expect(
        r#"offduty_http_requests_total{method="GET",route="unmatched",status="4xx"}"#,
        1.0,
    );
    expect(
        r#"offduty_http_requests_total{method="GET",route="/v1/me",status="4xx"}"#,
        1.0,
    );
    expect(
        r#"offduty_http_requests_total{method="POST",route="/v1/actions",status="2xx"}"#,
        4.0,
    );
    assert!(!text.contains(&job_id), "a raw id leaked into a label");
    assert!(!text.contains("nowhere"), "a raw path leaked into a label");
    expect(
        r#"offduty_actions_decided_total{kind="claim",outcome="awarded",replayed="false"}"#,
        1.0,
    );
    expect(
        r#"offduty_actions_decided_total{kind="claim",outcome="awarded",replayed="true"}"#,
        1.0,
    );
    expect(
        r#"offduty_actions_decided_total{kind="claim",outcome="waitlisted",replayed="false"}"#,
        1.0,
    );
    expect(
        r#"offduty_actions_decided_total{kind="claim",outcome="rejected",replayed="false"}"#,
        1.0,
    );
    expect(
        r#"offduty_actions_rejected_total{kind="claim",code="already_claimed"}"#,
        1.0,
    );
    expect(r#"offduty_sync_pulls_total{kind="full"}"#, 1.0);
    expect(r#"offduty_sync_pulls_total{kind="delta"}"#, 1.0);
    expect("offduty_sync_lag_changes_count", 1.0);
    expect("offduty_sync_lag_changes_sum", lag as f64);
    expect("offduty_db_pool_max_connections", 16.0);
    let open = sample(&text, "offduty_db_pool_connections").unwrap();
    let idle = sample(&text, "offduty_db_pool_idle_connections").unwrap();
    assert!(open >= 1.0 && idle <= open, "pool {open} open, {idle} idle");
    assert!(
        text.trim_end().ends_with("# EOF"),
        "OpenMetrics ends with # EOF"
    );
}
