//! A coordinator edits or reschedules a posted job (decision 018), on SQLite and on
//! PostgreSQL: phones see the new job, everyone on it is told and re-checked, added slots go to
//! the line, and the edits the rules forbid are refused with the field named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Actor, Backend, TestApp, job_body};

async fn edit(app: &TestApp, coord: &Actor, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PATCH,
        &format!("/v1/jobs/{id}"),
        Some(coord),
        Some(&body),
    )
    .await
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn roster_status(app: &TestApp, coord: &Actor, id: &str, officer: &Actor) -> (String, Value) {
    let (_, roster) = app.get(&format!("/v1/jobs/{id}/roster"), coord).await;
    let line = roster
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["officer_id"] == officer.id.to_string())
        .unwrap()
        .clone();
    (
        line["status"].as_str().unwrap().to_string(),
        line["position"].clone(),
    )
}

async fn rescheduled_job_reaches_phones_and_everyone_on_it_is_told(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    let (holder, waiting, bystander) = (
        app.officer(dept).await,
        app.officer(dept).await,
        app.officer(dept).await,
    );
    assert_eq!(app.claim(&holder, id).await["type"], "awarded");
    assert_eq!(app.claim(&waiting, id).await["type"], "waitlisted");
    let (_, snap) = app.get("/v1/sync", &bystander).await;
    let cursor = snap["cursor"].as_u64().unwrap();

    let start = time(&job["starts_at"]) + Duration::hours(2);
    let (s, update) = edit(
        &app,
        &coord,
        id,
        json!({"starts_at": start, "ends_at": start + Duration::hours(5),
               "notes": "Kickoff moved to 3 pm.", "title": "  Traffic control — kickoff moved "}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{update}");
    // (`multiplier_bp` too, should the new date be a holiday.)
    for field in ["ends_at", "notes", "starts_at", "title"] {
        assert!(
            update["changed"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{update}"
        );
    }
    assert_eq!(update["job"]["title"], "Traffic control — kickoff moved");
    assert_eq!(time(&update["job"]["starts_at"]), start);
    let told: Vec<&str> = update["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["officer_id"].as_str().unwrap())
        .collect();
    assert_eq!(told, [holder.id.to_string(), waiting.id.to_string()]);
    assert_eq!(update["needs_attention"], json!([]));

    for officer in [&holder, &waiting] {
        let (_, notes) = app.get("/v1/notifications", officer).await;
        assert_eq!(notes[0]["kind"], "job_changed", "{notes}");
        assert_eq!(notes[0]["payload"]["still_eligible"], true);
        assert_eq!(notes[0]["payload"]["changed"], update["changed"]);
    }
    let (_, notes) = app.get("/v1/notifications", &bystander).await;
    assert_eq!(notes, json!([]), "only the officers on the job are told");

    // Every phone sees the new job on its next sync.
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={cursor}"), &bystander)
        .await;
    let synced = delta["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id)
        .expect("the edited job is in the delta");
    assert_eq!(time(&synced["starts_at"]), start);
    assert_eq!(synced["notes"], "Kickoff moved to 3 pm.");
    assert!(synced["version"].as_u64() > job["version"].as_u64());

    let (_, log) = app.get("/v1/audit?limit=500", &coord).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "job_updated")
        .expect("edit audited");
    assert_eq!(
        entry["detail"]["changes"]["notes"],
        json!(["", "Kickoff moved to 3 pm."])
    );
}

async fn holder_made_ineligible_keeps_the_slot_and_both_are_told(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let day = Utc::now() + Duration::days(4);
    let morning = app.job(&coord, |b| *b = job_body(day, 1)).await;
    // Nine hours apart: more than the department's minimum rest.
    let evening = app
        .job(&coord, |b| *b = job_body(day + Duration::hours(13), 1))
        .await;
    let officer = app.officer(dept).await;
    for j in [&morning, &evening] {
        assert_eq!(
            app.claim(&officer, j["id"].as_str().unwrap()).await["type"],
            "awarded"
        );
    }
    // The morning job now runs into the evening one, and needs a flagger.
    let id = morning["id"].as_str().unwrap();
    let (s, update) = edit(
        &app,
        &coord,
        id,
        json!({"ends_at": day + Duration::hours(14),
               "requirements": {"certifications": ["flagger"]}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{update}");
    assert_eq!(update["needs_attention"], json!([officer.id]));
    let reasons: Vec<&str> = update["officers"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons[..2],
        ["missing_certification", "overlap"],
        "{update}"
    );
    // Kept, not moved off: the slot is still theirs.
    assert_eq!(roster_status(&app, &coord, id, &officer).await.0, "awarded");
    assert_eq!(update["job"]["slots_filled"], 1);

    let (_, mine) = app.get("/v1/notifications", &officer).await;
    assert_eq!(mine[0]["kind"], "job_changed");
    assert_eq!(mine[0]["payload"]["still_eligible"], false);
    assert!(
        mine[0]["payload"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("flagger"),
        "{mine}"
    );
    let (_, theirs) = app.get("/v1/notifications", &coord).await;
    assert_eq!(theirs[0]["kind"], "holder_no_longer_eligible");
    assert_eq!(theirs[0]["payload"]["officer_id"], officer.id.to_string());
}

async fn slots_cannot_shrink_below_the_officers_holding_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(3)).await;
    let id = job["id"].as_str().unwrap();
    for _ in 0..2 {
        let o = app.officer(dept).await;
        assert_eq!(app.claim(&o, id).await["type"], "awarded");
    }
    let (s, p) = edit(&app, &coord, id, json!({"slots": 1})).await;
    assert_eq!(
        (s, p["field"].as_str(), p["awarded"].as_i64()),
        (StatusCode::CONFLICT, Some("slots"), Some(2)),
        "{p}"
    );
    let (_, now) = app.get(&format!("/v1/jobs/{id}"), &coord).await;
    assert_eq!(now["slots"], 3, "nothing changed");
    // Down to exactly the officers holding a slot is fine: the job is then full.
    let (s, update) = edit(&app, &coord, id, json!({"slots": 2})).await;
    assert_eq!(s, StatusCode::OK, "{update}");
    assert_eq!(update["job"]["status"], "filled");
}

async fn added_slots_go_to_the_line_at_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap();
    let officers = app.officers(dept, 3).await;
    let outcomes = [
        app.claim(&officers[0], id).await,
        app.claim(&officers[1], id).await,
        app.claim(&officers[2], id).await,
    ];
    assert_eq!(outcomes[2]["position"], 2, "{:?}", outcomes);
    let (s, update) = edit(&app, &coord, id, json!({"slots": 2})).await;
    assert_eq!(s, StatusCode::OK, "{update}");
    assert_eq!(update["promoted"], json!([officers[1].id]));
    assert_eq!(update["job"]["status"], "filled");
    assert_eq!(update["job"]["slots_filled"], 2);
    assert_eq!(
        roster_status(&app, &coord, id, &officers[1]).await.0,
        "awarded"
    );
    assert_eq!(
        roster_status(&app, &coord, id, &officers[2]).await,
        ("waitlisted".to_string(), json!(1))
    );
    let (_, notes) = app.get("/v1/notifications", &officers[1]).await;
    assert_eq!(
        (
            notes[0]["kind"].as_str(),
            notes[0]["payload"]["how"].as_str()
        ),
        (Some("awarded"), Some("slot_added"))
    );
}

async fn an_edit_is_checked_like_a_new_job(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |_| {}).await;
    let id = job["id"].as_str().unwrap();
    let start = time(&job["starts_at"]);
    for (body, field) in [
        (json!({"ends_at": start - Duration::hours(1)}), "ends_at"),
        (
            json!({"starts_at": Utc::now() - Duration::hours(2),
                   "ends_at": Utc::now() - Duration::hours(1)}),
            "starts_at",
        ),
        (json!({"slots": 0}), "slots"),
        (json!({"title": "   "}), "title"),
        (json!({"rate_cents": -5}), "rate_cents"),
        (
            json!({"requirements": {"certifications": [""]}}),
            "requirements.certifications[0]",
        ),
        (
            json!({"signup_closes_at": Utc::now() - Duration::minutes(5)}),
            "signup_closes_at",
        ),
        (json!({"award_rule": {"type": "seniority"}}), "award_rule"),
    ] {
        let (s, p) = edit(&app, &coord, id, body.clone()).await;
        assert_eq!(
            (s, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {p}"
        );
    }
    let (s, p) = edit(&app, &coord, id, json!({"slots": "three"})).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("slots"))
    );
    // Asking for what is already there writes nothing.
    let (s, same) = edit(&app, &coord, id, json!({"slots": job["slots"]})).await;
    assert_eq!((s, same["changed"].clone()), (StatusCode::OK, json!([])));
    assert_eq!(same["job"]["version"], job["version"]);
    // A rate follows a new job type unless one is given.
    let (_, update) = edit(&app, &coord, id, json!({"rate_cents": 6100})).await;
    assert_eq!(update["job"]["rate_cents"], 6100);

    let officer = app.officer(dept).await;
    let (s, _) = edit(&app, &officer, id, json!({"notes": "mine now"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, other) = app.department("Dublin").await;
    let (s, _) = edit(&app, &other, id, json!({"notes": "ours now"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A job under way, or called off, is not edited.
    let now = Utc::now();
    app.set_job_times(id, now - Duration::hours(1), now + Duration::hours(3))
        .await;
    let (s, p) = edit(&app, &coord, id, json!({"notes": "late"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    let other_job = app.job(&coord, |_| {}).await;
    let other_id = other_job["id"].as_str().unwrap();
    let (s, _) = app
        .post(&format!("/v1/jobs/{other_id}/cancel"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = edit(&app, &coord, other_id, json!({"notes": "revived?"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
}

async fn a_ranked_jobs_signups_move_only_until_the_award(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let start = Utc::now() + Duration::days(6);
    let job = app
        .job(&coord, |b| {
            *b = job_body(start, 1);
            b["award_rule"] = json!({"type": "seniority"});
            b["signup_closes_at"] = json!(start - Duration::days(2));
        })
        .await;
    let id = job["id"].as_str().unwrap();
    let later = start - Duration::days(1);
    let (s, update) = edit(&app, &coord, id, json!({"signup_closes_at": later})).await;
    assert_eq!(s, StatusCode::OK, "{update}");
    assert_eq!(
        time(&update["job"]["signup_closes_at"]).timestamp_micros(),
        later.timestamp_micros()
    );
    let officer = app.officer(dept).await;
    assert_eq!(app.claim(&officer, id).await["type"], "requested");
    let (s, _) = app
        .post(&format!("/v1/jobs/{id}/award"), &coord, &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = edit(
        &app,
        &coord,
        id,
        json!({"signup_closes_at": start - Duration::hours(12)}),
    )
    .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::CONFLICT, Some("signup_closes_at")),
        "{p}"
    );
}

on_both_backends!(
    rescheduled_job_reaches_phones_and_everyone_on_it_is_told,
    holder_made_ineligible_keeps_the_slot_and_both_are_told,
    slots_cannot_shrink_below_the_officers_holding_them,
    added_slots_go_to_the_line_at_once,
    an_edit_is_checked_like_a_new_job,
    a_ranked_jobs_signups_move_only_until_the_award,
);
