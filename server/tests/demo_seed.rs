//! The demo department (`serve --demo`): seeded once into a fresh database, internally
//! consistent (fences, slots, commitments, pay, sequence numbers), served by the real router,
//! and left untouched by a second seed. Runs on SQLite and on PostgreSQL (`OFFDUTY_TEST_PG_URL`,
//! an admin URL, see scripts/pg-start.sh; the test fails without it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay;
use offduty_server::app::{AppState, router};
use offduty_server::db::{Db, get, migrate, to_us};
use offduty_server::demo;

async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(format!("offduty-demo-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let db = Db::connect(&url, 4).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    db
}

async fn postgres(admin: &str) -> Db {
    let name = format!("t_{}", Uuid::new_v4().simple());
    let db = Db::connect(admin, 1).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    let db = Db::connect(&format!("{base}/{name}"), 4).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    db
}

async fn count(db: &Db, sql: &str) -> i64 {
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&db.pool)
        .await
        .unwrap();
    get::<i64>(&row, "n").unwrap()
}

/// Row counts of every table the seed writes, and the department's sequence.
async fn snapshot(db: &Db) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for (name, sql) in [
        ("departments", "SELECT COUNT(*) AS n FROM departments"),
        ("users", "SELECT COUNT(*) AS n FROM users"),
        ("jobs", "SELECT COUNT(*) AS n FROM jobs"),
        ("assignments", "SELECT COUNT(*) AS n FROM assignments"),
        ("timecards", "SELECT COUNT(*) AS n FROM timecards"),
        ("duty_blocks", "SELECT COUNT(*) AS n FROM duty_blocks"),
        ("organizations", "SELECT COUNT(*) AS n FROM organizations"),
        ("sites", "SELECT COUNT(*) AS n FROM sites"),
        ("event_requests", "SELECT COUNT(*) AS n FROM event_requests"),
        ("change_log", "SELECT COUNT(*) AS n FROM change_log"),
        ("audit_log", "SELECT COUNT(*) AS n FROM audit_log"),
        ("change_seq", "SELECT MAX(change_seq) AS n FROM departments"),
    ] {
        out.insert(name, count(db, sql).await);
    }
    out
}

