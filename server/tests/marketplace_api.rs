//! The marketplace through the JSON API (decision 039), on SQLite and PostgreSQL: a customer
//! adds a site, sees the estimate (the domain's figure, to the cent), is refused until it has
//! invoice terms, submits, changes its request after the coordinator asks, and cancels it (free
//! before approval; after it, at the late fee it was shown, 409 when the figure it sends is not
//! the current one); a coordinator works the queue by status, approves with edits (the jobs
//! carry them), sends back and rejects; the rate card goes round (PUT, GET, an invalid card
//! refused on its field) and officers' pay in `GET /v1/sync` follows it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use common::{Actor, Backend, TestApp};
use offduty_domain::billing::{self, Bill, RateCard, RequestedShift};
use offduty_domain::protocol::Role;
use offduty_server::services::customers;

const TZ: &str = "America/New_York";

/// A business signed up in `dept` (there is no API for signing up: the console's page does
/// it); card terms and no payment method yet.
async fn business(app: &TestApp, dept: Uuid, name: &str) -> Actor {
    let now = Utc::now();
    let email = format!("owner-{}@business.test", Uuid::new_v4().simple());
    let (_, user_id) = customers::sign_up(
        &app.db,
        dept,
        &customers::SignUp {
            organization: name.into(),
            billing_address: "411 Woody Hayes Dr, Columbus, OH 43210".into(),
            contact_name: "Pat Gate".into(),
            email: email.clone(),
            phone: "(614) 555-0100".into(),
            password: common::PASSWORD.into(),
        },
        now,
    )
    .await
    .unwrap();
    Actor {
        id: user_id,
        department_id: dept,
        role: Role::Customer,
        email,
        token: app
            .state
            .tokens
            .issue_access(user_id, dept, Role::Customer, now),
    }
}

async fn put(app: &TestApp, path: &str, who: &Actor, body: &Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(who), Some(body)).await
}

