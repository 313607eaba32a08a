//! [`TestServer`]: a real `offduty-server` process on a fresh SQLite file with a department in
//! it — the demo one, or one seeded for the test — and the coordinator's side of the API
//! (jobs, rosters, timecards), the server's database (moving a job in time, decision 012) and
//! phones signed in to it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_core::session::Session;

use crate::api::{call, job_body};
use crate::phone::{DEMO_PASSWORD, Phone};
use crate::process::{ServerProcess, server_bin};
use crate::seed::{self, Account, COORDINATOR, PASSWORD, Seed};
use crate::{TempDir, move_job};

/// The demo department's coordinator.
pub const DEMO_COORDINATOR: &str = "coordinator@columbus.demo";

/// The flags after `serve` that start the demo department on `database_url`: the same the
/// Kotlin (`tests/kotlin/OfficerAppTest.kt`) and Swift (`DemoServer.swift`) tests pass.
pub fn demo_args(database_url: &str) -> Vec<String> {
    [
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        database_url,
    ]
    .map(str::to_string)
    .to_vec()
}

/// A running `offduty-server` over its own SQLite file (`db_path`), with one department.
/// Killed on drop, also when the test panics (its log is shown then); the folder goes with it
/// unless the test failed.
pub struct TestServer {
    /// `http://ADDR`.
    pub url: String,
    pub addr: SocketAddr,
    /// The server's SQLite file.
    pub db_path: PathBuf,
    /// Every account's password: [`PASSWORD`] when seeded, [`DEMO_PASSWORD`] for the demo.
    pub password: &'static str,
    /// The coordinator's e-mail address.
    pub coordinator_email: String,
    /// The seeded officers, most senior first (none for the demo: its officers are
    /// `officer001@columbus.demo` … `officer200@columbus.demo`).
    pub officers: Vec<Account>,
    /// A client for calls straight to the server (not through a phone's link).
    pub http: reqwest::Client,
    /// The process: its log, signals, exit (see also [`TestServer::stop`] and
    /// [`TestServer::restart`]).
    pub process: ServerProcess,
    coordinator_token: Mutex<Option<String>>,
    _dir: TempDir,
}

impl TestServer {
    /// The demo department (Columbus: 200 officers, ~60 jobs), started exactly as the Kotlin
    /// and Swift tests start it ([`demo_args`]). Seeding takes a few seconds.
    pub fn demo() -> TestServer {
        Self::demo_with(&[])
    }

    /// The demo department, with `extra` flags after [`demo_args`] (the terminal client's
    /// tests add `--sweep-seconds 1`).
    pub fn demo_with(extra: &[&str]) -> TestServer {
        let dir = TempDir::new("demo-server");
        let db_path = dir.join("server.db");
        let mut args = demo_args(&sqlite_url(&db_path));
        args.extend(extra.iter().map(|a| a.to_string()));
        let process = start(&args);
        Self::new(
            process,
            dir,
            db_path,
            DEMO_PASSWORD,
            DEMO_COORDINATOR,
            Vec::new(),
        )
    }

    /// A seeded department with `officers` officers: see [`Seed::officers`].
    pub async fn start(officers: usize) -> TestServer {
        Self::start_with(Seed::officers(officers)).await
    }

    /// A department seeded through the admin command line and the API (see [`crate::seed`]),
    /// served with a 1-second award sweep and the seed's claim limits.
    pub async fn start_with(seed: Seed) -> TestServer {
        let dir = TempDir::new("server");
        let db_path = dir.join("server.db");
        let db_url = sqlite_url(&db_path);
        seed::bootstrap(&server_bin(), &db_url);
        let mut args = ["--listen", "127.0.0.1:0", "--database-url", &db_url]
            .map(str::to_string)
            .to_vec();
        args.extend(seed.serve_args());
        let process = start(&args);
        let mut server = Self::new(process, dir, db_path, PASSWORD, COORDINATOR, Vec::new());
        let token = server.coordinator_token().await;
        server.officers =
            seed::add_officers(&server.http, &server.url, &token, seed.officers).await;
        server
    }

