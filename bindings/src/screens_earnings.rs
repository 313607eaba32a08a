//! The earnings screen (`offduty_screens::earnings`) for Kotlin and Swift: its state records
//! as the screens crate defines them (`#[uniffi::remote]`), and the object with its intents.

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::earnings::{
    EarningsExport, EarningsPeriod, EarningsRow, EarningsState, EarningsSummary, PaymentRow,
};

use offduty_domain::protocol::TimecardStatus;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// One shift's pay, ready to draw.
#[uniffi::remote(Record)]
pub struct EarningsRow {
    pub timecard_id: String,
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov`.
    pub date: String,
    pub starts_at: SystemTime,
    /// Paid time, `4 h 30 min`.
    pub hours: Option<String>,
    /// `$65.00/h`, or `$65.00/h × 1.5`.
    pub rate: String,
    pub gross: Option<String>,
    pub gross_cents: Option<i64>,
    pub status: TimecardStatus,
    /// `Waiting for approval`, `Needs review`, `Approved`, `Invoiced`, `Paid`.
    pub status_label: String,
    /// `Invoiced Tue 1 Dec`: when the customer was billed for it, once it was.
    pub invoiced: Option<String>,
    /// `Paid Fri 4 Dec`.
    pub paid: Option<String>,
    /// Why the coordinator rejected the timecard, when they did.
    pub rejection_reason: Option<String>,
}

/// Totals over a pay period or the year.
#[uniffi::remote(Record)]
pub struct EarningsSummary {
    pub label: String,
    pub shifts: u32,
    pub shifts_text: String,
    pub hours: String,
    pub gross: String,
    pub paid: String,
    pub unpaid: String,
    /// `Paid $1,234.00 · unpaid $240.00`.
    pub paid_text: String,
    pub gross_cents: i64,
    pub paid_cents: i64,
    pub unpaid_cents: i64,
}

/// A pay period with its shifts.
#[uniffi::remote(Record)]
pub struct EarningsPeriod {
    pub summary: EarningsSummary,
    /// Today falls in it.
    pub current: bool,
    pub rows: Vec<EarningsRow>,
}

/// Money received on one day.
#[uniffi::remote(Record)]
pub struct PaymentRow {
    pub paid_on: String,
    pub amount: String,
    pub amount_cents: i64,
    pub shifts: String,
}

/// What the earnings screen shows.
#[uniffi::remote(Record)]
pub struct EarningsState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    /// The department's pay period in words.
    pub pay_period: String,
    /// Newest first.
    pub periods: Vec<EarningsPeriod>,
    pub year_to_date: EarningsSummary,
    pub payments: Vec<PaymentRow>,
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

/// The earnings as a file: the shell writes or shares it.
#[uniffi::remote(Record)]
pub struct EarningsExport {
    pub file_name: String,
    pub mime_type: String,
    pub csv: String,
    pub shifts: u32,
}

#[uniffi::export]
impl OfficerScreens {
    /// The earnings screen.
    pub fn earnings(&self) -> Arc<EarningsScreen> {
        Arc::new(EarningsScreen {
            inner: self.inner.earnings(),
        })
    }
}

/// The earnings screen.
#[derive(uniffi::Object)]
pub struct EarningsScreen {
    inner: Arc<offduty_screens::EarningsScreen>,
}

#[uniffi::export]
impl EarningsScreen {
    /// What to draw now.
    pub fn state(&self) -> EarningsState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// The earnings as CSV for the shell to write or share (`null` on failure: see the
    /// notice).
    pub fn export(&self) -> Option<EarningsExport> {
        self.inner.export()
    }

    /// Pull to refresh (approvals and payments arrive this way).
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
