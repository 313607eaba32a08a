//! The job detail screen for Kotlin and Swift, and what it shares with my-shifts: the action
//! buttons with their confirmations, and the "give this shift to…" officer search. The records
//! are the screens crate's own types (`#[uniffi::remote]`).

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_domain::eligibility::Rank;
pub use offduty_screens::actions::{ConfirmDialog, JobAction, JobActionKind, LateChoice};
pub use offduty_screens::job::{JobDetail, JobState, MapFence, MapPoint, ReasonLine, SignupPhase};
pub use offduty_screens::transfer::{OfficerMatch, TransferPicker};

use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_domain::award::AwardRuleKind;
use offduty_domain::protocol::JobStatus;
use offduty_screens::board::Eligibility;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

// ---------------------------------------------------------------------------------------------
// Actions and their confirmations (job detail and my shifts).

/// What an action button does.
#[uniffi::remote(Enum)]
pub enum JobActionKind {
    /// Take a free (or offered) slot of a first-come job.
    Claim,
    /// Ask for a ranked job; slots are awarded when signups close.
    Request,
    /// Every slot is taken: wait in line for one.
    JoinWaitlist,
    /// Leave the line.
    Withdraw,
    /// Give the shift up.
    Cancel,
    /// Hand the shift to a named officer (opens the officer search).
    Transfer,
    /// Offer the shift back to the board.
    Offer,
    /// Tell the department the officer will be late: pick the minutes from the state's
    /// `late_choices`, then call `report_late`.
    RunningLate,
    /// Give the shift up at short notice (confirm the dialog's sentence first).
    WontMakeIt,
}

/// One "how late" choice for the running-late intent.
#[uniffi::remote(Record)]
pub struct LateChoice {
    pub minutes: u16,
    /// `15 min`.
    pub label: String,
}

/// A confirmation to show before an action goes ahead.
#[uniffi::remote(Record)]
pub struct ConfirmDialog {
    pub title: String,
    /// What happens if the officer goes ahead (for a cancel: the window that applies now).
    pub message: String,
    pub confirm_label: String,
    pub cancel_label: String,
    /// Set when the dialog asks for an optional reason (a text field with this label).
    pub reason_label: Option<String>,
}

/// One action on a job, ready to draw as a button.
#[uniffi::remote(Record)]
pub struct JobAction {
    pub kind: JobActionKind,
    pub label: String,
    /// Whether the rules allow it now.
    pub enabled: bool,
    /// Why not, in the rules' words.
    pub disabled_reason: Option<String>,
    /// Show this first; perform the action when the officer confirms.
    pub confirm: Option<ConfirmDialog>,
}

// ---------------------------------------------------------------------------------------------
// The officer search of a transfer.

/// Sworn ranks, lowest first.
#[uniffi::remote(Enum)]
pub enum Rank {
    Officer,
    Corporal,
    Sergeant,
    Lieutenant,
    Captain,
    Commander,
    Chief,
}

/// One colleague the search found.
#[uniffi::remote(Record)]
pub struct OfficerMatch {
    pub officer_id: String,
    pub display_name: String,
    pub badge: String,
    pub rank: Rank,
    /// `Sergeant Sam Reynolds · #1187`.
    pub line: String,
    /// Show this when the officer picks them; `transfer_to` on confirm.
    pub confirm: ConfirmDialog,
}

/// The "give this shift to…" panel.
#[uniffi::remote(Record)]
pub struct TransferPicker {
    pub job_id: String,
    pub job_title: String,
    pub title: String,
    pub query: String,
    pub searching: bool,
    pub results: Vec<OfficerMatch>,
    /// Type more, no match, or needs a connection.
    pub hint: Option<String>,
    /// The search needs a connection and the phone has none.
    pub offline: bool,
    /// The other way: offer the shift back to the board.
    pub offer: Option<JobAction>,
}

// ---------------------------------------------------------------------------------------------
// The job detail.

/// A point on the map.
#[uniffi::remote(Record)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Where a clock-in counts as on site, to draw on a map.
#[uniffi::remote(Enum)]
pub enum MapFence {
    Circle { center: MapPoint, radius_m: f64 },
    Polygon { vertices: Vec<MapPoint> },
}

