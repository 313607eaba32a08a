//! Server load benchmark: the real router on a loopback port, driven by a real HTTP client
//! (reqwest) from N concurrent client tasks in the same process, measured against two floors
//! taken in the same run:
//!
//! - floor A: `GET /v1/health` of the same server (HTTP + router, no database);
//! - floor B: raw durable commits — one INSERT per transaction, WAL + `synchronous=FULL` on
//!   SQLite (rusqlite, and sqlx for the driver's share), one INSERT per transaction on
//!   PostgreSQL (sqlx, one connection);
//!
//! then the two bursts that matter:
//!
//! - C, the claim race: 1,000 officers claim one first-come job with 10 slots; checked: 10
//!   awarded, 990 waitlisted with places 1..=990 each once, the database agrees;
//! - D, the shift-change burst: 5,000 officers, each holding a slot on a job in progress and a
//!   registered P-256 device, send one signed clock-in (with a `device_clock`) at once;
//!   checked: 5,000 timecards open, 5,000 verified punches.
//!
//! `cargo bench -p offduty-server --bench load` (or `scripts/bench.sh`). Tunables (env):
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `OFFDUTY_BENCH_CONCURRENCY` | 64 | client tasks (connections) in every phase |
//! | `OFFDUTY_BENCH_HEALTH_REQUESTS` | 20000 | requests in floor A |
//! | `OFFDUTY_BENCH_RAW_COMMITS` | 2000 | commits in floor B |
//! | `OFFDUTY_BENCH_CLAIM_OFFICERS` / `_CLAIM_SLOTS` | 1000 / 10 | the claim race |
//! | `OFFDUTY_BENCH_CLOCKINS` / `_SLOTS_PER_JOB` | 5000 / 10 | the shift-change burst |
//! | `OFFDUTY_BENCH_POOL` | 16 | server pool size (the server's default) |
//! | `OFFDUTY_BENCH_BACKENDS` | `sqlite`, plus `postgres` when `OFFDUTY_TEST_PG_URL` is set | |
//! | `OFFDUTY_BENCH_DIR` | system temp dir | where the SQLite files go (same disk as the server's) |
//! | `OFFDUTY_BENCH_FENCE_VERTICES` | 0 | 0: the shift-change jobs have 150 m circles; N: regular N-vertex polygons of the same size |
//! | `OFFDUTY_BENCH_EXPERIMENT_INDEX` | 0 | 1: add an index on `clock_events (officer_id, device_us)` to the bench database before D (an experiment; not in the schema) |
//! | `OFFDUTY_BENCH_GROUP_MAX` | 128 (the server's default) | most actions decided in one transaction (group commit, decision 034); 1 = every action alone, as before grouping |
//! | `OFFDUTY_BENCH_SERVERS` | 1 | server instances over the one database, each with its own pool and action queues; clients take them in turn |
//! | `OFFDUTY_BENCH_FANOUT_OFFICERS` | 2000 | E: officers who sync after one job is posted (0 skips E) |
//!
//! E, the fan-out: a department of `OFFDUTY_BENCH_FANOUT_OFFICERS` officers is in sync; a
//! coordinator posts one job; every officer syncs from the cursor it held (64 at a time);
//! checked: each answer is a delta carrying exactly that job. Ratio: sync requests/s ÷ the
//! health floor.
//!
//! Memory: the process's resident set (`VmRSS`, sampled every 10 ms) at its peak during C and
//! D. Server and clients share this process, so the figure bounds the server's from above.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use tokio::sync::Barrier;
use uuid::Uuid;

use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::protocol::{
    Action, ActionBatch, ActionEnvelope, ActionResults, DeviceClock, Outcome, Role, SyncResponse,
};
use offduty_domain::punch::PunchVerdict;
use offduty_domain::timecard::{self, ClockEvent, EventFix, GENESIS_HASH, PunchKind};
use offduty_server::app::{AppState, Limits, router};
use offduty_server::db::{Db, Dialect, get, json as to_json, migrate, to_us};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
use offduty_server::services::group_commit::{GroupConfig, GroupStats};

// ---------------------------------------------------------------------------------------------
// Configuration.

