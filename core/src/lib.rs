//! offduty-core: the officer's embedded library — the phone's brain. An offline job board in
//! SQLite, a durable queue of the officer's actions that syncs later, clock in/out with signed,
//! chained events, earnings and preferences. Every decision uses `offduty-domain`; the shells
//! (Android, iOS, the terminal client) render and forward events.
//!
//! Layout: [`store`] (SQLite, migrations, rescue) · [`outbox`] (the queue) · [`standing`]
//! (server state + pending actions) · [`board`] · [`actions`] · [`clock`] · [`sync`] (engine)
//! · [`apply`] (pulled data) · [`session`] · [`earnings`] · [`prefs`] · [`inbox`]
//! (notifications) · [`push`] (the push token) · [`platform`] (signer, secrets, clocks) ·
//! [`api`] (HTTP) · [`checks`] (action rules on the cache) · [`server`] (which server,
//! switched before sign-in) · [`directory`] (colleagues) · [`refusals`].

pub mod actions;
pub mod api;
pub mod apply;
pub mod board;
pub mod checks;
pub mod clock;
pub mod directory;
pub mod earnings;
pub mod error;
pub mod history;
pub mod inbox;
pub mod job_cache;
pub mod outbox;
pub mod outcome;
pub mod payouts;
pub mod platform;
pub mod prefs;
pub mod push;
pub mod ratings;
pub mod refusals;
pub mod server;
pub mod session;
pub mod standing;
pub mod store;
pub mod sync;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

pub use error::{CoreError, Result};
use platform::{DeviceClock, SecretStore, Signer};
use store::{OpenReport, Store};

/// Where the core keeps its data and which server it talks to.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// The SQLite file (created if missing).
    pub db_path: PathBuf,
    /// The department's server, e.g. `https://detail.columbus.example`.
    pub server_url: String,
    /// Timeout of one HTTP request.
    pub http_timeout: Duration,
    /// Development only: allow a plain `http://` server that is not on this machine. Off by
    /// default; a phone build never sets it.
    pub allow_insecure_http: bool,
}

impl CoreConfig {
    /// A configuration with a 30-second HTTP timeout.
    pub fn new(db_path: impl Into<PathBuf>, server_url: &str) -> Self {
        CoreConfig {
            db_path: db_path.into(),
            server_url: server_url.to_string(),
            http_timeout: Duration::from_secs(30),
            allow_insecure_http: false,
        }
    }
}

/// The platform services the shell passes in.
#[derive(Clone)]
pub struct Services {
    pub signer: Arc<dyn Signer>,
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn DeviceClock>,
}

/// The officer's app core. Cheap to share (`Arc<Core>`); methods are safe to call from any
/// thread; `sync` runs one at a time.
pub struct Core {
    pub(crate) store: Store,
    /// The server's API; replaced only by [`Core::use_server`] (before sign-in).
    pub(crate) api: std::sync::RwLock<api::Api>,
    pub(crate) services: Services,
    /// Names the secrets of this database and server ([`Core::use_server`] changes it too).
    pub(crate) secret_prefix: std::sync::RwLock<String>,
    pub(crate) config: CoreConfig,
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    pub(crate) punch_lock: std::sync::Mutex<()>,
}

impl Core {
    /// Opens the local database (creating, upgrading or — if corrupt — rebuilding it, see
    /// [`OpenReport`]) and prepares the client. Pending work resumes on the next `sync`.
    pub fn open(config: CoreConfig, services: Services) -> Result<(Core, OpenReport)> {
        let (store, report) = Store::open(&config.db_path)?;
        let api = api::Api::new(
            &config.server_url,
            config.http_timeout,
            config.allow_insecure_http,
        )?;
        let secret_prefix = server::secret_prefix(&config, &api);
        if let Some(r) = &report.rescue {
            tracing::warn!(
                rescued = r.actions.len(),
                export = %r.export_path.display(),
                "the local database was corrupt; unsent actions were carried over"
            );
        }
        Ok((
            Core {
                store,
                api: std::sync::RwLock::new(api),
                services,
                secret_prefix: std::sync::RwLock::new(secret_prefix),
                config,
                sync_lock: tokio::sync::Mutex::new(()),
                punch_lock: std::sync::Mutex::new(()),
            },
            report,
        ))
    }

    /// The server this core talks to.
    pub fn server_url(&self) -> String {
        self.api().base_url().to_string()
    }

    /// When the last successful pull happened.
    pub fn last_sync(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        self.store.read(|c| {
            let us = store::meta::get_i64(c, store::meta::keys::LAST_SYNC_US)?;
            Ok((us > 0).then(|| store::from_us(us)))
        })
    }

    /// The officer's shifts and places in line, soonest first, with their standing. Unless
    /// `include_past`, only current ones ([`Core::is_current_shift`]).
    pub fn my_jobs(&self, include_past: bool) -> Result<Vec<board::JobCard>> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            let ctx = board::Context::load(c, now)?;
            // Shifts held, claims and places in line, and anything still waiting to sync; not
            // jobs the officer left.
            let mut ids: Vec<Uuid> = ctx
                .standing
                .iter()
                .filter(|(_, s)| s.status.is_some_and(|st| st.is_active()) || s.pending.is_some())
                .map(|(id, _)| *id)
                .collect();
            ids.sort();
            let mut cards = Vec::new();
            for id in ids {
                if let Some(job) = apply::job(c, id)? {
                    let card = ctx.card(job, None);
                    if include_past || card.is_current_shift(now) {
                        cards.push(card);
                    }
                }
            }
            cards.sort_by(|a, b| {
                a.job
                    .starts_at
                    .cmp(&b.job.starts_at)
                    .then(a.job.id.cmp(&b.job.id))
            });
            Ok(cards)
        })
    }

    /// Whether `card` is still a current shift: until its clock-out window closes, or while an
    /// action on it waits to sync ([`board::JobCard::is_current_shift`] at the device's time).
    pub fn is_current_shift(&self, card: &board::JobCard) -> bool {
        card.is_current_shift(self.services.clock.now())
    }

    /// The job board.
    pub fn jobs(&self, query: &board::BoardQuery) -> Result<Vec<board::JobCard>> {
        let now = self.services.clock.now();
        self.store
            .read(|c| board::list_cached(c, self.store.job_cache(), query, now))
    }

    /// One page of the job board, with how many jobs match.
    pub fn board_page(&self, query: &board::BoardQuery) -> Result<board::BoardPage> {
        let now = self.services.clock.now();
        self.store
            .read(|c| board::page_cached(c, self.store.job_cache(), query, now))
    }

    /// The device's time (the platform clock).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.services.clock.now()
    }

    /// Job types on the board, for a filter (sorted).
    pub fn job_types(&self) -> Result<Vec<String>> {
        self.store.read(board::job_types)
    }

    /// One job, with everything the detail screen shows.
    pub fn job(
        &self,
        id: Uuid,
        near: Option<offduty_domain::geofence::GeoPoint>,
    ) -> Result<board::JobCard> {
        let now = self.services.clock.now();
        self.store.read(|c| board::detail(c, id, near, now))
    }

    /// The department's time zone (UTC until the rules are synced): local times for the
    /// officer are shown in it.
    pub fn time_zone(&self) -> Result<chrono_tz::Tz> {
        Ok(self
            .rules()?
            .and_then(|r| offduty_domain::eligibility::parse_time_zone(&r.time_zone).ok())
            .unwrap_or(chrono_tz::UTC))
    }

    /// The department's rules as last synced.
    pub fn rules(&self) -> Result<Option<offduty_domain::protocol::DepartmentRules>> {
        self.store.read(apply::rules)
    }
}
