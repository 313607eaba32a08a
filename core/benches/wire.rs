//! Bytes on the wire for a phone's sync, against the real server router (in process, on a
//! loopback port, over a SQLite file) with 10,000 jobs in the department: (a) a full first sync,
//! (b) an idle sync (cursor current), (c) one job changed by another officer's claim, (d) the
//! officer's own claim decided (the job and the officer's assignment). A measurement printed as
//! a table, not a criterion timing (the times shown are single runs, for orientation).
//!
//! `cargo bench -p offduty-core --bench wire`; `OFFDUTY_BENCH_WIRE_JOBS` changes the 10,000;
//! `OFFDUTY_BENCH_WIRE_DUMP=FILE` writes the full sync's JSON there (to try compressors on it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use offduty_core::api::{Api, WireBytes};
use offduty_core::apply;
use offduty_core::store::Store;
use offduty_domain::award::AwardRule;
use offduty_domain::eligibility::{Rank, Requirements};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay::PayPolicy;
use offduty_domain::protocol::{Action, ActionBatch, ActionEnvelope, Outcome, Role, SyncResponse};
use offduty_server::app::{AppState, router};
use offduty_server::db::{Db, json, migrate, to_us};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};

struct Row {
    case: &'static str,
    wire: WireBytes,
    /// The same response as it crosses the network: gzip-compressed body bytes.
    gzip: u64,
    jobs: usize,
    assignments: usize,
    fetch: Duration,
    apply: Duration,
}