#[derive(Debug, Clone)]
struct Cfg {
    concurrency: usize,
    health_requests: usize,
    raw_commits: usize,
    claim_officers: usize,
    claim_slots: usize,
    clockins: usize,
    slots_per_job: usize,
    pool: u32,
    backends: Vec<Dialect>,
    dir: PathBuf,
    pg_admin: Option<String>,
    experiment_index: bool,
    fence_vertices: usize,
    group_max: usize,
    servers: usize,
    fanout_officers: usize,
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

impl Cfg {
    fn from_env() -> Cfg {
        let pg_admin = std::env::var("OFFDUTY_TEST_PG_URL")
            .ok()
            .filter(|s| !s.is_empty());
        let backends = match std::env::var("OFFDUTY_BENCH_BACKENDS") {
            Ok(list) => list
                .split(',')
                .map(|b| match b.trim() {
                    "sqlite" => Dialect::Sqlite,
                    "postgres" | "pg" => Dialect::Postgres,
                    other => panic!("OFFDUTY_BENCH_BACKENDS: unknown backend {other:?}"),
                })
                .collect(),
            Err(_) if pg_admin.is_some() => vec![Dialect::Sqlite, Dialect::Postgres],
            Err(_) => vec![Dialect::Sqlite],
        };
        assert!(
            !backends.contains(&Dialect::Postgres) || pg_admin.is_some(),
            "the postgres backend needs OFFDUTY_TEST_PG_URL (scripts/pg-start.sh prints one)"
        );
        let dir = std::env::var_os("OFFDUTY_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
            .join(format!("offduty-bench-{}", Uuid::new_v4().simple()));
        let cfg = Cfg {
            concurrency: env_usize("OFFDUTY_BENCH_CONCURRENCY", 64).max(1),
            health_requests: env_usize("OFFDUTY_BENCH_HEALTH_REQUESTS", 20_000).max(1),
            raw_commits: env_usize("OFFDUTY_BENCH_RAW_COMMITS", 2_000).max(1),
            claim_officers: env_usize("OFFDUTY_BENCH_CLAIM_OFFICERS", 1_000).max(1),
            claim_slots: env_usize("OFFDUTY_BENCH_CLAIM_SLOTS", 10).max(1),
            clockins: env_usize("OFFDUTY_BENCH_CLOCKINS", 5_000).max(1),
            slots_per_job: env_usize("OFFDUTY_BENCH_SLOTS_PER_JOB", 10).max(1),
            pool: u32::try_from(env_usize("OFFDUTY_BENCH_POOL", 16)).unwrap_or(16),
            backends,
            dir,
            pg_admin,
            experiment_index: env_usize("OFFDUTY_BENCH_EXPERIMENT_INDEX", 0) == 1,
            fence_vertices: env_usize("OFFDUTY_BENCH_FENCE_VERTICES", 0),
            group_max: env_usize(
                "OFFDUTY_BENCH_GROUP_MAX",
                GroupConfig::default().max_actions,
            )
            .max(1),
            servers: env_usize("OFFDUTY_BENCH_SERVERS", 1).max(1),
            fanout_officers: env_usize("OFFDUTY_BENCH_FANOUT_OFFICERS", 2_000),
        };
        assert!(
            cfg.claim_officers > cfg.claim_slots,
            "the claim race needs more officers than slots"
        );
        cfg
    }
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/// One phase's figures.
#[derive(Debug, Clone)]
struct Figures {
    label: String,
    /// Name in the ratio table.
    short: &'static str,
    count: usize,
    wall: Duration,
    /// Per-operation latency, sorted.
    latencies: Vec<Duration>,
    /// Throughput over the first and the last tenth of completions (per second).
    first_tenth: Option<f64>,
    last_tenth: Option<f64>,
}

impl Figures {
    fn per_s(&self) -> f64 {
        self.count as f64 / self.wall.as_secs_f64()
    }

    fn pct(&self, p: f64) -> Option<Duration> {
        if self.latencies.is_empty() {
            return None;
        }
        let n = self.latencies.len();
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.latencies[rank.clamp(1, n) - 1])
    }
}

/// Runs `work` over `items` with `concurrency` client tasks (each takes the next item when
/// done with its last), all starting together. Returns the wall time and, per item in
/// completion order, its latency and result.
async fn drive<T, R, F, Fut>(
    items: Vec<T>,
    concurrency: usize,
    work: F,
) -> (Duration, Vec<(Duration, Duration, R)>)
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
{
    let tasks = concurrency.min(items.len()).max(1);
    let queue = Arc::new(Mutex::new(items.into_iter().collect::<VecDeque<T>>()));
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(tasks + 1));
    let mut handles = Vec::with_capacity(tasks);
    let t0 = Arc::new(Mutex::new(None::<Instant>));
    for _ in 0..tasks {
        let (queue, work, barrier, t0) = (queue.clone(), work.clone(), barrier.clone(), t0.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let start = t0.lock().unwrap().expect("t0 set before the barrier opens");
            let mut out = Vec::new();
            loop {
                let Some(item) = queue.lock().unwrap().pop_front() else {
                    break;
                };
                let s = Instant::now();
                let r = work(item).await;
                let done = Instant::now();
                out.push((done - s, done - start, r));
            }
            out
        }));
    }
    *t0.lock().unwrap() = Some(Instant::now());
    barrier.wait().await;
    let start = t0.lock().unwrap().unwrap();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let wall = start.elapsed();
    all.sort_by_key(|(_, done, _)| *done);
    (wall, all)
}

fn figures<R>(label: &str, wall: Duration, results: &[(Duration, Duration, R)]) -> Figures {
    figures_as(label, "", wall, results)
}

fn figures_as<R>(
    label: &str,
    short: &'static str,
    wall: Duration,
    results: &[(Duration, Duration, R)],
) -> Figures {
    let n = results.len();
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.0).collect();
    latencies.sort_unstable();
    let tenth = (n / 10).max(1);
    let (first_tenth, last_tenth) = if n >= 20 {
        let first_end = results[tenth - 1].1;
        let last_start = results[n - tenth - 1].1;
        let last_end = results[n - 1].1;
        (
            Some(tenth as f64 / first_end.as_secs_f64()),
            Some(tenth as f64 / (last_end - last_start).as_secs_f64()),
        )
    } else {
        (None, None)
    };
    Figures {
        label: label.to_string(),
        short,
        count: n,
        wall,
        latencies,
        first_tenth,
        last_tenth,
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.2}", d.as_secs_f64() * 1e3))
        .unwrap_or_else(|| "—".into())
}

