//! "An idempotency key means one effect" (docs/RELIABILITY.md, DESIGN §2): a retry returns the
//! stored outcome and changes nothing; the same key with another payload is 422; concurrent
//! duplicates have one effect; keys are per officer and live at least 30 days.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, envelope, envelope_with_key, job_body};
use offduty_server::db::get;
use offduty_server::services::actions::purge_keys;

const KEY_REUSED: &str = "https://offduty.dev/problems/idempotency-key-reused";

fn claim(job_id: &str) -> Value {
    json!({"type": "claim", "job_id": job_id})
}

fn batch(envelopes: &[&Value]) -> Value {
    json!({"actions": envelopes})
}

/// Everything a replay must leave alone, as the API (and the key table) shows it.
#[derive(Debug, PartialEq)]
struct Snapshot {
    jobs: Vec<Value>,
    rosters: Vec<Value>,
    cursor: Value,
    audit_entries: usize,
    keys: i64,
    notifications: Vec<Value>,
}

async fn snapshot(app: &TestApp, coord: &Actor, officers: &[&Actor], jobs: &[&str]) -> Snapshot {
    let mut s = Snapshot {
        jobs: Vec::new(),
        rosters: Vec::new(),
        cursor: Value::Null,
        audit_entries: 0,
        keys: 0,
        notifications: Vec::new(),
    };
    for id in jobs {
        s.jobs
            .push(app.get(&format!("/v1/jobs/{id}"), coord).await.1);
        s.rosters
            .push(app.get(&format!("/v1/jobs/{id}/roster"), coord).await.1);
    }
    s.cursor = app.get("/v1/sync", officers[0]).await.1["cursor"].clone();
    let (status, log) = app.get("/v1/audit?after=0&limit=5000", coord).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    s.audit_entries = log.as_array().unwrap().len();
    s.keys = count(app, "SELECT COUNT(*) AS n FROM idempotency_keys").await;
    for o in officers {
        s.notifications
            .push(app.get("/v1/notifications", o).await.1);
    }
    s
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    get(
        &sqlx::query(sql).fetch_one(&app.db.pool).await.unwrap(),
        "n",
    )
    .unwrap()
}

async fn assignments_on(app: &TestApp, job_id: &str) -> Vec<(Uuid, String)> {
    sqlx::query("SELECT officer_id, status FROM assignments WHERE job_id = $1 ORDER BY receipt_seq")
        .bind(job_id.to_string())
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                get::<String>(r, "officer_id").unwrap().parse().unwrap(),
                get::<String>(r, "status").unwrap(),
            )
        })
        .collect()
}

