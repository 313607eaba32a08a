//! The history screen (`offduty_screens::history`) for Kotlin and Swift: past shifts by month
//! with their totals (the earnings screen's rows and summaries), and the department's PDF of
//! the same history saved to a file the shell names.

use std::sync::Arc;

pub use offduty_screens::history::{HistoryMonth, HistoryState};

use offduty_screens::earnings::{EarningsRow, EarningsSummary};
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// One month of past shifts.
#[uniffi::remote(Record)]
pub struct HistoryMonth {
    /// `November 2026`.
    pub label: String,
    pub summary: EarningsSummary,
    /// Newest first.
    pub rows: Vec<EarningsRow>,
}

/// What the history screen shows.
#[uniffi::remote(Record)]
pub struct HistoryState {
    pub sync: SyncStatus,
    /// Newest first.
    pub months: Vec<HistoryMonth>,
    /// Every past shift shown.
    pub total: EarningsSummary,
    /// Why there is nothing to show, when there is not.
    pub empty: Option<String>,
    /// `Download as PDF`.
    pub pdf_label: String,
    /// The PDF is being fetched.
    pub downloading: bool,
    /// Where the last download was saved (open or share it).
    pub saved_pdf: Option<String>,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The officer's history: past shifts by month, and its PDF.
    pub fn history(&self) -> Arc<HistoryScreen> {
        Arc::new(HistoryScreen {
            inner: self.inner.history(),
        })
    }
}

/// The history screen.
#[derive(uniffi::Object)]
pub struct HistoryScreen {
    inner: Arc<offduty_screens::HistoryScreen>,
}

#[uniffi::export]
impl HistoryScreen {
    /// What to draw now.
    pub fn state(&self) -> HistoryState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Downloads the department's PDF of this history to `path` (a file in the app's cache or
    /// downloads folder); the notice says it was saved, or why not.
    pub async fn download_pdf(&self, path: String) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.download_pdf(path).await;
            Ok(())
        })
        .await;
    }

    /// Pull to refresh.
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
