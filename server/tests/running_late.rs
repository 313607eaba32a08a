//! "Running late" and "won't make it" from the phone (issue 12, decision 048), on SQLite and
//! PostgreSQL: a reported arrival holds the no-show back until then plus the grace, won't make
//! it gives the slot up as a (late) cancellation and promotes the waitlist, the refusals, and
//! replays under the idempotency key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use common::browser::audit_actions;
use common::{Actor, Backend, TestApp, envelope, envelope_with_key};
use offduty_domain::protocol::Role;
use offduty_server::db::get;
use offduty_server::services::shift_watch;

/// A one-slot job of `coord`'s department from `starts` to `ends`, awarded to a new officer
/// (claimed a day before the start, as it would have been); then `waiting` officers in line.
async fn shift(
    app: &TestApp,
    coord: &Actor,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    waiting: usize,
) -> (String, Actor, Vec<Actor>) {
    let officer = app.officer(coord.department_id).await;
    let job = app.job(coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&officer, &job).await["type"], "awarded");
    let mut line = Vec::new();
    for _ in 0..waiting {
        let o = app.officer(coord.department_id).await;
        assert_eq!(app.claim(&o, &job).await["type"], "waitlisted");
        line.push(o);
    }
    app.set_job_times(&job, starts, ends).await;
    sqlx::query("UPDATE assignments SET created_us = $1, updated_us = $1 WHERE job_id = $2")
        .bind((starts - Duration::days(1)).timestamp_micros())
        .bind(&job)
        .execute(&app.db.pool)
        .await
        .unwrap();
    (job, officer, line)
}

fn late(job: &str, minutes: u32) -> Value {
    json!({"type": "report_late", "job_id": job, "minutes_late": minutes})
}

fn wont(job: &str) -> Value {
    json!({"type": "wont_make_it", "job_id": job, "reason": "flat tyre"})
}

/// (kind, acknowledged) of every alert on the job, sorted.
async fn alerts_on(app: &TestApp, job: &str) -> Vec<(String, bool)> {
    let mut out: Vec<_> = sqlx::query("SELECT kind, acknowledged_us FROM alerts WHERE job_id = $1")
        .bind(job)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                get::<String>(r, "kind").unwrap(),
                get::<Option<i64>>(r, "acknowledged_us").unwrap().is_some(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn notices(app: &TestApp, user: Uuid, kind: &str) -> Vec<Value> {
    sqlx::query(
        "SELECT payload_json FROM notifications WHERE user_id = $1 AND kind = $2 \
         ORDER BY created_us, id",
    )
    .bind(user.to_string())
    .bind(kind)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| serde_json::from_str(&get::<String>(r, "payload_json").unwrap()).unwrap())
    .collect()
}

async fn status_of(app: &TestApp, job: &str, officer: Uuid) -> String {
    get(
        &sqlx::query("SELECT status FROM assignments WHERE job_id = $1 AND officer_id = $2")
            .bind(job)
            .bind(officer.to_string())
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        "status",
    )
    .unwrap()
}

async fn eta_of(app: &TestApp, job: &str) -> Option<i64> {
    sqlx::query("SELECT eta_us FROM late_reports WHERE job_id = $1")
        .bind(job)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .map(|r| get::<i64>(&r, "eta_us").unwrap())
}

async fn a_late_report_holds_the_no_show_until_the_reported_arrival(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Late").await;
    let customer = app
        .user(
            dept,
            Role::Customer,
            &format!("cust-{}@late.test", Uuid::new_v4().simple()),
        )
        .await;
    let now = Utc::now();
    let m = Duration::minutes;
    let (job, officer, _) = shift(&app, &coord, now - m(5), now + m(240), 0).await;
    sqlx::query("UPDATE jobs SET customer_id = $1 WHERE id = $2")
        .bind(customer.id.to_string())
        .bind(&job)
        .execute(&app.db.pool)
        .await
        .unwrap();

    let out = app.act(&officer, late(&job, 30)).await;
    assert_eq!(out["type"], "late_reported", "{out}");
    assert_eq!(out["minutes_late"], 30);
    // Started already: 30 minutes from now.
    let eta: DateTime<Utc> = serde_json::from_value(out["eta"].clone()).unwrap();
    assert!((eta - (now + m(30))).num_seconds().abs() < 60, "{eta}");
    assert_eq!(eta_of(&app, &job).await, Some(eta.timestamp_micros()));
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("running_late".into(), false)]
    );
    for who in [coord.id, customer.id] {
        let told = notices(&app, who, "running_late").await;
        assert_eq!(told.len(), 1, "coordinator and customer are told");
        assert_eq!(told[0]["job_id"], job.as_str());
        assert_eq!(told[0]["officer_id"], officer.id.to_string());
        let expected: DateTime<Utc> =
            serde_json::from_value(told[0]["expected_at"].clone()).unwrap();
        assert_eq!(expected, eta);
    }
    assert_eq!(
        audit_actions(&app, dept)
            .await
            .iter()
            .filter(|(a, _)| a == "report_late")
            .count(),
        1
    );

    // The grace after the start (15 min) passes: no no-show, the officer said when.
    assert_eq!(
        shift_watch::step(&app.db, now + m(20))
            .await
            .unwrap()
            .raised,
        0
    );
    assert_eq!(
        shift_watch::step(&app.db, eta + m(14))
            .await
            .unwrap()
            .raised,
        0
    );
    // The reported arrival plus the grace passes: now it is a no-show.
    assert_eq!(
        shift_watch::step(&app.db, eta + m(15))
            .await
            .unwrap()
            .raised,
        1
    );
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("no_show".into(), false), ("running_late".into(), false)]
    );
}

