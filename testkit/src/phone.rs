//! An officer's phone for tests: the real core behind a [`Link`] (a TCP proxy that can lose the
//! network) with a [`FakeClock`], signed in to a real server process ([`TestServer`]: the demo
//! department or a seeded one). Shared by the core's and the screens' tests.

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_core::platform::{
    DeviceClock, FileSecretStore, MemorySecretStore, SecretStore, SoftwareSigner,
};
use offduty_core::session::Session;
use offduty_core::sync::SyncReport;
use offduty_core::{Core, CoreConfig, Services};

use crate::TempDir;
use crate::server::TestServer;

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
// The demo department and phones.

/// The demo department's password (every demo account has it).
pub const DEMO_PASSWORD: &str = "offduty-demo-2026";

/// The demo department as a real server process ([`TestServer::demo`]), under the name the
/// screens' tests use: `DemoServer::start()`, then `server.addr`, `server.url`,
/// `server.db_path` and every [`TestServer`] method.
pub struct DemoServer(TestServer);

impl DemoServer {
    /// Starts one (seeding takes a few seconds).
    pub fn start() -> DemoServer {
        DemoServer(TestServer::demo())
    }
}

impl Deref for DemoServer {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.0
    }
}

/// Where a phone keeps its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// In memory: gone when the phone is dropped.
    Memory,
    /// In a file in the phone's folder: kept across [`Phone::reopen`].
    File,
}

/// A phone: the real core on its own database, behind its own [`Link`] to `upstream`, with a
/// software signer, a [`FakeClock`] and its secrets in memory or in a file. Not signed in yet
/// ([`Phone::sign_in`], [`Phone::log_in`], [`TestServer::phone`]).
pub struct Phone {
    pub core: Arc<Core>,
    pub link: Link,
    pub clock: Arc<FakeClock>,
    pub services: Services,
    pub db_path: PathBuf,
    /// Removed with the phone (kept when a test fails).
    _dir: TempDir,
}

impl Phone {
    /// A new phone that reaches the server at `upstream`, its secrets in memory.
    pub fn new(upstream: SocketAddr) -> Phone {
        Self::with_secrets(upstream, Secrets::Memory)
    }

    /// A new phone that reaches the server at `upstream`, its secrets kept as `secrets` says.
    pub fn with_secrets(upstream: SocketAddr, secrets: Secrets) -> Phone {
        let dir = TempDir::new("phone");
        let db_path = dir.join("phone.db");
        let secrets: Arc<dyn SecretStore> = match secrets {
            Secrets::Memory => Arc::new(MemorySecretStore::default()),
            Secrets::File => Arc::new(FileSecretStore::new(dir.join("secrets.json"))),
        };
        let clock = Arc::new(FakeClock::default());
        let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let services = Services {
            signer: Arc::new(SoftwareSigner::from_key(key)),
            secrets,
            clock: clock.clone(),
        };
        let link = Link::new(upstream);
        let core = open(&db_path, &link, &services);
        Phone {
            core,
            link,
            clock,
            services,
            db_path,
            _dir: dir,
        }
    }

    /// Signs in as `email` with the demo password ([`DEMO_PASSWORD`]) and syncs once.
    pub async fn sign_in(&self, email: &str) {
        self.log_in(email, DEMO_PASSWORD).await;
    }

    /// Signs in as `email` and syncs once (the sync must reach the server).
    pub async fn log_in(&self, email: &str, password: &str) -> Session {
        let session = self
            .core
            .login(email, password, "Test phone")
            .await
            .expect("login");
        let first = self.core.sync(None).await.expect("first sync");
        assert!(first.offline.is_none(), "first sync: {first:?}");
        session
    }

    /// The app is killed and started again: the same database file, the same platform
    /// services and link, a new core. Panics while another handle to the old core is alive.
    pub fn reopen(self) -> Phone {
        drop(Arc::into_inner(self.core).expect("reopen: the old core is still in use"));
        Phone {
            core: open(&self.db_path, &self.link, &self.services),
            ..self
        }
    }

    /// Who is signed in, as the core keeps it; panics when nobody is.
    pub fn session(&self) -> Session {
        self.core
            .session()
            .expect("read the session")
            .expect("signed in")
    }

    /// The network goes away (open connections are cut).
    pub fn go_offline(&self) {
        self.link.set_online(false);
    }

    /// The network comes back.
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

/// Opens the core on `db_path`, talking through `link`.
fn open(db_path: &std::path::Path, link: &Link, services: &Services) -> Arc<Core> {
    let (core, _) =
        Core::open(CoreConfig::new(db_path, &link.url()), services.clone()).expect("open the core");
    Arc::new(core)
}
