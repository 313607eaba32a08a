//! Data kept as long as it should be (decisions 020 and 022), on SQLite and PostgreSQL: the
//! change log is compacted past its horizon and a phone whose cursor is older than the
//! compaction gets a full snapshot — from any server process, since the watermark lives in the
//! database; delivered notifications are pruned after their retention period, undelivered
//! ones are kept and reported; the audit log is never pruned and its chain still verifies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, fresh_database, job_body};
use offduty_server::db::{Db, get, to_us};
use offduty_server::services::audit;
use offduty_server::services::notify::{self, AwardedHow, Notice};
use offduty_server::services::retention::{self, RetentionPolicy};

const HORIZON: Duration = Duration::days(30);

async fn sync(app: &TestApp, officer: &Actor, cursor: u64) -> Value {
    let (status, body) = app.get(&format!("/v1/sync?cursor={cursor}"), officer).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    body
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

async fn one(db: &Db, sql: &str, dept: Uuid) -> i64 {
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(dept.to_string())
        .fetch_one(&db.pool)
        .await
        .unwrap();
    get::<i64>(&row, "n").unwrap()
}

async fn head(db: &Db, dept: Uuid) -> i64 {
    one(
        db,
        "SELECT change_seq AS n FROM departments WHERE id = $1",
        dept,
    )
    .await
}

/// A first-come job posted by `coord`, starting `days` from now, claimed by `officer`.
async fn claimed_job(app: &TestApp, coord: &Actor, officer: &Actor, days: i64) -> String {
    let job = app
        .job(coord, |b| {
            *b = job_body(Utc::now() + Duration::days(days), 2);
        })
        .await;
    let id = job["id"].as_str().unwrap().to_string();
    let outcome = app.claim(officer, &id).await;
    assert_eq!(outcome["type"], "awarded", "{outcome}");
    id
}

async fn a_cursor_from_before_compaction_gets_a_full_snapshot(backend: Backend) {
    // Two server processes on one database: one compacts, the other answers the phone.
    let url = fresh_database(backend).await;
    let compactor = TestApp::start_on(backend, &url).await;
    let app = TestApp::start_on(backend, &url).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;

    let job_a = claimed_job(&app, &coord, &officer, 3).await;
    let old_cursor = sync(&app, &officer, 0).await["cursor"].as_u64().unwrap();
    let job_b = claimed_job(&app, &coord, &officer, 4).await;
    // The sweep notes where the log stood at t0…
    let t0: DateTime<Utc> = Utc::now();
    assert_eq!(retention::mark_heads(&compactor.db, t0).await.unwrap(), 1);
    let marked = head(&app.db, dept).await;
    assert!(marked > i64::try_from(old_cursor).unwrap());
    let job_c = claimed_job(&app, &coord, &officer, 5).await;
    let recent_cursor = sync(&app, &officer, old_cursor).await["cursor"]
        .as_u64()
        .unwrap();

    // …and once t0 is older than the horizon, compacts through it.
    let not_yet =
        retention::compact_change_log(&compactor.db, t0 + HORIZON - Duration::minutes(1), HORIZON)
            .await
            .unwrap();
    assert!(
        not_yet.watermarks.is_empty(),
        "nothing is older than the horizon yet"
    );
    let report =
        retention::compact_change_log(&compactor.db, t0 + HORIZON + Duration::minutes(1), HORIZON)
            .await
            .unwrap();
    assert_eq!(report.watermarks, vec![(dept, marked)]);
    assert!(report.rows_deleted > 0);
    assert_eq!(retention::watermark(&app.db, dept).await.unwrap(), marked);
    let left_below = one(
        &app.db,
        &format!(
            "SELECT COUNT(*) AS n FROM change_log WHERE department_id = $1 AND seq <= {marked}"
        ),
        dept,
    )
    .await;
    assert_eq!(
        left_below, 0,
        "the log holds nothing at or below the watermark"
    );
    let kept_above = one(
        &app.db,
        &format!(
            "SELECT COUNT(*) AS n FROM change_log WHERE department_id = $1 AND seq > {marked}"
        ),
        dept,
    )
    .await;
    assert!(kept_above > 0, "changes after the watermark are kept");

    // A phone behind the compaction gets everything it may see, exactly as a new phone would.
    let behind = sync(&app, &officer, old_cursor).await;
    assert_eq!(behind["full"], true);
    let fresh = sync(&app, &officer, 0).await;
    assert_eq!(behind, fresh, "the same snapshot as cursor 0");
    let mut want = vec![job_a.clone(), job_b.clone(), job_c.clone()];
    want.sort();
    assert_eq!(ids(&behind["jobs"]), want);
    assert_eq!(behind["assignments"].as_array().unwrap().len(), 3);
    assert!(behind["rules"].is_object() && behind["profile"].is_object());

    // At the watermark or after it, the log still covers the cursor: a delta.
    let at_mark = sync(&app, &officer, u64::try_from(marked).unwrap()).await;
    assert_eq!(at_mark["full"], false);
    assert_eq!(ids(&at_mark["jobs"]), vec![job_c.clone()]);
    let job_d = claimed_job(&app, &coord, &officer, 6).await;
    let after = sync(&app, &officer, recent_cursor).await;
    assert_eq!(after["full"], false);
    assert_eq!(ids(&after["jobs"]), vec![job_d]);
    assert_eq!(after["assignments"].as_array().unwrap().len(), 1);

    // Compacting again changes nothing.
    let again =
        retention::compact_change_log(&compactor.db, t0 + HORIZON + Duration::minutes(2), HORIZON)
            .await
            .unwrap();
    assert!(again.watermarks.is_empty() && again.rows_deleted == 0);
}

async fn notification(
    db: &Db,
    dept: Uuid,
    user: Uuid,
    created: DateTime<Utc>,
    sent: Option<DateTime<Utc>>,
) {
    let mut tx = db.write().await.unwrap();
    let notice = Notice::Awarded {
        job_id: Uuid::now_v7(),
        title: "Traffic control".into(),
        how: AwardedHow::Award,
    };
    notify::enqueue(tx.conn(), dept, user, &notice, created)
        .await
        .unwrap();
    if let Some(sent) = sent {
        sqlx::query("UPDATE notifications SET sent_us = $1 WHERE created_us = $2 AND user_id = $3")
            .bind(to_us(sent))
            .bind(to_us(created))
            .bind(user.to_string())
            .execute(&mut *tx.conn())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn the_retention_sweep_prunes_what_expired_and_keeps_the_audit_log(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    for day in 3..6 {
        claimed_job(&app, &coord, &officer, day).await;
    }
    let now = Utc::now();
    let long_ago = now - Duration::days(120);
    // Delivered 100 days ago (expired), delivered yesterday (kept), never delivered (kept).
    notification(
        &app.db,
        dept,
        officer.id,
        long_ago,
        Some(now - Duration::days(100)),
    )
    .await;
    notification(
        &app.db,
        dept,
        officer.id,
        now - Duration::days(2),
        Some(now - Duration::days(1)),
    )
    .await;
    notification(
        &app.db,
        dept,
        officer.id,
        long_ago + Duration::seconds(1),
        None,
    )
    .await;
    let audit_before = audit::verify_chain(&app.db, dept).await.unwrap();
    assert!(audit_before.entries >= 3 && audit_before.first_bad_seq.is_none());

    let policy = RetentionPolicy::default();
    let first = retention::run_once(&app.db, now, &policy).await;
    assert_eq!(first.marks, 1);
    assert_eq!(first.notifications.deleted, 1, "{first:?}");
    assert_eq!(first.notifications.undelivered_kept, 1);
    // A month and a day later the change log is compacted through the mark.
    let later = now + policy.change_log + Duration::days(1);
    let second = retention::run_once(&app.db, later, &policy).await;
    assert_eq!(second.compaction.watermarks.len(), 1, "{second:?}");
    assert!(second.compaction.rows_deleted > 0);

    let left = one(
        &app.db,
        "SELECT COUNT(*) AS n FROM notifications WHERE department_id = $1",
        dept,
    )
    .await;
    assert_eq!(
        left, 2,
        "the delivered-yesterday and the undelivered notices are kept"
    );
    let undelivered = one(
        &app.db,
        "SELECT COUNT(*) AS n FROM notifications WHERE department_id = $1 AND sent_us IS NULL",
        dept,
    )
    .await;
    assert_eq!(undelivered, 1, "an undelivered notice is never pruned");

    // The audit log is untouched and its chain verifies, in the database and over HTTP.
    let audit_after = audit::verify_chain(&app.db, dept).await.unwrap();
    assert_eq!(audit_after.entries, audit_before.entries);
    assert_eq!(audit_after.head, audit_before.head);
    assert!(audit_after.first_bad_seq.is_none());
    let (status, report) = app.get("/v1/audit/verify", &coord).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{report}");
    assert!(report["first_bad_seq"].is_null(), "{report}");
    assert_eq!(report["entries"], audit_before.entries);
}

on_both_backends!(
    a_cursor_from_before_compaction_gets_a_full_snapshot,
    the_retention_sweep_prunes_what_expired_and_keeps_the_audit_log,
);