/// A one-slot job, each a day after the previous one, so that one officer may hold several
/// (no overlap, enough rest) and all start well inside the free cancellation window.
async fn one_slot_job(app: &TestApp, coord: &Actor) -> String {
    static NEXT_DAY: AtomicI64 = AtomicI64::new(3);
    let day = NEXT_DAY.fetch_add(1, Ordering::Relaxed);
    let starts = Utc::now() + chrono::Duration::days(day);
    app.job(coord, |b| *b = job_body(starts, 1)).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Sends `body` and expects one 200 answer; returns its outcomes.
async fn send(app: &TestApp, officer: &Actor, body: &Value) -> Vec<Value> {
    let (s, r) = app.actions(officer, body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["outcomes"].as_array().unwrap().clone()
}

async fn retry_returns_the_stored_outcome_and_changes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (a, b) = (app.officer(dept).await, app.officer(dept).await);
    let job = one_slot_job(&app, &coord).await;

    let ea = envelope(claim(&job));
    let eb = envelope(claim(&job));
    let first_a = send(&app, &a, &batch(&[&ea])).await.remove(0);
    let first_b = send(&app, &b, &batch(&[&eb])).await.remove(0);
    assert_eq!(
        (
            first_a["replayed"].as_bool(),
            first_a["outcome"]["type"].as_str()
        ),
        (Some(false), Some("awarded")),
        "{first_a}"
    );
    assert_eq!(first_b["outcome"]["type"], "waitlisted", "{first_b}");

    let before = snapshot(&app, &coord, &[&a, &b], &[&job]).await;
    for _ in 0..3 {
        let again_a = send(&app, &a, &batch(&[&ea])).await.remove(0);
        let again_b = send(&app, &b, &batch(&[&eb])).await.remove(0);
        assert_eq!(again_a["replayed"], true, "{again_a}");
        assert_eq!(again_a["outcome"], first_a["outcome"]);
        assert_eq!(again_a["idempotency_key"], ea["idempotency_key"]);
        assert_eq!(again_b["replayed"], true, "{again_b}");
        assert_eq!(again_b["outcome"], first_b["outcome"]);
    }
    // The device re-stamped `created_at` on retry: still the same action, still a replay.
    let mut restamped = ea.clone();
    restamped["created_at"] = json!(Utc::now() + chrono::Duration::seconds(5));
    let again = send(&app, &a, &batch(&[&restamped])).await.remove(0);
    assert_eq!(
        (again["replayed"].as_bool(), &again["outcome"]),
        (Some(true), &first_a["outcome"])
    );
    let after = snapshot(&app, &coord, &[&a, &b], &[&job]).await;
    assert_eq!(before, after, "a replayed claim changed something");

    // A cancel that promoted B, replayed: B is not promoted twice, nothing moves.
    let cancel = envelope(json!({"type": "cancel", "job_id": job, "reason": "sick"}));
    let first_cancel = send(&app, &a, &batch(&[&cancel])).await.remove(0);
    assert_eq!(
        (
            first_cancel["outcome"]["type"].as_str(),
            first_cancel["outcome"]["promoted"].as_bool()
        ),
        (Some("cancelled"), Some(true)),
        "{first_cancel}"
    );
    let before = snapshot(&app, &coord, &[&a, &b], &[&job]).await;
    let again = send(&app, &a, &batch(&[&cancel])).await.remove(0);
    assert_eq!(
        (again["replayed"].as_bool(), &again["outcome"]),
        (Some(true), &first_cancel["outcome"])
    );
    // The first claim's stored outcome is still what A was told then.
    let old = send(&app, &a, &batch(&[&ea])).await.remove(0);
    assert_eq!(
        (old["replayed"].as_bool(), &old["outcome"]),
        (Some(true), &first_a["outcome"])
    );
    let after = snapshot(&app, &coord, &[&a, &b], &[&job]).await;
    assert_eq!(before, after, "a replayed cancel changed something");
}

async fn same_key_with_another_payload_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let (x, y) = (
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    );
    let key = Uuid::now_v7();
    let out = send(&app, &a, &batch(&[&envelope_with_key(key, claim(&x))])).await;
    assert_eq!(out[0]["outcome"]["type"], "awarded");
    let before = snapshot(&app, &coord, &[&a], &[&x, &y]).await;

    // Same key, another job; same key, another action type.
    for action in [
        claim(&y),
        json!({"type": "withdraw", "job_id": x}),
        json!({"type": "cancel", "job_id": x}),
        json!({"type": "transfer", "job_id": x, "to_officer_id": null}),
    ] {
        let (s, p) = app
            .actions(&a, &batch(&[&envelope_with_key(key, action.clone())]))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{action} → {p}");
        assert_eq!(p["type"], KEY_REUSED, "{p}");
        assert_eq!(p["field"], "actions[0].idempotency_key", "{p}");
        assert_eq!(p["status"], 422, "{p}");
    }
    let after = snapshot(&app, &coord, &[&a], &[&x, &y]).await;
    assert_eq!(before, after, "a refused key reuse changed something");
    assert!(assignments_on(&app, &y).await.is_empty());

    // Within one batch of three, the second reuses the first's key for another job: the first
    // is applied, the batch stops at the second, the third is not applied.
    let (p, q, r) = (
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    );
    let k1 = Uuid::now_v7();
    let first = envelope_with_key(k1, claim(&p));
    let (s, prob) = app
        .actions(
            &a,
            &batch(&[
                &first,
                &envelope_with_key(k1, claim(&q)),
                &envelope(claim(&r)),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{prob}");
    assert_eq!(
        (prob["type"].as_str(), prob["field"].as_str()),
        (Some(KEY_REUSED), Some("actions[1].idempotency_key")),
        "{prob}"
    );
    assert_eq!(
        assignments_on(&app, &p).await,
        vec![(a.id, "awarded".to_string())],
        "the action before the reused key was applied"
    );
    assert!(
        assignments_on(&app, &q).await.is_empty(),
        "reused key applied"
    );
    assert!(
        assignments_on(&app, &r).await.is_empty(),
        "action after the reused key applied"
    );
    // Its outcome is stored: a retry of the first action alone replays it.
    let out = send(&app, &a, &batch(&[&first])).await;
    assert_eq!(
        (
            out[0]["replayed"].as_bool(),
            out[0]["outcome"]["type"].as_str()
        ),
        (Some(true), Some("awarded"))
    );
}

/// A key already used by an earlier request is caught before anything of the batch is applied,
/// and the 422 says exactly that (`applied_before: false`).
async fn key_reused_from_an_earlier_request_refuses_the_whole_batch(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let (x, p, q, r) = (
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    );
    let used = Uuid::now_v7();
    send(&app, &a, &batch(&[&envelope_with_key(used, claim(&x))])).await;

    let first = envelope(claim(&p));
    let (s, prob) = app
        .actions(
            &a,
            &batch(&[
                &first,
                &envelope_with_key(used, claim(&q)),
                &envelope(claim(&r)),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{prob}");
    assert_eq!(
        (prob["type"].as_str(), prob["field"].as_str()),
        (Some(KEY_REUSED), Some("actions[1].idempotency_key")),
        "{prob}"
    );
    assert!(
        assignments_on(&app, &q).await.is_empty(),
        "reused key applied"
    );
    assert!(
        assignments_on(&app, &r).await.is_empty(),
        "action after the reused key applied"
    );
    // The conflict is found before anything is applied, and the problem says so: a client
    // can keep every action of the batch queued.
    let detail = prob["detail"].as_str().unwrap_or_default().to_string();
    assert!(
        detail.contains("no action of this batch was applied"),
        "{detail}"
    );
    assert_eq!(prob["applied_before"], false, "{prob}");
    assert!(
        assignments_on(&app, &p).await.is_empty(),
        "the problem says {detail:?}, but the action at index 0 was applied"
    );
}

/// Sends `body` as `officer` from `n` tasks at the same moment.
async fn send_concurrently(
    app: &TestApp,
    officer: &Actor,
    body: &Value,
    n: usize,
) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(Barrier::new(n));
    let mut tasks = JoinSet::new();
    for _ in 0..n {
        let req = app
            .http
            .post(format!("{}/v1/actions", app.url))
            .bearer_auth(&officer.token)
            .json(body);
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}

/// Checks `answers` to one batch sent many times: all 200, outcome `i` identical everywhere,
/// exactly one fresh (`replayed: false`) per action.
fn one_effect_each(answers: &[(StatusCode, Value)], actions: usize) {
    for (s, body) in answers {
        assert_eq!(*s, StatusCode::OK, "{body}");
        assert_eq!(body["outcomes"].as_array().unwrap().len(), actions);
    }
    for i in 0..actions {
        let outcomes: Vec<&Value> = answers
            .iter()
            .map(|(_, b)| &b["outcomes"][i]["outcome"])
            .collect();
        let distinct: Vec<String> = {
            let mut d: Vec<String> = outcomes.iter().map(|o| o.to_string()).collect();
            d.sort();
            d.dedup();
            d
        };
        assert_eq!(
            distinct.len(),
            1,
            "action {i}: {} duplicates got different outcomes: {distinct:#?}",
            answers.len()
        );
        let fresh = answers
            .iter()
            .filter(|(_, b)| b["outcomes"][i]["replayed"] == false)
            .count();
        assert_eq!(
            fresh,
            1,
            "action {i}: {fresh} of {} duplicates were decided fresh (replayed: false)",
            answers.len()
        );
    }
}

async fn fifty_concurrent_duplicates_of_a_claim_have_one_effect(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(3)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = batch(&[&envelope(claim(&job))]);
    let answers = send_concurrently(&app, &a, &body, 50).await;
    // The effect first: one assignment, one key, one audited claim.
    assert_eq!(
        assignments_on(&app, &job).await,
        vec![(a.id, "awarded".to_string())]
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM idempotency_keys").await,
        1
    );
    let (_, j) = app.get(&format!("/v1/jobs/{job}"), &coord).await;
    assert_eq!(j["slots_filled"], 1, "{j}");
    let (_, log) = app.get("/v1/audit?after=0&limit=5000", &coord).await;
    let claims = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "claim")
        .count();
    assert_eq!(claims, 1, "audited claims");
    // Then what each duplicate was told.
    one_effect_each(&answers, 1);
    assert_eq!(answers[0].1["outcomes"][0]["outcome"]["type"], "awarded");
}

async fn the_same_batch_from_ten_tasks_has_one_effect_per_action(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (a, b) = (app.officer(dept).await, app.officer(dept).await);
    let jobs = [
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    ];
    // Someone already holds job 1's slot: A's claim there is waitlisted.
    send(&app, &b, &batch(&[&envelope(claim(&jobs[1]))])).await;
    let body = batch(&[
        &envelope(claim(&jobs[0])),
        &envelope(claim(&jobs[1])),
        &envelope(json!({"type": "withdraw", "job_id": jobs[1]})),
    ]);
    let answers = send_concurrently(&app, &a, &body, 10).await;
    assert_eq!(
        assignments_on(&app, &jobs[0]).await,
        vec![(a.id, "awarded".to_string())]
    );
    assert_eq!(
        assignments_on(&app, &jobs[1]).await,
        vec![
            (b.id, "awarded".to_string()),
            (a.id, "withdrawn".to_string())
        ]
    );
    one_effect_each(&answers, 3);
}

/// The same race below the claim rate limit's burst (20): the key alone makes it one effect.
async fn fifteen_concurrent_duplicates_of_a_claim_have_one_effect(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let job = one_slot_job(&app, &coord).await;
    let answers = send_concurrently(&app, &a, &batch(&[&envelope(claim(&job))]), 15).await;
    one_effect_each(&answers, 1);
    assert_eq!(
        assignments_on(&app, &job).await,
        vec![(a.id, "awarded".to_string())]
    );
}

/// Actions without a rate limit: 50 duplicates of a cancel promote the next officer once.
async fn fifty_concurrent_duplicates_of_a_cancel_have_one_effect(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officers = app.officers(dept, 4).await;
    let job = one_slot_job(&app, &coord).await;
    for o in &officers {
        send(&app, o, &batch(&[&envelope(claim(&job))])).await;
    }
    let body = batch(&[&envelope(json!({"type": "cancel", "job_id": job}))]);
    let answers = send_concurrently(&app, &officers[0], &body, 50).await;
    one_effect_each(&answers, 1);
    assert_eq!(
        (
            answers[0].1["outcomes"][0]["outcome"]["type"].as_str(),
            answers[0].1["outcomes"][0]["outcome"]["promoted"].as_bool()
        ),
        (Some("cancelled"), Some(true))
    );
    let (_, roster) = app.get(&format!("/v1/jobs/{job}/roster"), &coord).await;
    let seen: Vec<(String, String, Value)> = roster
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["officer_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["position"].clone(),
            )
        })
        .collect();
    let id = |i: usize| officers[i].id.to_string();
    assert_eq!(
        seen,
        vec![
            (id(1), "awarded".into(), Value::Null),
            (id(2), "waitlisted".into(), json!(1)),
            (id(3), "waitlisted".into(), json!(2)),
            (id(0), "cancelled".into(), Value::Null),
        ],
        "one cancel, one promotion"
    );
}

/// One key, two payloads, sent at once: one payload wins and is applied once; every request
/// with the other payload is refused as a key reuse.
async fn concurrent_requests_reusing_a_key_for_two_payloads_apply_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let (x, y) = (
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    );
    let key = Uuid::now_v7();
    let bodies = [
        batch(&[&envelope_with_key(key, claim(&x))]),
        batch(&[&envelope_with_key(key, claim(&y))]),
    ];
    let barrier = Arc::new(Barrier::new(10));
    let mut tasks = JoinSet::new();
    for i in 0..10 {
        let req = app
            .http
            .post(format!("{}/v1/actions", app.url))
            .bearer_auth(&a.token)
            .json(&bodies[i % 2]);
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (
                i % 2,
                status,
                resp.json::<Value>().await.unwrap_or(Value::Null),
            )
        });
    }
    let mut answers = Vec::new();
    while let Some(r) = tasks.join_next().await {
        answers.push(r.unwrap());
    }
    let (on_x, on_y) = (
        assignments_on(&app, &x).await,
        assignments_on(&app, &y).await,
    );
    let winner = match (on_x.len(), on_y.len()) {
        (1, 0) => 0,
        (0, 1) => 1,
        other => panic!("expected exactly one job claimed, got {other:?}: {answers:?}"),
    };
    let mut fresh = 0;
    for (payload, status, body) in &answers {
        if *payload == winner {
            assert_eq!(*status, StatusCode::OK, "{body}");
            assert_eq!(body["outcomes"][0]["outcome"]["type"], "awarded", "{body}");
            if body["outcomes"][0]["replayed"] == false {
                fresh += 1;
            }
        } else {
            assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["type"], KEY_REUSED, "{body}");
        }
    }
    assert_eq!(fresh, 1, "{answers:?}");
}

