//! The server's schema upgrades: a database frozen at schema version 1 (the first release's
//! `0001_initial.sql`, `fixtures/server_schema_v1.sql`) holding representative rows
//! (`fixtures/server_rows_v1.sql`) is upgraded by today's migrations, on SQLite and PostgreSQL,
//! and must come out with exactly the tables, columns, defaults, indexes and constraints of a
//! fresh database — and with its rows intact and usable by today's server: the audit chain
//! verifies, the officer's refresh token still works, a sync and a claim succeed. (The phone's
//! counterpart: `core/tests/store_upgrade_and_rescue.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, fresh_database};
use offduty_domain::protocol::Role;
use offduty_server::db::migrate::{MIGRATIONS, migrate};
use offduty_server::db::{Db, Dialect, get};
use offduty_server::services::audit;

const SCHEMA_V1: &str = include_str!("fixtures/server_schema_v1.sql");
const ROWS_V1: &str = include_str!("fixtures/server_rows_v1.sql");

/// Ids in `server_rows_v1.sql`.
const DEPARTMENT: &str = "01a24dc6-55d0-7437-a233-c4fc3c0e5e00";
const OFFICER: &str = "01a24dc6-55f3-7069-83b0-f3070b0fdd3c";
const OPEN_JOB: &str = "01a24dc6-5700-7000-8000-0000000000a1";
/// The plain refresh token whose SHA-256 the fixture stores.
const FIXTURE_REFRESH_TOKEN: &str = "odr1.frozen-v1-fixture-refresh-token-do-not-use";

/// Runs a fixture file: statements end with `;` at the end of a line; `--` lines are comments
/// (the fixtures hold no literal that would need more).
async fn run_fixture(db: &Db, sql: &str) {
    let mut statement = String::new();
    for line in sql.lines() {
        if line.trim_start().starts_with("--") {
            continue;
        }
        statement.push_str(line);
        statement.push('\n');
        if line.trim_end().ends_with(';') {
            sqlx::query(sqlx::AssertSqlSafe(
                statement.trim().trim_end_matches(';').to_string(),
            ))
            .execute(&db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}: {statement}"));
            statement.clear();
        }
    }
    assert!(statement.trim().is_empty(), "unterminated: {statement}");
}

/// The schema as comparable lines: every table's columns (type, nullability, default), every
/// index's definition, every constraint.
async fn describe(db: &Db) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match db.dialect {
        Dialect::Sqlite => {
            let objects = sqlx::query(
                "SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master \
                 WHERE name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for o in &objects {
                let (kind, name): (String, String) =
                    (get(o, "type").unwrap(), get(o, "name").unwrap());
                if kind == "table" {
                    out.insert(format!("table {name}"));
                    let cols = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT name, type, \"notnull\" AS nn, dflt_value, pk FROM pragma_table_info('{name}')"
                    )))
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
                    for c in &cols {
                        out.insert(format!(
                            "column {name}.{} {} notnull={} default={:?} pk={}",
                            get::<String>(c, "name").unwrap(),
                            get::<String>(c, "type").unwrap(),
                            get::<i64>(c, "nn").unwrap(),
                            get::<Option<String>>(c, "dflt_value").unwrap(),
                            get::<i64>(c, "pk").unwrap(),
                        ));
                    }
                    let fks = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT \"table\" AS t, \"from\" AS f, \"to\" AS c FROM pragma_foreign_key_list('{name}')"
                    )))
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
                    for k in &fks {
                        out.insert(format!(
                            "foreign key {name}.{} -> {}.{}",
                            get::<String>(k, "f").unwrap(),
                            get::<String>(k, "t").unwrap(),
                            get::<Option<String>>(k, "c").unwrap().unwrap_or_default(),
                        ));
                    }
                } else {
                    let sql: String = get(o, "sql").unwrap();
                    out.insert(format!(
                        "{kind} {name} on {}: {}",
                        get::<String>(o, "tbl_name").unwrap(),
                        sql.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
            }
        }
        Dialect::Postgres => {
            let cols = sqlx::query(
                "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, \
                 is_nullable::text AS n, COALESCE(column_default::text, '') AS d \
                 FROM information_schema.columns WHERE table_schema = 'public'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for c in &cols {
                out.insert(format!(
                    "column {}.{} {} nullable={} default={}",
                    get::<String>(c, "t").unwrap(),
                    get::<String>(c, "c").unwrap(),
                    get::<String>(c, "ty").unwrap(),
                    get::<String>(c, "n").unwrap(),
                    get::<String>(c, "d").unwrap(),
                ));
            }
            let indexes = sqlx::query(
                "SELECT tablename::text AS t, indexname::text AS i, indexdef::text AS d \
                 FROM pg_indexes WHERE schemaname = 'public'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for i in &indexes {
                out.insert(format!(
                    "index {} on {}: {}",
                    get::<String>(i, "i").unwrap(),
                    get::<String>(i, "t").unwrap(),
                    get::<String>(i, "d").unwrap(),
                ));
            }
            let constraints = sqlx::query(
                "SELECT conrelid::regclass::text AS t, conname::text AS n, \
                 pg_get_constraintdef(oid)::text AS d FROM pg_constraint \
                 WHERE connamespace = 'public'::regnamespace",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for c in &constraints {
                out.insert(format!(
                    "constraint {} on {}: {}",
                    get::<String>(c, "n").unwrap(),
                    get::<String>(c, "t").unwrap(),
                    get::<String>(c, "d").unwrap(),
                ));
            }
        }
    }
    out
}

