//! The customers' side of the marketplace (issue 11, decision 039), on SQLite and PostgreSQL,
//! through the console's pages as a browser uses them: a business signs up, adds a site, sees
//! the estimate its request would cost (the domain's figure, to the cent), needs a payment
//! method or invoice terms before submitting; a coordinator approves it from the queue and
//! officers can claim the jobs at once; changes asked for and a decline reach the customer with
//! their reasons; cancelling costs nothing before approval and the late fee after it, shown
//! first; a customer sees only its own organization; bad input is refused on its field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;
use sqlx::Row;
use uuid::Uuid;

use common::browser::{Browser, Page};
use common::{Backend, PASSWORD, TestApp};
use offduty_domain::billing::{self, RateCard, RequestedShift};
use offduty_domain::pay::{PayPolicy, format_cents};

const TZ: &str = "America/New_York";

fn tz() -> Tz {
    TZ.parse().unwrap()
}

/// A shift `days` from now at local `start`–`end`, as the form types it.
struct Shift {
    date: String,
    start: String,
    end: String,
    officers: u32,
}

impl Shift {
    fn in_days(days: i64, start: &str, end: &str, officers: u32) -> Shift {
        let date = (Utc::now() + Duration::days(days))
            .with_timezone(&tz())
            .date_naive();
        Shift {
            date: date.format("%Y-%m-%d").to_string(),
            start: start.into(),
            end: end.into(),
            officers,
        }
    }

    /// The same shift in UTC, as the server reads it.
    fn requested(&self, job_type: &str) -> RequestedShift {
        let d = chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").unwrap();
        let at = |t: &str| {
            tz().from_local_datetime(&d.and_time(NaiveTime::parse_from_str(t, "%H:%M").unwrap()))
                .earliest()
                .unwrap()
                .with_timezone(&Utc)
        };
        let (s, mut e) = (at(&self.start), at(&self.end));
        if e <= s {
            e += Duration::days(1);
        }
        RequestedShift {
            starts_at: s,
            ends_at: e,
            officers: self.officers,
            job_type: job_type.into(),
            vehicle: false,
        }
    }
}

/// The request form's fields.
fn request_form(
    csrf: &str,
    site: &str,
    title: &str,
    shifts: &[Shift],
    intent: &str,
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("site_id".into(), site.into()),
        ("title".into(), title.into()),
        ("job_type".into(), "security".into()),
        ("contact_name".into(), "Pat Gate".into()),
        ("contact_phone".into(), "(614) 555-0100".into()),
        ("instructions".into(), "Meet at gate C.".into()),
        ("intent".into(), intent.into()),
    ];
    for (i, s) in shifts.iter().enumerate() {
        f.push((format!("date{i}"), s.date.clone()));
        f.push((format!("start{i}"), s.start.clone()));
        f.push((format!("end{i}"), s.end.clone()));
        f.push((format!("officers{i}"), s.officers.to_string()));
    }
    f
}

