//! The clock screen's state records: phases, the shift, the map, reasons and punches — what
//! the shell draws.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::punch::PunchVerdict;
use offduty_domain::timecard::PunchKind;

use crate::{Notice, SyncStatus};

/// Why the platform has no location fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LocationProblem {
    /// The officer did not allow the app to use location.
    Denied,
    /// Location services are off on the phone.
    Disabled,
    /// No fix came in time.
    TimedOut,
}

/// Where the clock screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClockPhase {
    /// No shift to clock in to (or out of).
    NoShift,
    /// The shell should ask the platform for a fix (`needs_location`).
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

/// The shift the screen is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockShift {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
}

/// What the map shows: the job's fence and, once known, the fix with its accuracy circle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockMap {
    pub fence: Geofence,
    pub fix: Option<GeoPoint>,
    pub accuracy_m: Option<f64>,
}

/// One reason a punch is not simply verified: a stable code (`outside_fence`,
/// `low_accuracy`, `mock_location`, …) and the rules' sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictReason {
    pub code: String,
    pub text: String,
}

/// A punch already made on this shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PunchLine {
    pub kind: PunchKind,
    pub at: SystemTime,
    /// `Clocked in 14:05`.
    pub text: String,
    /// What this phone thought of it.
    pub local_verdict: Option<PunchVerdict>,
    /// What the server decided, once synced.
    pub server_verdict: Option<PunchVerdict>,
    /// The server's verdict in words (`Recorded and verified by the server.`), once known.
    pub verdict_text: Option<String>,
}

/// What the clock screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// What to do about it, when there is something to do.
    pub advice: Option<String>,
    /// The preview's verdict (`Preview`, `ConfirmRejected`), this phone's (`Queued`) or the
    /// server's (`Decided`).
    pub verdict: Option<PunchVerdict>,
    pub reasons: Vec<VerdictReason>,
    /// How far outside the fence the fix is, metres (0 inside), in a preview.
    pub distance_outside_m: Option<f64>,
    pub map: Option<ClockMap>,
    /// The shell should get a location fix now and hand it over.
    pub needs_location: bool,
    /// The confirm button, when there is one: `Clock in`, `Clock out`, `Record it anyway`.
    pub confirm_label: Option<String>,
    /// The button that starts the next punch (`Clock out`, after a clock-in): calls `start`.
    pub start_label: Option<String>,
    /// A punch is being signed and saved.
    pub busy: bool,
    pub clock_in: Option<PunchLine>,
    pub clock_out: Option<PunchLine>,
    /// Both punches are made.
    pub finished: bool,
    pub notice: Option<Notice>,
}
