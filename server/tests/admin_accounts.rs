//! Department administration through the API (decision 017), on SQLite and on PostgreSQL:
//! officers added one at a time and from a roster, accounts disabled, passwords reset, roles
//! changed — and the sessions those end, ended on the very next request, on every process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Actor, Backend, TestApp};
use offduty_domain::protocol::Role;
use offduty_server::services::access;
use offduty_server::services::accounts::Admin;

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

/// `who`, signed in through the API (a real access and refresh token).
async fn signed_in(app: &TestApp, who: &Actor) -> (Actor, String) {
    let (s, tokens) = login(app, &who.email, common::PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    let mut me = who.clone();
    me.token = tokens["access_token"].as_str().unwrap().to_string();
    (me, tokens["refresh_token"].as_str().unwrap().to_string())
}

async fn refresh(app: &TestApp, token: &str) -> StatusCode {
    app.call(
        Method::POST,
        "/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": token})),
    )
    .await
    .0
}

async fn audit_actions(app: &TestApp, coord: &Actor) -> Vec<Value> {
    let (_, log) = app.get("/v1/audit?limit=5000", coord).await;
    log.as_array().unwrap().clone()
}

async fn import(app: &TestApp, coord: &Actor, csv: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}/v1/officers/import", app.url))
        .bearer_auth(&coord.token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn disabled_officer_is_refused_on_next_request(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (me, refresh_token) = signed_in(&app, &officer).await;
    assert_eq!(app.get("/v1/me", &me).await.0, StatusCode::OK);

    let (s, change) = app
        .post(
            &format!("/v1/users/{}/disable", officer.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{change}");
    assert_eq!(change["account"]["disabled"], true);

    // The access token is still signed and unexpired, yet refused at once.
    let (s, p) = app.get("/v1/me", &me).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("disabled"), "{p}");
    assert_eq!(
        app.get("/v1/sync", &officer).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, &refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, &officer.email, common::PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Enabled again: a new sign-in works; the old session stays ended.
    let (s, _) = app
        .post(
            &format!("/v1/users/{}/enable", officer.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.get("/v1/me", &me).await.0, StatusCode::UNAUTHORIZED);
    let (again, _) = signed_in(&app, &officer).await;
    assert_eq!(app.get("/v1/me", &again).await.0, StatusCode::OK);

    let log = audit_actions(&app, &coord).await;
    let disabled = log.iter().find(|e| e["action"] == "user_disabled").unwrap();
    assert_eq!(disabled["entity_id"], officer.id.to_string());
    assert_eq!(disabled["actor_id"], coord.id.to_string());
    assert!(log.iter().any(|e| e["action"] == "user_enabled"));
}

async fn disabling_takes_effect_on_every_server_process(backend: Backend) {
    let first = TestApp::start(backend).await;
    let second = TestApp::start_on(backend, &first.database_url).await;
    let (dept, coord) = first.department("Columbus").await;
    let officer = first.officer(dept).await;
    let (me, _) = signed_in(&first, &officer).await;
    assert_eq!(second.get("/v1/me", &me).await.0, StatusCode::OK);
    // Disabled through the second process; refused by the first on its next request.
    let (s, _) = second
        .post(
            &format!("/v1/users/{}/disable", officer.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first.get("/v1/me", &me).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(second.get("/v1/me", &me).await.0, StatusCode::UNAUTHORIZED);
}

async fn password_reset_ends_sessions_and_the_setup_token_works_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (me, refresh_token) = signed_in(&app, &officer).await;
    let path = format!("/v1/users/{}/reset-password", officer.id);

    let (s, p) = app.post(&path, &coord, &json!({"password": "short"})).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    assert_eq!(
        app.get("/v1/me", &me).await.0,
        StatusCode::OK,
        "a refused reset ends nothing"
    );

    let (s, reset) = app.call(Method::POST, &path, Some(&coord), None).await;
    assert_eq!(s, StatusCode::OK, "{reset}");
    let token = reset["setup_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/v1/me", &me).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(&app, &refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, &officer.email, common::PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );

    let set = |password: &str| json!({"token": token, "password": password});
    let (s, p) = app
        .call(
            Method::POST,
            "/v1/auth/reset-password",
            None,
            Some(&set("short")),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/reset-password",
            None,
            Some(&set("a new long passphrase")),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/reset-password",
            None,
            Some(&set("another passphrase!")),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a setup token works once");
    assert_eq!(
        login(&app, &officer.email, "a new long passphrase").await.0,
        StatusCode::OK
    );

    // A coordinator may also set the new password directly.
    let (s, r) = app
        .post(&path, &coord, &json!({"password": "chosen by the office"}))
        .await;
    assert_eq!((s, r["setup_token"].clone()), (StatusCode::OK, Value::Null));
    assert_eq!(
        login(&app, &officer.email, "chosen by the office").await.0,
        StatusCode::OK
    );
    let log = audit_actions(&app, &coord).await;
    let resets = log
        .iter()
        .filter(|e| e["action"] == "password_reset")
        .count();
    assert_eq!(resets, 2);
    assert!(log.iter().any(|e| e["action"] == "password_set"));
    assert!(
        !serde_json::to_string(&log).unwrap().contains(&token),
        "the token is never written to the audit log"
    );
}

async fn role_change_ends_sessions_and_the_new_role_applies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (me, _) = signed_in(&app, &officer).await;
    let (s, p) = app
        .call(
            Method::PUT,
            &format!("/v1/users/{}/role", officer.id),
            Some(&coord),
            Some(&json!({"role": "customer"})),
        )
        .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    let (s, change) = app
        .call(
            Method::PUT,
            &format!("/v1/users/{}/role", officer.id),
            Some(&coord),
            Some(&json!({"role": "coordinator"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{change}");
    assert_eq!(change["account"]["role"], "coordinator");
    assert_eq!(app.get("/v1/me", &me).await.0, StatusCode::UNAUTHORIZED);
    let (promoted, _) = signed_in(&app, &officer).await;
    let (s, users) = app.get("/v1/users", &promoted).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the new coordinator administers: {users}"
    );
    let log = audit_actions(&app, &coord).await;
    let entry = log.iter().find(|e| e["action"] == "role_changed").unwrap();
    assert_eq!(
        (
            entry["detail"]["from"].as_str(),
            entry["detail"]["to"].as_str()
        ),
        (Some("officer"), Some("coordinator"))
    );
}

async fn a_coordinator_cannot_lock_the_department_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (s, p) = app
        .post(
            &format!("/v1/users/{}/disable", coord.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/v1/users/{}/role", coord.id),
            Some(&coord),
            Some(&json!({"role": "officer"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The operator cannot disable the last coordinator either.
    let operator = Admin::Operator("test".into());
    let e = access::set_disabled(&app.db, dept, &operator, coord.id, true, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 409);
    assert!(e.detail.contains("last active coordinator"), "{}", e.detail);
    // With a second coordinator, one may disable the other — but not the last one left.
    let second = app
        .user(dept, Role::Coordinator, "second-coord@columbus.test")
        .await;
    let (s, _) = app
        .post(
            &format!("/v1/users/{}/disable", second.id),
            &coord,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let e = access::set_disabled(&app.db, dept, &operator, coord.id, true, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(e.status.as_u16(), 409);
    assert_eq!(app.get("/v1/users", &coord).await.0, StatusCode::OK);
}

async fn coordinator_adds_an_officer_who_sets_a_password(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let body = json!({"email": "Ann.Ruiz@Columbus.gov", "display_name": "Ann Ruiz", "badge": "4127",
        "rank": "sergeant", "seniority_date": "2009-03-02", "certifications": ["flagger", "motor"],
        "groups": ["zone 1"], "permit_expires_at": Utc::now() + chrono::Duration::days(300)});
    let (s, created) = app.post("/v1/officers", &coord, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let account = &created["account"];
    assert_eq!(account["email"], "ann.ruiz@columbus.gov");
    assert_eq!(account["seniority_date"], "2009-03-02");
    assert_eq!(account["profile"]["rank"], "sergeant");
    assert_eq!(account["profile"]["seniority"], 1);
    let token = created["setup_token"].as_str().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/reset-password",
            None,
            Some(&json!({"token": token, "password": "first day on the job"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, tokens) = login(&app, "ann.ruiz@columbus.gov", "first day on the job").await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    let ann = Actor {
        id: account["id"].as_str().unwrap().parse().unwrap(),
        department_id: dept,
        role: Role::Officer,
        email: "ann.ruiz@columbus.gov".into(),
        token: tokens["access_token"].as_str().unwrap().to_string(),
    };
    let (_, snap) = app.get("/v1/sync", &ann).await;
    let cursor = snap["cursor"].as_u64().unwrap();
    assert_eq!(snap["profile"]["badge"], "4127");

    // A more senior officer joins: Ann becomes number 2 and sees it on her next sync.
    let (s, senior) = app
        .post(
            "/v1/officers",
            &coord,
            &json!({"email": "bo@columbus.gov", "display_name": "Bo Lee", "badge": "977",
                    "seniority_date": "1998-09-14", "password": "a password of his own"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{senior}");
    assert_eq!(senior["account"]["profile"]["seniority"], 1);
    assert!(senior["setup_token"].is_null());
    let (_, delta) = app.get(&format!("/v1/sync?cursor={cursor}"), &ann).await;
    assert_eq!(delta["profile"]["seniority"], 2, "{delta}");

    for (patch, status, field) in [
        (
            json!({"email": "ANN.RUIZ@columbus.gov", "badge": "1"}),
            409,
            "email",
        ),
        (
            json!({"email": "new@columbus.gov", "badge": "4127"}),
            409,
            "badge",
        ),
        (
            json!({"email": "not an address", "badge": "2"}),
            422,
            "email",
        ),
        (
            json!({"email": "c@columbus.gov", "badge": "2", "rank": "general"}),
            422,
            "rank",
        ),
        (
            json!({"email": "c@columbus.gov", "badge": "2", "password": "short"}),
            422,
            "password",
        ),
        (
            json!({"email": "c@columbus.gov", "badge": "2", "certifications": [" "]}),
            422,
            "certifications[0]",
        ),
    ] {
        let mut b = json!({"display_name": "C"});
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (s, p) = app.post("/v1/officers", &coord, &b).await;
        assert_eq!(
            (s.as_u16(), p["field"].as_str()),
            (status, Some(field)),
            "{b}: {p}"
        );
    }
    let (_, officers) = app.get("/v1/officers", &coord).await;
    assert_eq!(officers.as_array().unwrap().len(), 2);
    let log = audit_actions(&app, &coord).await;
    assert_eq!(
        log.iter()
            .filter(|e| e["action"] == "officer_created")
            .count(),
        2
    );
}

const ROSTER: &str = "email,name,badge,rank,seniority_date,certifications,groups,permit_expires\n\
    ann@columbus.gov,Ann Ruiz,4127,sergeant,2009-03-02,flagger;motor,Zone 1,2030-12-31\n\
    bo@columbus.gov,Bo Lee,977,officer,1998-09-14,,Zone 2,2030-12-31\n\
    cy@columbus.gov,Cy Okafor,12000,corporal,2015-01-05,k9,,2030-12-31\n";

async fn reimporting_the_same_roster_changes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Columbus").await;
    let (s, first) = import(&app, &coord, ROSTER).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["created"].as_array().unwrap().len(), 3);
    assert!(first["created"][0]["setup_token"].is_string());
    let (_, officers) = app.get("/v1/officers", &coord).await;
    let by_badge = |badge: &str| {
        officers
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["badge"] == badge)
            .unwrap()
            .clone()
    };
    // Seniority follows the dates: Bo (1998), Ann (2009), Cy (2015).
    assert_eq!(by_badge("977")["seniority"], 1);
    assert_eq!(by_badge("4127")["seniority"], 2);
    assert_eq!(by_badge("12000")["seniority"], 3);
    assert_eq!(
        by_badge("4127")["certifications"],
        json!(["flagger", "motor"])
    );
    assert!(
        by_badge("4127")["permit_expires_at"]
            .as_str()
            .unwrap()
            .starts_with("2031-01-01T05:00:00")
    );

    let seq_before: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let (s, again) = import(&app, &coord, ROSTER).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(
        (
            again["created"].clone(),
            again["updated"].clone(),
            again["unchanged"].clone()
        ),
        (json!([]), json!([]), json!(3))
    );
    let (_, officers_again) = app.get("/v1/officers", &coord).await;
    assert_eq!(officers_again, officers);
    let seq_after: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(seq_after, seq_before, "no change recorded for phones");

    // Ann moved to a new address and made lieutenant; she is matched by her badge.
    let changed = ROSTER.replace(
        "ann@columbus.gov,Ann Ruiz,4127,sergeant",
        "ann.ruiz@columbus.gov,Ann Ruiz,4127,lieutenant",
    );
    let (s, third) = import(&app, &coord, &changed).await;
    assert_eq!(s, StatusCode::OK, "{third}");
    assert_eq!(third["updated"][0]["row"], 2);
    assert_eq!(third["updated"][0]["changed"], json!(["email", "rank"]));
    assert_eq!(third["unchanged"], 2);
    assert_eq!(third["updated"][0]["id"], by_badge("4127")["id"]);
    let log = audit_actions(&app, &coord).await;
    assert_eq!(
        log.iter()
            .filter(|e| e["action"] == "roster_imported")
            .count(),
        3
    );
}

async fn roster_import_is_all_or_nothing_and_names_the_bad_rows(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let other_officer = {
        let (other, _) = app.department("Dublin").await;
        app.officer(other).await
    };
    let bad = format!(
        "{ROSTER}dee@columbus.gov,Dee,55,general,2001-02-30,,,\n\
         {},Stranger,56,,,,,\n",
        other_officer.email
    );
    let (s, p) = import(&app, &coord, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "rows[5].rank");
    let errors: Vec<(u64, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(5, "rank"), (5, "seniority_date")], "{p}");
    let (_, officers) = app.get("/v1/officers", &coord).await;
    assert_eq!(officers, json!([]), "nothing was imported");

    // Cells are fine, but the e-mail is another department's account: still nothing written.
    let (s, p) = import(
        &app,
        &coord,
        &format!("{ROSTER}{},Stranger,56,,,,,\n", other_officer.email),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["field"], "rows[5].email");
    assert_eq!(app.get("/v1/officers", &coord).await.1, json!([]));

    let (s, _) = import(&app, &coord, ROSTER).await;
    assert_eq!(s, StatusCode::OK);
    // A row whose badge is one officer's and whose e-mail is another's is refused, not merged.
    let (s, p) = import(
        &app,
        &coord,
        "email,name,badge\nbo@columbus.gov,Bo Lee,4127\n",
    )
    .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rows[2].badge")),
        "{p}"
    );
    // JSON is not a roster.
    let (s, _) = app
        .post("/v1/officers/import", &coord, &json!({"rows": []}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let _ = dept;
}

on_both_backends!(
    disabled_officer_is_refused_on_next_request,
    disabling_takes_effect_on_every_server_process,
    password_reset_ends_sessions_and_the_setup_token_works_once,
    role_change_ends_sessions_and_the_new_role_applies,
    a_coordinator_cannot_lock_the_department_out,
    coordinator_adds_an_officer_who_sets_a_password,
    reimporting_the_same_roster_changes_nothing,
    roster_import_is_all_or_nothing_and_names_the_bad_rows,
);
