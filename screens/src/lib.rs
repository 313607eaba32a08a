//! offduty-screens: the state and intents of every officer screen, decided once in Rust so the
//! Android and iOS apps only draw (the model is redbadger/crux: the core decides, the shell
//! renders).
//!
//! - [`Screens`] is the root: it owns the core, knows which screens are alive, runs syncs and
//!   tells every live screen when something it shows may have changed.
//! - Each screen is an object (`BoardScreen`, …) with `state()` — an immutable record the UI
//!   draws as it is — and intents (methods). A shell sets one [`Listener`] per screen; on
//!   `changed()` it reads `state()` again (docs/decisions/027-screens-layer.md says why).
//! - Every sentence comes from here ([`text`]) or from the rules (`offduty-domain`); times are
//!   shown in the department's zone with the device's hour cycle ([`format`]).
//! - Intents never throw for what an officer can do wrong: a refusal or a failure becomes a
//!   [`Notice`] in the screen's state.

pub mod board;
pub mod format;
pub mod text;

pub mod actions;
pub mod activity;
pub mod clock;
pub mod earnings;
pub mod events;
pub mod history;
pub mod inbox;
pub mod job;
pub mod labels;
pub mod links;
pub mod nav;
pub mod settings;
pub mod shifts;
pub mod sign_in;
pub mod sign_in_link;
pub mod transfer;

use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};

use offduty_core::sync::SyncReport;
use offduty_core::{Core, CoreError};

pub use activity::ActivityScreen;
pub use board::BoardScreen;

pub use clock::ClockScreen;
pub use earnings::EarningsScreen;
pub use events::AppEvent;
pub use format::{Display, Fmt, HourCycle};
pub use history::HistoryScreen;
pub use inbox::InboxScreen;
pub use job::JobScreen;
pub use labels::{Labels, SortChoice, labels};
pub use links::Route;
pub use nav::{Chrome, Tab, TabItem, chrome};
pub use settings::SettingsScreen;
pub use shifts::ShiftsScreen;
pub use sign_in::SignInScreen;
use text::Msg;

/// A shell's hook on one screen: called (on a library thread) whenever the screen's state may
/// have changed; the shell reads `state()` again and draws it.
pub trait Listener: Send + Sync {
    fn changed(&self);
}

/// The listener of one screen.
#[derive(Default)]
pub struct Notifier {
    listener: Mutex<Option<Arc<dyn Listener>>>,
}

impl Notifier {
    /// Sets (or clears) the listener.
    pub fn set(&self, listener: Option<Arc<dyn Listener>>) {
        *lock(&self.listener) = listener;
    }

    /// Tells the listener, if any.
    pub fn notify(&self) {
        let listener = lock(&self.listener).clone();
        if let Some(l) = listener {
            l.changed();
        }
    }
}

/// A poisoned lock still holds valid screen state (nothing here leaves it half-written).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// A screen the root can tell about changes.
pub(crate) trait Live: Send + Sync {
    fn notifier(&self) -> &Notifier;
}

/// How fresh the phone's copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncKind {
    /// Never synced: the board is empty.
    Never,
    /// A sync is running.
    Syncing,
    /// The last sync reached the server.
    Synced,
    /// The last sync could not reach the server.
    Offline,
}

/// The sync line every screen that reads the cache shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub kind: SyncKind,
    /// "Updated today 14:05", "Offline — last updated yesterday 09:10", "Syncing…".
    pub text: String,
    pub last_sync: Option<std::time::SystemTime>,
    /// Actions waiting to be sent.
    pub pending: u32,
    /// Actions the queue gave up on (see the activity screen).
    pub wedged: u32,
}

/// A message for the officer on a screen (a snackbar or a banner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

/// What kind of message a [`Notice`] is (its colour and icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// Done, or queued (it will be sent).
    Success,
    /// Something to know.
    Info,
    /// The rules refuse it; the text says why.
    Refused,
    /// Something failed (storage, the server); the text says what.
    Failure,
}

impl Notice {
    pub(crate) fn new(kind: NoticeKind, text: impl Into<String>) -> Notice {
        Notice {
            kind,
            text: text.into(),
        }
    }

    /// The notice for a core error: refusals and bad input in the rules' own words.
    pub(crate) fn from_error(e: &CoreError) -> Notice {
        match e {
            CoreError::Rejected { reason, .. } => Notice::new(NoticeKind::Refused, reason.clone()),
            CoreError::Invalid(i) => Notice::new(NoticeKind::Refused, i.message.clone()),
            CoreError::NeedsConfirmation { message, .. } => {
                Notice::new(NoticeKind::Info, message.clone())
            }
            CoreError::NotFound(_) => Notice::new(
                NoticeKind::Refused,
                "This job is no longer on this phone; pull to refresh.",
            ),
            CoreError::Offline(_) => Notice::new(
                NoticeKind::Info,
                "No connection: it will be sent when you are back online.",
            ),
            other => Notice::new(NoticeKind::Failure, other.to_string()),
        }
    }
}

#[derive(Default)]
struct SyncState {
    syncing: bool,
    /// Why the last sync could not reach the server.
    offline: Option<String>,
}

/// The root of the officer's screens.
pub struct Screens {
    core: Arc<Core>,
    display: Mutex<Display>,
    live: Mutex<Vec<Weak<dyn Live>>>,
    sync: Mutex<SyncState>,
}

impl Screens {
    /// The screens of the officer app on `core`.
    pub fn new(core: Arc<Core>) -> Arc<Screens> {
        Arc::new(Screens {
            core,
            display: Mutex::new(Display::default()),
            live: Mutex::new(Vec::new()),
            sync: Mutex::new(SyncState::default()),
        })
    }

