//! A preferences edit the department's server refuses is kept on the phone and shown with the
//! server's reason — like a wedged action — until the officer edits again or discards it. The
//! server here is the real one behind a small proxy that refuses `PUT /v1/preferences` the way
//! a stricter (newer) server would; everything else goes through.
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-core --test prefs_refused
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use reqwest::Method as ReqMethod;

use offduty_core::prefs::PrefsSync;
use offduty_domain::prefs::{Channels, Preferences, QuietWindow};

use offduty_testkit::{Phone, TestServer};

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    /// While set, `PUT /v1/preferences` is refused.
    refuse_prefs: Arc<AtomicBool>,
}

async fn forward(State(p): State<Proxy>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.method == Method::PUT
        && parts.uri.path() == "/v1/preferences"
        && p.refuse_prefs.load(Ordering::SeqCst)
    {
        let problem = serde_json::json!({
            "type": "https://offduty.dev/problems/validation",
            "title": "Invalid request",
            "status": 422,
            "detail": "quiet hours may not cover the department's call-out window",
            "field": "quiet_hours[0]",
            "code": "inconsistent",
        });
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            [("content-type", "application/problem+json")],
            problem.to_string(),
        )
            .into_response();
    }
    let body: Bytes = axum::body::to_bytes(body, 1 << 24).await.unwrap();
    let url = format!(
        "{}{}",
        p.upstream,
        parts
            .uri
            .path_and_query()
            .map(|x| x.as_str())
            .unwrap_or("/")
    );
    let method = ReqMethod::from_bytes(parts.method.as_str().as_bytes()).unwrap();
    let mut headers = HeaderMap::new();
    for (k, v) in parts.headers.iter() {
        if k != "host" && k != "content-length" {
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

async fn start_proxy(upstream: &str, refuse_prefs: Arc<AtomicBool>) -> SocketAddr {
    let state = Proxy {
        upstream: upstream.to_string(),
        http: reqwest::Client::new(),
        refuse_prefs,
    };
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn nights() -> Preferences {
    Preferences {
        channels: Channels {
            push: true,
            sms: false,
            email: true,
        },
        quiet_hours: vec![QuietWindow {
            weekday: "fri".into(),
            start: "22:00".into(),
            end: "06:00".into(),
        }],
        version: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_preferences_edit_is_kept_with_the_reason_until_edited_or_discarded() {
    let server = TestServer::start(1).await;
    let refuse = Arc::new(AtomicBool::new(true));
    let proxy = start_proxy(&server.url, refuse.clone()).await;
    let phone = Phone::new(proxy);
    server.sign_in(&phone, 0).await;
    let server_copy = phone.core.preferences().unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);

    phone.core.set_preferences(nights()).unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Pending);
    let report = phone.sync().await;
    assert!(report.offline.is_none(), "{report:?}");

    // Refused: the edit is still what the officer sees, with the server's words.
    let PrefsSync::Refused(refusal) = phone.core.preferences_sync().unwrap() else {
        panic!("expected a refusal")
    };
    assert_eq!(
        refusal.reason,
        "quiet hours may not cover the department's call-out window"
    );
    assert_eq!(refusal.field.as_deref(), Some("quiet_hours[0]"));
    let kept = phone.core.preferences().unwrap();
    assert_eq!(kept.quiet_hours, nights().quiet_hours);

    // Later syncs neither resend it nor overwrite it with the server's copy.
    let again = phone.sync().await;
    assert!(again.offline.is_none(), "{again:?}");
    assert!(matches!(
        phone.core.preferences_sync().unwrap(),
        PrefsSync::Refused(_)
    ));
    assert_eq!(
        phone.core.preferences().unwrap().quiet_hours,
        nights().quiet_hours
    );

    // The officer edits again: it goes up (the server now accepts it).
    refuse.store(false, Ordering::SeqCst);
    let mut fixed = nights();
    fixed.quiet_hours[0].end = "05:00".into();
    phone.core.set_preferences(fixed.clone()).unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Pending);
    phone.sync().await;
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);
    assert_eq!(
        phone.core.preferences().unwrap().quiet_hours,
        fixed.quiet_hours
    );

    // Refused again, then discarded: back to the server's copy, nothing pending.
    refuse.store(true, Ordering::SeqCst);
    phone.core.set_preferences(nights()).unwrap();
    phone.sync().await;
    assert!(matches!(
        phone.core.preferences_sync().unwrap(),
        PrefsSync::Refused(_)
    ));
    assert!(phone.core.discard_preferences_edit().unwrap());
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);
    let back = phone.core.preferences().unwrap();
    assert_eq!(back.quiet_hours, fixed.quiet_hours);
    assert_ne!(back.quiet_hours, server_copy.quiet_hours);
}
