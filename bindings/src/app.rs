//! `OfficerApp`: the one object the shells talk to.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use offduty_core::platform::SystemClock;
use offduty_core::{Core, CoreConfig, Services};

use crate::error::ApiError;
use crate::platform::{
    ClockAdapter, DeviceClock, ObserverAdapter, SecretStore, SecretsAdapter, Signer, SignerAdapter,
    SyncObserver,
};
use crate::types::*;

/// The library's own runtime: async work runs here, never on the caller's thread.
fn runtime() -> Result<&'static tokio::runtime::Runtime, ApiError> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("offduty-core")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| ApiError::Internal {
        detail: format!("cannot start the background runtime: {e}"),
    })
}

/// Runs `f` on the library's runtime and waits for it without blocking a thread.
pub(crate) async fn on_runtime<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
{
    runtime()?.spawn(f).await.map_err(|e| ApiError::Internal {
        detail: format!("background task failed: {e}"),
    })?
}

/// The officer's app: one per signed-in device database.
#[derive(uniffi::Object)]
pub struct OfficerApp {
    core: Arc<Core>,
    observer: Mutex<Option<Arc<dyn SyncObserver>>>,
    notice: StorageNotice,
}

impl OfficerApp {
    fn observer(&self) -> Option<Arc<dyn offduty_core::sync::SyncObserver>> {
        let guard = match self.observer.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        guard
            .clone()
            .map(|o| Arc::new(ObserverAdapter(o)) as Arc<dyn offduty_core::sync::SyncObserver>)
    }
}

impl OfficerApp {
    /// The core, for the screens built on it.
    pub(crate) fn core(&self) -> Arc<Core> {
        self.core.clone()
    }

    /// A punch, signed on a blocking thread of the library's runtime: the platform signer may
    /// be slow (a Secure Enclave or StrongBox key) and must never block the UI thread.
    async fn punch(
        &self,
        job_id: String,
        fix: LocationFix,
        kind: PunchKind,
        confirm_rejected: bool,
    ) -> Result<PunchResult, ApiError> {
        let id = parse_id("job_id", &job_id)?;
        let fix: offduty_domain::punch::LocationFix = fix.into();
        let core = self.core.clone();
        on_runtime(async move {
            tokio::task::spawn_blocking(move || {
                let punched = match kind {
                    PunchKind::In => core.clock_in(id, &fix, confirm_rejected),
                    PunchKind::Out => core.clock_out(id, &fix, confirm_rejected),
                }?;
                Ok(punched.into())
            })
            .await
            .map_err(|e| ApiError::Internal {
                detail: format!("signing task failed: {e}"),
            })?
        })
        .await
    }
}

#[uniffi::export]
impl OfficerApp {
    /// Opens (or creates) the officer's database at `db_path` for the department server at
    /// `server_url`, with the platform's signer and secret store, and optionally its clocks.
    /// A corrupt database is rebuilt; see [`OfficerApp::storage_notice`].
    #[uniffi::constructor]
    pub fn new(
        db_path: String,
        server_url: String,
        signer: Arc<dyn Signer>,
        secrets: Arc<dyn SecretStore>,
        clock: Option<Arc<dyn DeviceClock>>,
    ) -> Result<Arc<Self>, ApiError> {
        let clock: Arc<dyn offduty_core::platform::DeviceClock> = match clock {
            Some(c) => Arc::new(ClockAdapter {
                platform: c,
                host: SystemClock::default(),
            }),
            None => Arc::new(SystemClock::default()),
        };
        let services = Services {
            signer: Arc::new(SignerAdapter(signer)),
            secrets: Arc::new(SecretsAdapter(secrets)),
            clock,
        };
        let (core, report) = Core::open(CoreConfig::new(db_path, &server_url), services)?;
        let notice = match report.rescue {
            Some(r) => StorageNotice {
                rebuilt: true,
                rescued_actions: u32::try_from(r.actions.len()).unwrap_or(u32::MAX),
                export_path: Some(r.export_path.display().to_string()),
                unreadable: r.unreadable,
            },
            None => StorageNotice {
                rebuilt: false,
                rescued_actions: 0,
                export_path: None,
                unreadable: None,
            },
        };
        Ok(Arc::new(OfficerApp {
            core: Arc::new(core),
            observer: Mutex::new(None),
            notice,
        }))
    }

