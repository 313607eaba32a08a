//! `offduty-server admin …` against the database directly, on SQLite and on PostgreSQL: an
//! operator bootstraps a department, imports its roster and administers accounts, and a server
//! on the same database sees every change at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Backend, TestApp, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_offduty-server");

/// Runs `offduty-server admin --database-url URL ARGS…`, feeding `stdin` when given.
fn admin(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("admin")
        .args(["--database-url", url])
        .args(args)
        .env_remove("OFFDUTY_DEPARTMENT")
        .env("USER", "ops-on-call")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn failed(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

async fn the_command_line_bootstraps_and_administers_a_department(backend: Backend) {
    let url = fresh_database(backend).await;
    // Not migrated yet: the command line says so instead of failing halfway.
    let out = admin(&url, &["list-users"], None);
    assert!(failed(&out).contains("offduty-server migrate"), "{out:?}");
    let app = TestApp::start_on(backend, &url).await;

    let dept = ok_json(&admin(
        &url,
        &[
            "--json",
            "create-department",
            "--name",
            "Columbus",
            "--time-zone",
            "America/New_York",
        ],
        None,
    ));
    let chief = ok_json(&admin(
        &url,
        &[
            "--json",
            "create-coordinator",
            "--email",
            "Chief@Columbus.gov",
            "--name",
            "Chief Diaz",
            "--password-stdin",
        ],
        Some("the chief's own passphrase\n"),
    ));
    assert_eq!(chief["account"]["role"], "coordinator");
    assert!(chief["setup_token"].is_null());
    let (s, tokens) = login(&app, "chief@columbus.gov", "the chief's own passphrase").await;
    assert_eq!(s, StatusCode::OK, "{tokens}");

    let dir = std::env::temp_dir().join(format!("offduty-roster-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "email,name,badge,rank,seniority_date,certifications,groups\n\
         ann@columbus.gov,Ann Ruiz,4127,sergeant,2009-03-02,flagger;motor,Zone 1\n\
         bo@columbus.gov,Bo Lee,977,,1998-09-14,,Zone 2\n",
    )
    .unwrap();
    let roster = roster.to_str().unwrap();
    let imported = ok_json(&admin(&url, &["--json", "import-roster", roster], None));
    assert_eq!(imported["created"].as_array().unwrap().len(), 2);
    let again = ok_json(&admin(&url, &["--json", "import-roster", roster], None));
    assert_eq!(
        again["unchanged"], 2,
        "re-importing changes nothing: {again}"
    );
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "email,name,badge\nnot-an-address,X,1\n").unwrap();
    let err = failed(&admin(
        &url,
        &["import-roster", bad.to_str().unwrap()],
        None,
    ));
    assert!(err.contains("row 2 email"), "{err}");

    // Ann sets her password with the token the import printed, and signs in.
    let ann = imported["created"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["email"] == "ann@columbus.gov")
        .unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            "/v1/auth/reset-password",
            None,
            Some(&json!({"token": ann["setup_token"], "password": "ann's passphrase"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, tokens) = login(&app, "ann@columbus.gov", "ann's passphrase").await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let me = |token: String| {
        let app = &app;
        async move {
            app.http
                .get(format!("{}/v1/me", app.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK);

    // Disabled from the command line: the running server refuses her next request.
    let out = admin(&url, &["disable-user", "ann@columbus.gov"], None);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(me(token.clone()).await, StatusCode::UNAUTHORIZED);
    let out = admin(&url, &["enable-user", "ANN@columbus.gov"], None);
    assert!(out.status.success(), "{out:?}");

    let reset = ok_json(&admin(
        &url,
        &["--json", "reset-password", "ann@columbus.gov"],
        None,
    ));
    assert!(reset["setup_token"].as_str().unwrap().starts_with("ods1."));
    assert_eq!(
        login(&app, "ann@columbus.gov", "ann's passphrase").await.0,
        StatusCode::UNAUTHORIZED
    );
    let promoted = ok_json(&admin(
        &url,
        &["--json", "set-role", "bo@columbus.gov", "coordinator"],
        None,
    ));
    assert_eq!(promoted["account"]["role"], "coordinator");
    // The last coordinator rule holds for the operator too (Bo and the chief are two).
    let out = admin(&url, &["disable-user", "chief@columbus.gov"], None);
    assert!(out.status.success(), "{out:?}");
    let err = failed(&admin(&url, &["disable-user", "bo@columbus.gov"], None));
    assert!(err.contains("last active coordinator"), "{err}");
    let err = failed(&admin(&url, &["disable-user", "nobody@columbus.gov"], None));
    assert!(err.contains("no account"), "{err}");

    let users = ok_json(&admin(&url, &["--json", "list-users"], None));
    assert_eq!(users.as_array().unwrap().len(), 3);
    // Every change is in the department's audit log, attributed to the operator.
    let mut conn = app.db.pool.acquire().await.unwrap();
    let rows = sqlx::query(
        "SELECT action, detail_json FROM audit_log WHERE department_id = $1 ORDER BY seq",
    )
    .bind(dept["id"].as_str().unwrap().to_string())
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let actions: Vec<String> = rows
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, "action").unwrap())
        .collect();
    for wanted in [
        "coordinator_created",
        "roster_imported",
        "user_disabled",
        "user_enabled",
        "password_reset",
        "role_changed",
    ] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} missing from {actions:?}"
        );
    }
    let detail: String = sqlx::Row::try_get(&rows[0], "detail_json").unwrap();
    assert!(detail.contains("ops-on-call"), "{detail}");
}

on_both_backends!(the_command_line_bootstraps_and_administers_a_department);
