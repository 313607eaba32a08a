//! The web console (decision 035), on SQLite and PostgreSQL, through a real server: a browser
//! that keeps its cookies by hand (so every attribute is seen) and follows no redirect (so every
//! redirect is checked). Sign-in and its cookie, refusals that tell nobody whether an account
//! exists, CSRF on every form, the security headers, the department's jobs and nobody else's,
//! sessions that end at sign-out, when idle and when the user is disabled, and HTML error pages
//! beside an unchanged JSON API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::StatusCode;
use reqwest::header;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

use common::browser::{Browser, Page, audit_actions, live_sessions};
use common::{Backend, PASSWORD, TestApp};
use offduty_domain::protocol::Role;
use offduty_server::console::CSP;

fn assert_security_headers(page: &Page, what: &str) {
    let h = |name: header::HeaderName| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(h(header::CONTENT_SECURITY_POLICY), CSP, "{what}");
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(h(header::REFERRER_POLICY), "same-origin", "{what}");
}

async fn root_redirects_to_the_console_and_sign_in_sets_a_strict_cookie(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    let root = b.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location(), "/console/sign-in", "not signed in");
    let jobs = b.get("/console/jobs").await;
    assert_eq!(jobs.status, StatusCode::SEE_OTHER, "not signed in");
    assert_eq!(jobs.location(), "/console/sign-in");

    let done = b.sign_in(&coord.email, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        b.get("/").await.location(),
        "/console/jobs",
        "a coordinator's home"
    );
    let cookie = done
        .set_cookie("offduty_console")
        .expect("a session cookie");
    for attr in [
        "; Path=/",
        "; HttpOnly",
        "; SameSite=Strict",
        "; Secure",
        "; Max-Age=43200",
    ] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    // The database keeps the id's SHA-256, never the id.
    let id = b.cookies["offduty_console"].clone();
    let stored: String = sqlx::query("SELECT id_hash FROM console_sessions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id_hash")
        .unwrap();
    assert_ne!(stored, id);
    assert_eq!(stored, hex::encode(Sha256::digest(id.as_bytes())));

    let jobs = b.get("/console/jobs").await;
    assert_eq!(jobs.status, StatusCode::OK);
    assert!(jobs.is_html());
    assert!(jobs.body.contains("<h1>Jobs</h1>"));
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "console_sign_in" && d.contains("\"console\"")),
        "{audit:?}"
    );
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    let wrong = b.sign_in(&coord.email, "not the password").await;
    let unknown = b.sign_in("nobody@nowhere.test", "not the password").await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.is_html());
        assert!(page.body.contains("Wrong e-mail or password."));
        assert!(page.set_cookie("offduty_console").is_none());
    }
    // The same page but for the echoed address and the fresh form token.
    let normalize = |p: &Page, email: &str| p.body.replace(email, "E").replace(&p.csrf(), "T");
    assert_eq!(
        normalize(&wrong, &coord.email),
        normalize(&unknown, "nobody@nowhere.test")
    );
    assert_eq!(live_sessions(&app).await, 0);
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "login_failed" && d.contains("\"console\"")),
        "the failed attempt on a real account is audited: {audit:?}"
    );
}

async fn forms_without_the_right_csrf_token_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;

    // Sign-in: no token, a wrong one, or no pre-session cookie.
    let mut b = Browser::new(&app);
    let form = b.get("/console/sign-in").await;
    let good = form.csrf();
    let creds = [("email", coord.email.as_str()), ("password", PASSWORD)];
    for token in [None, Some("forged"), Some(&good[..20])] {
        let mut fields = creds.to_vec();
        if let Some(t) = token {
            fields.push(("csrf", t));
        }
        let page = b.post("/console/sign-in", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(page.set_cookie("offduty_console").is_none());
    }
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post("/console/sign-in", &[("csrf", &good), creds[0], creds[1]])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "no pre-session cookie");
    assert_eq!(live_sessions(&app).await, 0);

    // Sign-out: no token, a wrong one, another session's.
    let mut b = Browser::new(&app);
    let jobs = b.signed_in(&coord).await;
    let mut other = Browser::new(&app);
    let others_token = other.signed_in(&coord).await.csrf();
    assert_ne!(others_token, jobs.csrf());
    for fields in [
        vec![],
        vec![("csrf", "forged")],
        vec![("csrf", &others_token[..])],
    ] {
        let page = b.post("/console/sign-out", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(page.is_html());
        assert_security_headers(&page, "a refused form");
    }
    assert_eq!(live_sessions(&app).await, 2, "nobody was signed out");
    assert_eq!(b.get("/console/jobs").await.status, StatusCode::OK);
    // A form that is not a form.
    let req = b
        .http
        .post(format!("{}/console/sign-out", app.url))
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"csrf": jobs.csrf()}).to_string());
    assert_eq!(b.send(req).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(live_sessions(&app).await, 2);
}

