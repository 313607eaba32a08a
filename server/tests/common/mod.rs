//! Test harness: a real server (the production router) on a random port over a fresh database
//! — SQLite in a temporary file, or a new PostgreSQL database — plus builders for departments,
//! users, jobs and signed clock events. It tests the server as a library; what it shares with
//! the other crates' tests (the API call, the job body, the password) comes from
//! `offduty_testkit`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_arguments
)]

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::Role;
use offduty_domain::timecard::{
    self, ClockEvent, EventFix, GENESIS_HASH, PunchKind, SignedClockEvent,
};
use offduty_server::app::{AppState, router};
use offduty_server::db::{Db, migrate};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
pub use offduty_testkit::api::job_body;

pub mod browser;
pub mod money;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}

/// A fresh, migrated database URL for `backend`.
pub async fn fresh_database(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir =
                std::env::temp_dir().join(format!("offduty-test-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join("test.db").display())
        }
        Backend::Postgres => {
            let admin = std::env::var("OFFDUTY_TEST_PG_URL").unwrap_or_else(|_| {
                panic!(
                    "PostgreSQL tests need OFFDUTY_TEST_PG_URL (an admin URL). Run scripts/test.sh, \
                     or start one with `export OFFDUTY_TEST_PG_URL=$(scripts/pg-start.sh)`."
                )
            });
            let name = format!("t_{}", Uuid::new_v4().simple());
            let db = Db::connect(&admin, 1)
                .await
                .expect("connect to the PostgreSQL admin URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&db.pool)
                .await
                .unwrap();
            db.pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
    }
}

/// Hashing argon2 is slow: every fixture user shares this password (the same as a seeded
/// `offduty_testkit::TestServer`'s).
pub use offduty_testkit::PASSWORD;

fn password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| offduty_server::auth::passwords::hash_password(PASSWORD).unwrap())
}

/// A signed-in user for tests.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub department_id: Uuid,
    pub role: Role,
    pub email: String,
    pub token: String,
}

/// A running server.
pub struct TestApp {
    pub backend: Backend,
    pub url: String,
    /// The database this server runs on (a second server process can share it).
    pub database_url: String,
    pub addr: SocketAddr,
    pub db: Db,
    pub state: AppState,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Starts a server on a fresh database.
    pub async fn start(backend: Backend) -> TestApp {
        let url = fresh_database(backend).await;
        Self::start_on(backend, &url).await
    }

    /// Starts a server on a fresh database with `limits` (rate limits, group commit).
    pub async fn start_with(backend: Backend, limits: offduty_server::app::Limits) -> TestApp {
        let url = fresh_database(backend).await;
        Self::start_on_with(backend, &url, limits).await
    }

    /// Starts a server on a fresh database, its state set up by `configure` first (a payment
    /// gateway, say).
    pub async fn start_configured(
        backend: Backend,
        configure: impl FnOnce(&mut AppState),
    ) -> TestApp {
        let url = fresh_database(backend).await;
        Self::start_on_configured(
            backend,
            &url,
            offduty_server::app::Limits::default(),
            configure,
        )
        .await
    }

    /// Starts a server on an existing database URL (migrating it).
    pub async fn start_on(backend: Backend, database_url: &str) -> TestApp {
        Self::start_on_with(
            backend,
            database_url,
            offduty_server::app::Limits::default(),
        )
        .await
    }

    async fn start_on_with(
        backend: Backend,
        database_url: &str,
        limits: offduty_server::app::Limits,
    ) -> TestApp {
        Self::start_on_configured(backend, database_url, limits, |_| {}).await
    }