fn main() {
    let jobs: usize = std::env::var("OFFDUTY_BENCH_WIRE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(jobs));
}

async fn run(n_jobs: usize) {
    let dir = std::env::temp_dir().join(format!("offduty-bench-wire-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.join("server.db").display()), 16)
        .await
        .unwrap();
    migrate::migrate(&db).await.unwrap();
    let state = AppState::new(db.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    // A department, its coordinator, the officer whose phone syncs, and a colleague.
    let dept = create_department(&db, &NewDepartment::new("Columbus PD", "America/New_York"))
        .await
        .unwrap();
    let hash = offduty_server::auth::passwords::hash_password("bench password").unwrap();
    let coord = create_user(
        &db,
        &NewUser::new(dept, Role::Coordinator, "coord@wire.bench", &hash),
    )
    .await
    .unwrap();
    let officer = |email: &str| {
        let mut u = NewUser::new(dept, Role::Officer, email, &hash);
        u.rank = Rank::Officer;
        u.certifications = vec!["flagger".into()];
        u.permit_expires_at = Some(Utc::now() + Span::days(365));
        u
    };
    let me = create_user(&db, &officer("me@wire.bench")).await.unwrap();
    let colleague = create_user(&db, &officer("colleague@wire.bench"))
        .await
        .unwrap();
    let job_ids = seed_jobs(&db, dept, coord, n_jobs).await;

    let now = Utc::now();
    let my_token = state.tokens.issue_access(me, dept, Role::Officer, now);
    let their_token = state
        .tokens
        .issue_access(colleague, dept, Role::Officer, now);
    let api = Api::new(&url, Duration::from_secs(120), false).unwrap();
    let (store, _) = Store::open(&dir.join("phone.db")).unwrap();
    let mut rows = Vec::new();

    // Warm the connection, the server's statement caches and the page cache with one full
    // sync, discarded.
    let _ = api.sync(&my_token, 0).await.unwrap();

    // (a) Full first sync.
    let (full, cursor) = measure(&api, &my_token, 0, &store, "full first sync (cursor 0)").await;
    if let Some(path) = std::env::var_os("OFFDUTY_BENCH_WIRE_DUMP") {
        let (resp, _) = api.sync(&my_token, 0).await.unwrap();
        std::fs::write(&path, serde_json::to_vec(&resp).unwrap()).unwrap();
    }
    assert!(full.jobs >= n_jobs, "the full sync carries every job");
    rows.push(full);

    // (b) Idle: nothing changed since the cursor.
    let (idle, cursor) = measure(
        &api,
        &my_token,
        cursor,
        &store,
        "idle sync (cursor current)",
    )
    .await;
    assert_eq!(idle.jobs, 0);
    rows.push(idle);

    // (c) A colleague claims one job: that job's fill changed.
    let first_come = job_ids[n_jobs / 2];
    claim(&api, &their_token, first_come).await;
    let (one, cursor) = measure(
        &api,
        &my_token,
        cursor,
        &store,
        "one job changed (a colleague's claim)",
    )
    .await;
    assert_eq!((one.jobs, one.assignments), (1, 0));
    rows.push(one);

    // (d) The officer's own claim, decided: the job and the officer's assignment.
    claim(&api, &my_token, job_ids[n_jobs / 3]).await;
    let (own, _) = measure(
        &api,
        &my_token,
        cursor,
        &store,
        "own claim decided (job + assignment)",
    )
    .await;
    assert_eq!((own.jobs, own.assignments), (1, 1));
    rows.push(own);

    let full_bytes = rows[0].wire.received as f64;
    println!();
    println!(
        "### Sync bytes, {n_jobs} jobs in the department (response bodies: decoded JSON, and \
         gzip as sent; HTTP headers not counted)"
    );
    println!();
    println!(
        "| case | JSON bytes | gzip bytes on the wire | bytes sent | jobs | assignments | × full sync | fetch+decode ms | apply ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.6} | {:.1} | {:.1} |",
            r.case,
            r.wire.received,
            r.gzip,
            r.wire.sent,
            r.jobs,
            r.assignments,
            r.wire.received as f64 / full_bytes,
            r.fetch.as_secs_f64() * 1e3,
            r.apply.as_secs_f64() * 1e3,
        );
    }
    println!();
    println!(
        "full sync: {:.0} bytes per job",
        full_bytes / rows[0].jobs.max(1) as f64
    );
    server.abort();
    drop(store);
    db.pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn measure(
    api: &Api,
    token: &str,
    cursor: u64,
    store: &Store,
    case: &'static str,
) -> (Row, u64) {
    // What really crosses the wire: the compressed body (reqwest's own client decompresses
    // transparently, so `WireBytes` counts the decoded JSON).
    let gzip = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .get(format!("{}/v1/sync?cursor={cursor}", api.base_url()))
        .bearer_auth(token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len() as u64;
    let t = Instant::now();
    let (resp, wire): (SyncResponse, WireBytes) = api.sync(token, cursor).await.unwrap();
    let fetch = t.elapsed();
    let t = Instant::now();
    store.write(|tx| apply::apply_sync(tx, &resp)).unwrap();
    let apply = t.elapsed();
    (
        Row {
            case,
            wire,
            gzip,
            jobs: resp.jobs.len(),
            assignments: resp.assignments.len(),
            fetch,
            apply,
        },
        resp.cursor,
    )
}

async fn claim(api: &Api, token: &str, job_id: Uuid) {
    let batch = ActionBatch {
        actions: vec![ActionEnvelope {
            idempotency_key: Uuid::now_v7(),
            created_at: Utc::now(),
            action: Action::Claim { job_id },
        }],
        device_clock: None,
    };
    let (results, _) = api.actions(token, &batch).await.unwrap();
    let outcome = &results.outcomes[0].outcome;
    assert!(
        matches!(outcome, Outcome::Awarded { .. }),
        "claim: {outcome:?}"
    );
}

/// `n` first-come jobs in the next 30 days around Columbus, inserted the way `POST /v1/jobs`
/// writes them (one transaction: the API would take a durable commit each).
async fn seed_jobs(db: &Db, dept: Uuid, coord: Uuid, n: usize) -> Vec<Uuid> {
    let mut rng = StdRng::seed_from_u64(0x0ff_d07e);
    let pay = PayPolicy::default();
    let kinds = ["traffic", "security", "event", "construction"];
    let customers = [
        "Ohio State Athletics",
        "Columbus Public Works",
        "Nationwide Arena",
        "Kroger #512",
        "AEP Ohio",
        "Schottenstein Center",
    ];
    let now = Utc::now();
    let mut ids = Vec::with_capacity(n);
    let mut tx = db.pool.begin().await.unwrap();
    for i in 0..n {
        let id = Uuid::now_v7();
        let at = GeoPoint {
            lat: 39.9612 + rng.gen_range(-0.27..0.27),
            lon: -82.9988 + rng.gen_range(-0.35..0.35),
        };
        let kind = kinds[i % kinds.len()];
        let customer = customers[rng.gen_range(0..customers.len())];
        let starts = now + Span::minutes(60 + 15 * rng.gen_range(0..2_800));
        let fence = if i % 5 == 0 {
            let (dlat, dlon) = (150.0 / 111_320.0, 150.0 / 85_300.0);
            Geofence::polygon(
                (0..8)
                    .map(|k| {
                        let a = std::f64::consts::TAU * f64::from(k) / 8.0;
                        GeoPoint {
                            lat: at.lat + dlat * a.sin(),
                            lon: at.lon + dlon * a.cos(),
                        }
                    })
                    .collect(),
            )
        } else {
            Geofence::circle(at, rng.gen_range(100.0..400.0))
        };
        let requirements = if i % 10 < 2 {
            Requirements {
                certifications: vec!["flagger".into()],
                ..Requirements::default()
            }
        } else {
            Requirements::default()
        };
        sqlx::query(
            "INSERT INTO jobs (id, department_id, customer_id, title, customer_name, site_name, \
             address, lat, lon, geofence_json, starts_us, ends_us, slots, job_type, rate_cents, \
             multiplier_bp, requirements_json, award_rule_json, release_tiers_json, \
             signup_opens_us, signup_closes_us, awarded_us, status, notes, created_by, \
             created_us, version) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, '[]', $18, NULL, $19, 'open', $20, $21, $22, 1)",
        )
        .bind(id.to_string())
        .bind(dept.to_string())
        .bind(format!("{kind} detail — {customer}"))
        .bind(customer)
        .bind(format!("{customer}, site {}", i % 97))
        .bind(format!(
            "{} High St, Columbus, OH 432{:02}",
            100 + i % 4000,
            i % 40
        ))
        .bind(at.lat)
        .bind(at.lon)
        .bind(json(&fence))
        .bind(to_us(starts))
        .bind(to_us(starts + Span::hours(rng.gen_range(3..=10))))
        .bind(rng.gen_range(1..=6_i64))
        .bind(kind)
        .bind(pay.rate_for(kind))
        .bind(10_000_i64)
        .bind(json(&requirements))
        .bind(json(&AwardRule::FirstCome))
        .bind(to_us(now - Span::days(2)))
        .bind(to_us(now - Span::days(2)))
        .bind(
            "Report to the site supervisor at the north gate. Vest and flashlight; park on the \
             east lot.",
        )
        .bind(coord.to_string())
        .bind(to_us(now - Span::days(2)))
        .execute(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    sqlx::query("UPDATE departments SET change_seq = 1 WHERE id = $1")
        .bind(dept.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ids
}
