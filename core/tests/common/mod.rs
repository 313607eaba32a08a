//! End-to-end harness: a REAL `offduty-server` process on a fresh SQLite file, a toggleable TCP
//! proxy between the phone and the server (so a phone can lose its network and get it back), a
//! fake device clock, and phones running the real core.
//!
//! The server binary is [`offduty_testkit::server_bin`]: `$OFFDUTY_SERVER_BIN`, else
//! `<target>/debug/offduty-server`, which the workspace-wide `cargo nextest run` of
//! scripts/test.sh builds along with the server's own tests. When it is missing it is built once;
//! an existing binary is used as it is (run `cargo build -p offduty-server` first when testing
//! only this crate after changing the server).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_core::platform::{
    DeviceClock, FileSecretStore, MemorySecretStore, SecretStore, SoftwareSigner,
};
use offduty_core::sync::SyncReport;
use offduty_core::{Core, CoreConfig, Services};
use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::Role;
use offduty_server::db::{Db, migrate};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
pub use offduty_testkit::TempDir;
use offduty_testkit::{server_bin, spawn_server};

/// Every fixture user shares this password (argon2 is slow: it is hashed once per process).
pub const PASSWORD: &str = "correct horse battery staple";

/// The argon2 hash of [`PASSWORD`], computed once per process.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| offduty_server::auth::passwords::hash_password(PASSWORD).unwrap())
}

/// A user seeded into the server's database.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
}

/// What to seed before the server starts.
#[derive(Debug, Clone)]
pub struct Seed {
    pub officers: usize,
    pub claim_burst: u32,
    pub claims_per_minute: u32,
}

impl Seed {
    pub fn officers(n: usize) -> Seed {
        Seed {
            officers: n,
            claim_burst: 1_000_000,
            claims_per_minute: 1_000_000,
        }
    }
}

/// A running `offduty-server` process over its own SQLite file. Killed on drop (also when
/// the test panics).
pub struct TestServer {
    pub dir: TempDir,
    pub db_path: PathBuf,
    pub url: String,
    pub addr: SocketAddr,
    pub department_id: Uuid,
    pub coordinator: Account,
    pub officers: Vec<Account>,
    pub http: reqwest::Client,
    child: Child,
    coordinator_token: Mutex<Option<String>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Then `dir` goes (kept when the test panicked).
    }
}

impl TestServer {
    /// Seeds a department (America/New_York), a coordinator and `officers` officers, then
    /// starts the server with a 1-second sweep and claim limits no test reaches.
    pub async fn start(officers: usize) -> TestServer {
        Self::start_with(Seed::officers(officers)).await
    }

    pub async fn start_with(seed: Seed) -> TestServer {
        let dir = TempDir::new("server");
        let db_path = dir.join("server.db");
        let db_url = format!("sqlite://{}", db_path.display());
        let (department_id, coordinator, officers) = {
            let db = Db::connect(&db_url, 1).await.unwrap();
            migrate::migrate(&db).await.unwrap();
            let dept = create_department(&db, &NewDepartment::new("E2E PD", "America/New_York"))
                .await
                .unwrap();
            let coord_email = "coordinator@e2e.test".to_string();
            let coord = create_user(
                &db,
                &NewUser::new(dept, Role::Coordinator, &coord_email, password_hash()),
            )
            .await
            .unwrap();
            let mut officers = Vec::new();
            for i in 0..seed.officers {
                let email = format!("officer{i}@e2e.test");
                let mut u = NewUser::new(dept, Role::Officer, &email, password_hash());
                u.display_name = format!("Officer {i}");
                u.badge = format!("B{i:04}");
                u.rank = Rank::Officer;
                u.seniority = u32::try_from(i + 1).unwrap();
                u.permit_expires_at = Some(Utc::now() + chrono::Duration::days(365));
                let id = create_user(&db, &u).await.unwrap();
                officers.push(Account { id, email });
            }
            db.pool.close().await;
            (
                dept,
                Account {
                    id: coord,
                    email: coord_email,
                },
                officers,
            )
        };

        let (child, addr) = spawn_server(
            &server_bin(),
            &[
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                &db_url,
                "--sweep-seconds",
                "1",
                "--claim-burst",
                &seed.claim_burst.to_string(),
                "--claims-per-minute",
                &seed.claims_per_minute.to_string(),
            ],
        );
        TestServer {
            dir,
            db_path,
            url: format!("http://{addr}"),
            addr,
            department_id,
            coordinator,
            officers,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            child,
            coordinator_token: Mutex::new(None),
        }
    }