async fn every_console_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |_| {}).await;
    let mut b = Browser::new(&app);
    for path in ["/", "/console", "/console/sign-in", "/console/no-such-page"] {
        let page = b.get(path).await;
        assert_security_headers(&page, path);
    }
    b.signed_in(&coord).await;
    let job_path = format!("/console/jobs/{}", job["id"].as_str().unwrap());
    for path in ["/console/jobs", &job_path, "/console/static/console.css"] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_security_headers(&page, path);
    }
    let css = b.get("/console/static/console.css").await;
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.body.contains(":focus-visible"));
    // Pages carry no inline style or script for the CSP to block.
    let jobs = b.get("/console/jobs").await;
    for banned in ["<script", "style=", "<style"] {
        assert!(!jobs.body.contains(banned), "{banned}");
    }
    assert_eq!(jobs.headers[header::CACHE_CONTROL], "no-store");
}

async fn the_jobs_page_lists_the_departments_jobs_and_not_anothers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept_a, coord_a) = app.department("Columbus").await;
    let (_, coord_b) = app.department("Dayton").await;
    let ours = app
        .job(&coord_a, |j| j["title"] = json!("Stadium traffic <A>"))
        .await;
    let theirs = app
        .job(&coord_b, |j| j["title"] = json!("Dayton parade"))
        .await;
    let officer = app
        .officer_with(dept_a, |u| u.display_name = "Ofc. Rosa Díaz".into())
        .await;
    app.claim(&officer, ours["id"].as_str().unwrap()).await;

    let mut b = Browser::new(&app);
    let jobs = b.signed_in(&coord_a).await;
    assert!(
        jobs.body.contains("Stadium traffic &#60;A&#62;")
            || jobs.body.contains("Stadium traffic &lt;A&gt;"),
        "escaped: {}",
        jobs.body
    );
    assert!(!jobs.body.contains("Stadium traffic <A>"), "never raw HTML");
    assert!(!jobs.body.contains("Dayton parade"));
    assert!(jobs.body.contains("1 of 2"), "slots filled of total");
    assert!(jobs.body.contains("First come"));
    assert!(jobs.body.contains("<th scope=\"col\">"));

    let page = b
        .get(&format!("/console/jobs/{}", ours["id"].as_str().unwrap()))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ofc. Rosa Díaz"), "{}", page.body);
    assert!(page.body.contains("Awarded"));

    for path in [
        format!("/console/jobs/{}", theirs["id"].as_str().unwrap()),
        "/console/jobs/not-a-uuid".to_string(),
    ] {
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.is_html(), "{path}");
        assert!(!page.body.contains("Dayton parade"));
    }
}