async fn post(b: &mut Browser<'_>, path: &str, form: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

/// A business signed up through the sign-up page, with one site; returns its browser, its
/// organization and the site.
async fn business<'a>(app: &'a TestApp, name: &str, email: &str) -> (Browser<'a>, Uuid, String) {
    let mut b = Browser::new(app);
    let form = b.get("/console/sign-up").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    let done = b
        .post(
            "/console/sign-up",
            &[
                ("csrf", &csrf),
                ("department", &hidden(&form.body, "department")),
                ("organization", name),
                ("billing_address", "411 Woody Hayes Dr, Columbus, OH 43210"),
                ("contact_name", "Pat Gate"),
                ("phone", "(614) 555-0100"),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/portal");
    let portal = b.get("/console/portal").await;
    assert_eq!(portal.status, StatusCode::OK, "{}", portal.body);
    assert!(portal.body.contains(name), "{}", portal.body);
    let csrf = portal.csrf();
    let site = b
        .post(
            "/console/portal/sites",
            &[
                ("csrf", &csrf),
                ("name", "Stadium gate C"),
                ("address", "411 Woody Hayes Dr"),
                ("lat", "40.0017"),
                ("lon", "-83.0197"),
                ("radius", "200"),
            ],
        )
        .await;
    assert_eq!(site.status, StatusCode::SEE_OTHER, "{}", site.body);
    let org: String = sqlx::query("SELECT organization_id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("organization_id")
        .unwrap();
    let site_id: String = sqlx::query("SELECT id FROM sites WHERE organization_id = $1")
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    (b, Uuid::parse_str(&org).unwrap(), site_id)
}

/// The value of the hidden input `name`.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body.find(&marker).expect(name) + marker.len();
    body[at..].split('"').next().unwrap().to_string()
}

/// Grants invoice terms through the customers page, as a coordinator.
async fn grant_invoice_terms(coord: &mut Browser<'_>, org: Uuid) {
    let page = coord.get("/console/customers").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let done = coord
        .post(
            &format!("/console/customers/{org}/terms"),
            &[("csrf", &csrf), ("terms", "invoice")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = coord.get(done.location()).await;
    assert!(
        page.body.contains("may now be billed by invoice"),
        "{}",
        page.body
    );
}

/// Submits a request and returns its id.
async fn submit(
    app: &TestApp,
    b: &mut Browser<'_>,
    site: &str,
    title: &str,
    shifts: &[Shift],
) -> Uuid {
    let csrf = b.get("/console/portal/events/new").await.csrf();
    let done = post(
        b,
        "/console/portal/events",
        &request_form(&csrf, site, title, shifts, "submit"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/portal?done=submitted");
    let id: String = sqlx::query("SELECT id FROM event_requests WHERE title = $1")
        .bind(title)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    Uuid::parse_str(&id).unwrap()
}

async fn coordinator<'a>(app: &'a TestApp, coord: &common::Actor) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.signed_in(coord).await;
    b
}

async fn audit(app: &TestApp, dept: Uuid) -> Vec<String> {
    sqlx::query("SELECT action FROM audit_log WHERE department_id = $1 ORDER BY seq")
        .bind(dept.to_string())
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("action").unwrap())
        .collect()
}

async fn request_status(app: &TestApp, id: Uuid) -> (String, Option<String>) {
    let r = sqlx::query("SELECT status, reason FROM event_requests WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (r.try_get("status").unwrap(), r.try_get("reason").unwrap())
}

async fn a_business_signs_up_requests_an_event_and_a_coordinator_approves_it_into_jobs(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (mut b, org, site) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;

    // The estimate is the domain's figure for these shifts, to the cent.
    let shifts = [
        Shift::in_days(10, "08:00", "12:00", 2),
        Shift::in_days(11, "22:00", "02:00", 1),
    ];
    let csrf = b.get("/console/portal/events/new").await.csrf();
    let asked_at = Utc::now();
    let page = post(
        &mut b,
        "/console/portal/events",
        &request_form(&csrf, &site, "Home game", &shifts, "estimate"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let card = RateCard {
        pay: PayPolicy::default(),
        ..RateCard::default()
    };
    let requested: Vec<_> = shifts.iter().map(|s| s.requested("security")).collect();
    let expected = billing::estimate(&card, tz(), asked_at, &requested).unwrap();
    assert!(expected.total_cents > 0);
    assert!(
        page.body
            .contains(&format_cents(expected.total_cents, "USD")),
        "the page shows {} as the total: {}",
        format_cents(expected.total_cents, "USD"),
        page.body
    );
    for line in &expected.lines {
        assert!(
            page.body.contains(&line.description),
            "{}",
            line.description
        );
    }
    // The event fee is shown once, under the subtotal.
    let fee = expected
        .lines
        .iter()
        .find(|l| l.kind == billing::LineKind::EventFee)
        .unwrap();
    assert_eq!(
        page.body.matches(&fee.description).count(),
        1,
        "{}",
        page.body
    );
    let subtotal = page.body.find(">Subtotal<").unwrap();
    assert!(
        subtotal < page.body.find(&fee.description).unwrap(),
        "{}",
        page.body
    );

    // No payment method and no invoice terms: refused, with what to do.
    let refused = post(
        &mut b,
        "/console/portal/events",
        &request_form(&csrf, &site, "Home game", &shifts, "submit"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("payment method"), "{}", refused.body);
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM event_requests")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 0);

    let mut c = coordinator(&app, &coord).await;
    grant_invoice_terms(&mut c, org).await;
    let id = submit(&app, &mut b, &site, "Home game", &shifts).await;
    let portal = b.get("/console/portal").await;
    assert!(
        portal.body.contains("Waiting for approval"),
        "{}",
        portal.body
    );

    // The coordinator's queue opens on it, Approve focused; Enter approves and moves on.
    let queue = c.get("/console/approvals").await;
    assert!(queue.body.contains("Home game") && queue.body.contains("Ohio Stadium Events"));
    let next = c.get("/console/approvals/next").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.location(), format!("/console/approvals/{id}"));
    let page = c.get(next.location()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("autofocus accesskey=\"a\">Approve"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Invoice terms"), "{}", page.body);
    let done = c
        .post(
            &format!("/console/approvals/{id}/approve"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = c.get(done.location()).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the queue is empty");
    let empty = c.get(after.location()).await;
    assert!(
        empty.body.contains("2 jobs posted to officers")
            && empty.body.contains("No request is waiting"),
        "{}",
        empty.body
    );
    assert_eq!(request_status(&app, id).await.0, "approved");

    // One job per shift, on the site's fence, with the contact in the notes.
    let jobs = sqlx::query(
        "SELECT id, slots, customer_name, geofence_json, notes, starts_us FROM jobs \
         WHERE event_id = $1 ORDER BY starts_us",
    )
    .bind(id.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].try_get::<i64, _>("slots").unwrap(), 2);
    assert_eq!(jobs[1].try_get::<i64, _>("slots").unwrap(), 1);
    assert_eq!(
        jobs[0].try_get::<String, _>("customer_name").unwrap(),
        "Ohio Stadium Events"
    );
    let fence: serde_json::Value =
        serde_json::from_str(&jobs[0].try_get::<String, _>("geofence_json").unwrap()).unwrap();
    assert_eq!(fence["radius_m"], 200.0, "{fence}");
    assert!(
        jobs[0]
            .try_get::<String, _>("notes")
            .unwrap()
            .contains("Pat Gate")
    );
    assert_eq!(
        jobs[0].try_get::<i64, _>("starts_us").unwrap(),
        requested[0].starts_at.timestamp_micros()
    );

    // Officers can claim at once; the customer sees the slots fill.
    let job_id: String = jobs[0].try_get("id").unwrap();
    let officer = app.officer(dept).await;
    let outcome = app.claim(&officer, &job_id).await;
    assert_eq!(outcome["type"], "awarded", "{outcome}");
    let event = b.get(&format!("/console/portal/events/{id}")).await;
    assert!(event.body.contains("1 of 3"), "{}", event.body);
    assert!(event.body.contains("Posted to officers"), "{}", event.body);

    let log = audit(&app, dept).await;
    for action in [
        "customer_signed_up",
        "site_added",
        "customer_terms_set",
        "event_requested",
        "job_created",
        "event_approved",
    ] {
        assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
    }
}

async fn changes_asked_for_then_a_decline_reach_the_customer_with_their_reasons(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let (mut b, org, site) = business(&app, "Easton Town Center", "ops@easton.test").await;
    let mut c = coordinator(&app, &coord).await;
    grant_invoice_terms(&mut c, org).await;
    let id = submit(
        &app,
        &mut b,
        &site,
        "Holiday market",
        &[Shift::in_days(12, "10:00", "18:00", 1)],
    )
    .await;

    let page = c.get(&format!("/console/approvals/{id}")).await;
    let csrf = page.csrf();
    let blank = c
        .post(
            &format!("/console/approvals/{id}/changes"),
            &[("csrf", &csrf), ("reason", "   ")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        blank.body.contains("Say what the customer should change"),
        "{}",
        blank.body
    );
    assert_eq!(request_status(&app, id).await.0, "submitted");
    let sent = c
        .post(
            &format!("/console/approvals/{id}/changes"),
            &[
                ("csrf", &csrf),
                ("reason", "We need two officers for a market this size."),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    let event = b.get(&format!("/console/portal/events/{id}")).await;
    assert!(event.body.contains("Changes asked for"), "{}", event.body);
    assert!(
        event.body.contains("two officers for a market this size"),
        "{}",
        event.body
    );
    let edit = b.get(&format!("/console/portal/events/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert!(
        edit.body.contains("value=\"Holiday market\""),
        "the form comes back filled"
    );
    let resent = post(
        &mut b,
        &format!("/console/portal/events/{id}"),
        &request_form(
            &edit.csrf(),
            &site,
            "Holiday market",
            &[Shift::in_days(12, "10:00", "18:00", 2)],
            "submit",
        ),
    )
    .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    assert_eq!(request_status(&app, id).await, ("submitted".into(), None));

    let page = c.get(&format!("/console/approvals/{id}")).await;
    assert!(page.body.contains("2 officers"), "{}", page.body);
    let declined = c
        .post(
            &format!("/console/approvals/{id}/reject"),
            &[
                ("csrf", &page.csrf()),
                ("reason", "No officers are free that weekend."),
            ],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER);
    let event = b.get(&format!("/console/portal/events/{id}")).await;
    assert!(event.body.contains("Declined") && event.body.contains("No officers are free"));
    // A declined request can be neither changed nor decided again.
    let edit = b.get(&format!("/console/portal/events/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER);
    let again = c
        .post(
            &format!("/console/approvals/{id}/approve"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again
            .body
            .contains("only a submitted request can be decided"),
        "{}",
        again.body
    );
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jobs")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 0, "nothing was posted");
}

async fn cancelling_is_free_before_approval_and_costs_the_late_fee_after_it_shown_first(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (mut b, org, site) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;
    let mut c = coordinator(&app, &coord).await;
    grant_invoice_terms(&mut c, org).await;

    // Not approved yet: free.
    let free = submit(
        &app,
        &mut b,
        &site,
        "Tailgate",
        &[Shift::in_days(9, "09:00", "13:00", 1)],
    )
    .await;
    let page = b
        .get(&format!("/console/portal/events/{free}/cancel"))
        .await;
    assert!(page.body.contains("costs nothing"), "{}", page.body);
    let done = b
        .post(
            &format!("/console/portal/events/{free}/cancel"),
            &[("csrf", &page.csrf()), ("expected_fee_cents", "0")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(request_status(&app, free).await.0, "cancelled");

    // Approved, starting within the 24-hour window: the late fee, shown first.
    let starts = Utc::now() + Duration::hours(10);
    let local = starts.with_timezone(&tz());
    let shift = Shift {
        date: local.format("%Y-%m-%d").to_string(),
        start: local.format("%H:%M").to_string(),
        end: (local + Duration::hours(4)).format("%H:%M").to_string(),
        officers: 2,
    };
    let requested = shift.requested("security");
    let late = submit(&app, &mut b, &site, "Night game", &[shift]).await;
    let submitted_at: i64 = sqlx::query("SELECT submitted_us FROM event_requests WHERE id = $1")
        .bind(late.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("submitted_us")
        .unwrap();
    let page = c.get(&format!("/console/approvals/{late}")).await;
    let ok = c
        .post(
            &format!("/console/approvals/{late}/approve"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let job_id: String = sqlx::query("SELECT id FROM jobs WHERE event_id = $1")
        .bind(late.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    let officer = app.officer(dept).await;
    assert_eq!(app.claim(&officer, &job_id).await["type"], "awarded");

    let card = RateCard::default();
    let asked = DateTime::<Utc>::from_timestamp_micros(submitted_at).unwrap();
    let cost = billing::late_cancellation(&card, tz(), asked, Utc::now(), &[requested]).unwrap();
    assert!(cost.total_cents > 0, "{cost:?}");
    let page = b
        .get(&format!("/console/portal/events/{late}/cancel"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let shown = format_cents(cost.total_cents, "USD");
    assert!(page.body.contains(&shown), "{shown} in {}", page.body);
    assert_eq!(
        hidden(&page.body, "expected_fee_cents"),
        cost.total_cents.to_string()
    );

    // A stale figure changes nothing.
    let stale = b
        .post(
            &format!("/console/portal/events/{late}/cancel"),
            &[("csrf", &page.csrf()), ("expected_fee_cents", "0")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("has changed"), "{}", stale.body);
    assert_eq!(request_status(&app, late).await.0, "approved");

    let done = b
        .post(
            &format!("/console/portal/events/{late}/cancel"),
            &[
                ("csrf", &page.csrf()),
                ("expected_fee_cents", &cost.total_cents.to_string()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let r = sqlx::query("SELECT status, cancellation_fee_cents FROM event_requests WHERE id = $1")
        .bind(late.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(r.try_get::<String, _>("status").unwrap(), "cancelled");
    assert_eq!(
        r.try_get::<Option<i64>, _>("cancellation_fee_cents")
            .unwrap(),
        Some(cost.total_cents)
    );
    let job = sqlx::query("SELECT status FROM jobs WHERE id = $1")
        .bind(&job_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(job.try_get::<String, _>("status").unwrap(), "cancelled");
    let held = sqlx::query("SELECT status FROM assignments WHERE job_id = $1")
        .bind(&job_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        held.try_get::<String, _>("status").unwrap(),
        "job_cancelled"
    );
    let event = b.get(&format!("/console/portal/events/{late}")).await;
    assert!(
        event.body.contains(&shown),
        "the fee stays on the request: {}",
        event.body
    );
}

async fn a_customer_sees_only_its_own_organization_and_forms_need_their_token(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let (mut a, org_a, site_a) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;
    let (mut other, org_b, site_b) = business(&app, "Easton Town Center", "ops@easton.test").await;
    let mut c = coordinator(&app, &coord).await;
    grant_invoice_terms(&mut c, org_a).await;
    grant_invoice_terms(&mut c, org_b).await;
    let theirs = submit(
        &app,
        &mut other,
        &site_b,
        "Their event",
        &[Shift::in_days(8, "09:00", "12:00", 1)],
    )
    .await;

    for path in [
        format!("/console/portal/events/{theirs}"),
        format!("/console/portal/events/{theirs}/edit"),
        format!("/console/portal/events/{theirs}/cancel"),
    ] {
        let page = a.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Their event"), "{path}");
    }
    let csrf = a.get("/console/portal").await.csrf();
    let cancel = a
        .post(
            &format!("/console/portal/events/{theirs}/cancel"),
            &[("csrf", &csrf), ("expected_fee_cents", "0")],
        )
        .await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    // Another organization's site cannot carry a request.
    let form = request_form(
        &csrf,
        &site_b,
        "Borrowed site",
        &[Shift::in_days(8, "09:00", "12:00", 1)],
        "submit",
    );
    let page = post(&mut a, "/console/portal/events", &form).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Choose one of your organization"),
        "{}",
        page.body
    );
    // Customers do not decide; coordinators do not use the portal.
    let approve = a
        .post(
            &format!("/console/approvals/{theirs}/approve"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(approve.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/console/portal").await.status, StatusCode::FORBIDDEN);
    assert_eq!(request_status(&app, theirs).await.0, "submitted");
    // A form without its token changes nothing.
    let forged = a
        .post(
            "/console/portal/sites",
            &[
                ("name", "Forged"),
                ("address", "x"),
                ("lat", "40"),
                ("lon", "-83"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged = post(
        &mut a,
        "/console/portal/events",
        &request_form(
            "bogus",
            &site_a,
            "Forged",
            &[Shift::in_days(8, "09:00", "12:00", 1)],
            "submit",
        ),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sites WHERE name = 'Forged'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 0);
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM event_requests WHERE title = 'Forged'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 0);
}

async fn bad_input_is_refused_on_its_field_and_the_form_comes_back_as_typed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, _) = app.department("Columbus").await;
    let (mut b, _, site) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;
    let csrf = b.get("/console/portal").await.csrf();

    for (lat, lon, radius, field) in [
        ("north", "-83", "150", "lat"),
        ("123", "-83", "150", "lat"),
        ("40", "-83", "0", "radius"),
    ] {
        let page = b
            .post(
                "/console/portal/sites",
                &[
                    ("csrf", &csrf),
                    ("name", "Lot B"),
                    ("address", "1 High St"),
                    ("lat", lat),
                    ("lon", lon),
                    ("radius", radius),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{lat} {lon} {radius}"
        );
        assert!(
            page.body.contains(&format!(
                "id=\"{field}\" name=\"{field}\" inputmode=\"decimal\""
            )),
            "{}",
            page.body
        );
        assert!(page.body.contains("aria-invalid=\"true\""), "{}", page.body);
        assert!(page.body.contains("value=\"Lot B\""), "kept as typed");
    }

    let cases: [(&[Shift], &str); 4] = [
        (
            &[Shift {
                date: "next friday".into(),
                start: "08:00".into(),
                end: "12:00".into(),
                officers: 1,
            }],
            "date0",
        ),
        (&[Shift::in_days(5, "08:00", "", 1)], "end0"),
        (&[Shift::in_days(5, "08:00", "12:00", 0)], "officers0"),
        (&[Shift::in_days(-3, "08:00", "12:00", 1)], "start0"),
    ];
    for (shifts, field) in cases {
        let page = post(
            &mut b,
            "/console/portal/events",
            &request_form(&csrf, &site, "Home game", shifts, "estimate"),
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            page.body
        );
        assert!(
            page.body.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            page.body
        );
        assert!(page.body.contains("value=\"Home game\""), "kept as typed");
    }
}

async fn a_card_saved_on_the_gateways_hosted_page_lets_the_business_request(backend: Backend) {
    use offduty_server::payments::{SecretString, StripeConfig, StripeGateway};
    let fake = offduty_testkit::stripe::FakeStripe::start().await.unwrap();
    let gateway = StripeGateway::new(StripeConfig {
        api_base: fake.url(),
        secret_key: SecretString::new(fake.secret_key()),
        webhook_secret: None,
    })
    .unwrap();
    let app = TestApp::start_configured(backend, |state| {
        state.payments = Some(std::sync::Arc::new(gateway));
        // The test server is plain http on loopback, as a developer's would be.
        state.secure_cookies = false;
    })
    .await;
    let (dept, _) = app.department("Columbus").await;
    let (mut b, org, site) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;

    // The portal links to the gateway; the server sends the browser to the hosted page.
    let portal = b.get("/console/portal").await;
    assert!(
        portal
            .body
            .contains("href=\"/console/portal/payment-method\""),
        "{}",
        portal.body
    );
    let go = b.get("/console/portal/payment-method").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER, "{}", go.body);
    let hosted = go.location().to_string();
    assert!(hosted.starts_with(&fake.url()), "{hosted}");

    // The customer picks a card there and is sent back here with the session.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(&hosted)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"card_4242\""), "{page}");
    let back = http
        .post(&hosted)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("method=card_4242")
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    let back = back.headers()["location"].to_str().unwrap().to_string();
    let prefix = format!("{}/console/portal/payment-method/done?session_id=", app.url);
    assert!(back.starts_with(&prefix), "{back}");
    let done = b.get(&back[app.url.len()..]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/portal?done=method");
    let portal = b.get(done.location()).await;
    assert!(portal.body.contains("Visa ending 4242"), "{}", portal.body);
    assert!(
        portal.body.contains("saved and validated"),
        "{}",
        portal.body
    );

    // The organization keeps the gateway's ids, never a card number; the request is accepted.
    let row = sqlx::query(
        "SELECT gateway_customer, payment_method, payment_method_label FROM organizations WHERE id = $1",
    )
    .bind(org.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        row.try_get::<String, _>("gateway_customer")
            .unwrap()
            .starts_with("cus_")
    );
    assert!(
        row.try_get::<String, _>("payment_method")
            .unwrap()
            .starts_with("pm_")
    );
    let id = submit(
        &app,
        &mut b,
        &site,
        "Home game",
        &[Shift::in_days(10, "08:00", "12:00", 2)],
    )
    .await;
    assert_eq!(request_status(&app, id).await.0, "submitted");

    // Saving another method later reuses the gateway's customer: one was made.
    let again = b.get("/console/portal/payment-method").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let customers = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/customers" && r.status == 200)
        .count();
    assert_eq!(customers, 1);
    assert!(
        audit(&app, dept)
            .await
            .iter()
            .any(|a| a == "payment_method_validated")
    );
}

async fn without_a_gateway_the_portal_says_to_ask_for_invoice_terms(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, _) = app.department("Columbus").await;
    let (mut b, _, _) = business(&app, "Ohio Stadium Events", "events@stadium.test").await;
    let go = b.get("/console/portal/payment-method").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    let page = b.get(go.location()).await;
    assert!(
        page.body.contains("ask it for invoice terms"),
        "{}",
        page.body
    );
}

on_both_backends!(
    a_business_signs_up_requests_an_event_and_a_coordinator_approves_it_into_jobs,
    changes_asked_for_then_a_decline_reach_the_customer_with_their_reasons,
    cancelling_is_free_before_approval_and_costs_the_late_fee_after_it_shown_first,
    a_customer_sees_only_its_own_organization_and_forms_need_their_token,
    bad_input_is_refused_on_its_field_and_the_form_comes_back_as_typed,
    a_card_saved_on_the_gateways_hosted_page_lets_the_business_request,
    without_a_gateway_the_portal_says_to_ask_for_invoice_terms,
);