    /// Sends a request straight to the server (not through a phone's link).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// Logs in by password through the API; returns the access token.
    pub async fn login_token(&self, email: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": PASSWORD})),
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
        let t = self.login_token(&self.coordinator.email).await;
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

    /// Posts a job (first come, 4 h, a 250 m fence at Ohio Stadium); `f` edits the body.
    pub async fn create_job_with(
        &self,
        starts_at: DateTime<Utc>,
        slots: u32,
        f: impl FnOnce(&mut Value),
    ) -> Value {
        let mut body = job_body(starts_at, slots);
        f(&mut body);
        self.as_coordinator(Method::POST, "/v1/jobs", Some(&body))
            .await
    }

    /// Posts a job and returns its id.
    pub async fn create_job(&self, starts_at: DateTime<Utc>, slots: u32) -> Uuid {
        let job = self.create_job_with(starts_at, slots, |_| {}).await;
        job["id"].as_str().unwrap().parse().unwrap()
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

    /// A connection to the server's SQLite file (WAL: fine while the process runs).
    pub fn sqlite(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.db_path).unwrap();
        c.busy_timeout(Duration::from_secs(30)).unwrap();
        c
    }

    /// Moves a job in time (tests cannot wait hours for a shift to start): see
    /// [`offduty_testkit::move_job`].
    pub fn move_job(&self, job: Uuid, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
        offduty_testkit::move_job(&self.db_path, &job.to_string(), starts_at, ends_at);
    }
}

/// A valid job body starting at `starts_at` (4 h long) with `slots` slots, first come.
pub fn job_body(starts_at: DateTime<Utc>, slots: u32) -> Value {
    json!({
        "title": "Traffic control — Buckeyes home game",
        "customer_name": "Ohio State Athletics",
        "site_name": "Ohio Stadium, Lot 1",
        "address": "411 Woody Hayes Dr, Columbus, OH 43210",
        "location": {"lat": SITE.0, "lon": SITE.1},
        "geofence": {"type": "circle", "center": {"lat": SITE.0, "lon": SITE.1}, "radius_m": FENCE_RADIUS_M},
        "starts_at": starts_at,
        "ends_at": starts_at + chrono::Duration::hours(4),
        "slots": slots,
        "job_type": "traffic",
        "award_rule": {"type": "first_come"},
    })
}

/// The job site (lat, lon) and its fence radius.
pub const SITE: (f64, f64) = (40.0017, -83.0197);
pub const FENCE_RADIUS_M: f64 = 250.0;

/// The point `metres` north of the site.
pub fn north_of_site(metres: f64) -> (f64, f64) {
    let m_per_deg = offduty_domain::geofence::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    (SITE.0 + metres / m_per_deg, SITE.1)
}

/// A whole hour `hours` from now (job times are easier to read on the hour).
pub fn hours_from_now(hours: i64) -> DateTime<Utc> {
    let t = Utc::now() + chrono::Duration::hours(hours);
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 3600 + 3600, 0).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The link: a TCP proxy that can lose the network.

struct LinkState {
    upstream: SocketAddr,
    online: AtomicBool,
    closed: AtomicBool,
    /// Both halves of every live proxied connection (guarded together with `online`).
    conns: Mutex<Vec<TcpStream>>,
}

impl LinkState {
    fn cut(conns: &mut Vec<TcpStream>) {
        for c in conns.drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

/// A TCP proxy in front of the server. Offline, it closes every existing connection and
/// accepts-then-closes new ones: the phone sees what it sees when the network drops.
pub struct Link {
    addr: SocketAddr,
    state: Arc<LinkState>,
}

impl Link {
    pub fn new(upstream: SocketAddr) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(LinkState {
            upstream,
            online: AtomicBool::new(true),
            closed: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                if st.closed.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(down) = incoming else { continue };
                let mut conns = st.conns.lock().unwrap();
                if !st.online.load(Ordering::SeqCst) {
                    let _ = down.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(up) = TcpStream::connect(st.upstream) else {
                    let _ = down.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = down.set_nodelay(true);
                let _ = up.set_nodelay(true);
                conns.push(down.try_clone().unwrap());
                conns.push(up.try_clone().unwrap());
                drop(conns);
                pipe(down.try_clone().unwrap(), up.try_clone().unwrap());
                pipe(up, down);
            }
        });
        Link { addr, state }
    }

    /// The address the phone talks to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Brings the network up or down (down also cuts the connections that are open).
    pub fn set_online(&self, online: bool) {
        let mut conns = self.state.conns.lock().unwrap();
        self.state.online.store(online, Ordering::SeqCst);
        if !online {
            LinkState::cut(&mut conns);
        }
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
        let _ = from.shutdown(Shutdown::Read);
    });
}

impl Drop for Link {
    fn drop(&mut self) {
        self.state.closed.store(true, Ordering::SeqCst);
        LinkState::cut(&mut self.state.conns.lock().unwrap());
        // Wake the accept loop so it sees `closed`.
        let _ = TcpStream::connect(self.addr);
    }
}

// ---------------------------------------------------------------------------------------------
// The fake device clock.

/// Wall time = real now + an adjustable offset; monotonic time counts real time since the fake
/// "boot" plus an adjustable offset; the boot id can change (a reboot).
pub struct FakeClock {
    started: Instant,
    wall_offset_ms: AtomicI64,
    mono_offset_ms: AtomicI64,
    boot: Mutex<String>,
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock {
            started: Instant::now(),
            wall_offset_ms: AtomicI64::new(0),
            // Up for two days already, so the clocks can be set hours back.
            mono_offset_ms: AtomicI64::new(48 * 3_600_000),
            boot: Mutex::new(format!("boot-{}", Uuid::new_v4().simple())),
        }
    }
}

impl FakeClock {
    /// Time passes (wall and monotonic alike), e.g. the phone sat in a pocket for a shift. A
    /// negative `d` sets both clocks back: what follows happens "that long ago" as far as the
    /// server can tell once it sees later readings of the same boot.
    pub fn advance(&self, d: chrono::Duration) {
        self.wall_offset_ms
            .fetch_add(d.num_milliseconds(), Ordering::SeqCst);
        self.mono_offset_ms
            .fetch_add(d.num_milliseconds(), Ordering::SeqCst);
    }