async fn a_new_report_moves_the_arrival_and_reopens_the_alert(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Again").await;
    let now = Utc::now();
    let m = Duration::minutes;
    let (job, officer, _) = shift(&app, &coord, now + m(30), now + m(270), 0).await;
    let first = app.act(&officer, late(&job, 10)).await;
    assert_eq!(first["type"], "late_reported", "{first}");
    // Before the start: counted from the start.
    let eta: DateTime<Utc> = serde_json::from_value(first["eta"].clone()).unwrap();
    assert!((eta - (now + m(40))).num_seconds().abs() < 60, "{eta}");
    sqlx::query("UPDATE alerts SET acknowledged_us = 1, acknowledged_by = $1 WHERE job_id = $2")
        .bind(coord.id.to_string())
        .bind(&job)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let second = app.act(&officer, late(&job, 60)).await;
    assert_eq!(second["type"], "late_reported", "{second}");
    let later: DateTime<Utc> = serde_json::from_value(second["eta"].clone()).unwrap();
    assert_eq!(later - eta, m(50));
    assert_eq!(eta_of(&app, &job).await, Some(later.timestamp_micros()));
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("running_late".into(), false)],
        "one alert per slot, open again"
    );
    assert_eq!(notices(&app, coord.id, "running_late").await.len(), 2);
}

async fn wont_make_it_promotes_the_waitlist_and_counts_as_a_late_cancellation(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Wont").await;
    let now = Utc::now();
    let m = Duration::minutes;
    let (job, officer, line) = shift(&app, &coord, now + m(60), now + m(300), 2).await;

    let out = app.act(&officer, wont(&job)).await;
    assert_eq!(out["type"], "cancelled", "{out}");
    // Inside the last window, where a plain cancel would be refused.
    assert_eq!(out["window"], "call_coordinator");
    assert_eq!(out["promoted"], true);
    assert_eq!(status_of(&app, &job, officer.id).await, "cancelled");
    assert_eq!(status_of(&app, &job, line[0].id).await, "awarded");
    assert_eq!(status_of(&app, &job, line[1].id).await, "waitlisted");
    let told = notices(&app, coord.id, "late_cancellation").await;
    assert_eq!(told.len(), 1, "a late cancellation, told at once");
    assert_eq!(told[0]["window"], "call_coordinator");
    assert_eq!(told[0]["replaced"], true);
    assert_eq!(notices(&app, line[0].id, "awarded").await.len(), 1);
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("wont_make_it".into(), false)]
    );
    let audit = audit_actions(&app, dept).await;
    let given_up = audit.iter().find(|(a, _)| a == "wont_make_it").unwrap();
    assert!(given_up.1.contains("call_coordinator"), "{}", given_up.1);
    assert!(given_up.1.contains("flat tyre"), "{}", given_up.1);

    // Nobody in line: the slot is still given up, and the coordinators must reassign it.
    let (job, officer, _) = shift(&app, &coord, now + m(60), now + m(300), 0).await;
    let out = app.act(&officer, wont(&job)).await;
    assert_eq!(out["type"], "cancelled", "{out}");
    assert_eq!(out["promoted"], false);
    assert_eq!(status_of(&app, &job, officer.id).await, "cancelled");
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("wont_make_it".into(), false)]
    );
    // No slot held any more: no no-show on it (the first job's promoted officer may get one).
    shift_watch::step(&app.db, now + m(90)).await.unwrap();
    assert_eq!(
        alerts_on(&app, &job).await,
        vec![("wont_make_it".into(), false)]
    );
}

