//! The views' own words (`offduty_screens::labels`) for Kotlin and Swift: section headers,
//! buttons, form fields and accessibility labels, read once by each app so no English is
//! written in a view.

pub use offduty_screens::labels::{Labels, SortChoice};

use offduty_screens::board::BoardSort;

/// One way to order the board, as the sort menu offers it.
#[uniffi::remote(Record)]
pub struct SortChoice {
    pub sort: BoardSort,
    pub label: String,
}

/// The labels of the views, by screen.
#[uniffi::remote(Record)]
pub struct Labels {
    /// The app's name, the sign-in form's title.
    pub app_name: String,
    /// Shown when the app cannot open its database or key at all.
    pub startup_failed: String,
    /// Accessibility label of a notice's close button.
    pub dismiss: String,
    pub close: String,
    pub save: String,
    pub cancel: String,
    /// A panel that needs the network and has none.
    pub offline: String,
    /// Shown in the background while a sync runs (Android's foreground notification).
    pub syncing: String,
    /// The board's sort menu and its choices, in order.
    pub sort: String,
    pub sorts: Vec<SortChoice>,
    /// The job screen's title before its detail is known.
    pub job: String,
    pub job_pay: String,
    pub job_award: String,
    pub job_you: String,
    pub job_notes: String,
    /// The fence map's accessibility label, without and with the phone's fix.
    pub map_site: String,
    pub map_site_and_you: String,
    pub map_you: String,
    pub clock_locating: String,
    pub clock_open_settings: String,
    pub earnings_payments: String,
    pub earnings_share: String,
    /// Opens the history screen.
    pub earnings_history: String,
    pub activity_wedged: String,
    pub activity_pending: String,
    pub settings_quiet_hours: String,
    pub settings_notifications: String,
    pub settings_device: String,
    pub quiet_clear: String,
    pub quiet_edit: String,
    pub keep_signed_in: String,
    pub sign_in_server: String,
    pub sign_in_email: String,
    pub sign_in_password: String,
    pub sign_in_submit: String,
}

/// The views' labels, in the app's language.
#[uniffi::export]
pub fn labels() -> Labels {
    offduty_screens::labels()
}
