//! Two-factor sign-in (decision 038), on SQLite and PostgreSQL, through a real server and a
//! browser that keeps its cookies by hand: enrolment (secret, URI, QR code, a code confirms it,
//! recovery codes shown once), the sign-in's second step (wrong, replayed, expired, locked),
//! recovery codes used once, the department's requirement, turning it off with a code, the
//! JSON API's `otp` for coordinators (officers unchanged), CSRF on every new form, and the audit
//! entries. Clock skew is checked against the service with the clock passed in; a flow that
//! needs more codes than the wall clock gives in a test moves the account's last used step back
//! in the database, the state it would be in a minute later (as decision 012 moves jobs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use common::browser::{Browser, Page, audit_actions, live_sessions};
use common::{Actor, Backend, PASSWORD, TestApp};
use offduty_domain::protocol::Role;
use offduty_server::auth::totp::{self, SecretSeal};
use offduty_server::console::CSP;
use offduty_server::services::accounts::Admin;
use offduty_server::services::two_factor::{self, Accepted, Holder, Refused};

const ACCOUNT: &str = "/console/account/two-factor";
const SECOND_STEP: &str = "/console/sign-in/two-factor";

/// Enrols the signed-in user of `b` through the account page: returns the secret and the
/// recovery codes page.
async fn enrol(b: &mut Browser<'_>) -> (Vec<u8>, Page) {
    let (secret, _, page) = enrol_with_code(b).await;
    (secret, page)
}

