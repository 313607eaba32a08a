//! Group commit's failure cases (decision 034): the actions waiting for a department are
//! decided in one transaction, and each must get the outcome it would have had alone — also
//! when one of them fails inside the transaction, when the commit itself fails, and when the
//! same idempotency key arrives twice in one group. Every test forces its requests into one
//! group (the deciding task waits until all of them are queued) and checks that they were.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, envelope, envelope_with_key};
use offduty_server::app::Limits;
use offduty_server::db::get;
use offduty_server::services::group_commit::GroupConfig;

/// A server whose deciding task waits (up to 20 s) for `n` actions before it decides them.
async fn forced_group_app(backend: Backend, n: usize) -> TestApp {
    TestApp::start_with(
        backend,
        Limits {
            group_commit: GroupConfig {
                max_actions: n,
                linger: Duration::from_secs(20),
            },
            ..Default::default()
        },
    )
    .await
}

/// Sends every `(officer, body)` to `POST /v1/actions` at once; answers in the same order.
async fn send_all(app: &TestApp, requests: Vec<(Actor, Value)>) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let mut tasks = JoinSet::new();
    for (i, (officer, body)) in requests.into_iter().enumerate() {
        let req = app
            .http
            .post(format!("{}/v1/actions", app.url))
            .bearer_auth(&officer.token)
            .json(&body);
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let resp = req.send().await.expect("send actions");
            let status = resp.status();
            (i, status, resp.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut out = vec![(StatusCode::OK, Value::Null); tasks.len()];
    while let Some(r) = tasks.join_next().await {
        let (i, status, body) = r.unwrap();
        out[i] = (status, body);
    }
    out
}

fn claim(job_id: &str) -> Value {
    json!({"actions": [envelope(json!({"type": "claim", "job_id": job_id}))]})
}

/// Makes the database refuse, from inside a transaction, any assignment written for
/// `officer`: `at_commit` = false fails the `INSERT` itself; true defers the failure to the
/// `COMMIT` (a deferred foreign key to a row that never exists).
async fn sabotage(app: &TestApp, officer: Uuid, at_commit: bool) {
    let id = officer.to_string();
    let statements: Vec<String> = match (app.backend, at_commit) {
        (Backend::Sqlite, false) => vec![format!(
            "CREATE TRIGGER sabotage BEFORE INSERT ON assignments WHEN NEW.officer_id = '{id}' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        (Backend::Sqlite, true) => vec![
            "CREATE TABLE trap_parent (id TEXT PRIMARY KEY)".into(),
            "CREATE TABLE trap (parent TEXT REFERENCES trap_parent (id) \
             DEFERRABLE INITIALLY DEFERRED)"
                .into(),
            format!(
                "CREATE TRIGGER sabotage AFTER INSERT ON assignments \
                 WHEN NEW.officer_id = '{id}' \
                 BEGIN INSERT INTO trap (parent) VALUES ('missing'); END"
            ),
        ],
        (Backend::Postgres, false) => vec![
            format!(
                "CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.officer_id = '{id}' THEN RAISE EXCEPTION 'injected failure'; END IF; \
                 RETURN NEW; END $$"
            ),
            "CREATE TRIGGER sabotage BEFORE INSERT ON assignments FOR EACH ROW \
             EXECUTE FUNCTION sabotage()"
                .into(),
        ],
        (Backend::Postgres, true) => vec![
            "CREATE TABLE trap_parent (id TEXT PRIMARY KEY)".into(),
            "CREATE TABLE trap (parent TEXT REFERENCES trap_parent (id) \
             DEFERRABLE INITIALLY DEFERRED)"
                .into(),
            format!(
                "CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.officer_id = '{id}' THEN INSERT INTO trap (parent) VALUES ('missing'); \
                 END IF; RETURN NEW; END $$"
            ),
            "CREATE TRIGGER sabotage AFTER INSERT ON assignments FOR EACH ROW \
             EXECUTE FUNCTION sabotage()"
                .into(),
        ],
    };
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
}

async fn unsabotage(app: &TestApp) {
    sqlx::query("DROP TRIGGER sabotage ON assignments")
        .execute(&app.db.pool)
        .await
        .or(sqlx::query("DROP TRIGGER sabotage")
            .execute(&app.db.pool)
            .await)
        .unwrap();
}

async fn count(app: &TestApp, sql: &'static str, officer: Uuid) -> i64 {
    get(
        &sqlx::query(sql)
            .bind(officer.to_string())
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        "n",
    )
    .unwrap()
}

/// Five claims for three slots in one group; the saboteur's fails inside the shared
/// transaction (`at_commit` = false) or at its commit (true). The saboteur is told the action
/// failed and nothing of it is stored; the four others are decided exactly as alone: three
/// slots and one place in line, in order of receipt; a retry with the saboteur's key, once the
/// database is healthy, is decided then.
async fn one_failing_action_fails_alone(backend: Backend, at_commit: bool) {
    let app = forced_group_app(backend, 5).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(3)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let officers = app.officers(dept, 5).await;
    let saboteur = officers[2].clone();
    sabotage(&app, saboteur.id, at_commit).await;

    let bodies: Vec<Value> = officers.iter().map(|_| claim(&job_id)).collect();
    let answers = send_all(
        &app,
        officers
            .iter()
            .cloned()
            .zip(bodies.iter().cloned())
            .collect(),
    )
    .await;
    let stats = app.state.actions.stats();
    assert_eq!(
        (stats.groups, stats.largest_group),
        (1, 5),
        "the five claims were one group"
    );
    if at_commit {
        assert_eq!(
            stats.transactions, 0,
            "the shared commit failed, so every claim was decided alone"
        );
    } else {
        assert!(
            stats.transactions >= 1,
            "the claims around the failed one were committed together"
        );
    }

    let (status, problem) = &answers[2];
    assert!(
        status.is_server_error(),
        "the saboteur's claim failed: {status} {problem}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM assignments WHERE officer_id = $1",
            saboteur.id
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM idempotency_keys WHERE user_id = $1",
            saboteur.id
        )
        .await,
        0,
        "a failed action stores no outcome"
    );
    let mut awarded = 0;
    let mut places = Vec::new();
    for (i, (status, body)) in answers.iter().enumerate() {
        if i == 2 {
            continue;
        }
        assert_eq!(*status, StatusCode::OK, "{body}");
        let outcome = &body["outcomes"][0]["outcome"];
        match outcome["type"].as_str() {
            Some("awarded") => awarded += 1,
            Some("waitlisted") => places.push(outcome["position"].as_u64().unwrap()),
            _ => panic!("unexpected outcome {outcome}"),
        }
    }
    assert_eq!((awarded, places), (3, vec![1]));

    // Healthy again: the same request (same key) is decided now, at the end of the line. (On
    // a second server over the same database, whose deciding task does not wait for a group.)
    unsabotage(&app).await;
    let second = TestApp::start_on(backend, &app.database_url).await;
    let (status, body) = second.post("/v1/actions", &saboteur, &bodies[2]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcomes"][0]["replayed"], false, "{body}");
    assert_eq!(
        body["outcomes"][0]["outcome"],
        json!({"type": "waitlisted", "assignment_id": body["outcomes"][0]["outcome"]["assignment_id"], "position": 2}),
        "{body}"
    );
    let (_, report) = app.get("/v1/audit/verify", &coord).await;
    assert!(report["first_bad_seq"].is_null(), "{report}");
}

async fn an_action_failing_inside_the_shared_transaction_fails_alone(backend: Backend) {
    one_failing_action_fails_alone(backend, false).await
}

async fn a_failed_commit_decides_every_action_alone(backend: Backend) {
    one_failing_action_fails_alone(backend, true).await;
}

/// The same request twice in one group (a phone retrying before its first answer came): one
/// decision, and the second answer is the first's outcome, replayed. A third request reusing
/// the key for another job is refused; nothing it asked for happens.
async fn a_key_repeated_inside_one_group_is_decided_once(backend: Backend) {
    let app = forced_group_app(backend, 4).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(3)).await;
    let other = app.job(&coord, |b| b["slots"] = json!(3)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let officers = app.officers(dept, 2).await;
    let key = Uuid::now_v7();
    let same =
        json!({"actions": [envelope_with_key(key, json!({"type": "claim", "job_id": job_id}))]});
    let reused = json!({"actions": [envelope_with_key(key, json!({"type": "claim", "job_id": other["id"]}))]});
    let answers = send_all(
        &app,
        vec![
            (officers[0].clone(), same.clone()),
            (officers[0].clone(), same.clone()),
            (officers[1].clone(), claim(&job_id)),
            (officers[0].clone(), reused),
        ],
    )
    .await;
    let stats = app.state.actions.stats();
    assert_eq!((stats.groups, stats.largest_group), (1, 4));
    // The reused key may be the first of the three to be decided or not, so: the two copies
    // of the claim agree, at most one of the three was decided fresh, and the other job saw
    // nothing unless the reused-key request came first.
    let copies: Vec<&Value> = answers[..2]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| &b["outcomes"][0])
        .collect();
    let fresh = copies.iter().filter(|o| o["replayed"] == false).count()
        + usize::from(answers[3].0 == StatusCode::OK);
    assert_eq!(fresh, 1, "{answers:?}");
    for o in &copies {
        assert_eq!(o["idempotency_key"], json!(key));
    }
    if copies.len() == 2 {
        assert_eq!(copies[0]["outcome"], copies[1]["outcome"]);
    }
    for (status, body) in answers[..2].iter().chain(std::iter::once(&answers[3])) {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::UNPROCESSABLE_ENTITY,
            "{status} {body}"
        );
    }
    let rows = count(
        &app,
        "SELECT COUNT(*) AS n FROM assignments WHERE officer_id = $1",
        officers[0].id,
    )
    .await;
    assert_eq!(rows, 1, "one claim was decided for the repeated key");
    assert_eq!(answers[2].0, StatusCode::OK);
}

on_both_backends!(
    an_action_failing_inside_the_shared_transaction_fails_alone,
    a_failed_commit_decides_every_action_alone,
    a_key_repeated_inside_one_group_is_decided_once,
);