async fn refusals_leave_nothing_behind(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Refuse").await;
    let now = Utc::now();
    let m = Duration::minutes;
    let (job, officer, line) = shift(&app, &coord, now + m(30), now + m(270), 1).await;
    let refused = |out: &Value, code: &str| {
        assert_eq!(out["type"], "rejected", "{out}");
        assert_eq!(out["code"], code, "{out}");
        assert!(!out["reason"].as_str().unwrap().is_empty());
    };
    // Not your slot (in line only), and no part at all.
    refused(&app.act(&line[0], late(&job, 10)).await, "not_assigned");
    refused(&app.act(&line[0], wont(&job)).await, "not_assigned");
    let stranger = app.officer(coord.department_id).await;
    refused(&app.act(&stranger, late(&job, 10)).await, "not_assigned");
    // Bad minutes.
    refused(&app.act(&officer, late(&job, 0)).await, "invalid");
    refused(&app.act(&officer, late(&job, 181)).await, "invalid");
    // Arriving after the end.
    let (short, holder, _) = shift(&app, &coord, now + m(30), now + m(90), 0).await;
    refused(&app.act(&holder, late(&short, 60)).await, "job_closed");
    // Too early: three hours ahead.
    let (early, holder, _) = shift(&app, &coord, now + m(180), now + m(420), 0).await;
    refused(&app.act(&holder, late(&early, 10)).await, "job_closed");
    refused(&app.act(&holder, wont(&early)).await, "job_closed");
    assert_eq!(status_of(&app, &early, holder.id).await, "awarded");
    // After the end.
    let (over, holder, _) = shift(&app, &coord, now - m(300), now - m(60), 0).await;
    refused(&app.act(&holder, late(&over, 10)).await, "job_closed");
    refused(&app.act(&holder, wont(&over)).await, "job_closed");
    assert_eq!(status_of(&app, &over, holder.id).await, "awarded");
    // Nothing was recorded for any refusal.
    for j in [&job, &short, &early, &over] {
        assert_eq!(eta_of(&app, j).await, None);
        assert!(alerts_on(&app, j).await.is_empty());
    }
    // A malformed action is a 422 problem, never a 500.
    for bad in [
        json!({"type": "report_late", "job_id": job, "minutes_late": -5}),
        json!({"type": "report_late", "job_id": job, "minutes_late": 70000}),
        json!({"type": "report_late", "job_id": job}),
        json!({"type": "wont_make_it", "job_id": "not-a-uuid"}),
    ] {
        let (status, body) = app
            .actions(&officer, &json!({"actions": [envelope(bad)]}))
            .await;
        assert!(status.is_client_error(), "{status} {body}");
    }
}

async fn a_replayed_action_has_one_effect(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Replay").await;
    let now = Utc::now();
    let m = Duration::minutes;
    let (job, officer, line) = shift(&app, &coord, now + m(30), now + m(270), 1).await;
    let key = Uuid::now_v7();
    let batch = json!({"actions": [envelope_with_key(key, late(&job, 15))]});
    let (s1, first) = app.actions(&officer, &batch).await;
    let (s2, again) = app.actions(&officer, &batch).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first["outcomes"][0]["replayed"], false);
    assert_eq!(again["outcomes"][0]["replayed"], true);
    assert_eq!(
        first["outcomes"][0]["outcome"],
        again["outcomes"][0]["outcome"]
    );
    assert_eq!(notices(&app, coord.id, "running_late").await.len(), 1);
    // The same key for another payload is refused whole.
    let other = json!({"actions": [envelope_with_key(key, late(&job, 20))]});
    let (status, _) = app.actions(&officer, &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let key = Uuid::now_v7();
    let batch = json!({"actions": [envelope_with_key(key, wont(&job))]});
    let (_, first) = app.actions(&officer, &batch).await;
    let (_, again) = app.actions(&officer, &batch).await;
    assert_eq!(first["outcomes"][0]["outcome"]["type"], "cancelled");
    assert_eq!(again["outcomes"][0]["replayed"], true);
    assert_eq!(
        first["outcomes"][0]["outcome"],
        again["outcomes"][0]["outcome"]
    );
    assert_eq!(status_of(&app, &job, line[0].id).await, "awarded");
    assert_eq!(notices(&app, coord.id, "late_cancellation").await.len(), 1);
    assert_eq!(notices(&app, line[0].id, "awarded").await.len(), 1);
}

on_both_backends!(
    a_late_report_holds_the_no_show_until_the_reported_arrival,
    a_new_report_moves_the_arrival_and_reopens_the_alert,
    wont_make_it_promotes_the_waitlist_and_counts_as_a_late_cancellation,
    refusals_leave_nothing_behind,
    a_replayed_action_has_one_effect,
);