/// [`enrol`], also returning the code that confirmed the enrolment.
async fn enrol_with_code(b: &mut Browser<'_>) -> (Vec<u8>, String, Page) {
    let page = b.get(ACCOUNT).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret = page.between("<code id=\"secret\">", "</code>").unwrap();
    let secret = secret.replace(' ', "");
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let code = totp::code_at(&secret, Utc::now());
    let done = b
        .post(
            &format!("{ACCOUNT}/confirm"),
            &[("csrf", &page.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    (secret, code, done)
}

/// The recovery codes a page shows.
fn recovery_codes(page: &Page) -> Vec<String> {
    page.body
        .split("<li><code>")
        .skip(1)
        .map(|p| p.split("</code>").next().unwrap().to_string())
        .collect()
}

/// The account's last used step moves back two steps: what a minute's wait would allow, so the
/// next current code is not a replay.
async fn a_minute_passes(app: &TestApp, user: Uuid) {
    sqlx::query("UPDATE user_totp SET last_step = last_step - 2 WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
}

fn now_code(secret: &[u8]) -> String {
    totp::code_at(secret, Utc::now())
}

/// The password step for a user with a second factor: must lead to the code form, which is
/// returned.
async fn password_step(b: &mut Browser<'_>, email: &str) -> Page {
    let done = b.sign_in(email, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), SECOND_STEP);
    assert!(
        done.set_cookie("offduty_console").is_none(),
        "no session yet"
    );
    let cookie = done
        .set_cookie("offduty_console_2fa")
        .expect("a 2fa cookie");
    for attr in ["; HttpOnly", "; SameSite=Strict", "; Max-Age=300"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let form = b.get(SECOND_STEP).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form
}

async fn send_code(b: &mut Browser<'_>, form: &Page, code: &str) -> Page {
    b.post(SECOND_STEP, &[("csrf", &form.csrf()), ("code", code)])
        .await
}

fn count(audit: &[(String, String)], action: &str) -> usize {
    audit.iter().filter(|(a, _)| a == action).count()
}

async fn a_coordinator_enrols_and_then_signs_in_with_a_code(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;

    let page = b.get(ACCOUNT).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-security-policy"], CSP);
    assert_eq!(page.headers["cache-control"], "no-store");
    let shown_key = page.between("<code id=\"secret\">", "</code>").unwrap();
    assert_eq!(
        shown_key.len(),
        39,
        "160 bits in base32, in groups of four: {shown_key}"
    );
    let secret = shown_key.replace(' ', "");
    let uri = format!(
        "otpauth://totp/offduty:{}?secret={secret}&issuer=offduty",
        coord.email
    );
    let shown = page.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(shown.contains(&uri), "{}", page.body);
    assert!(page.body.contains("<svg "), "an inline QR code");
    for banned in ["<script", "style=", "<style", "data:"] {
        assert!(!page.body.contains(banned), "{banned}");
    }
    // Reloading shows the same enrolment; the secret is stored sealed, never plain.
    let again = b.get(ACCOUNT).await;
    assert!(again.body.contains(&shown_key));
    let stored: String = sqlx::query("SELECT secret_sealed FROM user_totp WHERE user_id = $1")
        .bind(coord.id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("secret_sealed")
        .unwrap();
    assert!(!stored.contains(&secret) && stored.starts_with("v1."));

    // A wrong code does not turn it on.
    let wrong = b
        .post(
            &format!("{ACCOUNT}/confirm"),
            &[("csrf", &page.csrf()), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("does not match"));
    assert!(!two_factor::enabled(&app.db, coord.id).await.unwrap());

    let (secret, done) = enrol(&mut b).await;
    let codes = recovery_codes(&done);
    assert_eq!(codes.len(), 10, "{}", done.body);
    assert!(done.body.contains("shown only this once"));
    // Shown once: the account page now only counts them; the database keeps hashes.
    let on = b.get(ACCOUNT).await;
    assert!(on.body.contains("Two-factor sign-in is on"));
    assert!(on.body.contains("10 unused recovery codes"));
    assert!(!on.body.contains(&codes[0]));
    let hashes: Vec<String> =
        sqlx::query("SELECT code_hash FROM totp_recovery_codes WHERE user_id = $1")
            .bind(coord.id.to_string())
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("code_hash").unwrap())
            .collect();
    assert_eq!(hashes.len(), 10);
    assert!(codes.iter().all(|c| !hashes.iter().any(|h| h.contains(c))));

    // Sign out; the password alone no longer makes a session.
    b.post("/console/sign-out", &[("csrf", &on.csrf())]).await;
    let form = password_step(&mut b, &coord.email).await;
    assert_eq!(form.headers["content-security-policy"], CSP);
    assert_eq!(live_sessions(&app).await, 0);
    assert_eq!(b.get("/console/jobs").await.location(), "/console/sign-in");
    let wrong = send_code(&mut b, &form, "123456").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .body
            .contains("That code is wrong or was already used")
    );
    assert!(wrong.body.contains("4 attempts left"));
    assert_eq!(live_sessions(&app).await, 0);

    a_minute_passes(&app, coord.id).await;
    let done = send_code(&mut b, &wrong, &now_code(&secret)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/jobs");
    assert!(done.set_cookie("offduty_console").is_some());
    assert!(
        done.set_cookie("offduty_console_2fa")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(b.get("/console/jobs").await.status, StatusCode::OK);

    let audit = audit_actions(&app, dept).await;
    assert_eq!(count(&audit, "totp_enabled"), 1, "{audit:?}");
    assert_eq!(count(&audit, "totp_failed"), 2, "{audit:?}");
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "console_sign_in" && d.contains("\"second_factor\":\"totp\"")),
        "{audit:?}"
    );
}

async fn a_code_is_accepted_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (secret, confirming, _) = enrol_with_code(&mut b).await;
    // The code that confirmed the enrolment cannot sign in.
    let mut other = Browser::new(&app);
    let form = password_step(&mut other, &coord.email).await;
    let replay = send_code(&mut other, &form, &confirming).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);

    a_minute_passes(&app, coord.id).await;
    let code = now_code(&secret);
    let ok = send_code(&mut other, &replay, &code).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // Seen over a shoulder and typed in another browser at once: refused.
    let mut thief = Browser::new(&app);
    let form = password_step(&mut thief, &coord.email).await;
    let again = send_code(&mut thief, &form, &code).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!thief.cookies.contains_key("offduty_console"));
    assert_eq!(
        live_sessions(&app).await,
        2,
        "the first browser and the one that signed in"
    );
    let audit = audit_actions(&app, dept).await;
    assert_eq!(
        audit
            .iter()
            .filter(|(a, d)| a == "totp_failed" && d.contains("\"replayed\""))
            .count(),
        2,
        "{audit:?}"
    );
}

async fn one_step_of_clock_skew_is_accepted_and_two_are_not(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let seal = SecretSeal::new(&app.state.tokens);
    let who = Holder {
        user_id: coord.id,
        department_id: dept,
    };
    let t0 = Utc::now();
    let secret = two_factor::begin(&app.db, &seal, coord.id, t0)
        .await
        .unwrap()
        .unwrap();
    let confirm = two_factor::confirm(&app.db, &seal, who, &totp::code_at(&secret, t0), t0)
        .await
        .unwrap();
    assert_eq!(confirm.unwrap().len(), 10);

    // Ten minutes later, the phone's clock off by one or two steps either way.
    let now = t0 + Duration::minutes(10);
    let step = totp::step_at(now);
    let (db, seal_ref, secret_ref) = (&app.db, &seal, &secret);
    let check = |s: i64| async move {
        two_factor::check(
            db,
            seal_ref,
            who,
            &totp::code_for_step(secret_ref, s),
            "api",
            now,
        )
        .await
        .unwrap()
    };
    assert_eq!(check(step - 2).await, Err(Refused::Wrong), "two behind");
    assert_eq!(check(step + 2).await, Err(Refused::Wrong), "two ahead");
    assert_eq!(check(step - 1).await, Ok(Accepted::Totp), "one behind");
    assert_eq!(check(step).await, Ok(Accepted::Totp), "on time");
    assert_eq!(check(step + 1).await, Ok(Accepted::Totp), "one ahead");
    // Each step once; and nothing at or before the last step used.
    assert_eq!(check(step + 1).await, Err(Refused::Replayed));
    assert_eq!(check(step).await, Err(Refused::Replayed));
    let later = now + Duration::seconds(totp::STEP_S * 2);
    let next = two_factor::check(
        &app.db,
        &seal,
        who,
        &totp::code_at(&secret, later),
        "api",
        later,
    )
    .await
    .unwrap();
    assert_eq!(next, Ok(Accepted::Totp), "the next step is fresh");
    let audit = audit_actions(&app, dept).await;
    assert_eq!(count(&audit, "totp_failed"), 4, "{audit:?}");
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (_, done) = enrol(&mut b).await;
    let codes = recovery_codes(&done);

    let mut lost_phone = Browser::new(&app);
    let form = password_step(&mut lost_phone, &coord.email).await;
    // Typed in lower case with spaces for dashes: still the code.
    let typed = codes[3].to_lowercase().replace('-', " ");
    let ok = send_code(&mut lost_phone, &form, &typed).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let account = lost_phone.get(ACCOUNT).await;
    assert!(
        account.body.contains("9 unused recovery codes"),
        "{}",
        account.body
    );

    let mut again = Browser::new(&app);
    let form = password_step(&mut again, &coord.email).await;
    let used = send_code(&mut again, &form, &codes[3]).await;
    assert_eq!(used.status, StatusCode::UNPROCESSABLE_ENTITY);
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "recovery_code_used" && d.contains("\"left\":9")),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "console_sign_in"
                && d.contains("\"second_factor\":\"recovery_code\"")),
        "{audit:?}"
    );
}