/// Where signups stand for this officer.
#[uniffi::remote(Enum)]
pub enum SignupPhase {
    NotYetOpen,
    Open,
    Closed,
}

/// One reason the officer may not work the job.
#[uniffi::remote(Record)]
pub struct ReasonLine {
    /// A stable code (`overlap`, `rest`, `daily_cap`, `rank_too_low`, …).
    pub code: String,
    pub text: String,
}

/// Everything about the job, ready to draw.
#[uniffi::remote(Record)]
pub struct JobDetail {
    pub title: String,
    pub customer: String,
    pub site: String,
    pub address: String,
    pub job_type: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
    pub duration: String,
    pub status: JobStatus,
    /// Why the job takes no more actions, when it does not.
    pub closed: Option<String>,
    pub pay: String,
    pub estimate: Option<String>,
    pub slots: String,
    pub full: bool,
    pub award: AwardRuleKind,
    pub award_label: String,
    pub award_text: String,
    /// When the award decides, in local time.
    pub award_decides: String,
    pub signup: SignupPhase,
    pub signup_text: String,
    pub release: String,
    pub eligibility: Eligibility,
    pub eligibility_text: String,
    pub reasons: Vec<ReasonLine>,
    pub standing: StandingKind,
    pub standing_text: String,
    /// `#3 in line`.
    pub place_in_line: Option<String>,
    pub pending: Option<ActionKind>,
    pub wedged: Option<String>,
    /// The server's refusal of the officer's last action on this job.
    pub refused: Option<String>,
    pub location: MapPoint,
    pub fence: MapFence,
    pub distance: Option<String>,
    pub notes: Option<String>,
}

/// What the job screen shows.
#[uniffi::remote(Record)]
pub struct JobState {
    pub job_id: String,
    pub sync: SyncStatus,
    pub detail: Option<JobDetail>,
    /// Why there is no detail (the job is not on this phone).
    pub missing: Option<String>,
    pub actions: Vec<JobAction>,
    pub transfer: Option<TransferPicker>,
    /// How late the officer may say they are, when "running late" is offered.
    pub late_choices: Vec<LateChoice>,
    pub late_title: String,
    pub busy: bool,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The detail screen of one job (`job_id` as the board's rows give it).
    pub fn job(&self, job_id: String) -> Arc<JobScreen> {
        Arc::new(JobScreen {
            inner: self.inner.job(&job_id),
        })
    }
}

/// The job detail screen.
#[derive(uniffi::Object)]
pub struct JobScreen {
    inner: Arc<offduty_screens::JobScreen>,
}

#[uniffi::export]
impl JobScreen {
    /// What to draw now.
    pub fn state(&self) -> JobState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Where the officer is (the distance to the job uses it).
    pub fn set_location(&self, lat: f64, lon: f64) {
        self.inner.set_location(lat, lon);
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.inner.dismiss_notice();
    }

    /// Performs an action the state offers, after its confirmation (`reason`: a cancel's
    /// optional reason). `TRANSFER` opens the officer search. The outcome is the notice.
    pub async fn perform(&self, kind: JobActionKind, reason: Option<String>) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.perform(kind, reason).await;
            Ok(())
        })
        .await;
    }

    /// Says the officer will be `minutes` late (one of the state's `late_choices`); the
    /// outcome is the notice.
    pub async fn report_late(&self, minutes: u16) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.report_late(minutes).await;
            Ok(())
        })
        .await;
    }

    /// Searches the department's officers by name or badge (online only).
    pub async fn search_officers(&self, query: String) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.search_officers(query).await;
            Ok(())
        })
        .await;
    }

    /// Hands the shift to the officer picked in the search, after the match's confirmation.
    pub async fn transfer_to(&self, officer_id: String) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.transfer_to(officer_id).await;
            Ok(())
        })
        .await;
    }

    /// Closes the officer search.
    pub fn close_transfer(&self) {
        self.inner.close_transfer();
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