async fn check_demo(db: Db) {
    let summary = demo::seed(&db).await.unwrap();
    assert!(summary.created);
    assert_eq!(summary.officers, 200);
    let banner = summary.banner("0.0.0.0:8080".parse().unwrap());
    assert!(
        banner.contains("http://127.0.0.1:8080/v1/auth/login"),
        "{banner}"
    );
    assert!(banner.contains("officer001@columbus.demo") && banner.contains(demo::DEMO_PASSWORD));
    assert!(banner.contains(demo::COORDINATOR_EMAIL));
    assert_eq!(summary.requests_waiting, 4);
    assert!(
        banner.contains("4 customer requests wait in the approval queue"),
        "{banner}"
    );

    // Customers: both accounts belong to an organization with its sites; one pays by a saved
    // (simulated) card, the other by invoice; requests wait, one was sent back, one declined,
    // each with the rate card's estimate.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'customer' AND organization_id IS NOT NULL"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM organizations WHERE terms = 'card' \
             AND payment_method_us IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM organizations WHERE terms = 'invoice'"
        )
        .await,
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM sites").await, 3);
    for (status, n) in [("submitted", 4), ("changes_requested", 1), ("rejected", 1)] {
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) AS n FROM event_requests WHERE status = '{status}'")
            )
            .await,
            n,
            "{status}"
        );
    }
    let rows = sqlx::query("SELECT estimate_json FROM event_requests")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    for r in &rows {
        let bill: offduty_domain::billing::Bill =
            serde_json::from_str(&get::<String>(r, "estimate_json").unwrap()).unwrap();
        assert!(bill.total_cents > 0);
        assert_eq!(
            bill.total_cents,
            bill.lines.iter().map(|l| l.amount_cents).sum::<i64>()
        );
    }

    // People.
    let dept = demo::DEMO_DEPARTMENT_ID.to_string();
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'officer'"
        )
        .await,
        200
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'coordinator'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'customer'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'officer' AND permit_expires_us IS NULL"
        )
        .await,
        3
    );

    // Jobs: on the board for the next two weeks, fences valid and around their location.
    let now = Utc::now();
    let rows = sqlx::query(
        "SELECT id, title, lat, lon, geofence_json, starts_us, ends_us, slots, slots_filled, status, \
         department_id FROM jobs",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut upcoming = 0;
    let mut filled: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let title: String = get(r, "title").unwrap();
        let fence: Geofence =
            serde_json::from_str(&get::<String>(r, "geofence_json").unwrap()).unwrap();
        fence.validate().unwrap_or_else(|e| panic!("{title}: {e}"));
        let at = GeoPoint::new(get(r, "lat").unwrap(), get(r, "lon").unwrap());
        assert!(fence.contains(at), "{title}: location outside its fence");
        assert_eq!(get::<String>(r, "department_id").unwrap(), dept);
        let starts: i64 = get(r, "starts_us").unwrap();
        let ends: i64 = get(r, "ends_us").unwrap();
        assert!(ends > starts);
        if starts > to_us(now) && starts < to_us(now + Duration::days(14)) {
            upcoming += 1;
        }
        let slots: i64 = get(r, "slots").unwrap();
        let slots_filled: i64 = get(r, "slots_filled").unwrap();
        assert!(
            (1..=12).contains(&slots) && slots_filled <= slots,
            "{title}"
        );
        let status: String = get(r, "status").unwrap();
        // One detail is under way (decision 043): its shift watcher alert is the demo's.
        if starts > to_us(now) || ends > to_us(now) {
            let expected = if slots_filled == slots {
                "filled"
            } else {
                "open"
            };
            assert_eq!(status, expected, "{title}");
        } else {
            assert_eq!(status, "completed", "{title}");
        }
        filled.insert(get(r, "id").unwrap(), slots_filled);
    }
    assert!(upcoming >= 55, "{upcoming} upcoming jobs");
    assert_eq!(summary.upcoming_jobs, upcoming);
    assert!(rows.len() >= 125, "{} jobs", rows.len());

    // slots_filled is the number of awarded assignments.
    let awarded = sqlx::query(
        "SELECT job_id, COUNT(*) AS n FROM assignments WHERE status = 'awarded' GROUP BY job_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut by_job: BTreeMap<String, i64> = BTreeMap::new();
    for r in &awarded {
        by_job.insert(get(r, "job_id").unwrap(), get(r, "n").unwrap());
    }
    for (job, n) in &filled {
        assert_eq!(by_job.get(job).copied().unwrap_or(0), *n, "job {job}");
    }
    assert!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM assignments WHERE status = 'waitlisted'"
        )
        .await
            > 0
    );

    // Nobody holds overlapping commitments (details and on-duty shifts).
    let blocks = sqlx::query(
        "SELECT a.officer_id, j.starts_us, j.ends_us FROM assignments a JOIN jobs j ON j.id = a.job_id \
           WHERE a.status = 'awarded' \
         UNION ALL SELECT officer_id, starts_us, ends_us FROM duty_blocks",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut per_officer: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for r in &blocks {
        per_officer
            .entry(get(r, "officer_id").unwrap())
            .or_default()
            .push((get(r, "starts_us").unwrap(), get(r, "ends_us").unwrap()));
    }
    for (officer, mut spans) in per_officer {
        spans.sort();
        for w in spans.windows(2) {
            assert!(
                w[0].1 <= w[1].0,
                "officer {officer} has overlapping commitments: {w:?}"
            );
        }
    }

    // Pay is computed by the one rounding rule.
    let cards = sqlx::query(
        "SELECT rate_cents, billable_minutes, multiplier_bp, gross_cents, status, paid_us FROM timecards",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(cards.len() >= 100, "{} timecards", cards.len());
    for r in &cards {
        let mult = u32::try_from(get::<i64>(r, "multiplier_bp").unwrap()).unwrap();
        let expected = pay::gross_cents(
            get(r, "rate_cents").unwrap(),
            get(r, "billable_minutes").unwrap(),
            mult,
        );
        assert_eq!(get::<i64>(r, "gross_cents").unwrap(), expected);
        let status: String = get(r, "status").unwrap();
        assert_eq!(
            status == "paid",
            get::<Option<i64>>(r, "paid_us").unwrap().is_some()
        );
    }

    // Ratings (decision 046): customers rated their latest shifts through the services, one
    // comment is hidden, and officers rated sites.
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM officer_ratings").await,
        6
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM officer_ratings WHERE hidden_us IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM site_ratings").await,
        3
    );

    // Sequence numbers: nothing is newer than the department's change sequence.
    let seq = count(&db, "SELECT change_seq AS n FROM departments").await;
    for table in ["jobs", "assignments", "timecards"] {
        let max = count(
            &db,
            &format!("SELECT COALESCE(MAX(version), 0) AS n FROM {table}"),
        )
        .await;
        assert!(
            max > 0 && max <= seq,
            "{table}: version {max} > change_seq {seq}"
        );
    }
    assert_eq!(
        count(&db, "SELECT MAX(seq) AS n FROM change_log").await,
        seq
    );

    // The real server serves it: officer001 signs in and syncs the whole board.
    let state = AppState::new(db.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state)).await.unwrap();
    });
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("http://{addr}/v1/auth/login"))
        .json(&json!({"email": "officer001@columbus.demo", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    let sync: Value = http
        .get(format!("http://{addr}/v1/sync"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sync["cursor"].as_i64(), Some(seq));
    assert!(sync["jobs"].as_array().unwrap().len() >= 55);
    assert!(
        !sync["timecards"].as_array().unwrap().is_empty(),
        "officer001 has history"
    );
    assert!(!sync["duty_blocks"].as_array().unwrap().is_empty());
    let jobs: Value = http
        .get(format!("http://{addr}/v1/jobs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jobs.as_array().unwrap().len() >= 55);
    server.abort();

    // Seeding again is a no-op.
    let before = snapshot(&db).await;
    let again = demo::seed(&db).await.unwrap();
    assert!(!again.created);
    assert_eq!(snapshot(&db).await, before);
    assert_eq!(again.officers, 200);
    assert!(
        again
            .banner("127.0.0.1:8080".parse().unwrap())
            .contains("already existed")
    );

    // The shift watcher's first pass finds the detail under way without its officer: one
    // no-show, the slot given to the officer waiting in line (decision 043). The history's
    // timecards (imported without clock events) are not taken for no-shows.
    let pass = offduty_server::services::shift_watch::step(&db, Utc::now())
        .await
        .unwrap();
    let no_shows = count(
        &db,
        "SELECT COUNT(*) AS n FROM alerts WHERE kind = 'no_show' AND acknowledged_us IS NULL",
    )
    .await;
    assert_eq!(no_shows, 1, "{pass:?}");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM assignments a JOIN alerts x ON x.job_id = a.job_id \
             WHERE x.kind = 'no_show' AND a.status = 'awarded'"
        )
        .await,
        1,
        "the waitlisted officer holds the slot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_department_on_sqlite() {
    check_demo(sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_department_on_postgres() {
    // Like every PostgreSQL test: without a server the test fails, it is never skipped.
    let admin = std::env::var("OFFDUTY_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need OFFDUTY_TEST_PG_URL (an admin URL). Run scripts/test.sh, \
             or start one with `export OFFDUTY_TEST_PG_URL=$(scripts/pg-start.sh)`."
        )
    });
    check_demo(postgres(&admin).await).await;
}

/// Two demo servers started at the same moment on one PostgreSQL: the money seed runs once
/// (the second waits on the advisory lock, then finds the first one's mark) and neither fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_demo_servers_starting_together_make_the_money_once() {
    let admin = std::env::var("OFFDUTY_TEST_PG_URL")
        .unwrap_or_else(|_| panic!("PostgreSQL tests need OFFDUTY_TEST_PG_URL (an admin URL)"));
    let name = format!("t_{}", Uuid::new_v4().simple());
    let boot = Db::connect(&admin, 1).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&boot.pool)
        .await
        .unwrap();
    boot.pool.close().await;
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin.as_str());
    let url = format!("{base}/{name}");
    let one = Db::connect(&url, 4).await.unwrap();
    migrate::migrate(&one).await.unwrap();
    demo::seed(&one).await.unwrap();
    let two = Db::connect(&url, 4).await.unwrap();
    let state = |db: Db| async move {
        let mut s = AppState::new(db).await.unwrap();
        s.payments = Some(std::sync::Arc::new(
            offduty_server::payments::SimulatedGateway::new(),
        ));
        s
    };
    let (a, b) = (state(one.clone()).await, state(two).await);
    let now = Utc::now();
    let (x, y) = tokio::join!(
        demo::money::seed_money(&a, now),
        demo::money::seed_money(&b, now)
    );
    let made = [x.unwrap(), y.unwrap()];
    assert_eq!(
        made.iter().filter(|m| m.is_some()).count(),
        1,
        "one seeded, the other found it done: {made:?}"
    );
    assert_eq!(
        count(&one, "SELECT COUNT(*) AS n FROM payout_batches").await,
        1
    );
}