fn rate(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

// ---------------------------------------------------------------------------------------------
// The server under test.

struct Server {
    db: Db,
    state: AppState,
    url: String,
    /// Every instance's base URL (the first is `url`); clients take them in turn.
    urls: Vec<String>,
    /// The instances after the first: their state (for group stats), server task and pool.
    others: Vec<(AppState, tokio::task::JoinHandle<()>, Db)>,
    http: reqwest::Client,
    handle: tokio::task::JoinHandle<()>,
    database_url: String,
    pg_name: Option<String>,
}

async fn start_server(cfg: &Cfg, dialect: Dialect) -> Server {
    let (database_url, pg_name) = match dialect {
        Dialect::Sqlite => (
            format!("sqlite://{}", cfg.dir.join("server.db").display()),
            None,
        ),
        Dialect::Postgres => {
            let admin = cfg.pg_admin.clone().unwrap();
            let name = format!("bench_{}", Uuid::new_v4().simple());
            let db = Db::connect(&admin, 1).await.expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&db.pool)
                .await
                .unwrap();
            db.pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (format!("{base}/{name}"), Some(name))
        }
    };
    let db = Db::connect(&database_url, cfg.pool).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    let (state, url, handle) = instance(cfg, db.clone()).await;
    let mut urls = vec![url.clone()];
    let mut others = Vec::new();
    for _ in 1..cfg.servers {
        let db = Db::connect(&database_url, cfg.pool).await.unwrap();
        let (state, url, handle) = instance(cfg, db.clone()).await;
        urls.push(url);
        others.push((state, handle, db));
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .pool_max_idle_per_host(cfg.concurrency.max(64))
        .build()
        .unwrap();
    Server {
        db,
        state,
        url,
        urls,
        others,
        http,
        handle,
        database_url,
        pg_name,
    }
}

/// One server instance over `db`: its state, base URL and task.
async fn instance(cfg: &Cfg, db: Db) -> (AppState, String, tokio::task::JoinHandle<()>) {
    let limits = Limits {
        group_commit: GroupConfig {
            max_actions: cfg.group_max,
            ..GroupConfig::default()
        },
        ..Limits::default()
    };
    let state = AppState::with_limits(db, limits).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone());
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (state, format!("http://{addr}"), handle)
}

impl Server {
    /// The base URL client `i` talks to.
    fn url_for(&self, i: usize) -> String {
        self.urls[i % self.urls.len()].clone()
    }

    /// Group-commit figures summed over every instance.
    fn group_stats(&self) -> GroupStats {
        let mut all = self.state.actions.stats();
        for (state, _, _) in &self.others {
            let s = state.actions.stats();
            all.groups += s.groups;
            all.transactions += s.transactions;
            all.largest_group = all.largest_group.max(s.largest_group);
        }
        all
    }

    async fn stop(self, cfg: &Cfg) {
        self.handle.abort();
        let _ = self.handle.await;
        for (_, handle, db) in self.others {
            handle.abort();
            let _ = handle.await;
            db.pool.close().await;
        }
        self.db.pool.close().await;
        if let (Some(name), Some(admin)) = (&self.pg_name, &cfg.pg_admin) {
            let db = Db::connect(admin, 1).await.unwrap();
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&db.pool)
            .await;
            db.pool.close().await;
        }
    }
}

/// The durability settings a pooled connection of the server actually runs with.
async fn sqlite_settings(db: &Db) -> String {
    let mut conn = db.pool.acquire().await.unwrap();
    let mut out = Vec::new();
    for pragma in ["journal_mode", "synchronous", "busy_timeout"] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let v = sqlx::Row::try_get::<String, _>(&row, 0)
            .or_else(|_| sqlx::Row::try_get::<i64, _>(&row, 0).map(|v| v.to_string()))
            .unwrap_or_else(|_| "?".into());
        out.push(format!("{pragma}={v}"));
    }
    out.join(", ")
}

async fn pg_settings(db: &Db) -> String {
    let mut out = Vec::new();
    for setting in [
        "fsync",
        "synchronous_commit",
        "wal_sync_method",
        "server_version",
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let v: String = sqlx::Row::try_get(&row, 0).unwrap_or_else(|_| "?".into());
        out.push(format!("{setting}={v}"));
    }
    out.join(", ")
}

// ---------------------------------------------------------------------------------------------
// Floors.

async fn floor_health(cfg: &Cfg, srv: &Server) -> Figures {
    let url = format!("{}/v1/health", srv.url);
    let call = {
        let http = srv.http.clone();
        let url = url.clone();
        move |_: usize| {
            let http = http.clone();
            let url = url.clone();
            async move {
                let resp = http.get(&url).send().await.expect("GET /v1/health");
                let ok = resp.status().is_success();
                let _ = resp.bytes().await;
                ok
            }
        }
    };
    // Warm-up: open every connection once.
    let warm = (0..cfg.concurrency * 4).collect();
    let _ = drive(warm, cfg.concurrency, call.clone()).await;
    let (wall, results) = drive((0..cfg.health_requests).collect(), cfg.concurrency, call).await;
    assert!(results.iter().all(|r| r.2), "a health request failed");
    figures("A  GET /v1/health (no DB)", wall, &results)
}

const RAW_PAYLOAD: &str = "a realistic-sized row: an idempotency key, a request hash and an \
    outcome of a couple of hundred bytes, the kind of row every decided action writes ......";

/// Floor B for `dialect`, labelled with when it ran.
async fn floors(cfg: &Cfg, srv: &Server, dialect: Dialect, when: &str) -> Vec<Figures> {
    let mut out = Vec::new();
    match dialect {
        Dialect::Sqlite => {
            let path = cfg
                .dir
                .join(format!("raw-rusqlite-{}.db", Uuid::new_v4().simple()));
            let n = cfg.raw_commits;
            out.push(
                tokio::task::spawn_blocking(move || floor_rusqlite(&path, n))
                    .await
                    .unwrap(),
            );
            let url = format!(
                "sqlite://{}",
                cfg.dir
                    .join(format!("raw-sqlx-{}.db", Uuid::new_v4().simple()))
                    .display()
            );
            out.push(floor_sqlx(&url, dialect, cfg.raw_commits).await);
        }
        Dialect::Postgres => {
            out.push(floor_sqlx(&srv.database_url, dialect, cfg.raw_commits).await)
        }
    }
    for f in &mut out {
        f.label = format!("{} — {when}", f.label);
    }
    out
}