async fn officers_are_refused_and_customers_reach_only_the_portal(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    // A customer account made before organizations existed (none is linked to it).
    let customer = app.user(dept, Role::Customer, "events@stadium.test").await;
    let mut b = Browser::new(&app);
    let page = b.sign_in(&officer.email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("offduty app"), "{}", page.body);
    assert!(page.set_cookie("offduty_console").is_none());
    assert_eq!(live_sessions(&app).await, 0);
    assert_eq!(b.get("/console/jobs").await.status, StatusCode::SEE_OTHER);

    let page = b.sign_in(&customer.email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/console/portal");
    assert_eq!(live_sessions(&app).await, 1);
    assert_eq!(
        b.get("/").await.location(),
        "/console/portal",
        "home is the portal"
    );
    for path in [
        "/console/jobs",
        "/console/approvals",
        "/console/customers",
        "/console/deliveries",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.is_html() && page.body.contains("coordinators"),
            "{path}: {}",
            page.body
        );
    }
    let portal = b.get("/console/portal").await;
    assert_eq!(portal.status, StatusCode::FORBIDDEN, "{}", portal.body);
    assert!(
        portal.body.contains("belongs to no organization"),
        "{}",
        portal.body
    );
    let audit = audit_actions(&app, dept).await;
    let count = |action: &str| audit.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("console_sign_in_refused"), 1, "{audit:?}");
    assert_eq!(count("console_sign_in"), 1, "{audit:?}");
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    let jobs = b.signed_in(&coord).await;
    let old = b.cookies["offduty_console"].clone();
    let out = b.post("/console/sign-out", &[("csrf", &jobs.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/console/sign-in");
    assert!(
        out.set_cookie("offduty_console")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(live_sessions(&app).await, 0);
    // The old cookie, replayed, no longer works.
    b.cookies.insert("offduty_console".into(), old);
    let again = b.get("/console/jobs").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/console/sign-in");
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit.iter().any(|(a, _)| a == "console_sign_out"),
        "{audit:?}"
    );
}

async fn a_disabled_users_session_stops_working(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let colleague = app
        .user(dept, Role::Coordinator, "second@columbus.test")
        .await;
    let mut b = Browser::new(&app);
    b.signed_in(&colleague).await;
    let (status, body) = app
        .post(
            &format!("/v1/users/{}/disable", colleague.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = b.get("/console/jobs").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/console/sign-in");
    assert_eq!(live_sessions(&app).await, 0);
}

async fn a_session_ends_when_idle_or_when_the_epoch_moves_on(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let mut idle = Browser::new(&app);
    idle.signed_in(&coord).await;
    let long_ago = (chrono::Utc::now() - chrono::Duration::minutes(31)).timestamp_micros();
    sqlx::query("UPDATE console_sessions SET last_seen_us = $1")
        .bind(long_ago)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        idle.get("/console/jobs").await.status,
        StatusCode::SEE_OTHER
    );

    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    // A password reset or role change bumps the epoch in the same transaction; a session
    // stored at the old epoch is refused even if its row was somehow missed.
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(coord.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(b.get("/console/jobs").await.status, StatusCode::SEE_OTHER);
}

async fn the_retention_sweep_deletes_sessions_ended_over_a_day_ago(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let mut live = Browser::new(&app);
    live.signed_in(&coord).await;
    let mut gone = Browser::new(&app);
    let jobs = gone.signed_in(&coord).await;
    gone.post("/console/sign-out", &[("csrf", &jobs.csrf())])
        .await;
    let sessions = || async {
        sqlx::query("SELECT COUNT(*) AS n FROM console_sessions")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    };
    let policy = offduty_server::services::retention::RetentionPolicy::default();
    let now = chrono::Utc::now();
    let soon = offduty_server::services::retention::run_once(&app.db, now, &policy).await;
    assert_eq!(
        soon.console_sessions_deleted, 0,
        "ended less than a day ago"
    );
    assert_eq!(sessions().await, 2);
    let two_days_ago = (now - chrono::Duration::days(2)).timestamp_micros();
    sqlx::query("UPDATE console_sessions SET revoked_us = $1 WHERE revoked_us IS NOT NULL")
        .bind(two_days_ago)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let report = offduty_server::services::retention::run_once(&app.db, now, &policy).await;
    assert_eq!(report.console_sessions_deleted, 1, "the signed-out one");
    assert_eq!(sessions().await, 1);
    assert_eq!(live.get("/console/jobs").await.status, StatusCode::OK);
}

async fn console_errors_are_html_and_the_api_stays_json(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut b = Browser::new(&app);
    let missing = b.get("/console/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.is_html());
    // The way back is `/`, which leads each user to their own first page.
    assert!(
        missing.body.contains("<a href=\"/\">Go to the console</a>"),
        "{}",
        missing.body
    );
    let wrong_method = b.get("/console/sign-out").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.is_html());
    for path in ["/v1/jobs", "/v1/no-such-route", "/elsewhere"] {
        let api = b.get(path).await;
        assert_eq!(
            api.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
        assert!(api.headers.get(header::CONTENT_SECURITY_POLICY).is_none());
    }
}

on_both_backends!(
    root_redirects_to_the_console_and_sign_in_sets_a_strict_cookie,
    a_wrong_password_and_an_unknown_email_get_the_same_page,
    forms_without_the_right_csrf_token_are_refused_and_change_nothing,
    every_console_response_carries_the_security_headers,
    the_jobs_page_lists_the_departments_jobs_and_not_anothers,
    officers_are_refused_and_customers_reach_only_the_portal,
    sign_out_ends_the_session_on_the_server,
    a_disabled_users_session_stops_working,
    a_session_ends_when_idle_or_when_the_epoch_moves_on,
    console_errors_are_html_and_the_api_stays_json,
    the_retention_sweep_deletes_sessions_ended_over_a_day_ago,
);