    /// The officer moves the wall clock (monotonic time is not affected).
    pub fn set_wall_offset(&self, d: chrono::Duration) {
        self.wall_offset_ms
            .store(d.num_milliseconds(), Ordering::SeqCst);
    }

    /// The device restarts: a new boot id, monotonic time starts over.
    pub fn reboot(&self) {
        *self.boot.lock().unwrap() = format!("boot-{}", Uuid::new_v4().simple());
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap();
        self.mono_offset_ms.store(-elapsed, Ordering::SeqCst);
    }
}

impl DeviceClock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.wall_offset_ms.load(Ordering::SeqCst))
    }

    fn monotonic_ms(&self) -> u64 {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap();
        u64::try_from((elapsed + self.mono_offset_ms.load(Ordering::SeqCst)).max(0)).unwrap()
    }

    fn boot_id(&self) -> String {
        self.boot.lock().unwrap().clone()
    }
}

// ---------------------------------------------------------------------------------------------
// A phone.

/// An officer's phone: the real core on its own SQLite file, behind its own [`Link`].
pub struct TestPhone {
    pub core: Core,
    pub link: Link,
    pub clock: Arc<FakeClock>,
    pub services: Services,
    pub dir: Arc<TempDir>,
    pub db_path: PathBuf,
    pub officer: Account,
}

impl TestPhone {
    /// A new phone for officer number `officer` (memory secret store), signed in and synced.
    pub async fn sign_in(server: &TestServer, officer: usize) -> TestPhone {
        Self::sign_in_with(server, officer, false).await
    }

    /// A new phone, signed in and synced; its tokens are kept in a file in the phone's
    /// directory (`file_secrets`) or in memory.
    pub async fn sign_in_with(
        server: &TestServer,
        officer: usize,
        file_secrets: bool,
    ) -> TestPhone {
        Self::sign_in_through(server, officer, file_secrets, server.addr).await
    }

    /// A new phone whose network reaches `upstream` (a proxy in front of `server`, say),
    /// signed in as officer number `officer` of `server` and synced.
    pub async fn sign_in_through(
        server: &TestServer,
        officer: usize,
        file_secrets: bool,
        upstream: SocketAddr,
    ) -> TestPhone {
        let dir = Arc::new(TempDir::new("phone"));
        let db_path = dir.0.join("phone.db");
        let secrets: Arc<dyn SecretStore> = if file_secrets {
            Arc::new(FileSecretStore::new(dir.0.join("secrets.json")))
        } else {
            Arc::new(MemorySecretStore::default())
        };
        let clock = Arc::new(FakeClock::default());
        let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let services = Services {
            signer: Arc::new(SoftwareSigner::from_key(key)),
            secrets,
            clock: clock.clone(),
        };
        let link = Link::new(upstream);
        let (core, _) = Core::open(CoreConfig::new(&db_path, &link.url()), services.clone())
            .expect("open the core");
        let account = server.officers[officer].clone();
        let session = core
            .login(&account.email, PASSWORD, "Test phone")
            .await
            .expect("login");
        assert_eq!(session.officer_id, account.id);
        let phone = TestPhone {
            core,
            link,
            clock,
            services,
            dir,
            db_path,
            officer: account,
        };
        let first = phone.sync().await;
        assert!(first.offline.is_none(), "first sync: {first:?}");
        phone
    }

    /// The app is killed and started again: the same database file, the same platform
    /// services, a new core.
    pub fn reopen(self) -> TestPhone {
        let TestPhone {
            core,
            link,
            clock,
            services,
            dir,
            db_path,
            officer,
        } = self;
        drop(core);
        let (core, _) = Core::open(CoreConfig::new(&db_path, &link.url()), services.clone())
            .expect("reopen the core");
        TestPhone {
            core,
            link,
            clock,
            services,
            dir,
            db_path,
            officer,
        }
    }

    pub fn go_offline(&self) {
        self.link.set_online(false);
    }

    pub fn go_online(&self) {
        self.link.set_online(true);
    }

    /// Syncs; panics on an error (being offline is not one: see `report.offline`).
    pub async fn sync(&self) -> SyncReport {
        self.core.sync(None).await.expect("sync")
    }

    /// The one line the officer reads about their standing on `job`.
    pub fn standing(&self, job: Uuid) -> String {
        self.core
            .job(job, None)
            .expect("job in cache")
            .standing_text
    }
}
