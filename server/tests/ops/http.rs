//! Operations seen over HTTP, in process: request ids, in the header and in problem bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Backend, TestApp};

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
