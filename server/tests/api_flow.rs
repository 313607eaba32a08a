//! Every API path end to end, on SQLite and on PostgreSQL: the officer's day (claim, waitlist,
//! cancel, transfer, clock in/out, sync, earnings) and the coordinator's (post, roster, award,
//! approve, pay, rules, duty import, audit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

use common::{Backend, TestApp, TestDevice, job_body, punch_action};
use offduty_domain::protocol::Role;
use offduty_domain::timecard::PunchKind;

const STADIUM: (f64, f64) = (40.0017, -83.0197);

async fn public_endpoints_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (s, body) = app.call(Method::GET, "/v1/health", None, None).await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, Some("ok")));
    let (s, body) = app.call(Method::GET, "/v1/ready", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    let (s, doc) = app.call(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/actions"]["post"].is_object());
    let (s, p) = app.call(Method::GET, "/v1/nope", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(p["type"], "https://offduty.dev/problems/not-found");
}

async fn login_refresh_rotation_and_reuse_detection(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (s, p) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": officer.email, "password": "wrong password!!"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
    let (s, tokens) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": officer.email.to_uppercase(), "password": common::PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["user"]["role"], "officer");
    let mut me = officer.clone();
    me.token = tokens["access_token"].as_str().unwrap().to_string();
    let (s, body) = app.get("/v1/me", &me).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["profile"]["id"], officer.id.to_string());

    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (s, second) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": first})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let second_refresh = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_refresh, first);
    // The same token again at once is a retry (its answer may have been lost): the same
    // successor comes back (decision 021; refresh_network.rs loses real answers).
    let (s, retried) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": first})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{retried}");
    assert_eq!(retried["refresh_token"], second["refresh_token"]);
    let (s, third) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": second_refresh})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{third}");
    // Once its successor has been used, presenting the old token revokes the family: the
    // newest token dies too.
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": first})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": third["refresh_token"]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Logout ends a fresh session.
    let (_, t) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": officer.email, "password": common::PASSWORD})),
        )
        .await;
    let r = t["refresh_token"].as_str().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/logout",
            None,
            Some(&json!({"refresh_token": r})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": r})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn login_is_rate_limited_per_account(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let mut limited = false;
    for _ in 0..15 {
        let (s, p) = app
            .call(
                Method::POST,
                "/v1/auth/login",
                None,
                Some(&json!({"email": officer.email, "password": "not the password"})),
            )
            .await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(p["type"], "https://offduty.dev/problems/rate-limited");
            limited = true;
            break;
        }
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert!(limited, "15 bad logins in a row were never limited");
}

async fn first_come_claims_fill_then_waitlist_and_cancel_promotes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    let (a, b, c) = (
        app.officer(dept).await,
        app.officer(dept).await,
        app.officer(dept).await,
    );

    assert_eq!(app.claim(&a, id).await["type"], "awarded");
    let second = app.claim(&b, id).await;
    assert_eq!(second["type"], "waitlisted");
    assert_eq!(second["position"], 1);
    let third = app.claim(&c, id).await;
    assert_eq!(
        (third["type"].as_str(), third["position"].as_i64()),
        (Some("waitlisted"), Some(2))
    );
    let again = app.claim(&a, id).await;
    assert_eq!(again["code"], "already_claimed");

    let (_, j) = app.get(&format!("/v1/jobs/{id}"), &a).await;
    assert_eq!(
        (j["slots_filled"].as_i64(), j["status"].as_str()),
        (Some(1), Some("filled"))
    );

    // C leaves the line; B stays first.
    assert_eq!(
        app.act(&c, json!({"type": "withdraw", "job_id": id})).await["type"],
        "withdrawn"
    );
    // A cancels three days out (free window): B is promoted and told.
    let out = app
        .act(
            &a,
            json!({"type": "cancel", "job_id": id, "reason": "family"}),
        )
        .await;
    assert_eq!(out["type"], "cancelled", "{out}");
    assert_eq!(out["window"], "free");
    assert_eq!(out["promoted"], true);
    let (_, roster) = app.get(&format!("/v1/jobs/{id}/roster"), &coord).await;
    let holder = roster
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "awarded")
        .unwrap();
    assert_eq!(holder["officer_id"], b.id.to_string());
    let (_, notes) = app.get("/v1/notifications", &b).await;
    assert_eq!(notes[0]["kind"], "awarded");
}