    /// What opening the database found (a rebuilt cache and rescued actions, if any).
    pub fn storage_notice(&self) -> StorageNotice {
        self.notice.clone()
    }

    /// Sets (or clears) the observer that receives sync progress and changes.
    pub fn set_observer(&self, observer: Option<Arc<dyn SyncObserver>>) {
        let mut guard = match self.observer.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *guard = observer;
    }

    /// The department server this app talks to.
    pub fn server_url(&self) -> String {
        self.core.server_url()
    }

    /// Signs in, registers this device's signing key if needed, and pulls the board.
    pub async fn login(
        &self,
        email: String,
        password: String,
        device_label: String,
    ) -> Result<Session, ApiError> {
        let core = self.core.clone();
        let observer = self.observer();
        on_runtime(async move {
            let session = core.login(&email, &password, &device_label).await?;
            core.sync(observer).await?;
            Ok(session.into())
        })
        .await
    }

    /// Signs out. With unsent actions, refuses unless `force` (they stay queued either way).
    pub async fn logout(&self, force: bool) -> Result<(), ApiError> {
        let core = self.core.clone();
        on_runtime(async move { Ok(core.logout(force).await?) }).await
    }

    /// The signed-in officer, if any (works offline).
    pub fn session(&self) -> Result<Option<Session>, ApiError> {
        Ok(self.core.session()?.map(Into::into))
    }

