//! Affiliates (issue 12, decision 047), on SQLite and PostgreSQL, through the console's pages as
//! a browser uses them: a coordinator invites a security firm; its contact opens the e-mailed
//! link once, sets a password and lands in the portal; the firm requests an event, which waits
//! in the same approval queue (labelled "Affiliate"); approved, its job is on the officers'
//! board under the firm's name; an officer claims and clocks it; the firm sees the officer's
//! timecard, a customer of the same department does not. Expired, replaced and used links are
//! refused with what to do; a suspended affiliate cannot sign in or request, its approved jobs
//! stay; every step is audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use common::browser::{Browser, Page};
use common::money::{World, auth, business};
use common::{Actor, Backend, PASSWORD, TestApp, TestDevice, punch_action};
use offduty_domain::protocol::Role;
use offduty_domain::timecard::PunchKind;

const STADIUM: (f64, f64) = (40.0017, -83.0197);
const FIRM: &str = "Buckeye Security Group";

/// The link on the "invitation sent" page (shown once), as a path on this server.
fn invitation_path(page: &Page) -> String {
    let link = page
        .between("<code>", "</code>")
        .expect("the link is shown");
    let at = link.find("/console/invitation?token=").expect(&link);
    link[at..].replace("&#x3D;", "=").replace("&#61;", "=")
}