    async fn start_on_configured(
        backend: Backend,
        database_url: &str,
        limits: offduty_server::app::Limits,
        configure: impl FnOnce(&mut AppState),
    ) -> TestApp {
        let db = Db::connect(database_url, 16).await.unwrap();
        migrate::migrate(&db).await.unwrap();
        let mut state = AppState::with_limits(db.clone(), limits).await.unwrap();
        configure(&mut state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestApp {
            backend,
            url: format!("http://{addr}"),
            database_url: database_url.to_string(),
            addr,
            db,
            state,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            server,
        }
    }

    /// A department with default rules and one coordinator.
    pub async fn department(&self, name: &str) -> (Uuid, Actor) {
        let dept = create_department(&self.db, &NewDepartment::new(name, "America/New_York"))
            .await
            .unwrap();
        let coord = self
            .user(
                dept,
                Role::Coordinator,
                &format!(
                    "coord-{}@{}.test",
                    Uuid::new_v4().simple(),
                    name.to_lowercase().replace(' ', "-")
                ),
            )
            .await;
        (dept, coord)
    }

    /// A user of `role` with a fresh access token.
    pub async fn user(&self, dept: Uuid, role: Role, email: &str) -> Actor {
        self.user_with(dept, role, email, |_| {}).await
    }

    /// An officer with a valid permit, rank Officer, no certifications.
    pub async fn officer(&self, dept: Uuid) -> Actor {
        self.officer_with(dept, |_| {}).await
    }

    /// An officer customized by `f`.
    pub async fn officer_with(&self, dept: Uuid, f: impl FnOnce(&mut NewUser)) -> Actor {
        let email = format!("officer-{}@test.dev", Uuid::new_v4().simple());
        self.user_with(dept, Role::Officer, &email, |u| {
            u.permit_expires_at = Some(Utc::now() + chrono::Duration::days(365));
            u.rank = Rank::Officer;
            f(u)
        })
        .await
    }

    /// A user of `role` customized by `f`.
    pub async fn user_with(
        &self,
        dept: Uuid,
        role: Role,
        email: &str,
        f: impl FnOnce(&mut NewUser),
    ) -> Actor {
        let mut u = NewUser::new(dept, role, email, password_hash());
        f(&mut u);
        let id = create_user(&self.db, &u).await.unwrap();
        Actor {
            id,
            department_id: dept,
            role,
            email: u.email.clone(),
            token: self.state.tokens.issue_access(id, dept, role, Utc::now()),
        }
    }

    /// Sends a request; returns the status and the JSON body (`Value::Null` when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        actor: Option<&Actor>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let token = actor.map(|a| a.token.as_str());
        offduty_testkit::api::call(&self.http, &self.url, method, path, token, body).await
    }

    pub async fn get(&self, path: &str, actor: &Actor) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Some(actor), None)
            .await
    }

    pub async fn post(&self, path: &str, actor: &Actor, body: &Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(actor), Some(body))
            .await
    }

    /// Posts a job as `coord`; `f` edits the default body first. Panics unless 201.
    pub async fn job(&self, coord: &Actor, f: impl FnOnce(&mut Value)) -> Value {
        let mut body = job_body(Utc::now() + chrono::Duration::days(3), 2);
        f(&mut body);
        let (status, job) = self.post("/v1/jobs", coord, &body).await;
        assert_eq!(status, StatusCode::CREATED, "create job: {job}");
        job
    }

    /// Submits one action; returns the outcome object.
    pub async fn act(&self, officer: &Actor, action: Value) -> Value {
        let batch = json!({"actions": [envelope(action)]});
        let (status, body) = self.post("/v1/actions", officer, &batch).await;
        assert_eq!(status, StatusCode::OK, "actions: {body}");
        body["outcomes"][0]["outcome"].clone()
    }

    /// `claim` shortcut.
    pub async fn claim(&self, officer: &Actor, job_id: &str) -> Value {
        self.act(officer, json!({"type": "claim", "job_id": job_id}))
            .await
    }
}

/// Wraps an action with a fresh UUIDv7 idempotency key.
pub fn envelope(action: Value) -> Value {
    json!({"idempotency_key": Uuid::now_v7(), "created_at": Utc::now(), "action": action})
}

/// A device with a software P-256 key, building signed, chained clock events.
pub struct TestDevice {
    pub id: Uuid,
    pub key: SigningKey,
    pub seq: u64,
    pub last_hash: String,
    pub boot_id: String,
}