/// One INSERT per transaction with rusqlite, WAL + synchronous=FULL, on the same disk.
fn floor_rusqlite(path: &Path, n: usize) -> Figures {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE raw (id INTEGER PRIMARY KEY, k TEXT NOT NULL, payload TEXT NOT NULL)",
    )
    .unwrap();
    let mut samples = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n {
        let s = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.execute(
            "INSERT INTO raw (k, payload) VALUES (?1, ?2)",
            rusqlite::params![format!("key-{i}"), RAW_PAYLOAD],
        )
        .unwrap();
        conn.execute_batch("COMMIT").unwrap();
        samples.push((s.elapsed(), t0.elapsed(), ()));
    }
    let wall = t0.elapsed();
    figures_as(
        "B  raw durable commit, rusqlite (1 INSERT/tx, WAL, sync=FULL)",
        "raw durable rusqlite",
        wall,
        &samples,
    )
}

/// One INSERT per transaction through sqlx on one connection (the server's driver).
async fn floor_sqlx(url: &str, dialect: Dialect, n: usize) -> Figures {
    let db = Db::connect(url, 1).await.unwrap();
    sqlx::query(
        "CREATE TABLE raw_bench (id BIGINT PRIMARY KEY, k TEXT NOT NULL, payload TEXT NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let mut out = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n {
        let s = Instant::now();
        let mut tx = db.pool.begin().await.unwrap();
        sqlx::query("INSERT INTO raw_bench (id, k, payload) VALUES ($1, $2, $3)")
            .bind(i as i64)
            .bind(format!("key-{i}"))
            .bind(RAW_PAYLOAD)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push((s.elapsed(), t0.elapsed(), ()));
    }
    let wall = t0.elapsed();
    sqlx::query("DROP TABLE raw_bench")
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let (label, short) = match dialect {
        Dialect::Sqlite => (
            "B' raw durable commit, sqlx (1 INSERT/tx, WAL, sync=FULL)",
            "raw durable sqlx",
        ),
        Dialect::Postgres => (
            "B  raw durable commit, sqlx PostgreSQL (1 INSERT/tx)",
            "raw durable PostgreSQL",
        ),
    };
    figures_as(label, short, wall, &out)
}

// ---------------------------------------------------------------------------------------------
// Seeding (directly in the database, in one transaction per batch: fast, and the same rows the
// API writes).

struct Officer {
    id: Uuid,
    token: String,
}

fn password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        offduty_server::auth::passwords::hash_password("bench password, never used").unwrap()
    })
}

/// `n` officers (valid permits, rank officer), inserted like `seed::create_user` does, in one
/// transaction; with fresh access tokens.
async fn seed_officers(srv: &Server, dept: Uuid, n: usize, tag: &str) -> Vec<Officer> {
    let now = Utc::now();
    let mut out = Vec::with_capacity(n);
    let mut tx = srv.db.pool.begin().await.unwrap();
    for i in 0..n {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, department_id, email, password_hash, role, display_name, badge, \
             rank, certifications_json, groups_json, seniority, permit_expires_us, created_us) \
             VALUES ($1, $2, $3, $4, 'officer', $5, $6, 'officer', '[]', '[]', $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(dept.to_string())
        .bind(format!("{tag}-{i}@bench.test"))
        .bind(password_hash())
        .bind(format!("Officer {tag} {i}"))
        .bind(format!("B{i:05}"))
        .bind(i as i64 + 1)
        .bind(to_us(now + chrono::Duration::days(365)))
        .bind(to_us(now))
        .execute(&mut *tx)
        .await
        .unwrap();
        out.push(Officer {
            id,
            token: srv.state.tokens.issue_access(id, dept, Role::Officer, now),
        });
    }
    tx.commit().await.unwrap();
    out
}

/// A department with default rules and its coordinator (id, access token).
async fn department(srv: &Server, name: &str) -> (Uuid, Uuid, String) {
    let dept = create_department(&srv.db, &NewDepartment::new(name, "America/New_York"))
        .await
        .unwrap();
    let coord = create_user(
        &srv.db,
        &NewUser::new(
            dept,
            Role::Coordinator,
            &format!("coord@{}.bench.test", Uuid::new_v4().simple()),
            password_hash(),
        ),
    )
    .await
    .unwrap();
    let token = srv
        .state
        .tokens
        .issue_access(coord, dept, Role::Coordinator, Utc::now());
    (dept, coord, token)
}

// ---------------------------------------------------------------------------------------------
// C: the claim race.

struct RaceCheck {
    awarded: usize,
    waitlisted: usize,
    db_awarded: i64,
    db_waitlisted: i64,
}