async fn a_duplicate_inside_one_batch_is_a_replay(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let job = one_slot_job(&app, &coord).await;
    let e = envelope(claim(&job));
    let mut restamped = e.clone();
    restamped["created_at"] = json!(Utc::now() + chrono::Duration::seconds(1));
    let out = send(&app, &a, &batch(&[&e, &e, &restamped])).await;
    assert_eq!(out.len(), 3);
    assert_eq!(
        (
            out[0]["replayed"].as_bool(),
            out[0]["outcome"]["type"].as_str()
        ),
        (Some(false), Some("awarded"))
    );
    for o in &out[1..] {
        assert_eq!(o["replayed"], true, "{o}");
        assert_eq!(o["outcome"], out[0]["outcome"]);
    }
    assert_eq!(assignments_on(&app, &job).await.len(), 1);
}

async fn keys_belong_to_one_officer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (a, b, c) = (
        app.officer(dept).await,
        app.officer(dept).await,
        app.officer(dept).await,
    );
    let (job, other) = (
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    );
    let key = Uuid::now_v7();
    let e = envelope_with_key(key, claim(&job));
    let out_a = send(&app, &a, &batch(&[&e])).await.remove(0);
    assert_eq!(out_a["outcome"]["type"], "awarded");
    // B sends A's very envelope: B's own, fresh claim (no replay of A's outcome).
    let out_b = send(&app, &b, &batch(&[&e])).await.remove(0);
    assert_eq!(
        (
            out_b["replayed"].as_bool(),
            out_b["outcome"]["type"].as_str(),
            out_b["outcome"]["position"].as_u64()
        ),
        (Some(false), Some("waitlisted"), Some(1)),
        "{out_b}"
    );
    assert_ne!(
        out_b["outcome"]["assignment_id"],
        out_a["outcome"]["assignment_id"]
    );
    // C uses the key for another payload: not a reuse, since the key is not C's.
    let out_c = send(&app, &c, &batch(&[&envelope_with_key(key, claim(&other))]))
        .await
        .remove(0);
    assert_eq!(
        (
            out_c["replayed"].as_bool(),
            out_c["outcome"]["type"].as_str()
        ),
        (Some(false), Some("awarded"))
    );
    // And each officer's replay returns their own outcome.
    for (o, first) in [(&a, &out_a), (&b, &out_b)] {
        let again = send(&app, o, &batch(&[&e])).await.remove(0);
        assert_eq!(
            (again["replayed"].as_bool(), &again["outcome"]),
            (Some(true), &first["outcome"])
        );
    }
}

