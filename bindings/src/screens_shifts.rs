//! The my-shifts screen for Kotlin and Swift: sections of shift rows with their standing, what
//! waits to sync or was refused, and their actions; the transfer search is the job screen's
//! panel (`TransferPicker`). The records are the screens crate's own types (`#[uniffi::remote]`).

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::shifts::{ShiftRow, ShiftSection, ShiftSectionKind, ShiftsState};

use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_screens::actions::{JobAction, JobActionKind};
use offduty_screens::transfer::TransferPicker;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// Which part of the list a shift is in.
#[uniffi::remote(Enum)]
pub enum ShiftSectionKind {
    /// Shifts the officer holds (or held, with a cancel or transfer on its way).
    Upcoming,
    /// Requested, waitlisted, or a claim waiting to sync.
    InLine,
    /// Over.
    Past,
}

/// One shift, ready to draw.
#[uniffi::remote(Record)]
pub struct ShiftRow {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub standing: StandingKind,
    pub standing_text: String,
    /// The action waiting to sync, if any.
    pub pending: Option<ActionKind>,
    /// Why that action could not be sent.
    pub wedged: Option<String>,
    /// The server's refusal of the officer's last action on this shift.
    pub refused: Option<String>,
    /// The actions open on this shift now.
    pub actions: Vec<JobAction>,
}

/// One section of the list.
#[uniffi::remote(Record)]
pub struct ShiftSection {
    pub kind: ShiftSectionKind,
    pub title: String,
    pub rows: Vec<ShiftRow>,
}

/// What my-shifts shows.
#[uniffi::remote(Record)]
pub struct ShiftsState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    pub sections: Vec<ShiftSection>,
    pub empty: Option<String>,
    pub transfer: Option<TransferPicker>,
    pub busy: bool,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// My shifts.
    pub fn shifts(&self) -> Arc<ShiftsScreen> {
        Arc::new(ShiftsScreen {
            inner: self.inner.shifts(),
        })
    }
}

/// The my-shifts screen.
#[derive(uniffi::Object)]
pub struct ShiftsScreen {
    inner: Arc<offduty_screens::ShiftsScreen>,
}

#[uniffi::export]
impl ShiftsScreen {
    /// What to draw now.
    pub fn state(&self) -> ShiftsState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Performs an action a row offers, after its confirmation (`reason`: a cancel's optional
    /// reason). `TRANSFER` opens the officer search for that shift.
    pub async fn perform(&self, job_id: String, kind: JobActionKind, reason: Option<String>) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.perform(job_id, kind, reason).await;
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

    /// Hands the shift of the open search to the officer picked, after the match's confirmation.
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