async fn claim_race(cfg: &Cfg, srv: &Server) -> (Figures, RaceCheck, Duration) {
    let t_setup = Instant::now();
    let (dept, _, coord) = department(srv, "Claim Race PD").await;
    let starts = Utc::now() + chrono::Duration::days(3);
    let slots = u32::try_from(cfg.claim_slots).expect("OFFDUTY_BENCH_CLAIM_SLOTS fits a u32");
    let body = offduty_testkit::api::job_body(starts, slots);
    let resp = srv
        .http
        .post(format!("{}/v1/jobs", srv.url))
        .bearer_auth(&coord)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "create job");
    let job: serde_json::Value = resp.json().await.unwrap();
    let job_id: Uuid = job["id"].as_str().unwrap().parse().unwrap();
    let officers = seed_officers(srv, dept, cfg.claim_officers, "race").await;
    // Bodies built before the clock starts: the client's only work is HTTP.
    let items: Vec<(String, Vec<u8>, String)> = officers
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let batch = ActionBatch {
                actions: vec![ActionEnvelope {
                    idempotency_key: Uuid::now_v7(),
                    created_at: Utc::now(),
                    action: Action::Claim { job_id },
                }],
                device_clock: None,
            };
            (
                o.token.clone(),
                serde_json::to_vec(&batch).unwrap(),
                format!("{}/v1/actions", srv.url_for(i)),
            )
        })
        .collect();
    let setup = t_setup.elapsed();

    let http = srv.http.clone();
    let (wall, results) = drive(items, cfg.concurrency, move |(token, body, url)| {
        let http = http.clone();
        async move { post_action(&http, &url, &token, body).await }
    })
    .await;

    let mut places = Vec::new();
    let mut awarded = 0;
    for (_, _, outcome) in &results {
        match outcome {
            Outcome::Awarded { .. } => awarded += 1,
            Outcome::Waitlisted { position, .. } => places.push(*position),
            other => panic!("claim race: unexpected outcome {other:?}"),
        }
    }
    places.sort_unstable();
    let expected: Vec<u32> = (1..=u32::try_from(places.len()).unwrap()).collect();
    assert_eq!(places, expected, "waitlist places must be 1..=n, each once");
    let count = |status: &'static str| {
        let db = srv.db.clone();
        async move {
            get::<i64>(
                &sqlx::query(
                    "SELECT COUNT(*) AS n FROM assignments WHERE job_id = $1 AND status = $2",
                )
                .bind(job_id.to_string())
                .bind(status)
                .fetch_one(&db.pool)
                .await
                .unwrap(),
                "n",
            )
            .unwrap()
        }
    };
    let check = RaceCheck {
        awarded,
        waitlisted: places.len(),
        db_awarded: count("awarded").await,
        db_waitlisted: count("waitlisted").await,
    };
    assert_eq!(check.awarded, cfg.claim_slots, "awarded");
    assert_eq!(check.waitlisted, cfg.claim_officers - cfg.claim_slots);
    assert_eq!(check.db_awarded, cfg.claim_slots as i64);
    assert_eq!(
        check.db_waitlisted,
        (cfg.claim_officers - cfg.claim_slots) as i64
    );
    let label = format!(
        "C  claim race: {} officers → {} slots (FCFS)",
        cfg.claim_officers, cfg.claim_slots
    );
    (figures(&label, wall, &results), check, setup)
}

async fn post_action(http: &reqwest::Client, url: &str, token: &str, body: Vec<u8>) -> Outcome {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("POST /v1/actions");
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap();
    assert!(
        status.is_success(),
        "POST /v1/actions: {status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let mut r: ActionResults = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(r.outcomes.len(), 1);
    r.outcomes.remove(0).outcome
}

// ---------------------------------------------------------------------------------------------
// D: the shift-change burst.

struct BurstItem {
    token: String,
    url: String,
    event: timecard::SignedClockEvent,
    /// Device wall time and monotonic time when the event was made (same boot).
    made_at: DateTime<Utc>,
    made_mono_ms: u64,
    boot_id: String,
}

struct BurstCheck {
    verified: usize,
    db_open: i64,
    db_verified: i64,
}

/// A city's worth of sites: a grid around Columbus, OH, about 500 m apart.
fn site(i: usize) -> GeoPoint {
    let (row, col) = ((i / 40) as f64, (i % 40) as f64);
    GeoPoint {
        lat: 39.90 + row * 0.0045,
        lon: -83.10 + col * 0.006,
    }
}

/// The site's fence: a 150 m circle, or a regular polygon of `vertices` vertices as large.
fn fence(at: GeoPoint, vertices: usize) -> Geofence {
    if vertices < 3 {
        return Geofence::circle(at, 150.0);
    }
    let dlat = 150.0 / 111_320.0;
    let dlon = 150.0 / (111_320.0 * at.lat.to_radians().cos());
    Geofence::polygon(
        (0..vertices)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / vertices as f64;
                GeoPoint {
                    lat: at.lat + dlat * a.sin(),
                    lon: at.lon + dlon * a.cos(),
                }
            })
            .collect(),
    )
}

