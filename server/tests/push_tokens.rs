//! Push tokens per device (`PUT`/`DELETE /v1/devices/{id}/push-token`), on SQLite and
//! PostgreSQL: the owner sets and replaces it; a bad token names its field; a token moves to
//! the newest device that registers it (the phone changed hands); another officer's device is
//! 404; a revoked device is refused with 409 and its token is forgotten; clearing is idempotent.
//! (Who may call what is also in `authz_matrix.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use common::{Actor, Backend, TestApp, TestDevice};

fn path(device: &TestDevice) -> String {
    format!("/v1/devices/{}/push-token", device.id)
}

async fn put(app: &TestApp, who: &Actor, device: &TestDevice, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, &path(device), Some(who), Some(&body))
        .await
}

/// Every kept token as (device id, platform, token), sorted.
async fn kept(app: &TestApp) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> =
        sqlx::query("SELECT device_id, platform, token FROM device_push_tokens")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
    rows.sort();
    rows
}

async fn push_tokens_are_kept_per_device_for_their_owner(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _coord) = app.department("Columbus").await;
    let (alice, bob) = (app.officer(dept).await, app.officer(dept).await);
    let phone = TestDevice::register(&app, &alice).await;
    let tablet = TestDevice::register(&app, &alice).await;
    let bobs = TestDevice::register(&app, &bob).await;

    // Set, then replaced by a new token from the same app.
    let (s, body) = put(
        &app,
        &alice,
        &phone,
        json!({"platform": "fcm", "token": "fcm-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["device_id"].as_str(),
            body["platform"].as_str(),
            body["token"].as_str()
        ),
        (
            Some(phone.id.to_string().as_str()),
            Some("fcm"),
            Some("fcm-1")
        )
    );
    let (s, _) = put(
        &app,
        &alice,
        &phone,
        json!({"platform": "fcm", "token": "fcm-2"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        kept(&app).await,
        [(phone.id.to_string(), "fcm".into(), "fcm-2".into())]
    );

    // Bad tokens name the field; an unknown platform is refused before anything is kept.
    for bad in [
        json!({"platform": "fcm", "token": "  "}),
        json!({"platform": "fcm", "token": "has space"}),
        json!({"platform": "apns", "token": "not-hex"}),
    ] {
        let (s, p) = put(&app, &alice, &phone, bad.clone()).await;
        assert_eq!(
            (s, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("token")),
            "{bad}: {p}"
        );
    }
    let (s, p) = put(
        &app,
        &alice,
        &phone,
        json!({"platform": "gcm", "token": "x"}),
    )
    .await;
    assert!(
        s == StatusCode::BAD_REQUEST || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s} {p}"
    );
    assert_eq!(kept(&app).await.len(), 1);

    // The same token registered from another device moves there (one install, one device).
    let (s, _) = put(
        &app,
        &alice,
        &tablet,
        json!({"platform": "fcm", "token": "fcm-2"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        kept(&app).await,
        [(tablet.id.to_string(), "fcm".into(), "fcm-2".into())]
    );

    // Another officer's device does not exist as far as Alice can tell.
    let (s, p) = put(
        &app,
        &alice,
        &bobs,
        json!({"platform": "fcm", "token": "fcm-3"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    let (s, _) = app
        .call(Method::DELETE, &path(&bobs), Some(&alice), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Bob's APNs token lives beside Alice's.
    let apns = "ab".repeat(32);
    let (s, _) = put(
        &app,
        &bob,
        &bobs,
        json!({"platform": "apns", "token": apns}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(kept(&app).await.len(), 2);

    // Revoking the tablet forgets its token; a revoked device is refused, clearing still works.
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/v1/devices/{}/revoke", tablet.id),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        kept(&app).await,
        [(bobs.id.to_string(), "apns".into(), apns.clone())]
    );
    let (s, p) = put(
        &app,
        &alice,
        &tablet,
        json!({"platform": "fcm", "token": "fcm-4"}),
    )
    .await;
    assert_eq!(
        (s, p["status"].as_u64()),
        (StatusCode::CONFLICT, Some(409)),
        "{p}"
    );
    let (s, _) = app
        .call(Method::DELETE, &path(&tablet), Some(&alice), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Bob signs out: his token is cleared, twice over without harm.
    for _ in 0..2 {
        let (s, _) = app
            .call(Method::DELETE, &path(&bobs), Some(&bob), None)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    assert!(kept(&app).await.is_empty());
}

on_both_backends!(push_tokens_are_kept_per_device_for_their_owner);
