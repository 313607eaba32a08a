//! The clock screen (`offduty_screens::clock`) for Kotlin and Swift: its state records as
//! the screens crate defines them (`#[uniffi::remote]`), and the object with its intents. The
//! punch runs on the library's runtime, on a blocking thread: the platform signer (a Secure
//! Enclave or StrongBox key) never runs on the caller's thread.

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::clock::{
    ClockMap, ClockPhase, ClockShift, ClockState, LocationProblem, PunchLine, VerdictReason,
};

use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::punch::PunchVerdict;
use offduty_domain::timecard::PunchKind;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::error::ApiError;
use crate::screens::{OfficerScreens, ScreenListener, adapt};
use crate::types::LocationFix;

/// Why the platform has no location fix.
#[uniffi::remote(Enum)]
pub enum LocationProblem {
    /// The officer did not allow the app to use location.
    Denied,
    /// Location services are off on the phone.
    Disabled,
    /// No fix came in time.
    TimedOut,
}

/// Where the clock screen is.
#[uniffi::remote(Enum)]
pub enum ClockPhase {
    /// No shift to clock in to (or out of).
    NoShift,
    /// Ask the platform for a fix (`needs_location`) and hand it to `location_fix`.
    WaitingForFix,
    /// The platform has no fix: `message` says why, `advice` what to do.
    LocationUnavailable,
    /// The core's verdict on the fix, before anything is recorded.
    Preview,
    /// The punch would be rejected: recording it needs the officer's explicit confirmation.
    ConfirmRejected,
    /// Recorded on the phone, waiting to be sent.
    Queued,
    /// The server's verdict is in.
    Decided,
}

/// The shift the clock screen is about.
#[uniffi::remote(Record)]
pub struct ClockShift {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
}

/// What the map shows: the fence and, once known, the fix with its accuracy circle.
#[uniffi::remote(Record)]
pub struct ClockMap {
    pub fence: Geofence,
    pub fix: Option<GeoPoint>,
    pub accuracy_m: Option<f64>,
}

/// One reason a punch is not simply verified: a stable code and the rules' sentence.
#[uniffi::remote(Record)]
pub struct VerdictReason {
    /// `outside_fence`, `low_accuracy`, `mock_location`, …
    pub code: String,
    pub text: String,
}

/// A punch already made on the shift.
#[uniffi::remote(Record)]
pub struct PunchLine {
    pub kind: PunchKind,
    pub at: SystemTime,
    /// `Clocked in today 14:05`.
    pub text: String,
    pub local_verdict: Option<PunchVerdict>,
    pub server_verdict: Option<PunchVerdict>,
    /// The server's verdict in words, once known.
    pub verdict_text: Option<String>,
}

/// What the clock screen shows.
#[uniffi::remote(Record)]
pub struct ClockState {
    pub sync: SyncStatus,
    pub phase: ClockPhase,
    /// The punch the phase is about.
    pub punch: PunchKind,
    /// `Clock in` / `Clock out`.
    pub title: String,
    pub shift: Option<ClockShift>,
    /// The main sentence of the phase.
    pub message: String,
    pub advice: Option<String>,
    pub verdict: Option<PunchVerdict>,
    pub reasons: Vec<VerdictReason>,
    pub distance_outside_m: Option<f64>,
    pub map: Option<ClockMap>,
    /// Get a location fix now and hand it to `location_fix`.
    pub needs_location: bool,
    /// The confirm button (`confirm`), when there is one.
    pub confirm_label: Option<String>,
    /// The button that starts the next punch (`start`), when there is one.
    pub start_label: Option<String>,
    /// A punch is being signed and saved.
    pub busy: bool,
    pub clock_in: Option<PunchLine>,
    pub clock_out: Option<PunchLine>,
    /// Both punches are made.
    pub finished: bool,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The clock screen, on `job_id` or (`null`) on the shift it picks.
    pub fn clock(&self, job_id: Option<String>) -> Arc<ClockScreen> {
        Arc::new(ClockScreen {
            inner: self.inner.clock(job_id.as_deref()),
        })
    }
}

/// The clock screen.
#[derive(uniffi::Object)]
pub struct ClockScreen {
    inner: Arc<offduty_screens::ClockScreen>,
}

#[uniffi::export]
impl ClockScreen {
    /// What to draw now.
    pub fn state(&self) -> ClockState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// A location fix from the platform: previewed, nothing recorded yet.
    pub fn location_fix(&self, fix: LocationFix) {
        self.inner.location_fix(fix.into());
    }

    /// The platform has no fix, and why.
    pub fn location_unavailable(&self, problem: LocationProblem) {
        self.inner.location_unavailable(problem);
    }

    /// Starts (or restarts) the next punch: ask the platform for a fresh fix.
    pub fn start(&self) {
        self.inner.start();
    }

    /// Records the punch previewed (or, in `ConfirmRejected`, records it anyway), then
    /// syncs. Signed on a blocking thread of the library's runtime.
    pub async fn confirm(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || handle.block_on(inner.confirm()))
                .await
                .map_err(|e| ApiError::Internal {
                    detail: format!("punch task failed: {e}"),
                })
        })
        .await;
    }

    /// Pull to refresh (the server's verdict arrives this way).
    pub async fn refresh(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.refresh().await;
            Ok(())
        })
        .await;
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.inner.dismiss_notice();
    }
}