    /// The job board, from the local cache (works offline).
    pub fn jobs(&self, filter: BoardFilter) -> Result<Vec<JobCard>, ApiError> {
        Ok(self
            .core
            .jobs(&filter.into())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One job with everything the detail screen shows; `near` measures the distance.
    pub fn job(&self, job_id: String, near: Option<GeoPoint>) -> Result<JobCard, ApiError> {
        let id = parse_id("job_id", &job_id)?;
        Ok(self.core.job(id, near)?.into())
    }

    /// Claims a job (queued; refused at once when the cache already knows why not).
    pub fn claim(&self, job_id: String) -> Result<QueuedAction, ApiError> {
        Ok(self.core.claim(parse_id("job_id", &job_id)?)?.into())
    }

    /// Leaves the line on a job.
    pub fn withdraw(&self, job_id: String) -> Result<QueuedAction, ApiError> {
        Ok(self.core.withdraw(parse_id("job_id", &job_id)?)?.into())
    }

    /// Gives up a shift, within the department's cancellation windows.
    pub fn cancel(&self, job_id: String, reason: Option<String>) -> Result<QueuedAction, ApiError> {
        Ok(self
            .core
            .cancel(parse_id("job_id", &job_id)?, reason)?
            .into())
    }

    /// Hands a shift to a named officer, or offers it on the board (`to_officer_id = null`).
    pub fn transfer(
        &self,
        job_id: String,
        to_officer_id: Option<String>,
    ) -> Result<QueuedAction, ApiError> {
        let to = to_officer_id
            .map(|t| parse_id("to_officer_id", &t))
            .transpose()?;
        Ok(self.core.transfer(parse_id("job_id", &job_id)?, to)?.into())
    }

    /// Classifies a fix for a punch without recording it ("inside", "outside by 140 m", …).
    pub fn preview_punch(
        &self,
        job_id: String,
        kind: PunchKind,
        fix: LocationFix,
    ) -> Result<PunchPreview, ApiError> {
        let fix = fix.into();
        Ok(self
            .core
            .preview_punch(parse_id("job_id", &job_id)?, kind, &fix)?
            .into())
    }

    /// Clocks in (signed, queued; works offline). A punch the core's check rejects fails
    /// with `NeedsConfirmation` unless `confirm_rejected` (the officer read why and wants it
    /// recorded for review). The platform signer runs on the library's threads, never on the
    /// caller's.
    pub async fn clock_in(
        &self,
        job_id: String,
        fix: LocationFix,
        confirm_rejected: bool,
    ) -> Result<PunchResult, ApiError> {
        self.punch(job_id, fix, PunchKind::In, confirm_rejected)
            .await
    }

    /// Clocks out (signed, queued; works offline); `confirm_rejected` as for `clock_in`.
    pub async fn clock_out(
        &self,
        job_id: String,
        fix: LocationFix,
        confirm_rejected: bool,
    ) -> Result<PunchResult, ApiError> {
        self.punch(job_id, fix, PunchKind::Out, confirm_rejected)
            .await
    }

    /// The cancellation window that applies to a shift now, with its sentence: show it before
    /// the officer confirms a cancel.
    pub fn cancel_terms(&self, job_id: String) -> Result<CancelTerms, ApiError> {
        let (window, text) = self.core.cancel_window(parse_id("job_id", &job_id)?)?;
        Ok(CancelTerms { window, text })
    }

    /// The officer's shifts and places in line, soonest first; past shifts only when
    /// `include_past`.
    pub fn my_shifts(&self, include_past: bool) -> Result<Vec<JobCard>, ApiError> {
        Ok(self
            .core
            .my_jobs(include_past)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Earnings: per shift, per pay period, year to date, payments received.
    pub fn earnings(&self) -> Result<Earnings, ApiError> {
        Ok(self.core.earnings()?.into())
    }

    /// The earnings as CSV.
    pub fn earnings_csv(&self) -> Result<String, ApiError> {
        Ok(self.core.earnings_csv()?)
    }

    /// Notification preferences.
    pub fn preferences(&self) -> Result<Preferences, ApiError> {
        Ok(self.core.preferences()?.into())
    }

    /// Changes notification preferences (sent on the next sync).
    pub fn set_preferences(&self, preferences: Preferences) -> Result<(), ApiError> {
        Ok(self.core.set_preferences(preferences.into())?)
    }

    /// Whether the preferences shown are the server's, waiting to sync, or refused (with the
    /// server's reason).
    pub fn preferences_sync(&self) -> Result<PreferencesSync, ApiError> {
        Ok(self.core.preferences_sync()?.into())
    }

    /// Drops an edit of the preferences the server has not accepted (refused or pending) and
    /// goes back to the server's copy. Returns whether there was one.
    pub fn discard_preferences_edit(&self) -> Result<bool, ApiError> {
        Ok(self.core.discard_preferences_edit()?)
    }

    /// Where the officer's payout account stands (online; decision 049).
    pub async fn payout_account(&self) -> Result<PayoutAccountInfo, ApiError> {
        let core = self.core.clone();
        on_runtime(async move { Ok(core.payout_account().await?.into()) }).await
    }

    /// A fresh one-time link to the payment provider's set-up pages, for the shell to open in
    /// the browser. A department paying through its payroll refuses it with its sentence.
    pub async fn payout_setup_link(&self) -> Result<PayoutSetupLinkInfo, ApiError> {
        let core = self.core.clone();
        on_runtime(async move {
            let link = core.payout_setup_link().await?;
            Ok(PayoutSetupLinkInfo {
                url: link.url,
                expires_at: time(link.expires_at),
            })
        })
        .await
    }

    /// Sends queued actions and pulls changes. Offline is reported, not thrown.
    pub async fn sync_now(&self) -> Result<SyncReport, ApiError> {
        let core = self.core.clone();
        let observer = self.observer();
        on_runtime(async move {
            let report = core.sync(observer).await?;
            Ok(SyncReport::new(report, core.time_zone()?))
        })
        .await
    }

    /// Actions not yet confirmed by the server (wedged ones say why).
    pub fn pending_actions(&self) -> Result<Vec<PendingAction>, ApiError> {
        Ok(self
            .core
            .pending_actions()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Puts a wedged action back in the queue.
    pub fn retry_action(&self, idempotency_key: String) -> Result<bool, ApiError> {
        Ok(self
            .core
            .retry_action(parse_id("idempotency_key", &idempotency_key)?)?)
    }

    /// Discards a wedged action (the officer's decision; it is recorded).
    pub fn discard_action(&self, idempotency_key: String) -> Result<bool, ApiError> {
        Ok(self
            .core
            .discard_action(parse_id("idempotency_key", &idempotency_key)?)?)
    }

    /// When the last successful pull happened.
    pub fn last_sync(&self) -> Result<Option<SystemTime>, ApiError> {
        Ok(self.core.last_sync()?.map(time))
    }
}
