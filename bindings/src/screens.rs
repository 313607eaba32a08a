//! The officer screens (`offduty-screens`) for Kotlin and Swift: the root `OfficerScreens`, one
//! object per screen with `state()` and its intents, and `ScreenListener`, the one foreign
//! trait every screen tells of a change (docs/decisions/027-screens-layer.md). The state records
//! are the screens crate's own types, exported as they are (`#[uniffi::remote]`).

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::board::{BoardFilters, BoardRow, BoardSort, BoardState, Eligibility};
pub use offduty_screens::{Display, HourCycle, Notice, NoticeKind, SyncKind, SyncStatus};

use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_domain::protocol::JobStatus;

use crate::app::{OfficerApp, on_runtime};
use crate::error::{ApiError, PlatformError};

/// Told whenever a screen's state may have changed (on a library thread): read `state()`
/// again and draw it. A throwing listener is logged, never a crash.
#[uniffi::export(with_foreign)]
pub trait ScreenListener: Send + Sync {
    fn changed(&self) -> Result<(), PlatformError>;
}

struct ListenerAdapter(Arc<dyn ScreenListener>);

impl offduty_screens::Listener for ListenerAdapter {
    fn changed(&self) {
        if let Err(e) = self.0.changed() {
            tracing::warn!(error = %e, "a screen listener failed");
        }
    }
}

pub(crate) fn adapt(
    listener: Option<Arc<dyn ScreenListener>>,
) -> Option<Arc<dyn offduty_screens::Listener>> {
    listener.map(|l| Arc::new(ListenerAdapter(l)) as Arc<dyn offduty_screens::Listener>)
}

// ---------------------------------------------------------------------------------------------
// The records and enums of the screens, as UniFFI sees them.

/// 24-hour or 12-hour clock, as the device's locale prefers.
#[uniffi::remote(Enum)]
pub enum HourCycle {
    H24,
    H12,
}

/// What the shell tells the screens about the device's locale.
#[uniffi::remote(Record)]
pub struct Display {
    pub hour_cycle: HourCycle,
}

/// How fresh the phone's copy is.
#[uniffi::remote(Enum)]
pub enum SyncKind {
    Never,
    Syncing,
    Synced,
    Offline,
}

/// The sync line every screen that reads the cache shows.
#[uniffi::remote(Record)]
pub struct SyncStatus {
    pub kind: SyncKind,
    /// "Updated today 14:05", "Offline — last updated yesterday 09:10", "Syncing…".
    pub text: String,
    pub last_sync: Option<SystemTime>,
    /// Actions waiting to be sent.
    pub pending: u32,
    /// Actions the queue gave up on (see the activity screen).
    pub wedged: u32,
}

/// What kind of message a notice is (its colour and icon).
#[uniffi::remote(Enum)]
pub enum NoticeKind {
    Success,
    Info,
    Refused,
    Failure,
}

/// A message for the officer on a screen (a snackbar or a banner).
#[uniffi::remote(Record)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

/// How the board is ordered.
#[uniffi::remote(Enum)]
pub enum BoardSort {
    Soonest,
    Nearest,
    BestPay,
}

/// The filters the officer set on the board.
#[uniffi::remote(Record)]
pub struct BoardFilters {
    pub near_me: bool,
    pub radius_km: f64,
    pub from: Option<SystemTime>,
    pub to: Option<SystemTime>,
    pub min_hourly_cents: Option<i64>,
    pub job_types: Vec<String>,
    pub only_eligible: bool,
}

/// Whether the officer may work a job, as a badge.
#[uniffi::remote(Enum)]
pub enum Eligibility {
    Eligible,
    NotEligible,
    Unknown,
}

/// One row of the board, ready to draw.
#[uniffi::remote(Record)]
pub struct BoardRow {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub status: JobStatus,
    /// `$70.00/h`.
    pub pay: String,
    pub estimate: Option<String>,
    /// `1 of 2 filled`.
    pub slots: String,
    pub full: bool,
    pub award: AwardRuleKind,
    pub award_label: String,
    pub eligibility: Eligibility,
    pub eligibility_text: String,
    pub standing: StandingKind,
    pub standing_text: String,
    pub distance: Option<String>,
}

/// What the board shows.
#[uniffi::remote(Record)]
pub struct BoardState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    pub filters: BoardFilters,
    pub filter_summary: String,
    pub sort: BoardSort,
    pub rows: Vec<BoardRow>,
    pub matched: u32,
    pub has_more: bool,
    pub empty: Option<String>,
    pub job_types: Vec<String>,
    pub notice: Option<Notice>,
}

// ---------------------------------------------------------------------------------------------
// The objects.

/// The officer's screens, on the same core as an `OfficerApp`.
#[derive(uniffi::Object)]
pub struct OfficerScreens {
    pub(crate) inner: Arc<offduty_screens::Screens>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The screens of `app` (one per app; they share its database and session).
    #[uniffi::constructor]
    pub fn new(app: Arc<OfficerApp>) -> Arc<Self> {
        Arc::new(OfficerScreens {
            inner: offduty_screens::Screens::new(app.core()),
        })
    }

    /// The device's locale preferences (the hour cycle); every live screen redraws.
    pub fn set_display(&self, display: Display) {
        self.inner.set_display(display);
    }

    /// The sync line.
    pub fn sync_status(&self) -> SyncStatus {
        self.inner.sync_status()
    }

    /// Syncs now; every live screen hears of it (offline is a state, not an error).
    pub async fn sync(&self) -> Result<(), ApiError> {
        let inner = self.inner.clone();
        on_runtime(async move {
            inner.sync().await?;
            Ok(())
        })
        .await
    }

    /// The job board.
    pub fn board(&self) -> Arc<BoardScreen> {
        Arc::new(BoardScreen {
            inner: self.inner.board(),
        })
    }
}

/// The job board screen.
#[derive(uniffi::Object)]
pub struct BoardScreen {
    inner: Arc<offduty_screens::BoardScreen>,
}

#[uniffi::export]
impl BoardScreen {
    /// What to draw now.
    pub fn state(&self) -> BoardState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Changes the filters (back to the first page).
    pub fn set_filters(&self, filters: BoardFilters) {
        self.inner.set_filters(filters);
    }

    /// Changes the order (back to the first page).
    pub fn set_sort(&self, sort: BoardSort) {
        self.inner.set_sort(sort);
    }

    /// Where the officer is, from the platform's location service.
    pub fn set_location(&self, lat: f64, lon: f64) {
        self.inner.set_location(lat, lon);
    }

    /// The officer's location is not available (permission denied, no fix).
    pub fn clear_location(&self) {
        self.inner.clear_location();
    }

    /// Shows the next page.
    pub fn load_more(&self) {
        self.inner.load_more();
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.inner.dismiss_notice();
    }

    /// Pull to refresh (a failure becomes the state's notice).
    pub async fn refresh(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.refresh().await;
            Ok(())
        })
        .await;
    }
}
