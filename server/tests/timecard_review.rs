//! A coordinator's review of timecards (decision 019), on SQLite and on PostgreSQL: rejecting
//! with a reason the officer sees on sync, overturning a rejection, and the steps the state
//! machine refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{Actor, Backend, TestApp, TestDevice, punch_action};
use offduty_domain::timecard::PunchKind;

const STADIUM: (f64, f64) = (40.0017, -83.0197);

/// `officer` works a four-hour shift that ended a minute ago; returns the pending timecard.
async fn worked_shift(app: &TestApp, coord: &Actor, officer: &Actor) -> Value {
    let job = app.job(coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    assert_eq!(app.claim(officer, id).await["type"], "awarded");
    let now = Utc::now();
    app.set_job_times(id, now - Duration::hours(4), now).await;
    let mut device = TestDevice::register(app, officer).await;
    for (kind, at) in [
        (PunchKind::In, now - Duration::minutes(241)),
        (PunchKind::Out, now - Duration::minutes(1)),
    ] {
        let ev = device.punch(officer, id, kind, at, STADIUM.0, STADIUM.1, 8.0);
        assert_eq!(
            app.act(officer, punch_action(kind, &ev)).await["type"],
            "punched"
        );
    }
    let (_, cards) = app.get("/v1/timecards", officer).await;
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["job_id"] == job["id"])
        .unwrap()
        .clone();
    assert_eq!(card["status"], "pending", "{card}");
    card
}

async fn rejected_timecard_reaches_the_officer_with_its_reason(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let card = worked_shift(&app, &coord, &officer).await;
    let tc = card["id"].as_str().unwrap();
    let (_, before) = app.get("/v1/sync", &officer).await;
    let cursor = before["cursor"].as_u64().unwrap();

    let reason = "The site supervisor says you left at 20:00, not 23:00.";
    let (s, rejected) = app
        .post(
            &format!("/v1/timecards/{tc}/reject"),
            &coord,
            &json!({"reason": format!("  {reason} ")}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["rejection_reason"], reason);

    // The officer's next sync brings the card, its status and the reason.
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={cursor}"), &officer)
        .await;
    assert_eq!(delta["full"], false);
    let synced = &delta["timecards"][0];
    assert_eq!(
        (synced["id"].as_str(), synced["status"].as_str()),
        (Some(tc), Some("rejected")),
        "{delta}"
    );
    assert_eq!(synced["rejection_reason"], reason);
    let (_, notes) = app.get("/v1/notifications", &officer).await;
    assert_eq!(notes[0]["kind"], "timecard_rejected");
    assert_eq!(notes[0]["payload"]["reason"], reason);
    assert_eq!(notes[0]["payload"]["timecard_id"], tc);

    // Nothing on a rejected card is owed.
    let (_, earnings) = app.get("/v1/earnings", &officer).await;
    assert_eq!(earnings["lines"][0]["status"], "rejected");
    assert_eq!(earnings["lines"][0]["rejection_reason"], reason);
    assert_eq!(earnings["totals"]["shifts"], 1);
    assert_eq!(earnings["totals"]["unpaid_cents"], 0);
    assert_eq!(earnings["totals"]["gross_cents"], 0);

    let (_, log) = app.get("/v1/audit?limit=500", &coord).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "timecard_rejected")
        .expect("rejection audited");
    assert_eq!(entry["entity_id"], tc);
    assert_eq!(entry["detail"]["from"], "pending");
}

async fn a_rejection_needs_a_reason_and_a_paid_card_cannot_be_rejected(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let card = worked_shift(&app, &coord, &officer).await;
    let tc = card["id"].as_str().unwrap();
    let path = format!("/v1/timecards/{tc}/reject");
    for body in [
        json!({}),
        json!({"reason": "   "}),
        json!({"reason": "x".repeat(1001)}),
    ] {
        let (s, p) = app.post(&path, &coord, &body).await;
        assert_eq!(
            (s, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
            "{body}: {p}"
        );
    }
    let (s, _) = app
        .post(&format!("/v1/timecards/{tc}/approve"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app
        .post(
            &path,
            &coord,
            &json!({"reason": "Too late, it is approved."}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(
        p["detail"],
        "the timecard is approved; it must be pending or needs_review for this"
    );
    // The officer cannot reject their own card, nor can anyone in another department see it.
    let (s, _) = app.post(&path, &officer, &json!({"reason": "mine"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, other) = app.department("Dublin").await;
    let (s, _) = app.post(&path, &other, &json!({"reason": "theirs"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, cards) = app.get("/v1/timecards", &coord).await;
    assert_eq!(cards[0]["status"], "approved");
}

async fn a_rejected_card_can_be_approved_with_a_note_and_then_paid(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let card = worked_shift(&app, &coord, &officer).await;
    let tc = card["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/v1/timecards/{tc}/reject"),
            &coord,
            &json!({"reason": "No one at the site remembers you."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(&format!("/v1/timecards/{tc}/paid"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a rejected card is not paid");
    let approve = format!("/v1/timecards/{tc}/approve");
    let (s, p) = app.post(&approve, &coord, &json!({})).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note")),
        "overturning a rejection needs a note: {p}"
    );
    let (s, approved) = app
        .post(
            &approve,
            &coord,
            &json!({"note": "The customer sent the sign-in sheet: he was there."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert!(
        approved.get("rejection_reason").is_none(),
        "the stale reason is cleared: {approved}"
    );
    let (s, paid) = app
        .post(&format!("/v1/timecards/{tc}/paid"), &coord, &json!({}))
        .await;
    assert_eq!((s, paid["status"].as_str()), (StatusCode::OK, Some("paid")));
    let (_, earnings) = app.get("/v1/earnings", &officer).await;
    assert_eq!(earnings["totals"]["paid_cents"], card["gross_cents"]);
}

on_both_backends!(
    rejected_timecard_reaches_the_officer_with_its_reason,
    a_rejection_needs_a_reason_and_a_paid_card_cannot_be_rejected,
    a_rejected_card_can_be_approved_with_a_note_and_then_paid,
);