async fn a_department_that_requires_two_factor_sends_coordinators_to_enrolment(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, chief) = app.department("Columbus").await;
    let job = app.job(&chief, |_| {}).await;
    let colleague = app
        .user(dept, Role::Coordinator, "second@columbus.test")
        .await;
    let mut b = Browser::new(&app);
    let jobs = b.signed_in(&chief).await;
    // Requiring it needs one's own first.
    let refused = b
        .post(
            &format!("{ACCOUNT}/require"),
            &[("csrf", &jobs.csrf()), ("require", "on")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!two_factor::required(&app.db, dept).await.unwrap());
    let (chief_secret, done) = enrol(&mut b).await;
    let set = b
        .post(
            &format!("{ACCOUNT}/require"),
            &[("csrf", &done.csrf()), ("require", "on")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert!(two_factor::required(&app.db, dept).await.unwrap());
    assert_eq!(
        b.get("/console/jobs").await.status,
        StatusCode::OK,
        "enrolled"
    );

    // The colleague's password leads to enrolment, and no other page works until then.
    let mut c = Browser::new(&app);
    let done = c.sign_in(&colleague.email, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), ACCOUNT);
    let job_path = format!("/console/jobs/{}", job["id"].as_str().unwrap());
    for path in ["/console/jobs", job_path.as_str(), "/console"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            page.location() == ACCOUNT || page.location() == "/console/jobs",
            "{path}: {}",
            page.location()
        );
    }
    let page = c.get(ACCOUNT).await;
    assert!(
        page.body
            .contains("Your department requires two-factor sign-in")
    );
    // Nor can the colleague lift the requirement instead of enrolling.
    let lift = c
        .post(
            &format!("{ACCOUNT}/require"),
            &[("csrf", &page.csrf()), ("require", "off")],
        )
        .await;
    assert_eq!(lift.status, StatusCode::SEE_OTHER);
    assert_eq!(lift.location(), ACCOUNT);
    assert!(two_factor::required(&app.db, dept).await.unwrap());
    // Nor does the API give the colleague tokens.
    let (status, problem) = app
        .call(
            reqwest::Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": colleague.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        problem["type"],
        "https://offduty.dev/problems/totp-required"
    );

    enrol(&mut c).await;
    assert_eq!(c.get("/console/jobs").await.status, StatusCode::OK);
    assert_eq!(c.get(&job_path).await.status, StatusCode::OK);

    // Lifting the requirement takes a current code, like turning one's own off.
    let account = b.get(ACCOUNT).await;
    let wrong = b
        .post(
            &format!("{ACCOUNT}/require"),
            &[
                ("csrf", &account.csrf()),
                ("require", "off"),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(two_factor::required(&app.db, dept).await.unwrap());
    a_minute_passes(&app, chief.id).await;
    let lifted = b
        .post(
            &format!("{ACCOUNT}/require"),
            &[
                ("csrf", &account.csrf()),
                ("require", "off"),
                ("code", &now_code(&chief_secret)),
            ],
        )
        .await;
    assert_eq!(lifted.status, StatusCode::SEE_OTHER, "{}", lifted.body);
    assert!(!two_factor::required(&app.db, dept).await.unwrap());
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "totp_requirement_changed" && d.contains("\"require_totp\":true")),
        "{audit:?}"
    );
    assert_eq!(count(&audit, "totp_enabled"), 2);
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "totp_requirement_changed" && d.contains("\"require_totp\":false")),
        "{audit:?}"
    );
}

