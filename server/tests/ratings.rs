//! Ratings after a shift and reliability from the record (issue 12, decision 046), on SQLite
//! and PostgreSQL: the customer's rating and each refusal, a hidden comment (audited, gone from
//! the customer's and the officer's views), the officer's private site rating, the figures
//! counted by hand from a seeded record, and the award tie-break off and on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use common::browser::{Browser, audit_actions};
use common::money::{Business, World, business, timecard, world};
use common::{Actor, Backend, PASSWORD, TestApp, job_body};

async fn put(app: &TestApp, path: &str, who: &Actor, body: &Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(who), Some(body)).await
}

fn rating(id: Uuid) -> String {
    format!("/v1/timecards/{id}/rating")
}

async fn sql(app: &TestApp, q: &'static str, binds: &[String]) {
    let mut query = sqlx::query(q);
    for b in binds {
        query = query.bind(b.clone());
    }
    query.execute(&app.db.pool).await.unwrap();
}

async fn customer_rates_an_officer_and_each_refusal_is_clear(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let b = business(&app, &w, "Fair", "invoice").await;
    let officer = &w.officers[0];
    let t = timecard(&app, &w, &a, officer, Utc::now(), 240, "pending").await;

    // Bad stars, a repeated tag, a comment one character too long: 422 on the field.
    for (body, field) in [
        (json!({"stars": 6}), "stars"),
        (json!({"stars": 0}), "stars"),
        (
            json!({"stars": 4, "tags": ["on_time", "on_time"]}),
            "tags[1]",
        ),
        (json!({"stars": 4, "comment": "x".repeat(501)}), "comment"),
    ] {
        let (s, p) = put(&app, &rating(t), &a.customer, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["field"], field, "{p}");
    }
    // An unknown tag is not in the document's list: 422 from the body's reader.
    let (s, _) = put(
        &app,
        &rating(t),
        &a.customer,
        &json!({"stars": 4, "tags": ["rude"]}),
    )
    .await;
    assert!(s.is_client_error() && s != StatusCode::NOT_FOUND, "{s}");
    // Another organization's timecard, or one that does not exist: 404. Officers: 403.
    let (s, _) = put(&app, &rating(t), &b.customer, &json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = put(
        &app,
        &rating(Uuid::now_v7()),
        &a.customer,
        &json!({"stars": 5}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = put(&app, &rating(t), officer, &json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Not yet worked (still clocked in): 409.
    let open = timecard(&app, &w, &a, &w.officers[1], Utc::now(), 60, "pending").await;
    sql(
        &app,
        "UPDATE timecards SET out_us = NULL WHERE id = $1",
        &[open.to_string()],
    )
    .await;
    let (s, p) = put(&app, &rating(open), &a.customer, &json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("not been worked"),
        "{p}"
    );

    // Rated, then changed within the window.
    let (s, r) = put(
        &app,
        &rating(t),
        &a.customer,
        &json!({"stars": 4, "tags": ["professional", "on_time"], "comment": "  Kept the lot moving. "}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["officer_id"], json!(officer.id));
    assert_eq!(r["tags"], json!(["on_time", "professional"]));
    assert_eq!(r["comment"], "Kept the lot moving.");
    let (s, r2) = put(&app, &rating(t), &a.customer, &json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::OK, "{r2}");
    assert_eq!(
        (r2["stars"].as_u64(), &r2["rated_at"]),
        (Some(5), &r["rated_at"])
    );
    let actions: Vec<String> = audit_actions(&app, w.dept)
        .await
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert!(actions.contains(&"officer_rated".to_string()));
    assert!(actions.contains(&"officer_rating_changed".to_string()));

    // Fourteen days after it was first given, it is locked.
    let old = (Utc::now() - Duration::days(14) - Duration::minutes(1)).timestamp_micros();
    sql(
        &app,
        "UPDATE officer_ratings SET created_us = CAST($1 AS BIGINT) WHERE timecard_id = $2",
        &[old.to_string(), t.to_string()],
    )
    .await;
    let (s, p) = put(&app, &rating(t), &a.customer, &json!({"stars": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("locked"), "{p}");
}

async fn a_hidden_comment_is_audited_and_gone_from_the_customer_and_the_officer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 1).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let officer = &w.officers[0];
    let t = timecard(&app, &w, &a, officer, Utc::now(), 240, "pending").await;
    let abuse = "An insult nobody should read";
    let (s, _) = put(
        &app,
        &rating(t),
        &a.customer,
        &json!({"stars": 1, "comment": abuse}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, mine) = app.get("/v1/me/reliability", officer).await;
    assert_eq!(mine["comments"], json!([abuse]));
    // The officer never learns who wrote it.
    assert!(!mine.to_string().contains("Arena"), "{mine}");

    let mut coord = Browser::new(&app);
    coord.signed_in(&w.coord).await;
    let page = coord.get("/console/ratings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(abuse));
    let csrf = page.csrf();
    // A reason is required.
    let refused = coord
        .post(
            &format!("/console/ratings/{t}/hide"),
            &[("csrf", &csrf), ("reason", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let done = coord
        .post(
            &format!("/console/ratings/{t}/hide"),
            &[("csrf", &csrf), ("reason", "Abusive language")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = coord.get("/console/ratings").await;
    assert!(!page.body.contains(abuse));
    assert!(page.body.contains("Abusive language"));
    // Hidden twice: 409, shown as a refusal, never a 500.
    let again = coord
        .post(
            &format!("/console/ratings/{t}/hide"),
            &[("csrf", &csrf), ("reason", "Again")],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    // The audit log keeps the text and the reason.
    let hidden: Vec<(String, String)> = audit_actions(&app, w.dept)
        .await
        .into_iter()
        .filter(|(a, _)| a == "rating_comment_hidden")
        .collect();
    assert_eq!(hidden.len(), 1);
    assert!(hidden[0].1.contains(abuse) && hidden[0].1.contains("Abusive language"));
    // Nobody else sees it: not the officer, not the customer, even after re-rating.
    let (_, mine) = app.get("/v1/me/reliability", officer).await;
    assert_eq!(mine["comments"], json!([]));
    let (s, r) = put(
        &app,
        &rating(t),
        &a.customer,
        &json!({"stars": 2, "comment": abuse}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (r["comment"].clone(), r["comment_hidden"].clone()),
        (Value::Null, json!(true))
    );
    let (_, mine) = app.get("/v1/me/reliability", officer).await;
    assert_eq!(mine["comments"], json!([]));
}

async fn the_site_rating_is_the_officers_own_and_invisible_to_the_customer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let officer = &w.officers[0];
    let t = timecard(&app, &w, &a, officer, Utc::now(), 240, "pending").await;
    let path = format!("/v1/me/timecards/{t}/site-rating");
    let note = "No restroom within a mile";
    let body = json!({"stars": 2, "tags": ["parking", "safe"], "comment": note});
    let (s, r) = put(&app, &path, officer, &body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["tags"], json!(["parking", "safe"]));
    // Another officer's shift: 404; the customer and the coordinator may not rate the site.
    let (s, _) = put(&app, &path, &w.officers[1], &body).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = put(&app, &path, &a.customer, &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = put(&app, &path, officer, &json!({"stars": 9})).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stars"))
    );

    // The coordinator sees it; the customer's pages and answers never carry it.
    let mut coord = Browser::new(&app);
    coord.signed_in(&w.coord).await;
    let page = coord.get("/console/ratings").await;
    assert!(page.body.contains(note) && page.body.contains("Parking available"));
    let mut customer = Browser::new(&app);
    let s = customer.sign_in(&a.customer.email, PASSWORD).await;
    assert_eq!(s.status, StatusCode::SEE_OTHER);
    for p in ["/console/portal", "/console/portal/timecards"] {
        let page = customer.get(p).await;
        assert_eq!(page.status, StatusCode::OK, "{p}");
        assert!(!page.body.contains(note), "{p}");
    }
    let (s, r) = put(&app, &rating(t), &a.customer, &json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!r.to_string().contains(note));
    // The coordinators' page is not the customer's.
    let page = customer.get("/console/ratings").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

/// A slot of `officer` on a job of `b` starting `start`, with its clock-in (`None`: no
/// timecard), clock-out, a no-show alert, and the assignment's status.
#[allow(clippy::too_many_arguments)]
async fn slot(
    app: &TestApp,
    w: &World,
    b: &Business,
    officer: &Actor,
    start: DateTime<Utc>,
    clock_in: Option<DateTime<Utc>>,
    no_show_alert: bool,
    status: &str,
) -> (String, Option<Uuid>) {
    let job = app
        .job(&w.coord, |j| j["customer_id"] = json!(b.customer.id))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.set_job_times(&job, start, start + Duration::hours(4))
        .await;
    let assignment = Uuid::now_v7();
    let at = (start - Duration::days(2)).timestamp_micros();
    sqlx::query(
        "INSERT INTO assignments (id, job_id, department_id, officer_id, status, receipt_seq, \
         created_us, updated_us, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $6, 1)",
    )
    .bind(assignment.to_string())
    .bind(job.clone())
    .bind(w.dept.to_string())
    .bind(officer.id.to_string())
    .bind(status)
    .bind(at)
    .execute(&app.db.pool)
    .await
    .unwrap();
    if no_show_alert {
        sqlx::query(
            "INSERT INTO alerts (id, department_id, assignment_id, job_id, officer_id, kind, \
             raised_us) VALUES ($1, $2, $3, $4, $5, 'no_show', $6)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(w.dept.to_string())
        .bind(assignment.to_string())
        .bind(job.clone())
        .bind(officer.id.to_string())
        .bind((start + Duration::minutes(15)).timestamp_micros())
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    let card = match clock_in {
        Some(i) => {
            let id = Uuid::now_v7();
            let out = start + Duration::hours(4);
            sqlx::query(
                "INSERT INTO timecards (id, assignment_id, department_id, job_id, officer_id, \
                 in_us, out_us, worked_minutes, billable_minutes, rate_cents, multiplier_bp, \
                 gross_cents, status, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 240, 240, 5000, 10000, 20000, 'pending', 1)",
            )
            .bind(id.to_string())
            .bind(assignment.to_string())
            .bind(w.dept.to_string())
            .bind(job.clone())
            .bind(officer.id.to_string())
            .bind(i.timestamp_micros())
            .bind(out.timestamp_micros())
            .execute(&app.db.pool)
            .await
            .unwrap();
            Some(id)
        }
        None => None,
    };
    (job, card)
}

async fn reliability_is_counted_from_the_record(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let o = &w.officers[0];
    let now = Utc::now();
    let day = |d: i64| now - Duration::days(d);
    // Default thresholds: late after 5 minutes, a no-show after 15; cancellations free 48 h out.
    let (_, on_time) = slot(
        &app,
        &w,
        &a,
        o,
        day(10),
        Some(day(10) - Duration::minutes(5)),
        false,
        "awarded",
    )
    .await;
    let (_, late) = slot(
        &app,
        &w,
        &a,
        o,
        day(9),
        Some(day(9) + Duration::minutes(6)),
        false,
        "awarded",
    )
    .await;
    slot(&app, &w, &a, o, day(8), None, false, "awarded").await; // never came
    slot(&app, &w, &a, o, day(7), None, true, "transferred_out").await; // raised, slot handed on
    slot(&app, &w, &a, o, day(200), Some(day(200)), false, "awarded").await; // outside 180 days
    // Cancelled 5 hours before the start (late), and 10 days before another (free).
    let (late_job, _) = slot(
        &app,
        &w,
        &a,
        o,
        now + Duration::days(1),
        None,
        false,
        "cancelled",
    )
    .await;
    let (free_job, _) = slot(
        &app,
        &w,
        &a,
        o,
        now + Duration::days(12),
        None,
        false,
        "cancelled",
    )
    .await;
    for (job, at) in [
        (&late_job, now + Duration::days(1) - Duration::hours(5)),
        (&free_job, now + Duration::days(2)),
    ] {
        let at = at.min(now - Duration::minutes(1));
        sql(
            &app,
            "UPDATE assignments SET updated_us = CAST($1 AS BIGINT) WHERE job_id = $2",
            &[at.timestamp_micros().to_string(), job.clone()],
        )
        .await;
    }
    for (card, stars) in [(on_time, 5), (late, 3)] {
        let (s, p) = put(
            &app,
            &rating(card.unwrap()),
            &a.customer,
            &json!({"stars": stars, "tags": ["on_time"]}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
    }

    // By hand: worked 2 (on time, late); clock-ins 2, on time 1 → 500‰; no-shows 2 (never
    // came, raised); late cancellations 1; stars (5 + 3) / 2 = 4.00 of 2.
    let (s, mine) = app.get("/v1/me/reliability", o).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(
        mine["reliability"],
        json!({"shifts_worked": 2, "on_time": 1, "on_time_permille": 500, "no_shows": 2,
               "late_cancellations": 1, "average_stars_x100": 400, "ratings": 2})
    );
    assert_eq!(mine["tags"][0]["tag"], "on_time");
    assert_eq!(mine["tags"][0]["count"], 2);
    // The other officer has no record; a customer may not ask.
    let (_, other) = app.get("/v1/me/reliability", &w.officers[1]).await;
    assert_eq!(other["reliability"]["shifts_worked"], 0);
    assert_eq!(other["reliability"]["on_time_permille"], Value::Null);
    let (s, _) = app.get("/v1/me/reliability", &a.customer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The coordinator sees the same figures on the ratings page and on a job's roster.
    let mut coord = Browser::new(&app);
    coord.signed_in(&w.coord).await;
    let page = coord
        .get(&format!("/console/ratings?officer={}", o.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("50% on time") && page.body.contains("4.00 ★ (2)"),
        "{}",
        page.body
    );
    let page = coord
        .get(&format!("/console/ratings?officer={}", Uuid::now_v7()))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let job = app.job(&w.coord, |j| j["slots"] = json!(2)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(o, &job).await["type"], "awarded");
    let page = coord.get(&format!("/console/jobs/{job}")).await;
    assert!(page.body.contains("50% on time") && page.body.contains("4.00 ★ (2)"));
    assert!(page.body.contains("does not change the award order"));
}

/// Posts a seniority job with one slot `days` from now, whose signups close a day before.
async fn ranked_job(app: &TestApp, coord: &Actor, days: i64) -> String {
    let start = Utc::now() + Duration::days(days);
    app.job(coord, |b| {
        *b = job_body(start, 1);
        b["award_rule"] = json!({"type": "seniority"});
        b["signup_closes_at"] = json!(start - Duration::days(1));
    })
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn awarded(app: &TestApp, coord: &Actor, job: &str) -> Vec<Uuid> {
    let (s, r) = app
        .call(
            Method::POST,
            &format!("/v1/jobs/{job}/award"),
            Some(coord),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    serde_json::from_value(r["awarded"].clone()).unwrap()
}

async fn the_tie_break_is_off_by_default_and_only_reorders_ties_when_on(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 3).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let (flaky, steady, senior) = (&w.officers[0], &w.officers[1], &w.officers[2]);
    // Flaky and steady are equally senior; the senior officer outranks both, and is flaky too.
    for (o, n) in [(flaky, 5), (steady, 5), (senior, 1)] {
        sql(
            &app,
            "UPDATE users SET seniority = CAST($1 AS BIGINT) WHERE id = $2",
            &[n.to_string(), o.id.to_string()],
        )
        .await;
    }
    for o in [flaky, senior] {
        slot(
            &app,
            &w,
            &a,
            o,
            Utc::now() - Duration::days(3),
            None,
            true,
            "awarded",
        )
        .await;
    }
    // Off (the default): the seniority tie goes to the earlier request — flaky's.
    let j1 = ranked_job(&app, &w.coord, 5).await;
    for o in [flaky, steady] {
        assert_eq!(app.claim(o, &j1).await["type"], "requested");
    }
    assert_eq!(awarded(&app, &w.coord, &j1).await, vec![flaky.id]);

    // On: the tie goes to the officer with the better record; the more senior officer still
    // wins outright whatever their record (fairness first).
    let (_, settings) = app.get("/v1/department", &w.coord).await;
    let r = &settings["rules"];
    let body = json!({"rules": {"limits": r["limits"], "cancel_policy": r["cancel_policy"],
        "punch_thresholds": r["punch_thresholds"], "reliability_tie_break": true},
        "pay": settings["pay"]});
    let (s, p) = put(&app, "/v1/department", &w.coord, &body).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let j2 = ranked_job(&app, &w.coord, 8).await;
    for o in [flaky, steady] {
        assert_eq!(app.claim(o, &j2).await["type"], "requested");
    }
    assert_eq!(awarded(&app, &w.coord, &j2).await, vec![steady.id]);
    let j3 = ranked_job(&app, &w.coord, 11).await;
    for o in [steady, senior] {
        assert_eq!(app.claim(o, &j3).await["type"], "requested");
    }
    assert_eq!(awarded(&app, &w.coord, &j3).await, vec![senior.id]);

    // The settings page shows the choice and keeps it when saved.
    let mut coord = Browser::new(&app);
    coord.signed_in(&w.coord).await;
    let page = coord.get("/console/settings").await;
    assert!(page.body.contains("name=\"rules.reliability_tie_break\" value=\"1\" aria-describedby=\"tie-break-hint\" checked"));
}

async fn a_customer_rates_on_the_events_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 1).await;
    let a = business(&app, &w, "Arena", "invoice").await;
    let officer = &w.officers[0];
    let t = timecard(&app, &w, &a, officer, Utc::now(), 240, "pending").await;
    // The timecard's job belongs to an event request of the organization.
    let (s, site) = app
        .post(
            "/v1/sites",
            &a.customer,
            &json!({"name": "Gate C", "address": "1 Lot Rd",
            "location": {"lat": 39.9, "lon": -83.0}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{site}");
    let start = Utc::now() + Duration::days(20);
    let (s, event) = app
        .post("/v1/event-requests", &a.customer, &json!({"site_id": site["id"], "title": "Home game",
            "job_type": "security", "contact_name": "Pat Gate", "contact_phone": "(614) 555-0100",
            "shifts": [{"starts_at": start, "ends_at": start + Duration::hours(4), "officers": 1}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    sql(
        &app,
        "UPDATE jobs SET event_id = $1 WHERE id = (SELECT job_id FROM timecards WHERE id = $2)",
        &[event_id.clone(), t.to_string()],
    )
    .await;

    let mut b = Browser::new(&app);
    assert_eq!(
        b.sign_in(&a.customer.email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let path = format!("/console/portal/events/{event_id}/ratings");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("type=\"radio\"") && page.body.contains("Went beyond"));
    let csrf = page.csrf();
    let post = format!("/console/portal/ratings/{t}");
    // No stars: the form comes back with the refusal and what was typed.
    let refused = b
        .post(
            &post,
            &[
                ("csrf", &csrf),
                ("event", &event_id),
                ("tag_went_beyond", "on"),
                ("comment", "Great"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Choose from 1 to 5 stars.")
            && refused.body.contains(">Great</textarea>")
    );
    let done = b
        .post(
            &post,
            &[
                ("csrf", &csrf),
                ("event", &event_id),
                ("stars", "5"),
                ("tag_went_beyond", "on"),
                ("comment", "Great"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = b.get(&path).await;
    assert!(page.body.contains("you can change it until"));
    let (_, mine) = app.get("/v1/me/reliability", officer).await;
    assert_eq!(mine["tags"][0]["tag"], "went_beyond");
    // Another organization's event: 404.
    let other = business(&app, &w, "Fair", "invoice").await;
    let mut o = Browser::new(&app);
    o.sign_in(&other.customer.email, PASSWORD).await;
    assert_eq!(o.get(&path).await.status, StatusCode::NOT_FOUND);
    let csrf = o.get("/console/portal").await.csrf();
    let stolen = o
        .post(
            &post,
            &[("csrf", &csrf), ("event", &event_id), ("stars", "1")],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
}

on_both_backends!(
    customer_rates_an_officer_and_each_refusal_is_clear,
    a_hidden_comment_is_audited_and_gone_from_the_customer_and_the_officer,
    the_site_rating_is_the_officers_own_and_invisible_to_the_customer,
    reliability_is_counted_from_the_record,
    the_tie_break_is_off_by_default_and_only_reorders_ties_when_on,
    a_customer_rates_on_the_events_page,
);