async fn shift_change(cfg: &Cfg, srv: &Server) -> (Figures, BurstCheck, Duration) {
    let t_setup = Instant::now();
    let (dept, coord, _) = department(srv, "Shift Change PD").await;
    let officers = seed_officers(srv, dept, cfg.clockins, "shift").await;
    let now = Utc::now();
    let starts = now - chrono::Duration::minutes(5);
    let ends = starts + chrono::Duration::hours(4);
    let jobs = cfg.clockins.div_ceil(cfg.slots_per_job);
    // Keys are generated (and events signed) on the blocking pool, two halves at once.
    let keys: Vec<SigningKey> = {
        let n = cfg.clockins;
        let halves = [n / 2, n - n / 2].map(|k| {
            tokio::task::spawn_blocking(move || {
                (0..k)
                    .map(|_| SigningKey::random(&mut rand::rngs::OsRng))
                    .collect::<Vec<_>>()
            })
        });
        let mut keys = Vec::with_capacity(n);
        for h in halves {
            keys.extend(h.await.unwrap());
        }
        keys
    };
    let mut tx = srv.db.pool.begin().await.unwrap();
    let mut job_ids = Vec::with_capacity(jobs);
    let seq: i64 = 1;
    for j in 0..jobs {
        let id = Uuid::now_v7();
        let at = site(j);
        let slots = cfg.slots_per_job.min(cfg.clockins - j * cfg.slots_per_job);
        sqlx::query(
            "INSERT INTO jobs (id, department_id, customer_id, title, customer_name, site_name, address, \
             lat, lon, geofence_json, starts_us, ends_us, slots, slots_filled, job_type, rate_cents, \
             multiplier_bp, requirements_json, award_rule_json, release_tiers_json, signup_opens_us, \
             signup_closes_us, awarded_us, status, notes, created_by, created_us, version) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'traffic', 5500, \
             10000, $14, $15, '[]', $16, NULL, $17, 'filled', '', $18, $19, $20)",
        )
        .bind(id.to_string())
        .bind(dept.to_string())
        .bind(format!("Traffic control, site {j}"))
        .bind("Columbus Public Works")
        .bind(format!("Site {j}"))
        .bind(format!("{} High St, Columbus, OH", 100 + j))
        .bind(at.lat)
        .bind(at.lon)
        .bind(to_json(&fence(at, cfg.fence_vertices)))
        .bind(to_us(starts))
        .bind(to_us(ends))
        .bind(slots as i64)
        .bind(slots as i64)
        .bind(to_json(&offduty_domain::eligibility::Requirements::default()))
        .bind(to_json(&offduty_domain::award::AwardRule::FirstCome))
        .bind(to_us(now - chrono::Duration::days(7)))
        .bind(to_us(now - chrono::Duration::days(7)))
        .bind(coord.to_string())
        .bind(to_us(now - chrono::Duration::days(7)))
        .bind(seq)
        .execute(&mut *tx)
        .await
        .unwrap();
        job_ids.push((id, at));
    }
    let mut devices = Vec::with_capacity(cfg.clockins);
    for (i, (o, key)) in officers.iter().zip(&keys).enumerate() {
        let (job_id, _) = job_ids[i / cfg.slots_per_job];
        sqlx::query(
            "INSERT INTO assignments (id, job_id, department_id, officer_id, status, receipt_seq, \
             position, offered_us, created_us, updated_us, version) \
             VALUES ($1, $2, $3, $4, 'awarded', $5, NULL, NULL, $6, $6, $5)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(job_id.to_string())
        .bind(dept.to_string())
        .bind(o.id.to_string())
        .bind(seq)
        .bind(to_us(now - chrono::Duration::days(2)))
        .execute(&mut *tx)
        .await
        .unwrap();
        let device = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO devices (id, user_id, department_id, public_key, label, created_us) \
             VALUES ($1, $2, $3, $4, 'Bench phone', $5)",
        )
        .bind(device.to_string())
        .bind(o.id.to_string())
        .bind(dept.to_string())
        .bind(timecard::encode_public_key(key.verifying_key()))
        .bind(to_us(now - chrono::Duration::days(30)))
        .execute(&mut *tx)
        .await
        .unwrap();
        devices.push(device);
    }
    sqlx::query("UPDATE departments SET change_seq = $1 WHERE id = $2")
        .bind(seq)
        .bind(dept.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    if cfg.experiment_index {
        sqlx::query(
            "CREATE INDEX IF NOT EXISTS bench_clock_events_officer \
             ON clock_events (officer_id, device_us)",
        )
        .execute(&srv.db.pool)
        .await
        .unwrap();
    }

    // Each officer's first punch on their device, signed now (on the blocking pool).
    let made_at = Utc::now();
    let plan: Vec<(usize, String, Uuid, Uuid, Uuid, GeoPoint, SigningKey)> = officers
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (o, key))| {
            let (job, at) = job_ids[i / cfg.slots_per_job];
            (i, o.token.clone(), o.id, devices[i], job, at, key)
        })
        .collect();
    let sign = move |chunk: Vec<(usize, String, Uuid, Uuid, Uuid, GeoPoint, SigningKey)>| {
        chunk
            .into_iter()
            .map(|(i, token, officer, device, job, at, key)| {
                let mono = 3_600_000 + i as u64;
                let boot_id = format!("boot-{i}");
                let event = ClockEvent {
                    event_id: Uuid::now_v7(),
                    device_id: device,
                    officer_id: officer,
                    job_id: job,
                    kind: PunchKind::In,
                    seq: 1,
                    prev_hash: GENESIS_HASH.to_string(),
                    fix: EventFix {
                        // A few metres from the site's centre, 8 m accuracy, 2 s old.
                        lat_e7: (at.lat * 1e7).round() as i64 + (i % 7) as i64 * 30,
                        lon_e7: (at.lon * 1e7).round() as i64 - (i % 5) as i64 * 30,
                        accuracy_cm: 800,
                        fix_time: made_at - chrono::Duration::seconds(2),
                        provider: "fused".into(),
                        is_mock: false,
                    },
                    device_time: made_at,
                    monotonic_ms: mono,
                    boot_id: boot_id.clone(),
                };
                BurstItem {
                    token,
                    url: String::new(),
                    event: timecard::sign(event, &key),
                    made_at,
                    made_mono_ms: mono,
                    boot_id,
                }
            })
            .collect::<Vec<_>>()
    };
    let mut plan = plan;
    let second = plan.split_off(plan.len() / 2);
    let halves = [plan, second].map(|chunk| tokio::task::spawn_blocking(move || sign(chunk)));
    let mut items = Vec::with_capacity(cfg.clockins);
    for h in halves {
        items.extend(h.await.unwrap());
    }
    for (i, item) in items.iter_mut().enumerate() {
        item.url = format!("{}/v1/actions", srv.url_for(i));
    }
    let setup = t_setup.elapsed();

    let http = srv.http.clone();
    let (wall, results) = drive(items, cfg.concurrency, move |item: BurstItem| {
        let http = http.clone();
        async move {
            let url = item.url;
            // The phone reads its clocks when it sends (same boot as the punch).
            let sent_at = Utc::now();
            let elapsed = u64::try_from((sent_at - item.made_at).num_milliseconds()).unwrap_or(0);
            let batch = ActionBatch {
                actions: vec![ActionEnvelope {
                    idempotency_key: Uuid::now_v7(),
                    created_at: item.made_at,
                    action: Action::ClockIn { event: item.event },
                }],
                device_clock: Some(DeviceClock {
                    device_time: sent_at,
                    monotonic_ms: item.made_mono_ms + elapsed,
                    boot_id: item.boot_id,
                }),
            };
            let body = serde_json::to_vec(&batch).unwrap();
            post_action(&http, &url, &item.token, body).await
        }
    })
    .await;

    let mut verified = 0;
    for (_, _, outcome) in &results {
        match outcome {
            Outcome::Punched {
                verdict: PunchVerdict::Verified,
                ..
            } => verified += 1,
            other => panic!("shift change: unexpected outcome {other:?}"),
        }
    }
    let n = |sql: &'static str| {
        let db = srv.db.clone();
        async move {
            get::<i64>(
                &sqlx::query(sql)
                    .bind(dept.to_string())
                    .fetch_one(&db.pool)
                    .await
                    .unwrap(),
                "n",
            )
            .unwrap()
        }
    };
    let check = BurstCheck {
        verified,
        db_open: n(
            "SELECT COUNT(*) AS n FROM timecards WHERE department_id = $1 AND status = 'open' \
             AND clock_in_event IS NOT NULL",
        )
        .await,
        db_verified: n(
            "SELECT COUNT(*) AS n FROM clock_events WHERE department_id = $1 AND kind = 'in' \
             AND verdict = 'verified'",
        )
        .await,
    };
    assert_eq!(check.verified, cfg.clockins);
    assert_eq!(check.db_open, cfg.clockins as i64);
    assert_eq!(check.db_verified, cfg.clockins as i64);
    let label = format!(
        "D  shift change: {} signed clock-ins ({} jobs in progress{})",
        cfg.clockins,
        jobs,
        if cfg.fence_vertices >= 3 {
            format!(", {}-vertex polygon fences", cfg.fence_vertices)
        } else {
            String::new()
        }
    );
    (figures(&label, wall, &results), check, setup)
}