async fn cancel_windows_refuse_late_cancellations(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    // Starts in 20 h: the "needs replacement" window (12–48 h) with nobody waiting.
    let soon = app
        .job(&coord, |b| {
            *b = job_body(Utc::now() + Duration::hours(20), 1)
        })
        .await;
    let id = soon["id"].as_str().unwrap();
    assert_eq!(app.claim(&a, id).await["type"], "awarded");
    let out = app.act(&a, json!({"type": "cancel", "job_id": id})).await;
    assert_eq!(out["code"], "needs_replacement", "{out}");
    // With someone on the waitlist, the same cancellation goes through.
    let b = app.officer(dept).await;
    assert_eq!(app.claim(&b, id).await["type"], "waitlisted");
    let out = app.act(&a, json!({"type": "cancel", "job_id": id})).await;
    assert_eq!(
        (out["type"].as_str(), out["promoted"].as_bool()),
        (Some("cancelled"), Some(true))
    );
    // Once clocked in (here: very early, which itself needs review), only a coordinator can
    // release the officer, even in the free window.
    let later = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id3 = later["id"].as_str().unwrap();
    assert_eq!(app.claim(&a, id3).await["type"], "awarded");
    let mut device = TestDevice::register(&app, &a).await;
    let ev = device.punch(
        &a,
        id3,
        PunchKind::In,
        Utc::now(),
        STADIUM.0,
        STADIUM.1,
        8.0,
    );
    assert_eq!(
        app.act(&a, punch_action(PunchKind::In, &ev)).await["verdict"],
        "needs_review"
    );
    for action in [
        json!({"type": "cancel", "job_id": id3}),
        json!({"type": "transfer", "job_id": id3, "to_officer_id": null}),
    ] {
        let out = app.act(&a, action).await;
        assert_eq!(out["code"], "call_coordinator", "{out}");
        assert!(
            out["reason"].as_str().unwrap().contains("clocked in"),
            "{out}"
        );
    }
    // Starting in 5 h: call the coordinator.
    let sooner = app
        .job(&coord, |b| {
            *b = job_body(Utc::now() + Duration::hours(5), 1)
        })
        .await;
    let id2 = sooner["id"].as_str().unwrap();
    assert_eq!(app.claim(&a, id2).await["type"], "awarded");
    let out = app.act(&a, json!({"type": "cancel", "job_id": id2})).await;
    assert_eq!(out["code"], "call_coordinator", "{out}");
}

async fn transfer_to_a_named_officer_or_offer_on_the_board(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    let (a, b, c) = (
        app.officer(dept).await,
        app.officer(dept).await,
        app.officer(dept).await,
    );
    assert_eq!(app.claim(&a, id).await["type"], "awarded");
    let out = app
        .act(
            &a,
            json!({"type": "transfer", "job_id": id, "to_officer_id": b.id}),
        )
        .await;
    assert_eq!(
        (out["type"].as_str(), out["to_officer_id"].as_str()),
        (Some("transferred"), Some(b.id.to_string().as_str())),
        "{out}"
    );
    // B offers it back to the board; nobody waits, so B keeps it until C claims.
    let out = app
        .act(
            &b,
            json!({"type": "transfer", "job_id": id, "to_officer_id": null}),
        )
        .await;
    assert_eq!(
        (out["type"].as_str(), out["to_officer_id"].is_null()),
        (Some("transferred"), true)
    );
    let (_, j) = app.get(&format!("/v1/jobs/{id}"), &c).await;
    assert_eq!(j["slots_offered"], 1);
    assert_eq!(app.claim(&c, id).await["type"], "awarded");
    let (_, roster) = app.get(&format!("/v1/jobs/{id}/roster"), &coord).await;
    let awarded: Vec<_> = roster
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "awarded")
        .collect();
    assert_eq!(awarded.len(), 1);
    assert_eq!(awarded[0]["officer_id"], c.id.to_string());
    // Transfers to someone outside the department are refused.
    let (other_dept, _) = app.department("Dublin").await;
    let stranger = app.officer(other_dept).await;
    let out = app
        .act(
            &c,
            json!({"type": "transfer", "job_id": id, "to_officer_id": stranger.id}),
        )
        .await;
    assert_eq!(out["code"], "transfer_target_invalid");
}

async fn ineligible_officers_are_told_why(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app
        .job(&coord, |b| {
            b["requirements"] = json!({"min_rank": "sergeant", "certifications": ["motor"]});
        })
        .await;
    let no_permit = app.officer_with(dept, |u| u.permit_expires_at = None).await;
    let out = app.claim(&no_permit, job["id"].as_str().unwrap()).await;
    assert_eq!(out["code"], "not_eligible");
    let kinds: Vec<_> = out["ineligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["rank_too_low", "missing_certification", "no_permit"],
        "{out}"
    );
    assert!(
        out["reason"].as_str().unwrap().contains("Sergeant"),
        "{out}"
    );
}

