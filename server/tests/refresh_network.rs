//! "A bad network never signs an officer out" (RELIABILITY.md; decision 021), on SQLite and
//! PostgreSQL, against a real `offduty-server` process. Requests go through a proxy that can
//! lose the server's answer on the way back: the server rotated the refresh token, the phone
//! never heard. A retry within the grace window keeps the session; reuse after it, or after the
//! successor was used, revokes the family and is audited; concurrent refreshes of one token all
//! get the one successor.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use common::{Backend, PASSWORD, TestApp, fresh_database};
use offduty_server::auth::tokens::hash_refresh_token;
use offduty_server::db::{Db, get};
use offduty_testkit::ServerProcess;
use offduty_testkit::proxy::LossyProxy;

/// A department with one officer (created in the database), a real server process on it, and
/// the lossy proxy in front of that process.
struct Setup {
    /// Only for its database handle and fixtures; requests go to `server`.
    app: TestApp,
    server: ServerProcess,
    proxy: LossyProxy,
    email: String,
    officer: Uuid,
    /// No connection pooling: each request opens its own connection through the proxy.
    http: reqwest::Client,
}

async fn setup(backend: Backend) -> Setup {
    let url = fresh_database(backend).await;
    let app = TestApp::start_on(backend, &url).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let server = ServerProcess::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_offduty-server")),
        &[
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--no-migrate",
        ],
        &[],
    );
    let proxy = LossyProxy::start(server.addr);
    Setup {
        app,
        server,
        proxy,
        email: officer.email.clone(),
        officer: officer.id,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap(),
    }
}

impl Setup {
    /// Signs in directly (not through the proxy); returns the refresh token.
    async fn login(&self) -> String {
        let body: Value = self
            .http
            .post(format!("{}/v1/auth/login", self.server.url()))
            .json(&json!({"email": self.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        body["refresh_token"].as_str().unwrap().to_string()
    }

    /// `POST /v1/auth/refresh` through the proxy: the status and body, or `None` when the
    /// answer was lost.
    async fn refresh(&self, token: &str) -> Option<(StatusCode, Value)> {
        let resp = self
            .http
            .post(format!("{}/v1/auth/refresh", self.proxy.url()))
            .json(&json!({"refresh_token": token}))
            .send()
            .await
            .ok()?;
        let status = resp.status();
        Some((status, resp.json().await.unwrap_or(Value::Null)))
    }

    /// A refresh whose answer the network loses: the server decided, the phone never heard.
    async fn refresh_and_lose_the_answer(&self, token: &str) {
        let lost_before = self.proxy.responses_lost();
        self.proxy.lose_next_responses(1);
        assert!(
            self.refresh(token).await.is_none(),
            "the client must not get an answer"
        );
        assert_eq!(
            self.proxy.responses_lost(),
            lost_before + 1,
            "the server answered; the answer was lost on the way back"
        );
    }

    /// A refresh that must succeed; returns the new refresh token after checking the new
    /// access token works.
    async fn refresh_ok(&self, token: &str) -> String {
        let (status, body) = self.refresh(token).await.expect("an answer");
        assert_eq!(status, StatusCode::OK, "{body}");
        let me = self
            .http
            .get(format!("{}/v1/me", self.proxy.url()))
            .bearer_auth(body["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK, "the new access token works");
        body["refresh_token"].as_str().unwrap().to_string()
    }

    async fn refresh_refused(&self, token: &str) -> Value {
        let (status, body) = self.refresh(token).await.expect("an answer");
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["type"], "https://offduty.dev/problems/unauthorized");
        body
    }

    fn db(&self) -> &Db {
        &self.app.db
    }

    /// `refresh_token_reused` entries in the audit log, with their `reason`.
    async fn reuse_audits(&self) -> Vec<String> {
        sqlx::query(
            "SELECT detail_json FROM audit_log WHERE action = 'refresh_token_reused' \
             AND actor_id = $1 ORDER BY seq",
        )
        .bind(self.officer.to_string())
        .fetch_all(&self.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let detail: Value =
                serde_json::from_str(&get::<String>(r, "detail_json").unwrap()).unwrap();
            detail["reason"].as_str().unwrap().to_string()
        })
        .collect()
    }

    /// (tokens, revoked tokens) of the family `token` belongs to.
    async fn family(&self, token: &str) -> (i64, i64) {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COUNT(revoked_us) AS revoked FROM refresh_tokens \
             WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)",
        )
        .bind(hash_refresh_token(token))
        .fetch_one(&self.db().pool)
        .await
        .unwrap();
        (get(&row, "n").unwrap(), get(&row, "revoked").unwrap())
    }

    /// Moves the moment `token` was used back by `seconds` (tests cannot wait out the grace
    /// window; decision 012's time travel, for a token).
    async fn used_seconds_ago(&self, token: &str, seconds: i64) {
        let n = sqlx::query(
            "UPDATE refresh_tokens SET used_us = used_us - $1 WHERE token_hash = $2 \
             AND used_us IS NOT NULL",
        )
        .bind(seconds * 1_000_000)
        .bind(hash_refresh_token(token))
        .execute(&self.db().pool)
        .await
        .unwrap()
        .rows_affected();
        assert_eq!(n, 1, "the token was used");
    }
}

async fn refresh_retried_after_lost_response_keeps_the_session(backend: Backend) {
    let s = setup(backend).await;
    let first = s.login().await;
    s.refresh_and_lose_the_answer(&first).await;
    // The phone kept `first` (it never heard of its successor) and tries again.
    let second = s.refresh_ok(&first).await;
    assert_ne!(second, first);
    // The session goes on: the successor rotates as usual.
    let third = s.refresh_ok(&second).await;
    assert_ne!(third, second);
    assert!(
        s.reuse_audits().await.is_empty(),
        "a retry is not a theft: nothing in the audit log"
    );
    assert_eq!(s.family(&third).await, (3, 0), "one successor per token");
}

async fn a_retry_gets_the_successor_the_lost_answer_carried(backend: Backend) {
    let s = setup(backend).await;
    let first = s.login().await;
    // Lost twice, then heard: every answer would have carried the same successor.
    s.refresh_and_lose_the_answer(&first).await;
    s.refresh_and_lose_the_answer(&first).await;
    let second = s.refresh_ok(&first).await;
    let again = s.refresh_ok(&first).await;
    assert_eq!(again, second, "a retry never mints a second usable token");
    assert_eq!(s.family(&second).await, (2, 0));
    assert!(s.reuse_audits().await.is_empty());
}

async fn refresh_reused_after_the_grace_window_revokes_the_family(backend: Backend) {
    let s = setup(backend).await;
    let first = s.login().await;
    s.refresh_and_lose_the_answer(&first).await;
    s.used_seconds_ago(&first, 61).await;
    let problem = s.refresh_refused(&first).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("already used"),
        "{problem}"
    );
    assert_eq!(
        s.family(&first).await,
        (2, 2),
        "the whole family is revoked"
    );
    assert_eq!(s.reuse_audits().await, vec!["used_before"]);
    // Signing in again starts a new family.
    let fresh = s.login().await;
    s.refresh_ok(&fresh).await;
}