async fn count(db: &Db, table: &str) -> i64 {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&db.pool)
    .await
    .unwrap();
    get::<i64>(&row, "n").unwrap()
}

const TABLES_V1: &[&str] = &[
    "departments",
    "users",
    "refresh_tokens",
    "devices",
    "jobs",
    "assignments",
    "duty_blocks",
    "clock_events",
    "timecards",
    "idempotency_keys",
    "change_log",
    "notifications",
    "audit_log",
    "server_secrets",
];

async fn frozen_v1_database_upgrades_to_the_fresh_schema_and_keeps_its_rows(backend: Backend) {
    let old_url = fresh_database(backend).await;
    let old = Db::connect(&old_url, 4).await.unwrap();
    run_fixture(&old, SCHEMA_V1).await;
    run_fixture(&old, ROWS_V1).await;
    let mut before = Vec::new();
    for t in TABLES_V1 {
        before.push((*t, count(&old, t).await));
    }
    assert!(
        before.iter().all(|(_, n)| *n > 0),
        "every v1 table holds a row: {before:?}"
    );

    let applied = migrate(&old).await.unwrap();
    let later: Vec<i64> = MIGRATIONS
        .iter()
        .map(|(v, _, _)| *v)
        .filter(|v| *v > 1)
        .collect();
    assert_eq!(applied, later, "every migration after 1 ran, once");
    assert!(migrate(&old).await.unwrap().is_empty());

    let fresh = Db::connect(&fresh_database(backend).await, 4)
        .await
        .unwrap();
    migrate(&fresh).await.unwrap();
    let (up, new) = (describe(&old).await, describe(&fresh).await);
    let missing: Vec<_> = new.difference(&up).collect();
    let extra: Vec<_> = up.difference(&new).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "upgraded schema differs from a fresh one\n  missing: {missing:#?}\n  extra: {extra:#?}"
    );
    assert!(
        new.len() > 100,
        "the description covers the schema: {} lines",
        new.len()
    );

    // The rows are all there, and old rows got the new columns' defaults.
    for (t, n) in &before {
        assert_eq!(count(&old, t).await, *n, "rows of {t}");
    }
    let prefs = sqlx::query("SELECT prefs_json FROM users WHERE id = $1")
        .bind(OFFICER)
        .fetch_one(&old.pool)
        .await
        .unwrap();
    let prefs: serde_json::Value =
        serde_json::from_str(&get::<String>(&prefs, "prefs_json").unwrap()).unwrap();
    assert_eq!(prefs["channels"]["push"], true);

    // Today's server works on them.
    let dept: Uuid = DEPARTMENT.parse().unwrap();
    let chain = audit::verify_chain(&old, dept).await.unwrap();
    assert!(chain.first_bad_seq.is_none(), "{chain:?}");
    assert_eq!(chain.entries, count(&old, "audit_log").await);

    let app = TestApp::start_on(backend, &old_url).await;
    let (status, tokens) = app
        .call(
            reqwest::Method::POST,
            "/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": FIXTURE_REFRESH_TOKEN})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the v1 session survives: {tokens}");
    let officer = Actor {
        id: OFFICER.parse().unwrap(),
        department_id: dept,
        role: Role::Officer,
        email: tokens["user"]["email"].as_str().unwrap().to_string(),
        token: tokens["access_token"].as_str().unwrap().to_string(),
    };
    let (status, snapshot) = app.get("/v1/sync", &officer).await;
    assert_eq!(status, StatusCode::OK, "{snapshot}");
    assert_eq!(snapshot["full"], true);
    assert!(!snapshot["jobs"].as_array().unwrap().is_empty());
    assert!(!snapshot["assignments"].as_array().unwrap().is_empty());
    assert!(!snapshot["timecards"].as_array().unwrap().is_empty());
    let outcome = app.claim(&officer, OPEN_JOB).await;
    assert_eq!(outcome["type"], "awarded", "{outcome}");
    let delta = app
        .get(&format!("/v1/sync?cursor={}", snapshot["cursor"]), &officer)
        .await
        .1;
    assert_eq!(delta["full"], false);
    assert_eq!(delta["jobs"][0]["id"], OPEN_JOB);
    let chain = audit::verify_chain(&old, dept).await.unwrap();
    assert!(
        chain.first_bad_seq.is_none(),
        "the chain goes on from the v1 head"
    );
}

on_both_backends!(frozen_v1_database_upgrades_to_the_fresh_schema_and_keeps_its_rows);