/// Invites `FIRM` (invoice terms) as `c`, a coordinator's browser; returns the link's path and
/// the organization's id.
async fn invite(app: &TestApp, c: &mut Browser<'_>, email: &str) -> (String, Uuid) {
    let form = c.get("/console/affiliates/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let sent = c
        .post(
            "/console/affiliates",
            &[
                ("csrf", &form.csrf()),
                ("name", FIRM),
                ("billing_address", "65 E State St, Columbus, OH 43215"),
                ("contact_name", "Jordan Reyes"),
                ("email", email),
                ("terms", "invoice"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert!(sent.body.contains(email), "{}", sent.body);
    let org: String = sqlx::query("SELECT organization_id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("organization_id")
        .unwrap();
    (invitation_path(&sent), Uuid::parse_str(&org).unwrap())
}

/// Opens the link in a new browser, sets the password and returns the browser in the portal.
async fn accept<'a>(app: &'a TestApp, path: &str) -> Browser<'a> {
    let mut f = Browser::new(app);
    let page = f.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&format!("invites {FIRM}")),
        "{}",
        page.body
    );
    let token = path.split("token=").nth(1).unwrap();
    let done = f
        .post(
            "/console/invitation",
            &[
                ("csrf", &page.csrf()),
                ("token", token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/portal");
    let portal = f.get("/console/portal").await;
    assert_eq!(portal.status, StatusCode::OK, "{}", portal.body);
    assert!(portal.body.contains(FIRM), "{}", portal.body);
    f
}

/// Adds a site and requests "Bank night" (one shift of two officers ten days from now,
/// 08:00–12:00 in the department's zone) through the portal; returns the request's id.
async fn request_event(app: &TestApp, f: &mut Browser<'_>) -> Uuid {
    let portal = f.get("/console/portal").await;
    let site = f
        .post(
            "/console/portal/sites",
            &[
                ("csrf", &portal.csrf()),
                ("name", "Huntington vault"),
                ("address", "17 S High St"),
                ("lat", &STADIUM.0.to_string()),
                ("lon", &STADIUM.1.to_string()),
                ("radius", "200"),
            ],
        )
        .await;
    assert_eq!(site.status, StatusCode::SEE_OTHER, "{}", site.body);
    let site: String = sqlx::query("SELECT id FROM sites WHERE name = 'Huntington vault'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    let tz: Tz = "America/New_York".parse().unwrap();
    let date = (Utc::now() + Duration::days(10))
        .with_timezone(&tz)
        .date_naive();
    let form = f.get("/console/portal/events/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let date = date.format("%Y-%m-%d").to_string();
    let done = f
        .post(
            "/console/portal/events",
            &[
                ("csrf", &form.csrf()),
                ("site_id", &site),
                ("title", "Bank night"),
                ("job_type", "security"),
                ("contact_name", "Jordan Reyes"),
                ("contact_phone", "(614) 555-0199"),
                ("instructions", "Badge in at the loading dock."),
                ("intent", "submit"),
                ("date0", &date),
                ("start0", "08:00"),
                ("end0", "12:00"),
                ("officers0", "2"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id: String = sqlx::query("SELECT id FROM event_requests WHERE title = 'Bank night'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    Uuid::parse_str(&id).unwrap()
}

/// Approves request `id` from the queue as `c`; returns the posted job's id.
async fn approve(app: &TestApp, c: &mut Browser<'_>, id: Uuid) -> String {
    let queue = c.get("/console/approvals").await;
    assert!(
        queue.body.contains("Bank night") && queue.body.contains(">Affiliate<"),
        "the queue labels the affiliate's request: {}",
        queue.body
    );
    let page = c.get(&format!("/console/approvals/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let done = c
        .post(
            &format!("/console/approvals/{id}/approve"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let job: String = sqlx::query("SELECT id FROM jobs WHERE event_id = $1")
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    job
}

async fn audit(app: &TestApp, dept: Uuid) -> Vec<(String, String)> {
    sqlx::query("SELECT action, detail_json FROM audit_log WHERE department_id = $1 ORDER BY seq")
        .bind(dept.to_string())
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("action").unwrap(),
                r.try_get("detail_json").unwrap(),
            )
        })
        .collect()
}

async fn display_name(app: &TestApp, who: &Actor) -> String {
    sqlx::query("SELECT display_name FROM users WHERE id = $1")
        .bind(who.id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("display_name")
        .unwrap()
}

/// The affiliate's contact through the API: signs in with the password set on the page.
async fn api_login(app: &TestApp, email: &str, dept: Uuid) -> (StatusCode, Option<Actor>) {
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    let actor = body["access_token"].as_str().map(|t| Actor {
        id: body["user"]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default(),
        department_id: dept,
        role: Role::Customer,
        email: email.into(),
        token: t.into(),
    });
    (status, actor)
}

async fn an_invited_firm_requests_an_event_and_sees_its_officers_work_a_customer_does_not(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus PD").await;
    let mut c = Browser::new(&app);
    c.signed_in(&coord).await;

    // The invitation: an organization of kind affiliate, its contact without a password, one
    // e-mail in the outbox carrying the link, and only the link's hash stored.
    let (path, org) = invite(&app, &mut c, "ops@buckeye.test").await;
    let token = path.split("token=").nth(1).unwrap().to_string();
    let kind: String = sqlx::query("SELECT kind FROM organizations WHERE id = $1")
        .bind(org.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("kind")
        .unwrap();
    assert_eq!(kind, "affiliate");
    let notices = sqlx::query(
        "SELECT n.kind, n.payload_json FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE u.email = 'ops@buckeye.test'",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(
        notices[0].try_get::<String, _>("kind").unwrap(),
        "affiliate_invitation"
    );
    let payload: serde_json::Value =
        serde_json::from_str(&notices[0].try_get::<String, _>("payload_json").unwrap()).unwrap();
    assert!(
        payload["link"].as_str().unwrap().ends_with(&path),
        "{payload}"
    );
    let stored: Vec<String> = sqlx::query("SELECT token_hash FROM affiliate_invitations")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("token_hash").unwrap())
        .collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token, "the token is stored hashed");
    assert!(!stored[0].contains(&token[5..]));
    let (s, _) = api_login(&app, "ops@buckeye.test", dept).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "no password before accepting");

    // Accepted once; the same link again says so.
    let mut f = accept(&app, &path).await;
    let again = Browser::new(&app).get(&path).await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.body);
    assert!(again.body.contains("already accepted"), "{}", again.body);

    // The firm requests like a customer; the coordinator approves from the same queue.
    let event = request_event(&app, &mut f).await;
    let job_id = approve(&app, &mut c, event).await;

    // On the officers' board under the firm's name; an officer claims and works it.
    let officer = app.officer(dept).await;
    let (s, board) = app
        .get("/v1/jobs?from=2000-01-01T00:00:00Z&limit=2000", &officer)
        .await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let on_board = board
        .as_array()
        .or_else(|| board["jobs"].as_array())
        .unwrap()
        .iter()
        .find(|j| j["id"] == job_id.as_str())
        .cloned()
        .expect("the affiliate's job is on the board");
    assert_eq!(on_board["customer_name"], FIRM, "{on_board}");
    assert_eq!(app.claim(&officer, &job_id).await["type"], "awarded");
    let now = Utc::now();
    app.set_job_times(&job_id, now - Duration::hours(4), now)
        .await;
    let mut device = TestDevice::register(&app, &officer).await;
    for (kind, at) in [
        (PunchKind::In, now - Duration::minutes(241)),
        (PunchKind::Out, now - Duration::minutes(1)),
    ] {
        let ev = device.punch(&officer, &job_id, kind, at, STADIUM.0, STADIUM.1, 8.0);
        assert_eq!(
            app.act(&officer, punch_action(kind, &ev)).await["type"],
            "punched"
        );
    }
    let name = display_name(&app, &officer).await;

    // The firm sees the officer's work for it; so does the coordinator, on the firm's page.
    // (Worked time counts from the shift's start, a minute after the clock-in: 239 minutes.)
    let work = f.get("/console/portal/timecards").await;
    assert_eq!(work.status, StatusCode::OK, "{}", work.body);
    assert!(
        work.body.contains("Work by our officers")
            && work.body.contains(&name)
            && work.body.contains("3 h 59 min"),
        "{}",
        work.body
    );
    let page = c.get(&format!("/console/affiliates/{org}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Bank night") && page.body.contains(&name),
        "{}",
        page.body
    );
    let list = c.get("/console/affiliates").await;
    assert!(list.body.contains(FIRM), "{}", list.body);
    let customers = c.get("/console/customers").await;
    assert!(
        !customers.body.contains(FIRM),
        "affiliates are not on the customers page"
    );

    // Through the API the firm's contact sees its own request, and a customer of the same
    // department sees neither the request, nor the work, nor the job (404, not 403).
    let (s, firm) = api_login(&app, "ops@buckeye.test", dept).await;
    assert_eq!(s, StatusCode::OK);
    let firm = firm.unwrap();
    let (s, mine) = app.get(&format!("/v1/event-requests/{event}"), &firm).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["organization_kind"], "affiliate", "{mine}");
    let w = World {
        dept,
        coord: coord.clone(),
        officers: vec![officer.clone()],
    };
    let other = business(&app, &w, "Acme", "invoice").await;
    let (s, _) = app
        .get(&format!("/v1/event-requests/{event}"), &other.customer)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, listed) = app.get("/v1/event-requests", &other.customer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");
    let mut o = Browser::new(&app);
    let signed = o.sign_in(&other.customer.email, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let theirs = o.get("/console/portal/timecards").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(
        !theirs.body.contains(&name) && theirs.body.contains("No worked time yet"),
        "{}",
        theirs.body
    );
    let peek = o.get(&format!("/console/portal/events/{event}")).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let peek = o.get(&format!("/console/affiliates/{org}")).await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN, "coordinators' page");

    let log = audit(&app, dept).await;
    for action in [
        "affiliate_created",
        "affiliate_invited",
        "affiliate_invitation_accepted",
        "site_added",
        "event_requested",
        "event_approved",
    ] {
        assert!(log.iter().any(|(a, _)| a == action), "{action} in {log:?}");
    }
    assert!(
        log.iter().all(|(_, d)| !d.contains(&token[5..])),
        "the token is never in the audit log"
    );
}

async fn expired_replaced_and_unknown_links_are_refused_with_what_to_do(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus PD").await;
    let mut c = Browser::new(&app);
    c.signed_in(&coord).await;
    let (path, org) = invite(&app, &mut c, "ops@buckeye.test").await;
    let token = path.split("token=").nth(1).unwrap().to_string();

    // Expired (while its form was open): the page says so, and posting anyway sets no password.
    let mut f = Browser::new(&app);
    let open = f.get(&path).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    sqlx::query("UPDATE affiliate_invitations SET expires_us = $1")
        .bind((Utc::now() - Duration::minutes(1)).timestamp_micros())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let page = Browser::new(&app).get(&path).await;
    assert_eq!(page.status, StatusCode::GONE, "{}", page.body);
    assert!(
        page.body.contains("expired") && page.body.contains("ask the department"),
        "{}",
        page.body
    );
    let refused = f
        .post(
            "/console/invitation",
            &[
                ("csrf", &open.csrf()),
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let hash: String =
        sqlx::query("SELECT password_hash FROM users WHERE email = 'ops@buckeye.test'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get("password_hash")
            .unwrap();
    assert_eq!(hash, offduty_server::services::accounts::NO_PASSWORD);

    // A new invitation replaces it: the old link says so, the new one works.
    let detail = c.get(&format!("/console/affiliates/{org}")).await;
    assert!(detail.body.contains("Expired"), "{}", detail.body);
    let sent = c
        .post(
            &format!("/console/affiliates/{org}/invitation"),
            &[("csrf", &detail.csrf())],
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let fresh = invitation_path(&sent);
    assert_ne!(fresh, path);
    sqlx::query("UPDATE affiliate_invitations SET expires_us = $1 WHERE revoked_us IS NOT NULL")
        .bind((Utc::now() + Duration::days(1)).timestamp_micros())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let old = Browser::new(&app).get(&path).await;
    assert!(old.body.contains("newer invitation"), "{}", old.body);

    // Unknown and incomplete tokens; passwords that differ or are too short.
    let bad = Browser::new(&app)
        .get("/console/invitation?token=oda1.nothing")
        .await;
    assert_eq!(bad.status, StatusCode::GONE);
    assert!(bad.body.contains("not valid"), "{}", bad.body);
    let bare = Browser::new(&app).get("/console/invitation").await;
    assert_eq!(bare.status, StatusCode::GONE);
    let mut g = Browser::new(&app);
    let form = g.get(&fresh).await;
    let fresh_token = fresh.split("token=").nth(1).unwrap();
    let differ = g
        .post(
            "/console/invitation",
            &[
                ("csrf", &form.csrf()),
                ("token", fresh_token),
                ("password", PASSWORD),
                ("confirm", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.body.contains("differ"), "{}", differ.body);
    let form = g.get(&fresh).await;
    let short = g
        .post(
            "/console/invitation",
            &[
                ("csrf", &form.csrf()),
                ("token", fresh_token),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    let no_csrf = g
        .post(
            "/console/invitation",
            &[
                ("csrf", "forged"),
                ("token", fresh_token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    accept(&app, &fresh).await;

    // The same e-mail cannot be invited twice; the form comes back on its field.
    let form = c.get("/console/affiliates/new").await;
    let twice = c
        .post(
            "/console/affiliates",
            &[
                ("csrf", &form.csrf()),
                ("name", "Another firm"),
                ("billing_address", "1 Main St"),
                ("contact_name", "Sam"),
                ("email", "ops@buckeye.test"),
                ("terms", "card"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.body.contains("already exists") && twice.body.contains("Another firm"),
        "{}",
        twice.body
    );
}

async fn a_suspended_affiliate_cannot_sign_in_or_request_and_its_approved_jobs_stay(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus PD").await;
    let mut c = Browser::new(&app);
    c.signed_in(&coord).await;
    let (path, org) = invite(&app, &mut c, "ops@buckeye.test").await;
    let mut f = accept(&app, &path).await;
    let event = request_event(&app, &mut f).await;
    let job_id = approve(&app, &mut c, event).await;
    let (_, firm) = api_login(&app, "ops@buckeye.test", dept).await;
    let firm = firm.unwrap();

    // A reason is needed; then the firm is signed out everywhere.
    let page = c.get(&format!("/console/affiliates/{org}")).await;
    let no_reason = c
        .post(
            &format!("/console/affiliates/{org}/suspend"),
            &[("csrf", &page.csrf()), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = c
        .post(
            &format!("/console/affiliates/{org}/suspend"),
            &[
                ("csrf", &page.csrf()),
                ("reason", "Lapsed liability insurance"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = c.get(done.location()).await;
    assert!(shown.body.contains("Suspended since"), "{}", shown.body);

    let portal = f.get("/console/portal").await;
    assert_eq!(portal.status, StatusCode::SEE_OTHER, "the session ended");
    let again = Browser::new(&app)
        .sign_in("ops@buckeye.test", PASSWORD)
        .await;
    assert_ne!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let (s, _) = app.get("/v1/event-requests", &firm).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the API token ended too");
    let (s, _) = api_login(&app, "ops@buckeye.test", dept).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Requesting is refused by the service itself, whatever the session.
    let mut conn = app.db.pool.acquire().await.unwrap();
    let refused = offduty_server::services::customers::of_customer(&mut conn, auth(&firm)).await;
    assert_eq!(refused.unwrap_err().status, StatusCode::FORBIDDEN);
    drop(conn);

    // Its approved job stays on the board.
    let status: String = sqlx::query("SELECT status FROM jobs WHERE id = $1")
        .bind(&job_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("status")
        .unwrap();
    assert_eq!(status, "open");

    // Reinstated, the contact signs in again.
    let page = c.get(&format!("/console/affiliates/{org}")).await;
    let done = c
        .post(
            &format!("/console/affiliates/{org}/reinstate"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let back = Browser::new(&app)
        .sign_in("ops@buckeye.test", PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.location(), "/console/portal");

    let log = audit(&app, dept).await;
    let suspended = log
        .iter()
        .find(|(a, _)| a == "affiliate_suspended")
        .expect("suspension audited");
    assert!(suspended.1.contains("Lapsed liability insurance"));
    assert!(log.iter().any(|(a, _)| a == "affiliate_reinstated"));

    // Customers' pages keep to their own: another department's coordinator finds nothing.
    let (_, other) = app.department("Dayton PD").await;
    let mut d = Browser::new(&app);
    d.signed_in(&other).await;
    let peek = d.get(&format!("/console/affiliates/{org}")).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let list = d.get("/console/affiliates").await;
    assert!(!list.body.contains(FIRM));
}

on_both_backends!(
    an_invited_firm_requests_an_event_and_sees_its_officers_work_a_customer_does_not,
    expired_replaced_and_unknown_links_are_refused_with_what_to_do,
    a_suspended_affiliate_cannot_sign_in_or_request_and_its_approved_jobs_stay,
);