async fn turning_two_factor_off_needs_a_current_code(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (secret, done) = enrol(&mut b).await;
    let csrf = done.csrf();
    for code in ["", "000000", "not a code"] {
        let page = b
            .post(
                &format!("{ACCOUNT}/disable"),
                &[("csrf", &csrf), ("code", code)],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{code:?}");
        assert!(page.body.contains("still on"));
    }
    assert!(two_factor::enabled(&app.db, coord.id).await.unwrap());
    a_minute_passes(&app, coord.id).await;
    let off = b
        .post(
            &format!("{ACCOUNT}/disable"),
            &[("csrf", &csrf), ("code", &now_code(&secret))],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    assert!(!two_factor::enabled(&app.db, coord.id).await.unwrap());
    let remaining: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1")
            .bind(coord.id.to_string())
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(remaining, 0, "the recovery codes go with it");
    // The password alone signs in again.
    let mut again = Browser::new(&app);
    again.signed_in(&coord).await;
    let audit = audit_actions(&app, dept).await;
    assert_eq!(count(&audit, "totp_disabled"), 1, "{audit:?}");
    assert_eq!(count(&audit, "totp_failed"), 3, "{audit:?}");
}

async fn the_api_asks_coordinators_with_two_factor_for_otp_and_officers_for_nothing(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let login = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.call(reqwest::Method::POST, "/v1/auth/login", None, Some(&body))
                .await
        }
    };
    // Without a second factor, nothing changes for anyone.
    let (status, _) = login(json!({"email": coord.email, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK);

    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (secret, _) = enrol(&mut b).await;

    let (status, p) = login(json!({"email": coord.email, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{p}");
    assert_eq!(p["type"], "https://offduty.dev/problems/totp-required");
    assert!(p.get("access_token").is_none());
    // The wrong password is still just a wrong password: no hint the account has TOTP.
    let (status, p) =
        login(json!({"email": coord.email, "password": "wrong password", "otp": "123456"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(p["type"], "https://offduty.dev/problems/unauthorized");
    let (status, p) =
        login(json!({"email": coord.email, "password": PASSWORD, "otp": "000000"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(p["type"], "https://offduty.dev/problems/totp-required");
    assert_eq!(p["field"], "otp");

    a_minute_passes(&app, coord.id).await;
    let code = now_code(&secret);
    let (status, tokens) =
        login(json!({"email": coord.email, "password": PASSWORD, "otp": code})).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["access_token"].as_str().is_some());
    let (status, p) = login(json!({"email": coord.email, "password": PASSWORD, "otp": code})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works once");
    assert_eq!(p["type"], "https://offduty.dev/problems/totp-required");

    // Officers: the body the phones send, unchanged; an `otp` they would never send is ignored.
    let (status, tokens) = login(json!({"email": officer.email, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["user"]["role"], "officer");
    let (status, _) =
        login(json!({"email": officer.email, "password": PASSWORD, "otp": "x"})).await;
    assert_eq!(status, StatusCode::OK);
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "totp_failed" && d.contains("\"api\"")),
        "{audit:?}"
    );
}

async fn every_two_factor_form_needs_its_csrf_token(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let mut other = Browser::new(&app);
    let others = other.signed_in(&coord).await.csrf();
    let bad_tokens: [&[(&str, &str)]; 3] =
        [&[], &[("csrf", "forged")], &[("csrf", others.as_str())]];

    // Confirming an enrolment.
    let page = b.get(ACCOUNT).await;
    let secret = page.between("<code id=\"secret\">", "</code>").unwrap();
    let secret = secret.replace(' ', "");
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    for token in bad_tokens {
        let mut form = token.to_vec();
        let code = now_code(&secret);
        form.push(("code", code.as_str()));
        let refused = b.post(&format!("{ACCOUNT}/confirm"), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(refused.is_html());
    }
    assert!(!two_factor::enabled(&app.db, coord.id).await.unwrap());
    // Requiring it.
    for token in bad_tokens {
        let mut form = token.to_vec();
        form.push(("require", "off"));
        let refused = b.post(&format!("{ACCOUNT}/require"), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    let (secret, _) = enrol(&mut b).await;
    // Turning it off.
    a_minute_passes(&app, coord.id).await;
    for token in bad_tokens {
        let mut form = token.to_vec();
        let code = now_code(&secret);
        form.push(("code", code.as_str()));
        let refused = b.post(&format!("{ACCOUNT}/disable"), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    assert!(two_factor::enabled(&app.db, coord.id).await.unwrap());
    // The second step of a sign-in: refused before any attempt is counted.
    let mut s = Browser::new(&app);
    let form = password_step(&mut s, &coord.email).await;
    let mut t = Browser::new(&app);
    let theirs = password_step(&mut t, &coord.email).await.csrf();
    assert_ne!(theirs, form.csrf());
    for token in [None, Some("forged"), Some(theirs.as_str())] {
        let mut fields = vec![];
        if let Some(t) = token {
            fields.push(("csrf", t));
        }
        let code = now_code(&secret);
        fields.push(("code", code.as_str()));
        let refused = s.post(SECOND_STEP, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(refused.set_cookie("offduty_console").is_none());
    }
    let attempts: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM console_second_factor WHERE attempts > 0")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(attempts, 0);
    assert_eq!(live_sessions(&app).await, 2, "only the two signed in first");
}

async fn a_waiting_sign_in_expires_and_locks_after_five_wrong_codes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (secret, _) = enrol(&mut b).await;

    // Five minutes pass between the password and the code.
    let mut slow = Browser::new(&app);
    let form = password_step(&mut slow, &coord.email).await;
    let past = (Utc::now() - Duration::seconds(1)).timestamp_micros();
    sqlx::query("UPDATE console_second_factor SET expires_us = $1")
        .bind(past)
        .execute(&app.db.pool)
        .await
        .unwrap();
    a_minute_passes(&app, coord.id).await;
    let late = send_code(&mut slow, &form, &now_code(&secret)).await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert!(late.body.contains("expired"), "{}", late.body);
    assert!(late.set_cookie("offduty_console").is_none());
    assert_eq!(slow.get(SECOND_STEP).await.location(), "/console/sign-in");

    // Five wrong codes lock the sign-in; the right code then does not help.
    let mut guesser = Browser::new(&app);
    let mut page = password_step(&mut guesser, &coord.email).await;
    for n in 1..=5 {
        let next = send_code(&mut guesser, &page, &format!("{:06}", 100_000 + n)).await;
        if n < 5 {
            assert_eq!(next.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
            page = next;
        } else {
            assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS, "attempt {n}");
            assert!(next.body.contains("Too many wrong codes"));
        }
    }
    let right = guesser
        .post(
            SECOND_STEP,
            &[("csrf", &page.csrf()), ("code", &now_code(&secret))],
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::FORBIDDEN,
        "locked: {}",
        right.body
    );
    assert_eq!(live_sessions(&app).await, 1, "only the first browser");
    let audit = audit_actions(&app, dept).await;
    assert_eq!(count(&audit, "totp_locked"), 1, "{audit:?}");

    // The retention sweep deletes waiting sign-ins a day after they expired.
    let states = || async {
        sqlx::query("SELECT COUNT(*) AS n FROM console_second_factor")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    };
    assert_eq!(states().await, 2);
    let two_days_ago = (Utc::now() - Duration::days(2)).timestamp_micros();
    sqlx::query("UPDATE console_second_factor SET expires_us = $1 WHERE expires_us < $2")
        .bind(two_days_ago)
        .bind(Utc::now().timestamp_micros())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let policy = offduty_server::services::retention::RetentionPolicy::default();
    offduty_server::services::retention::run_once(&app.db, Utc::now(), &policy).await;
    assert_eq!(states().await, 1, "the locked one, not yet expired, stays");
}

async fn codes_are_rate_limited_like_passwords(backend: Backend) {
    let limits = offduty_server::app::Limits {
        login_burst: 3,
        login_per_minute: 1,
        ..Default::default()
    };
    let app = TestApp::start_with(backend, limits).await;
    let (_, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let (secret, _) = enrol(&mut b).await;
    let mut guesser = Browser::new(&app);
    let mut page = password_step(&mut guesser, &coord.email).await;
    for n in 1..=3 {
        page = send_code(&mut guesser, &page, &format!("{:06}", 200_000 + n)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
    }
    a_minute_passes(&app, coord.id).await;
    let limited = send_code(&mut guesser, &page, &now_code(&secret)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Try again in"), "{}", limited.body);
    assert!(limited.set_cookie("offduty_console").is_none());
    let attempts: i64 = sqlx::query("SELECT attempts FROM console_second_factor")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("attempts")
        .unwrap();
    assert_eq!(attempts, 3, "a refused try is not counted");
}

async fn an_operator_removes_a_lost_second_factor(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    enrol(&mut b).await;
    let mut lost = Browser::new(&app);
    password_step(&mut lost, &coord.email).await;
    let operator = Admin::Operator("ops".into());
    let removed = two_factor::reset(&app.db, dept, &operator, coord.id, Utc::now())
        .await
        .unwrap();
    assert!(removed);
    // The waiting sign-in cannot finish on a second factor that is gone; the password alone
    // signs in now.
    let mut again = Browser::new(&app);
    again.signed_in(&coord).await;
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "totp_reset" && d.contains("\"had_second_factor\":true")),
        "{audit:?}"
    );
    // Another department's operator naming this user changes nothing.
    let (other_dept, _) = app.department("Dayton").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    enrol(&mut b).await;
    let removed = two_factor::reset(&app.db, other_dept, &operator, coord.id, Utc::now())
        .await
        .unwrap();
    assert!(!removed);
    assert!(two_factor::enabled(&app.db, coord.id).await.unwrap());
}

/// Officers never reach the second step, even if a row for them existed.
async fn an_officer_signing_in_to_the_console_is_refused_before_any_code(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer: Actor = app.officer(dept).await;
    let mut b = Browser::new(&app);
    let page = b.sign_in(&officer.email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.set_cookie("offduty_console_2fa").is_none());
}

on_both_backends!(
    a_coordinator_enrols_and_then_signs_in_with_a_code,
    a_code_is_accepted_once,
    one_step_of_clock_skew_is_accepted_and_two_are_not,
    a_recovery_code_signs_in_once,
    a_department_that_requires_two_factor_sends_coordinators_to_enrolment,
    turning_two_factor_off_needs_a_current_code,
    the_api_asks_coordinators_with_two_factor_for_otp_and_officers_for_nothing,
    every_two_factor_form_needs_its_csrf_token,
    a_waiting_sign_in_expires_and_locks_after_five_wrong_codes,
    an_officer_signing_in_to_the_console_is_refused_before_any_code,
    an_operator_removes_a_lost_second_factor,
    codes_are_rate_limited_like_passwords,
);