impl TestDevice {
    /// Registers a new device for `officer`.
    pub async fn register(app: &TestApp, officer: &Actor) -> TestDevice {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let public = timecard::encode_public_key(key.verifying_key());
        let (status, body) = app
            .post(
                "/v1/devices",
                officer,
                &json!({"public_key": public, "label": "Test phone"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "register device: {body}");
        TestDevice {
            id: body["id"].as_str().unwrap().parse().unwrap(),
            key,
            seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            boot_id: "boot-1".into(),
        }
    }

    /// The next event in this device's chain (advances seq and hash).
    pub fn punch(
        &mut self,
        officer: &Actor,
        job_id: &str,
        kind: PunchKind,
        at: DateTime<Utc>,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    ) -> SignedClockEvent {
        let event = self.next_event(officer.id, job_id, kind, at, lat, lon, accuracy_m);
        self.advance(&event);
        self.sign_event(event)
    }
}

/// The action JSON for a signed event.
pub fn punch_action(kind: PunchKind, event: &SignedClockEvent) -> Value {
    let t = match kind {
        PunchKind::In => "clock_in",
        PunchKind::Out => "clock_out",
    };
    json!({"type": t, "event": event})
}

impl TestApp {
    /// Moves a job in time (tests cannot wait hours for a shift to start): sets its start and
    /// end directly in the database.
    pub async fn set_job_times(
        &self,
        job_id: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) {
        sqlx::query("UPDATE jobs SET starts_us = $1, ends_us = $2 WHERE id = $3")
            .bind(starts_at.timestamp_micros())
            .bind(ends_at.timestamp_micros())
            .bind(job_id.to_string())
            .execute(&self.db.pool)
            .await
            .unwrap();
    }
}

// ---- Helpers for the reliability tests (races, idempotency, clock integrity). ----

impl TestDevice {
    /// The next event in this device's chain, unsigned, without advancing the chain (tests
    /// that tamper, skip or fork need the raw event).
    pub fn next_event(
        &self,
        officer_id: Uuid,
        job_id: &str,
        kind: PunchKind,
        at: DateTime<Utc>,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    ) -> ClockEvent {
        let seq = self.seq + 1;
        ClockEvent {
            event_id: Uuid::now_v7(),
            device_id: self.id,
            officer_id,
            job_id: job_id.parse().unwrap(),
            kind,
            seq,
            prev_hash: self.last_hash.clone(),
            fix: EventFix {
                lat_e7: (lat * 1e7).round() as i64,
                lon_e7: (lon * 1e7).round() as i64,
                accuracy_cm: (accuracy_m * 100.0).round() as i64,
                fix_time: at - chrono::Duration::seconds(3),
                provider: "gps".into(),
                is_mock: false,
            },
            device_time: at,
            monotonic_ms: 1_000_000 + seq * 1000,
            boot_id: self.boot_id.clone(),
        }
    }

    /// Signs `event` with this device's key.
    pub fn sign_event(&self, event: ClockEvent) -> SignedClockEvent {
        timecard::sign(event, &self.key)
    }

    /// Moves the chain past `event` (after the server accepted it).
    pub fn advance(&mut self, event: &ClockEvent) {
        self.seq = event.seq;
        self.last_hash = event.hash_hex();
    }
}

impl TestApp {
    /// Posts a raw `/v1/actions` body; returns the status and JSON body.
    pub async fn actions(&self, officer: &Actor, batch: &Value) -> (StatusCode, Value) {
        self.post("/v1/actions", officer, batch).await
    }

    /// `n` officers of `dept` (valid permits, fresh tokens).
    pub async fn officers(&self, dept: Uuid, n: usize) -> Vec<Actor> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.officer(dept).await);
        }
        out
    }
}

/// An envelope with a caller-chosen idempotency key.
pub fn envelope_with_key(key: Uuid, action: Value) -> Value {
    json!({"idempotency_key": key, "created_at": Utc::now(), "action": action})
}