// ---------------------------------------------------------------------------------------------
// E: the fan-out.

/// A department of `cfg.fanout_officers` officers, all in sync; one job is posted; every
/// officer syncs from the cursor it held. Checked: each answer is a delta with that one job.
async fn fan_out(cfg: &Cfg, srv: &Server) -> (Figures, Duration) {
    let t_setup = Instant::now();
    let (dept, _, coord) = department(srv, "Fan Out PD").await;
    let officers = seed_officers(srv, dept, cfg.fanout_officers, "fanout").await;
    let head = |db: Db| async move {
        get::<i64>(
            &sqlx::query("SELECT change_seq FROM departments WHERE id = $1")
                .bind(dept.to_string())
                .fetch_one(&db.pool)
                .await
                .unwrap(),
            "change_seq",
        )
        .unwrap()
    };
    let post_job = |days: i64| {
        let body = offduty_testkit::api::job_body(Utc::now() + chrono::Duration::days(days), 4);
        let req = srv
            .http
            .post(format!("{}/v1/jobs", srv.url))
            .bearer_auth(&coord)
            .json(&body);
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), 201, "post a job");
            let job: serde_json::Value = resp.json().await.unwrap();
            job["id"].as_str().unwrap().parse::<Uuid>().unwrap()
        }
    };
    // The officers are in sync with a department that has one job; then the new one comes.
    post_job(1).await;
    let cursor = head(srv.db.clone()).await;
    let job_id = post_job(2).await;
    let items: Vec<(String, String)> = officers
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                o.token.clone(),
                format!("{}/v1/sync?cursor={cursor}", srv.url_for(i)),
            )
        })
        .collect();
    let setup = t_setup.elapsed();

    let http = srv.http.clone();
    let (wall, results) = drive(items, cfg.concurrency, move |(token, url)| {
        let http = http.clone();
        async move {
            let resp = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("GET /v1/sync");
            let status = resp.status();
            let bytes = resp.bytes().await.unwrap();
            assert!(
                status.is_success(),
                "GET /v1/sync: {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
            let sync: SyncResponse = serde_json::from_slice(&bytes).unwrap();
            (
                sync.full,
                sync.jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
            )
        }
    })
    .await;
    for (_, _, (full, jobs)) in &results {
        assert!(!full, "a fan-out sync was answered with a full snapshot");
        assert_eq!(
            jobs,
            &vec![job_id],
            "a fan-out sync did not carry the posted job"
        );
    }
    let label = format!(
        "E  fan-out: one job posted, {} officers sync",
        cfg.fanout_officers
    );
    (figures(&label, wall, &results), setup)
}

// ---------------------------------------------------------------------------------------------
// Memory.

/// The process's resident set in bytes (`VmRSS`).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Samples the resident set every 10 ms until stopped; `stop()` returns the peak.
struct RssPeak {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl RssPeak {
    fn start() -> RssPeak {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = rss_bytes();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_bytes());
                std::thread::sleep(Duration::from_millis(10));
            }
            peak.max(rss_bytes())
        });
        RssPeak { stop, thread }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// What group commit did during one phase.
fn group_line(phase: &str, before: GroupStats, after: GroupStats, actions: usize) -> String {
    let groups = after.groups - before.groups;
    let transactions = after.transactions - before.transactions;
    format!(
        "{phase}: {actions} actions in {groups} groups ({:.1} actions per group; largest so far \
         {}), {transactions} shared transactions committed",
        actions as f64 / groups.max(1) as f64,
        after.largest_group
    )
}

// ---------------------------------------------------------------------------------------------
// Report.

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn table(rows: &[&Figures]) {
    println!(
        "| phase | ops | wall s | ops/s | p50 ms | p99 ms | max ms | ops/s first 10% | ops/s last 10% |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in rows {
        println!(
            "| {} | {} | {:.2} | {} | {} | {} | {} | {} | {} |",
            f.label,
            f.count,
            f.wall.as_secs_f64(),
            rate(f.per_s()),
            ms(f.pct(50.0)),
            ms(f.pct(99.0)),
            ms(f.latencies.last().copied()),
            f.first_tenth.map(rate).unwrap_or_else(|| "—".into()),
            f.last_tenth.map(rate).unwrap_or_else(|| "—".into()),
        );
    }
}