async fn a_retry_after_the_successor_was_used_revokes_the_family(backend: Backend) {
    let s = setup(backend).await;
    let first = s.login().await;
    s.refresh_and_lose_the_answer(&first).await;
    let second = s.refresh_ok(&first).await;
    let third = s.refresh_ok(&second).await;
    // `first` again, within the grace window — but its successor has been used: whoever holds
    // `first` now is not the phone that went on with `second`.
    s.refresh_refused(&first).await;
    s.refresh_refused(&third).await;
    assert_eq!(s.family(&third).await, (3, 3));
    assert_eq!(s.reuse_audits().await, vec!["successor_already_used"]);
}

async fn concurrent_double_refresh_keeps_one_session(backend: Backend) {
    let s = setup(backend).await;
    let first = s.login().await;
    let answers = futures_join(&s, &first, 8).await;
    let tokens: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["refresh_token"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(tokens.len(), 1, "every racer gets the one successor");
    let second = tokens.into_iter().next().unwrap();
    assert_eq!(s.family(&first).await, (2, 0));
    assert!(s.reuse_audits().await.is_empty());
    s.refresh_ok(&second).await;
}

/// `n` refreshes of `token` at once, straight to the server.
async fn futures_join(s: &Setup, token: &str, n: usize) -> Vec<(StatusCode, Value)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let http = s.http.clone();
        let url = format!("{}/v1/auth/refresh", s.server.url());
        let body = json!({"refresh_token": token});
        tasks.push(tokio::spawn(async move {
            let resp = http.post(url).json(&body).send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

on_both_backends!(
    refresh_retried_after_lost_response_keeps_the_session,
    a_retry_gets_the_successor_the_lost_answer_carried,
    refresh_reused_after_the_grace_window_revokes_the_family,
    a_retry_after_the_successor_was_used_revokes_the_family,
    concurrent_double_refresh_keeps_one_session,
);