    /// The core under the screens.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// The device's locale preferences (the hour cycle); every live screen redraws.
    pub fn set_display(&self, display: Display) {
        *lock(&self.display) = display;
        self.notify_all();
    }

    /// How times are written now.
    pub fn fmt(&self) -> Fmt {
        Fmt {
            tz: self.core.time_zone().unwrap_or(chrono_tz::UTC),
            display: *lock(&self.display),
        }
    }

    /// The sync line.
    pub fn sync_status(&self) -> SyncStatus {
        let now = self.core.now();
        let last = self.core.last_sync().ok().flatten();
        let (pending, wedged) = match self.core.pending_actions() {
            Ok(p) => {
                let wedged = p.iter().filter(|a| a.wedged_reason.is_some()).count();
                (p.len() - wedged, wedged)
            }
            Err(_) => (0, 0),
        };
        let state = lock(&self.sync);
        let fmt = self.fmt();
        let (kind, text) = match (state.syncing, &state.offline, last) {
            (true, _, _) => (SyncKind::Syncing, Msg::Syncing.text()),
            (false, Some(_), Some(t)) => (
                SyncKind::Offline,
                Msg::OfflineSince.with(&[("when", &fmt.relative(t, now))]),
            ),
            (false, Some(_), None) => (SyncKind::Offline, Msg::OfflineNever.text()),
            (false, None, Some(t)) => (
                SyncKind::Synced,
                Msg::SyncedAt.with(&[("when", &fmt.relative(t, now))]),
            ),
            (false, None, None) => (SyncKind::Never, Msg::SyncNever.text()),
        };
        SyncStatus {
            kind,
            text,
            last_sync: last.map(std::time::SystemTime::from),
            pending: u32::try_from(pending).unwrap_or(u32::MAX),
            wedged: u32::try_from(wedged).unwrap_or(u32::MAX),
        }
    }

    /// Sends queued actions and pulls what changed, telling every live screen before (the
    /// "syncing" line) and after. Being offline is not an error: the status says so.
    pub async fn sync(&self) -> Result<SyncReport, CoreError> {
        lock(&self.sync).syncing = true;
        self.notify_all();
        let result = self.core.sync(None).await;
        {
            let mut state = lock(&self.sync);
            state.syncing = false;
            match &result {
                Ok(r) => state.offline.clone_from(&r.offline),
                Err(CoreError::Offline(why)) => state.offline = Some(why.clone()),
                Err(_) => {}
            }
        }
        self.notify_all();
        result
    }

    /// Remembers a screen so it hears about changes (it is forgotten once dropped).
    pub(crate) fn register(&self, screen: Weak<dyn Live>) {
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        live.push(screen);
    }

    /// Tells every live screen that what it shows may have changed.
    pub fn notify_all(&self) {
        let live: Vec<Arc<dyn Live>> = lock(&self.live).iter().filter_map(Weak::upgrade).collect();
        for screen in live {
            screen.notifier().notify();
        }
    }

    /// The job board.
    pub fn board(self: &Arc<Self>) -> Arc<BoardScreen> {
        let screen = Arc::new(BoardScreen::new(self.clone()));
        let weak: Weak<BoardScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The clock screen, on the job `job_id` or (`None`) on the shift it picks: clocked in
    /// and not out, else the one whose clock-in window is open, else the next. An id that is
    /// not one names no job: the screen says so (it never falls back to another shift).
    pub fn clock(self: &Arc<Self>, job_id: Option<&str>) -> Arc<ClockScreen> {
        let job = job_id.map(|j| j.trim().parse().unwrap_or(uuid::Uuid::nil()));
        let screen = Arc::new(ClockScreen::new(self.clone(), job));
        let weak: Weak<ClockScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The sign-in screen (the server address pre-filled with the core's).
    pub fn sign_in(self: &Arc<Self>) -> Arc<SignInScreen> {
        let screen = Arc::new(SignInScreen::new(self.clone()));
        let weak: Weak<SignInScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The earnings screen.
    pub fn earnings(self: &Arc<Self>) -> Arc<EarningsScreen> {
        let screen = Arc::new(EarningsScreen::new(self.clone()));
        let weak: Weak<EarningsScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The officer's history: past shifts by month, and its PDF.
    pub fn history(self: &Arc<Self>) -> Arc<HistoryScreen> {
        let screen = Arc::new(HistoryScreen::new(self.clone()));
        let weak: Weak<HistoryScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The detail screen of one job (`job_id` as the board's rows give it).
    pub fn job(self: &Arc<Self>, job_id: &str) -> Arc<JobScreen> {
        let screen = Arc::new(JobScreen::new(self.clone(), job_id));
        let weak: Weak<JobScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The settings screen; `device` is what the shell knows of the phone (the storage
    /// notice, where secrets are kept).
    pub fn settings(self: &Arc<Self>, device: settings::DeviceFacts) -> Arc<SettingsScreen> {
        let screen = Arc::new(SettingsScreen::new(self.clone(), device));
        let weak: Weak<SettingsScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// My shifts.
    pub fn shifts(self: &Arc<Self>) -> Arc<ShiftsScreen> {
        let screen = Arc::new(ShiftsScreen::new(self.clone()));
        let weak: Weak<ShiftsScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The notifications inbox.
    pub fn inbox(self: &Arc<Self>) -> Arc<InboxScreen> {
        let screen = Arc::new(InboxScreen::new(self.clone()));
        let weak: Weak<InboxScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }

    /// The activity screen (pending and wedged actions).
    pub fn activity(self: &Arc<Self>) -> Arc<ActivityScreen> {
        let screen = Arc::new(ActivityScreen::new(self.clone()));
        let weak: Weak<ActivityScreen> = Arc::downgrade(&screen);
        self.register(weak);
        screen
    }
}