async fn run_backend(cfg: &Cfg, dialect: Dialect) {
    let name = match dialect {
        Dialect::Sqlite => "SQLite (file, WAL, synchronous=FULL)",
        Dialect::Postgres => "PostgreSQL",
    };
    let t_all = Instant::now();
    let load_before = loadavg();
    let srv = start_server(cfg, dialect).await;
    eprintln!("[{name}] server at {} over {}", srv.url, srv.database_url);
    let settings = match dialect {
        Dialect::Sqlite => sqlite_settings(&srv.db).await,
        Dialect::Postgres => pg_settings(&srv.db).await,
    };

    eprintln!("[{name}] A: health floor…");
    let health = floor_health(cfg, &srv).await;
    eprintln!("[{name}] B: raw durable commits…");
    let before = floors(cfg, &srv, dialect, "before C").await;
    eprintln!("[{name}] C: claim race…");
    let rss_idle = rss_bytes();
    let g0 = srv.group_stats();
    let rss = RssPeak::start();
    let (race, race_check, race_setup) = claim_race(cfg, &srv).await;
    let rss_race = rss.stop();
    let g1 = srv.group_stats();
    eprintln!("[{name}] D: shift-change burst…");
    let rss = RssPeak::start();
    let (burst, burst_check, burst_setup) = shift_change(cfg, &srv).await;
    let rss_burst = rss.stop();
    let g2 = srv.group_stats();
    let fanout = if cfg.fanout_officers > 0 {
        eprintln!("[{name}] E: fan-out…");
        Some(fan_out(cfg, &srv).await)
    } else {
        None
    };
    // fsync latency drifts with whatever else the disk is doing: the floors are measured
    // again after the bursts, and the ratios use the mean of both runs.
    eprintln!("[{name}] B again…");
    let after = floors(cfg, &srv, dialect, "after D").await;
    println!();
    println!(
        "### {name} — {} server instance(s), group commit up to {} actions, concurrency {}, \
         server pool {}, {} CPUs, load average {} before, {} after",
        cfg.servers,
        cfg.group_max,
        cfg.concurrency,
        cfg.pool,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load_before,
        loadavg()
    );
    println!();
    println!("server database settings (read back from a pooled connection): {settings}");
    println!();
    let mut rows: Vec<&Figures> = vec![&health];
    rows.extend(before.iter());
    rows.push(&race);
    rows.push(&burst);
    if let Some((f, _)) = &fanout {
        rows.push(f);
    }
    rows.extend(after.iter());
    table(&rows);
    println!();
    println!("| ratio | value |");
    println!("|---|---:|");
    for (what, f) in [("claims/s", &race), ("clock-ins/s", &burst)] {
        println!(
            "| {what} ÷ health req/s | {:.4} |",
            f.per_s() / health.per_s()
        );
        for (b, a) in before.iter().zip(&after) {
            // The mean of the two runs of this floor, as a rate.
            let commits = (b.per_s() + a.per_s()) / 2.0;
            println!(
                "| {what} ÷ {} commits/s ({}) | {:.3} |",
                b.short,
                rate(commits),
                f.per_s() / commits
            );
        }
    }
    if let Some((f, _)) = &fanout {
        println!(
            "| sync requests/s (fan-out) ÷ health req/s | {:.3} |",
            f.per_s() / health.per_s()
        );
    }
    println!();
    println!("group commit — {}", group_line("C", g0, g1, race.count));
    println!("group commit — {}", group_line("D", g1, g2, burst.count));
    println!(
        "memory (process VmRSS, server and clients together): idle before C {}, peak during C {}, \
         peak during D {}",
        mib(rss_idle),
        mib(rss_race),
        mib(rss_burst)
    );
    println!();
    println!(
        "checks: claim race {} awarded + {} waitlisted (places 1..={} each once; database: {} \
         awarded, {} waitlisted); shift change {} punches verified (database: {} timecards open, \
         {} verified clock-ins){}",
        race_check.awarded,
        race_check.waitlisted,
        race_check.waitlisted,
        race_check.db_awarded,
        race_check.db_waitlisted,
        burst_check.verified,
        burst_check.db_open,
        burst_check.db_verified,
        if cfg.experiment_index {
            "; EXPERIMENT: extra index clock_events (officer_id, device_us)"
        } else {
            ""
        }
    );
    println!(
        "setup (not measured): claim race {:.1} s, shift change {:.1} s ({} P-256 keys, \
         signing, seeding), fan-out {:.1} s; backend total {:.1} s",
        race_setup.as_secs_f64(),
        burst_setup.as_secs_f64(),
        cfg.clockins,
        fanout.as_ref().map(|f| f.1.as_secs_f64()).unwrap_or(0.0),
        t_all.elapsed().as_secs_f64()
    );
    srv.stop(cfg).await;
}

fn main() {
    let cfg = Cfg::from_env();
    std::fs::create_dir_all(&cfg.dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "offduty load benchmark: {} client tasks; health {} req; raw commits {}; claim race {} \
             officers / {} slots; shift change {} clock-ins, {} per job",
            cfg.concurrency,
            cfg.health_requests,
            cfg.raw_commits,
            cfg.claim_officers,
            cfg.claim_slots,
            cfg.clockins,
            cfg.slots_per_job
        );
        for dialect in cfg.backends.clone() {
            run_backend(&cfg, dialect).await;
        }
    });
    let _ = std::fs::remove_dir_all(&cfg.dir);
}