    fn new(
        process: ServerProcess,
        dir: TempDir,
        db_path: PathBuf,
        password: &'static str,
        coordinator: &str,
        officers: Vec<Account>,
    ) -> TestServer {
        TestServer {
            url: process.url(),
            addr: process.addr,
            db_path,
            password,
            coordinator_email: coordinator.to_string(),
            officers,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            process,
            coordinator_token: Mutex::new(None),
            _dir: dir,
        }
    }

    /// Takes the server away (the address stops answering; the database stays).
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts the server again on the same address and database.
    pub fn restart(&mut self) {
        self.process.restart();
    }

    // -----------------------------------------------------------------------------------------
    // The API.

    /// Sends a request straight to the server (not through a phone's link).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        call(&self.http, &self.url, method, path, token, body).await
    }

    /// Logs `email` in by password through the API; returns the access token.
    pub async fn login_token(&self, email: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": self.password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    /// The coordinator's access token (logged in once).
    pub async fn coordinator_token(&self) -> String {
        if let Some(t) = self.coordinator_token.lock().unwrap().clone() {
            return t;
        }
        let t = self.login_token(&self.coordinator_email).await;
        *self.coordinator_token.lock().unwrap() = Some(t.clone());
        t
    }

    /// `method path` as the coordinator; panics unless 2xx.
    pub async fn as_coordinator(&self, method: Method, path: &str, body: Option<&Value>) -> Value {
        let token = self.coordinator_token().await;
        let (status, value) = self.call(method.clone(), path, Some(&token), body).await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    /// Posts a job ([`job_body`]) as the coordinator; `f` edits the body first. Panics unless
    /// 201.
    pub async fn create_job_with(
        &self,
        starts_at: DateTime<Utc>,
        slots: u32,
        f: impl FnOnce(&mut Value),
    ) -> Value {
        let mut body = job_body(starts_at, slots);
        f(&mut body);
        let token = self.coordinator_token().await;
        let (status, job) = self
            .call(Method::POST, "/v1/jobs", Some(&token), Some(&body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "create job: {job}");
        job
    }

    /// Posts a job and returns its id.
    pub async fn create_job(&self, starts_at: DateTime<Utc>, slots: u32) -> Uuid {
        let job = self.create_job_with(starts_at, slots, |_| {}).await;
        seed::uuid_at(&job, "/id")
    }

    /// The job's roster (coordinator view).
    pub async fn roster(&self, job: Uuid) -> Vec<Value> {
        let v = self
            .as_coordinator(Method::GET, &format!("/v1/jobs/{job}/roster"), None)
            .await;
        v.as_array().unwrap().clone()
    }

    /// Every timecard of the department (coordinator view).
    pub async fn timecards(&self) -> Vec<Value> {
        let v = self
            .as_coordinator(Method::GET, "/v1/timecards", None)
            .await;
        v.as_array().unwrap().clone()
    }

    /// Approves a timecard.
    pub async fn approve_timecard(&self, id: Uuid) -> Value {
        self.as_coordinator(
            Method::POST,
            &format!("/v1/timecards/{id}/approve"),
            Some(&json!({"note": "checked in the e2e test"})),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // The database, and phones.

    /// A connection to the server's SQLite file (WAL: fine while the process runs).
    pub fn sqlite(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.db_path).unwrap();
        c.busy_timeout(Duration::from_secs(30)).unwrap();
        c
    }

    /// Moves a job in time (tests cannot wait hours for a shift to start): see
    /// [`crate::move_job`].
    pub fn move_job(
        &self,
        job: impl std::fmt::Display,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) {
        move_job(&self.db_path, &job.to_string(), starts_at, ends_at);
    }

    /// A new phone reaching this server, signed in as officer number `officer` and synced.
    pub async fn phone(&self, officer: usize) -> Phone {
        let phone = Phone::new(self.addr);
        self.sign_in(&phone, officer).await;
        phone
    }

    /// Signs `phone` in as officer number `officer` (whatever its link reaches: this server,
    /// or a proxy in front of it) and syncs once.
    pub async fn sign_in(&self, phone: &Phone, officer: usize) -> Session {
        let account = &self.officers[officer];
        let session = phone.log_in(&account.email, self.password).await;
        assert_eq!(session.officer_id, account.id);
        session
    }
}

/// The URL of a SQLite file.
fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

/// `serve <args>` with the server binary.
fn start(args: &[String]) -> ServerProcess {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ServerProcess::start(&server_bin(), &args, &[])
}