/// Adds a site through the API; returns its id.
async fn site(app: &TestApp, customer: &Actor) -> String {
    let (s, site) = app
        .post(
            "/v1/sites",
            customer,
            &json!({"name": "Stadium gate C", "address": "411 Woody Hayes Dr",
                "location": {"lat": 40.0017, "lon": -83.0197}, "radius_m": 120.0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{site}");
    site["id"].as_str().unwrap().to_string()
}

/// One shift starting `from_now` after now, `hours` long.
fn shift(from_now: Duration, hours: i64, officers: u32) -> Value {
    let start = Utc::now() + from_now;
    json!({"starts_at": start, "ends_at": start + Duration::hours(hours), "officers": officers})
}

fn form(site: &str, title: &str, shifts: Vec<Value>) -> Value {
    json!({"site_id": site, "title": title, "job_type": "security", "vehicle": true,
        "contact_name": "Pat Gate", "contact_phone": "(614) 555-0100",
        "instructions": "Meet at gate C.", "shifts": shifts})
}

/// The shifts of `form` as the rate card bills them.
fn requested(form: &Value) -> Vec<RequestedShift> {
    form["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| RequestedShift {
            starts_at: serde_json::from_value(s["starts_at"].clone()).unwrap(),
            ends_at: serde_json::from_value(s["ends_at"].clone()).unwrap(),
            officers: s["officers"].as_u64().unwrap() as u32,
            job_type: form["job_type"].as_str().unwrap().into(),
            vehicle: form["vehicle"].as_bool().unwrap(),
        })
        .collect()
}

async fn rate_card(app: &TestApp, who: &Actor) -> RateCard {
    let (s, card) = app.get("/v1/rate-card", who).await;
    assert_eq!(s, StatusCode::OK, "{card}");
    serde_json::from_value(card).unwrap()
}

fn field(p: &Value) -> &str {
    p["field"].as_str().unwrap_or("")
}

async fn customer_requests_changes_and_cancels(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let cust = business(&app, dept, "Buckeye Events").await;

    let (s, org) = app.get("/v1/organization", &cust).await;
    assert_eq!(
        (s, org["terms"].as_str()),
        (StatusCode::OK, Some("card")),
        "{org}"
    );
    assert_eq!(org["name"], "Buckeye Events");
    let org_id = org["id"].as_str().unwrap().to_string();

    // Sites: a bad pin is refused on its field; a good one is listed.
    let (s, p) = app
        .post(
            "/v1/sites",
            &cust,
            &json!({"name": "Nowhere", "address": "x", "location": {"lat": 123.0, "lon": 0.0}}),
        )
        .await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "location"),
        "{p}"
    );
    let (s, p) = app
        .post(
            "/v1/sites",
            &cust,
            &json!({"name": "Gate\u{0}C", "address": "x", "location": {"lat": 40.0, "lon": -83.0}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let site_id = site(&app, &cust).await;
    let (s, sites) = app.get("/v1/sites", &cust).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sites.as_array().unwrap().len(), 1, "{sites}");
    assert_eq!(sites[0]["geofence"]["radius_m"], 120.0);

    // The estimate is the domain's, to the cent, from the card the customer can read.
    let first = form(
        &site_id,
        "Home opener",
        vec![
            shift(Duration::days(10), 5, 2),
            shift(Duration::days(11), 3, 1),
        ],
    );
    let card = rate_card(&app, &cust).await;
    let (s, bill) = app.post("/v1/event-requests/estimate", &cust, &first).await;
    assert_eq!(s, StatusCode::OK, "{bill}");
    let tz: Tz = TZ.parse().unwrap();
    let expected = billing::estimate(&card, tz, Utc::now(), &requested(&first)).unwrap();
    assert_eq!(serde_json::from_value::<Bill>(bill).unwrap(), expected);
    assert!(expected.total_cents > 0);
    let (s, p) = app
        .post(
            "/v1/event-requests/estimate",
            &cust,
            &form(&site_id, "No shifts", vec![]),
        )
        .await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "shifts"),
        "{p}"
    );

    // Without a payment method or invoice terms: refused, nothing written.
    let (s, p) = app.post("/v1/event-requests", &cust, &first).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    let (_, mine) = app.get("/v1/event-requests", &cust).await;
    assert_eq!(mine, json!([]));
    let (s, org) = put(
        &app,
        &format!("/v1/organizations/{org_id}/terms"),
        &coord,
        &json!({"terms": "invoice"}),
    )
    .await;
    assert_eq!(
        (s, org["terms"].as_str()),
        (StatusCode::OK, Some("invoice")),
        "{org}"
    );

    // Submitted with invoice terms; a site of nobody's is refused on its field.
    let (s, p) = app
        .post(
            "/v1/event-requests",
            &cust,
            &form(
                &Uuid::now_v7().to_string(),
                "Elsewhere",
                vec![shift(Duration::days(10), 4, 1)],
            ),
        )
        .await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "site_id"),
        "{p}"
    );
    let (s, req) = app.post("/v1/event-requests", &cust, &first).await;
    assert_eq!(s, StatusCode::CREATED, "{req}");
    assert_eq!(req["status"], "submitted");
    assert_eq!(req["organization_id"], org_id.as_str());
    assert_eq!(req["estimate"]["total_cents"], expected.total_cents);
    let id = req["id"].as_str().unwrap().to_string();

    // The coordinator asks for changes; the customer reads why, changes it, and it is waiting
    // again.
    let (s, back) = app
        .post(
            &format!("/v1/event-requests/{id}/changes"),
            &coord,
            &json!({"reason": "We can staff one officer on the second day."}),
        )
        .await;
    assert_eq!(
        (s, back["status"].as_str()),
        (StatusCode::OK, Some("changes_requested"))
    );
    let (_, seen) = app.get(&format!("/v1/event-requests/{id}"), &cust).await;
    assert_eq!(
        seen["reason"],
        "We can staff one officer on the second day."
    );
    let mut changed = form(
        &site_id,
        "Home opener (revised)",
        vec![shift(Duration::days(10), 5, 2)],
    );
    changed["vehicle"] = json!(false);
    let (s, again) = put(&app, &format!("/v1/event-requests/{id}"), &cust, &changed).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["status"], "submitted");
    assert_eq!(again["title"], "Home opener (revised)");
    assert!(again["reason"].is_null(), "{again}");
    assert_eq!(again["shifts"].as_array().unwrap().len(), 1);

    // Cancelling before approval is free; a cancelled request can no longer be changed.
    let (s, cost) = app
        .get(&format!("/v1/event-requests/{id}/cancellation"), &cust)
        .await;
    assert_eq!(
        (s, cost["total_cents"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{cost}"
    );
    let (s, done) = app
        .post(
            &format!("/v1/event-requests/{id}/cancel"),
            &cust,
            &json!({"expected_fee_cents": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["request"]["status"], "cancelled");
    assert_eq!(done["request"]["cancellation_fee_cents"], 0);
    let (s, _) = put(&app, &format!("/v1/event-requests/{id}"), &cust, &changed).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // After approval, a shift inside the late window costs the late fee, shown first; the
    // figure sent must be the current one.
    let soon = form(&site_id, "Pop-up", vec![shift(Duration::hours(6), 4, 2)]);
    let (s, req) = app.post("/v1/event-requests", &cust, &soon).await;
    assert_eq!(s, StatusCode::CREATED, "{req}");
    let id = req["id"].as_str().unwrap().to_string();
    let (s, approved) = app
        .post(
            &format!("/v1/event-requests/{id}/approve"),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let job = approved["jobs"][0]["id"].as_str().unwrap().to_string();
    let (s, cost) = app
        .get(&format!("/v1/event-requests/{id}/cancellation"), &cust)
        .await;
    assert_eq!(s, StatusCode::OK, "{cost}");
    let submitted_at: DateTime<Utc> = serde_json::from_value(req["submitted_at"].clone()).unwrap();
    let late =
        billing::late_cancellation(&card, tz, submitted_at, Utc::now(), &requested(&soon)).unwrap();
    assert!(late.total_cents > 0, "{late:?}");
    assert_eq!(serde_json::from_value::<Bill>(cost).unwrap(), late);
    let (s, p) = app
        .post(
            &format!("/v1/event-requests/{id}/cancel"),
            &cust,
            &json!({"expected_fee_cents": 0}),
        )
        .await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::CONFLICT, "expected_fee_cents"),
        "{p}"
    );
    let (_, still) = app.get(&format!("/v1/jobs/{job}"), &coord).await;
    assert_eq!(
        still["status"], "open",
        "a refused cancel calls nothing off"
    );
    let (s, done) = app
        .post(
            &format!("/v1/event-requests/{id}/cancel"),
            &cust,
            &json!({"expected_fee_cents": late.total_cents}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["fee"]["total_cents"], late.total_cents);
    assert_eq!(done["request"]["cancellation_fee_cents"], late.total_cents);
    let (_, called_off) = app.get(&format!("/v1/jobs/{job}"), &coord).await;
    assert_eq!(called_off["status"], "cancelled");
}

async fn coordinator_works_the_queue(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let cust = business(&app, dept, "Buckeye Events").await;
    let rival = business(&app, dept, "Rival Fair").await;
    for c in [&cust, &rival] {
        let (_, org) = app.get("/v1/organization", c).await;
        let (s, _) = put(
            &app,
            &format!("/v1/organizations/{}/terms", org["id"].as_str().unwrap()),
            &coord,
            &json!({"terms": "invoice"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
    let site_id = site(&app, &cust).await;
    let mut ids = Vec::new();
    for (title, days) in [("Opener", 10), ("Derby", 12), ("Parade", 14)] {
        let body = form(
            &site_id,
            title,
            vec![
                shift(Duration::days(days), 4, 2),
                shift(Duration::days(days + 1), 4, 2),
            ],
        );
        let (s, r) = app.post("/v1/event-requests", &cust, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    let queue = |status: &'static str| {
        let app = &app;
        let coord = &coord;
        async move {
            let (s, list) = app
                .get(&format!("/v1/event-requests?status={status}"), coord)
                .await;
            assert_eq!(s, StatusCode::OK, "{list}");
            list.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(queue("submitted").await, ids, "oldest first");
    let (s, p) = app.get("/v1/event-requests?status=lost", &coord).await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "status"),
        "{p}"
    );
    // Officers have no part in it; another organization sees none of it.
    let (s, _) = app.get("/v1/event-requests", &officer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, theirs) = app.get("/v1/event-requests", &rival).await;
    assert_eq!(theirs, json!([]));
    let (s, _) = app
        .get(&format!("/v1/event-requests/{}", ids[0]), &rival)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Edits a job could not carry are refused on their field, and the request keeps waiting.
    let first = Utc::now() + Duration::days(10);
    for (edit, at) in [
        (json!({"rate_cents": -1}), "rate_cents"),
        (json!({"officers": 0}), "slots"),
        (
            json!({"award_rule": {"type": "seniority"}, "signup_closes_at": first + Duration::days(3)}),
            "signup_closes_at",
        ),
        (json!({"officers": "three"}), "officers"),
    ] {
        let (s, p) = app
            .post(
                &format!("/v1/event-requests/{}/approve", ids[0]),
                &coord,
                &edit,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{edit}: {p}");
        assert!(field(&p).ends_with(at), "{edit}: {p}");
    }
    assert_eq!(queue("submitted").await, ids, "nothing was decided");

    // Approved with edits: every job carries them, and officers see the jobs at their sync.
    let closes = Utc::now() + Duration::days(5);
    let (s, approved) = app
        .post(
            &format!("/v1/event-requests/{}/approve", ids[0]),
            &coord,
            &json!({"rate_cents": 7100, "officers": 3, "award_rule": {"type": "seniority"},
                "signup_closes_at": closes}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    assert_eq!(approved["request"]["status"], "approved");
    let jobs = approved["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    for j in jobs {
        assert_eq!(j["rate_cents"], 7100, "{j}");
        assert_eq!(j["slots"], 3, "{j}");
        assert_eq!(j["award_rule"]["type"], "seniority", "{j}");
        let at: DateTime<Utc> = serde_json::from_value(j["signup_closes_at"].clone()).unwrap();
        assert!((at - closes).num_seconds().abs() < 1, "{j}");
        assert_eq!(j["customer_name"], "Buckeye Events");
    }
    let (_, sync) = app.get("/v1/sync?cursor=0", &officer).await;
    let seen: Vec<&str> = sync["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["id"].as_str())
        .collect();
    for j in jobs {
        assert!(seen.contains(&j["id"].as_str().unwrap()), "{seen:?}");
    }
    let (s, p) = app
        .post(
            &format!("/v1/event-requests/{}/approve", ids[0]),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");

    // Sent back, then declined: each leaves the submitted queue with its reason.
    let (s, p) = app
        .post(
            &format!("/v1/event-requests/{}/changes", ids[1]),
            &coord,
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "reason"),
        "{p}"
    );
    let (s, back) = app
        .post(
            &format!("/v1/event-requests/{}/changes", ids[1]),
            &coord,
            &json!({"reason": "Start an hour later."}),
        )
        .await;
    assert_eq!(
        (s, back["reason"].as_str()),
        (StatusCode::OK, Some("Start an hour later."))
    );
    let (s, no) = app
        .post(
            &format!("/v1/event-requests/{}/reject", ids[2]),
            &coord,
            &json!({"reason": "No officers that weekend."}),
        )
        .await;
    assert_eq!(
        (s, no["status"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
    assert_eq!(queue("submitted").await, Vec::<String>::new());
    assert_eq!(queue("changes_requested").await, vec![ids[1].clone()]);
    assert_eq!(queue("rejected").await, vec![ids[2].clone()]);
    assert_eq!(queue("approved").await, vec![ids[0].clone()]);
    let (_, all) = app.get("/v1/event-requests", &coord).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (s, _) = app
        .post(
            &format!("/v1/event-requests/{}/approve", ids[2]),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a declined request stays declined");

    // The organizations, as the coordinator sees them.
    let (s, orgs) = app.get("/v1/organizations", &coord).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = orgs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, ["Buckeye Events", "Rival Fair"]);
    assert!(orgs[0].get("payment_method").is_none(), "{orgs}");
}

async fn rate_card_round_trip(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let cust = business(&app, dept, "Buckeye Events").await;
    let (_, before) = app.get("/v1/sync?cursor=0", &officer).await;
    let cursor = before["cursor"].as_u64().unwrap();

    let mut card = rate_card(&app, &coord).await;
    card.event_fee_bp = 450;
    card.vehicle_fee_cents_per_hour = 2000;
    card.pay.default_rate_cents += 1000;
    card.pay.rates_cents.insert("security".into(), 6300);
    let (s, saved) = put(
        &app,
        "/v1/rate-card",
        &coord,
        &serde_json::to_value(&card).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(serde_json::from_value::<RateCard>(saved).unwrap(), card);
    assert_eq!(rate_card(&app, &coord).await, card);
    assert_eq!(
        rate_card(&app, &cust).await,
        card,
        "customers see what they are billed"
    );

    // Officers' pay follows the card: the next sync carries the new pay policy.
    let (_, delta) = app
        .get(&format!("/v1/sync?cursor={cursor}"), &officer)
        .await;
    let pay = serde_json::to_value(&card.pay).unwrap();
    assert_eq!(delta["rules"]["pay"], pay, "{}", delta["rules"]);
    let (_, full) = app.get("/v1/sync?cursor=0", &officer).await;
    assert_eq!(full["rules"]["pay"], pay);

    // Invalid cards are refused on their field; nothing changes.
    for (edit, at) in [
        (json!({"event_fee_bp": 20000}), "event_fee_bp"),
        (
            json!({"admin_fee_cents_per_hour": -5}),
            "admin_fee_cents_per_hour",
        ),
        (json!({"late_cancel_hours": 10000}), "late_cancel_hours"),
    ] {
        let mut body = serde_json::to_value(&card).unwrap();
        for (k, v) in edit.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, p) = put(&app, "/v1/rate-card", &coord, &body).await;
        assert_eq!(
            (s, field(&p)),
            (StatusCode::UNPROCESSABLE_ENTITY, at),
            "{p}"
        );
    }
    let mut body = serde_json::to_value(&card).unwrap();
    body["pay"]["default_rate_cents"] = json!(-1);
    let (s, p) = put(&app, "/v1/rate-card", &coord, &body).await;
    assert_eq!(
        (s, field(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, "pay.default_rate_cents"),
        "{p}"
    );
    let mut body = serde_json::to_value(&card).unwrap();
    body.as_object_mut().unwrap().remove("event_fee_bp");
    let (s, p) = put(&app, "/v1/rate-card", &coord, &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(rate_card(&app, &coord).await, card);

    // Only the coordinator sets it; officers do not read it.
    let body = serde_json::to_value(&card).unwrap();
    for who in [&cust, &officer] {
        let (s, _) = put(&app, "/v1/rate-card", who, &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, _) = app.get("/v1/rate-card", &officer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

on_both_backends!(
    customer_requests_changes_and_cancels,
    coordinator_works_the_queue,
    rate_card_round_trip
);