async fn purge_keeps_keys_at_least_thirty_days(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let jobs = [
        one_slot_job(&app, &coord).await,
        one_slot_job(&app, &coord).await,
    ];
    let fresh = envelope(claim(&jobs[0]));
    let aged = envelope(claim(&jobs[1]));
    for e in [&fresh, &aged] {
        let out = send(&app, &a, &batch(&[e])).await;
        assert_eq!(out[0]["outcome"]["type"], "awarded");
    }

    // Asking to keep 1 day keeps 30: today's keys survive and still replay.
    let deleted = purge_keys(&app.db, 1).await.unwrap();
    assert_eq!(deleted, 0);
    for e in [&fresh, &aged] {
        let out = send(&app, &a, &batch(&[e])).await;
        assert_eq!(out[0]["replayed"], true, "{}", out[0]);
    }

    let backdate = |e: &Value, days: i64| {
        let key = e["idempotency_key"].as_str().unwrap().to_string();
        let user = a.id.to_string();
        let db = app.db.clone();
        async move {
            sqlx::query(
                "UPDATE idempotency_keys SET created_us = created_us - $1 \
                 WHERE user_id = $2 AND idem_key = $3",
            )
            .bind(days * 86_400_000_000)
            .bind(user)
            .bind(key)
            .execute(&db.pool)
            .await
            .unwrap()
            .rows_affected()
        }
    };
    // 29 days old: kept. 31 days old: purged.
    assert_eq!(backdate(&fresh, 29).await, 1);
    assert_eq!(backdate(&aged, 31).await, 1);
    for keep in [1, 0, -5, 30] {
        purge_keys(&app.db, keep).await.unwrap();
    }
    let keys = |e: &Value| e["idempotency_key"].as_str().unwrap().to_string();
    let left: Vec<String> = sqlx::query("SELECT idem_key FROM idempotency_keys")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| get::<String>(r, "idem_key").unwrap())
        .collect();
    assert_eq!(left, vec![keys(&fresh)], "only the 29-day-old key is left");

    let out = send(&app, &a, &batch(&[&fresh])).await;
    assert_eq!(out[0]["replayed"], true, "{}", out[0]);
    // The purged key is gone: the same envelope is decided again (and A already holds it).
    let out = send(&app, &a, &batch(&[&aged])).await;
    assert_eq!(
        (
            out[0]["replayed"].as_bool(),
            out[0]["outcome"]["code"].as_str()
        ),
        (Some(false), Some("already_claimed")),
        "{}",
        out[0]
    );
}

on_both_backends!(
    retry_returns_the_stored_outcome_and_changes_nothing,
    same_key_with_another_payload_is_refused,
    key_reused_from_an_earlier_request_refuses_the_whole_batch,
    fifty_concurrent_duplicates_of_a_claim_have_one_effect,
    the_same_batch_from_ten_tasks_has_one_effect_per_action,
    fifteen_concurrent_duplicates_of_a_claim_have_one_effect,
    fifty_concurrent_duplicates_of_a_cancel_have_one_effect,
    concurrent_requests_reusing_a_key_for_two_payloads_apply_one,
    a_duplicate_inside_one_batch_is_a_replay,
    keys_belong_to_one_officer,
    purge_keeps_keys_at_least_thirty_days,
);