async fn ranked_job_awards_by_seniority_when_signups_close(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let start = Utc::now() + Duration::days(5);
    let job = app
        .job(&coord, |b| {
            *b = job_body(start, 2);
            b["award_rule"] = json!({"type": "seniority"});
            b["signup_closes_at"] = json!(start - Duration::days(1));
        })
        .await;
    let id = job["id"].as_str().unwrap();
    let junior = app.officer_with(dept, |u| u.seniority = 90).await;
    let senior = app.officer_with(dept, |u| u.seniority = 3).await;
    let middle = app.officer_with(dept, |u| u.seniority = 40).await;
    assert_eq!(app.claim(&junior, id).await["position"], 1);
    let s = app.claim(&senior, id).await;
    assert_eq!(
        (s["type"].as_str(), s["position"].as_i64()),
        (Some("requested"), Some(1))
    );
    assert_eq!(app.claim(&middle, id).await["position"], 2);
    let (status, report) = app
        .post(&format!("/v1/jobs/{id}/award"), &coord, &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["awarded"], json!([senior.id, middle.id]));
    assert_eq!(report["waitlisted"], json!([junior.id]));
    let (status, _) = app
        .post(&format!("/v1/jobs/{id}/award"), &coord, &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "awarding twice is refused");
    let (_, sync) = app.get("/v1/sync?cursor=0", &junior).await;
    let mine = &sync["assignments"][0];
    assert_eq!(
        (mine["status"].as_str(), mine["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
}

async fn clock_in_and_out_make_a_verified_timecard_and_earnings(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    assert_eq!(app.claim(&officer, id).await["type"], "awarded");
    // The shift ran from 4 h ago until now.
    let now = Utc::now();
    app.set_job_times(id, now - Duration::hours(4), now).await;
    let mut device = TestDevice::register(&app, &officer).await;
    let ev_in = device.punch(
        &officer,
        id,
        PunchKind::In,
        now - Duration::minutes(245),
        STADIUM.0,
        STADIUM.1,
        8.0,
    );
    let out = app.act(&officer, punch_action(PunchKind::In, &ev_in)).await;
    assert_eq!(
        (out["type"].as_str(), out["verdict"].as_str()),
        (Some("punched"), Some("verified")),
        "{out}"
    );
    let twice = device.punch(
        &officer,
        id,
        PunchKind::In,
        now - Duration::minutes(244),
        STADIUM.0,
        STADIUM.1,
        8.0,
    );
    assert_eq!(
        app.act(&officer, punch_action(PunchKind::In, &twice)).await["code"],
        "punch_out_of_order"
    );
    let ev_out = device.punch(
        &officer,
        id,
        PunchKind::Out,
        now - Duration::seconds(30),
        STADIUM.0,
        STADIUM.1,
        6.0,
    );
    let out = app
        .act(&officer, punch_action(PunchKind::Out, &ev_out))
        .await;
    assert_eq!(out["verdict"], "verified", "{out}");

    let (_, cards) = app.get("/v1/timecards", &officer).await;
    let card = &cards[0];
    assert_eq!(card["status"], "pending", "{card}");
    // Paid from the scheduled start (the early minutes are not paid): 239.5 min → 240 billable.
    assert_eq!(card["billable_minutes"], 240, "{card}");
    let rate = card["rate_cents"].as_i64().unwrap();
    assert_eq!(
        card["gross_cents"].as_i64().unwrap(),
        rate * 4 * card["multiplier_bp"].as_i64().unwrap() / 10_000
    );

    let tc = card["id"].as_str().unwrap();
    let (s, _) = app
        .post(&format!("/v1/timecards/{tc}/paid"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "cannot pay before approval");
    let (s, approved) = app
        .post(&format!("/v1/timecards/{tc}/approve"), &coord, &json!({}))
        .await;
    assert_eq!(
        (s, approved["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
    let (_, earnings) = app.get("/v1/earnings", &officer).await;
    assert_eq!(earnings["totals"]["shifts"], 1);
    assert_eq!(earnings["totals"]["unpaid_cents"], card["gross_cents"]);
    let (s, _) = app
        .post(&format!("/v1/timecards/{tc}/paid"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, earnings) = app.get("/v1/earnings", &officer).await;
    assert_eq!(earnings["totals"]["paid_cents"], card["gross_cents"]);
    assert_eq!(earnings["totals"]["unpaid_cents"], 0);
    assert_eq!(earnings["currency"], "USD");
}

async fn doubtful_punch_needs_review_and_a_note_to_approve(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    app.claim(&officer, id).await;
    let now = Utc::now();
    app.set_job_times(id, now - Duration::hours(3), now + Duration::hours(1))
        .await;
    let mut device = TestDevice::register(&app, &officer).await;
    // 180 m accuracy: the officer is told to move to open sky; the punch needs review.
    let ev = device.punch(
        &officer,
        id,
        PunchKind::In,
        now - Duration::hours(3),
        STADIUM.0,
        STADIUM.1,
        180.0,
    );
    let out = app.act(&officer, punch_action(PunchKind::In, &ev)).await;
    assert_eq!(out["verdict"], "needs_review", "{out}");
    assert_eq!(out["reasons"][0]["type"], "low_accuracy");
    // 2 km away: rejected (still recorded, so the chain continues).
    let ev = device.punch(
        &officer,
        id,
        PunchKind::Out,
        now - Duration::minutes(1),
        STADIUM.0 + 0.02,
        STADIUM.1,
        5.0,
    );
    let out = app.act(&officer, punch_action(PunchKind::Out, &ev)).await;
    assert_eq!(out["verdict"], "rejected", "{out}");
    let (_, cards) = app.get("/v1/timecards", &coord).await;
    let tc = cards[0]["id"].as_str().unwrap();
    assert_eq!(cards[0]["status"], "needs_review");
    let (s, p) = app
        .post(&format!("/v1/timecards/{tc}/approve"), &coord, &json!({}))
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (s, _) = app
        .post(
            &format!("/v1/timecards/{tc}/approve"),
            &coord,
            &json!({"note": "Called the site supervisor; officer was there."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn sync_returns_only_changes_since_the_cursor(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let a = app.officer(dept).await;
    let b = app.officer(dept).await;
    let j1 = app.job(&coord, |_| {}).await;
    let (s, full) = app.get("/v1/sync", &a).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(full["full"], true);
    assert_eq!(full["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(full["rules"]["time_zone"], "America/New_York");
    assert_eq!(full["profile"]["id"], a.id.to_string());
    let cursor = full["cursor"].as_u64().unwrap();
    let (_, idle) = app.get(&format!("/v1/sync?cursor={cursor}"), &a).await;
    assert_eq!(
        (
            idle["full"].as_bool(),
            idle["jobs"].as_array().unwrap().len()
        ),
        (Some(false), 0)
    );
    assert_eq!(idle["cursor"].as_u64(), Some(cursor));
    // B claims: A sees the job change but not B's assignment.
    app.claim(&b, j1["id"].as_str().unwrap()).await;
    let (_, delta) = app.get(&format!("/v1/sync?cursor={cursor}"), &a).await;
    assert_eq!(delta["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(delta["jobs"][0]["slots_filled"], 1);
    assert!(
        delta["assignments"].as_array().unwrap().is_empty(),
        "{delta}"
    );
    let (_, bdelta) = app.get(&format!("/v1/sync?cursor={cursor}"), &b).await;
    assert_eq!(bdelta["assignments"][0]["officer_id"], b.id.to_string());
    // Rule changes reach everyone.
    let (_, settings) = app.get("/v1/department", &coord).await;
    assert_eq!(
        settings["rules"]["pay_period"],
        json!({"length": "biweekly", "anchor": "2026-01-05"}),
        "a department that never set its pay period has the default"
    );
    let mut rules = json!({"rules": {
        "limits": settings["rules"]["limits"], "cancel_policy": {"free_hours": 72, "replacement_hours": 24},
        "punch_thresholds": settings["rules"]["punch_thresholds"],
        "pay_period": {"length": "semimonthly", "anchor": "2026-01-01"}}, "pay": settings["pay"]});
    let (s, _) = app
        .call(Method::PUT, "/v1/department", Some(&coord), Some(&rules))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={}", delta["cursor"]), &a)
        .await;
    assert_eq!(delta["rules"]["cancel_policy"]["free_hours"], 72);
    assert_eq!(
        delta["rules"]["pay_period"]["length"], "semimonthly",
        "the pay period reaches the phones"
    );
    rules["rules"]["cancel_policy"] = json!({"free_hours": 1, "replacement_hours": 5});
    let (s, p) = app
        .call(Method::PUT, "/v1/department", Some(&coord), Some(&rules))
        .await;
    assert_eq!(
        (s, p["field"].as_str(), p["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("rules.cancel_policy.free_hours"),
            Some("inconsistent")
        )
    );
    rules["rules"]["cancel_policy"] = json!({"free_hours": 72, "replacement_hours": 24});
    rules["rules"]["pay_period"]["anchor"] = json!("1999-01-04");
    let (s, p) = app
        .call(Method::PUT, "/v1/department", Some(&coord), Some(&rules))
        .await;
    assert_eq!(
        (s, p["field"].as_str(), p["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("rules.pay_period.anchor"),
            Some("out_of_range")
        )
    );
    // A cursor from the future (a reset server) gets a full snapshot.
    let (_, again) = app.get("/v1/sync?cursor=999999999", &a).await;
    assert_eq!(again["full"], true);
    let (s, p) = app.get("/v1/sync?cursor=abc", &a).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
}

async fn coordinator_imports_duty_hours_that_count_toward_caps(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let start = Utc::now() + Duration::days(2);
    let job = app.job(&coord, |b| *b = job_body(start, 1)).await;
    // A 14 h on-duty shift ending 2 h before the detail: too little rest, too many hours.
    let (s, r) = app
        .post("/v1/duty-blocks", &coord, &json!({"source": "CAD", "blocks": [
            {"officer_id": officer.id, "starts_at": start - Duration::hours(16), "ends_at": start - Duration::hours(2)}]}))
        .await;
    assert_eq!((s, r["imported"].as_i64()), (StatusCode::OK, Some(1)));
    let out = app.claim(&officer, job["id"].as_str().unwrap()).await;
    assert_eq!(out["code"], "not_eligible");
    let kinds: Vec<_> = out["ineligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"rest"), "{out}");
    let (s, p) = app
        .post("/v1/duty-blocks", &coord, &json!({"source": "CAD", "blocks": [
            {"officer_id": officer.id, "starts_at": start, "ends_at": start - Duration::hours(1)}]}))
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("blocks[0].ends_at"))
    );
    let (_, sync) = app.get("/v1/sync", &officer).await;
    assert_eq!(sync["duty_blocks"].as_array().unwrap().len(), 1);
    let (_, officers) = app.get("/v1/officers", &coord).await;
    assert_eq!(officers.as_array().unwrap().len(), 1);
}

async fn coordinator_cancels_a_job_and_everyone_is_told(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    let (a, b) = (app.officer(dept).await, app.officer(dept).await);
    app.claim(&a, id).await;
    app.claim(&b, id).await;
    let (s, j) = app
        .post(&format!("/v1/jobs/{id}/cancel"), &coord, &json!({}))
        .await;
    assert_eq!(
        (s, j["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    for o in [&a, &b] {
        let (_, notes) = app.get("/v1/notifications", o).await;
        assert_eq!(notes[0]["kind"], "job_cancelled");
    }
    assert_eq!(app.claim(&a, id).await["code"], "job_closed");
    let (s, _) = app
        .post(&format!("/v1/jobs/{id}/cancel"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, report) = app.get("/v1/audit/verify", &coord).await;
    assert!(report["first_bad_seq"].is_null(), "{report}");
    assert!(report["entries"].as_i64().unwrap() >= 4);
    let (_, log) = app.get("/v1/audit?after=0&limit=100", &coord).await;
    let actions: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"job_cancelled") && actions.contains(&"claim"),
        "{actions:?}"
    );
}

async fn bad_input_gets_a_problem_naming_the_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let mut body = job_body(Utc::now() + Duration::days(1), 1);
    body["slots"] = json!(0);
    let (s, p) = app.post("/v1/jobs", &coord, &body).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("slots")),
        "{p}"
    );
    body["slots"] = json!("many");
    let (s, p) = app.post("/v1/jobs", &coord, &body).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("slots")),
        "{p}"
    );
    body["slots"] = json!(2);
    body["geofence"]["radius_m"] = json!(-5);
    let (s, p) = app.post("/v1/jobs", &coord, &body).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("geofence")),
        "{p}"
    );
    body["geofence"]["radius_m"] = json!(200);
    body["award_rule"] = json!({"type": "seniority"});
    let (s, p) = app.post("/v1/jobs", &coord, &body).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("signup_closes_at")),
        "{p}"
    );
    let resp = app
        .http
        .post(format!("{}/v1/jobs", app.url))
        .bearer_auth(&coord.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app
        .http
        .post(format!("{}/v1/jobs", app.url))
        .bearer_auth(&coord.token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "missing content type"
    );
    let (s, _) = app.get("/v1/jobs/not-a-uuid", &coord).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = app.get("/v1/jobs?from=yesterday", &coord).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
    let officer = app.officer(coord.department_id).await;
    let (s, p) = app.post("/v1/actions", &officer, &json!({"actions": [{"idempotency_key": "x", "created_at": Utc::now(), "action": {"type": "claim"}}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(
        p["field"].as_str().unwrap().starts_with("actions[0]"),
        "{p}"
    );
    // The batch item at fault is data too: a client needs no path parsing to find it.
    let good = json!({"idempotency_key": uuid::Uuid::now_v7(), "created_at": Utc::now(), "action": {"type": "claim", "job_id": uuid::Uuid::now_v7()}});
    let bad = json!({"idempotency_key": uuid::Uuid::now_v7(), "created_at": Utc::now(), "action": {"type": "claim", "job_id": "nope"}});
    let (s, p) = app
        .post("/v1/actions", &officer, &json!({"actions": [good, bad]}))
        .await;
    assert_eq!(
        (s, p["index"].as_u64(), p["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(1),
            Some("bad_format")
        ),
        "{p}"
    );
    let (s, p) = app
        .post("/v1/actions", &officer, &json!({"actions": []}))
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("actions"))
    );
    let (s, p) = app
        .post(
            "/v1/devices",
            &officer,
            &json!({"public_key": "bm90IGEga2V5", "label": "x"}),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("public_key"))
    );
    let (s, p) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": "nobody", "password": "x"})),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    let _ = Role::Officer;
}

async fn denials_are_written_to_the_audit_log(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (s, _) = app
        .post(
            "/v1/jobs",
            &officer,
            &job_body(Utc::now() + Duration::days(2), 1),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = app
        .call(Method::DELETE, "/v1/jobs", Some(&officer), None)
        .await;
    assert_eq!(
        (s, p["title"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("Method not allowed"))
    );
    let (_, log) = app.get("/v1/audit", &coord).await;
    let denied: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "denied")
        .collect();
    assert_eq!(denied.len(), 1, "{log}");
    assert_eq!(denied[0]["actor_id"], officer.id.to_string());
    assert_eq!(denied[0]["entity_id"], "POST /v1/jobs");
}

async fn preferences_round_trip_and_reach_sync(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (s, prefs) = app.get("/v1/preferences", &officer).await;
    assert_eq!(
        (s, prefs["channels"]["push"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (_, full) = app.get("/v1/sync", &officer).await;
    let cursor = full["cursor"].as_u64().unwrap();
    let body = json!({"channels": {"push": true, "sms": true, "email": false},
        "quiet_hours": [{"weekday": "sun", "start": "22:00", "end": "06:30"}]});
    let (s, saved) = app
        .call(Method::PUT, "/v1/preferences", Some(&officer), Some(&body))
        .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert!(saved["version"].as_u64().unwrap() > cursor);
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={cursor}"), &officer)
        .await;
    assert_eq!(delta["preferences"]["quiet_hours"][0]["end"], "06:30");
    let bad = json!({"channels": {"push": true, "sms": true, "email": false},
        "quiet_hours": [{"weekday": "sun", "start": "9pm", "end": "06:30"}]});
    let (s, p) = app
        .call(Method::PUT, "/v1/preferences", Some(&officer), Some(&bad))
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("quiet_hours[0].start")
        ),
        "{p}"
    );
}

on_both_backends!(
    preferences_round_trip_and_reach_sync,
    denials_are_written_to_the_audit_log,
    public_endpoints_answer,
    login_refresh_rotation_and_reuse_detection,
    login_is_rate_limited_per_account,
    first_come_claims_fill_then_waitlist_and_cancel_promotes,
    cancel_windows_refuse_late_cancellations,
    transfer_to_a_named_officer_or_offer_on_the_board,
    ineligible_officers_are_told_why,
    ranked_job_awards_by_seniority_when_signups_close,
    clock_in_and_out_make_a_verified_timecard_and_earnings,
    doubtful_punch_needs_review_and_a_note_to_approve,
    sync_returns_only_changes_since_the_cursor,
    coordinator_imports_duty_hours_that_count_toward_caps,
    coordinator_cancels_a_job_and_everyone_is_told,
    bad_input_gets_a_problem_naming_the_field,
);
