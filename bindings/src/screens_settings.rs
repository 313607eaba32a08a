//! The settings screen (`offduty_screens::settings`) for Kotlin and Swift: its state records
//! as the screens crate defines them (`#[uniffi::remote]`), and the object with its intents.

use std::sync::Arc;

pub use offduty_screens::settings::{
    Channel, ChannelRow, ClockTime, PrefsSyncKind, PrefsSyncLine, QuietDay, QuietEditor,
    SettingsState, SignOutPhase, Weekday,
};

use offduty_screens::settings::{DeviceFacts, StorageFacts};
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};
use crate::screens_sign_in::SignInPlatform;
use crate::types::StorageNotice;

/// A day of the week.
#[uniffi::remote(Enum)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// A notification channel.
#[uniffi::remote(Enum)]
pub enum Channel {
    Push,
    Sms,
    Email,
}

/// One weekday's quiet hours, ready to draw.
#[uniffi::remote(Record)]
pub struct QuietDay {
    pub day: Weekday,
    /// `Monday`.
    pub label: String,
    pub quiet: bool,
    /// `22:00` (24-hour `HH:MM`, for the time picker), when quiet.
    pub start: Option<String>,
    pub end: Option<String>,
    /// `Quiet 10:00 PM–6:00 AM (overnight)`, `Notifications all day`.
    pub text: String,
    /// Windows set on this day.
    pub windows: u32,
}

/// A time of day on the 24-hour clock (what a time picker sets and shows).
#[uniffi::remote(Record)]
pub struct ClockTime {
    /// 0–23.
    pub hour: u32,
    /// 0–59, on the editor's minute step.
    pub minute: u32,
}

/// The quiet-hours editor of one weekday: two time pickers and what the window means.
#[uniffi::remote(Record)]
pub struct QuietEditor {
    pub day: Weekday,
    /// `Quiet hours on Monday`.
    pub title: String,
    pub start: ClockTime,
    pub end: ClockTime,
    /// The pickers' labels (`From`, `To`).
    pub start_label: String,
    pub end_label: String,
    /// The picked times as the officer reads them (`22:00`, `10:00 PM`).
    pub start_text: String,
    pub end_text: String,
    /// `Quiet from 22:00 to 07:00 the next morning`.
    pub text: String,
    /// Whether the pickers show 24 hours (else AM/PM).
    pub uses_24_hour: bool,
    /// The minutes a picker should offer are multiples of this.
    pub minute_step: u32,
    /// Why the last pick or save was refused.
    pub error: Option<String>,
    pub can_save: bool,
    pub save_label: String,
    pub cancel_label: String,
}

/// One channel's switch.
#[uniffi::remote(Record)]
pub struct ChannelRow {
    pub channel: Channel,
    pub label: String,
    pub on: bool,
}

/// Where the notification preferences stand.
#[uniffi::remote(Enum)]
pub enum PrefsSyncKind {
    Synced,
    Pending,
    /// The server refused the last edit: edit again or discard it.
    Refused,
}

/// The preferences' sync line.
#[uniffi::remote(Record)]
pub struct PrefsSyncLine {
    pub kind: PrefsSyncKind,
    pub text: String,
    pub advice: Option<String>,
    /// The field the server named.
    pub field: Option<String>,
    /// The `Discard my change` button (`discard_edit`), when there is an edit to discard.
    pub discard_label: Option<String>,
}

/// Where signing out is.
#[uniffi::remote(Enum)]
pub enum SignOutPhase {
    SignedIn,
    /// Unsent actions would stay on the phone: `confirm_sign_out` or `keep_signed_in`.
    ConfirmUnsent,
    /// Show the sign-in screen.
    SignedOut,
}

/// What the settings screen shows.
#[uniffi::remote(Record)]
pub struct SettingsState {
    pub sync: SyncStatus,
    /// Monday to Sunday.
    pub quiet_days: Vec<QuietDay>,
    /// The quiet-hours editor of one day, while open (`edit_quiet_day`).
    pub quiet_editor: Option<QuietEditor>,
    pub channels: Vec<ChannelRow>,
    pub prefs: PrefsSyncLine,
    pub account: Option<String>,
    pub sign_out: SignOutPhase,
    pub sign_out_label: String,
    pub sign_out_warning: Option<String>,
    pub unsent: u32,
    /// What opening the local database found.
    pub storage: Option<Notice>,
    /// Where the session and the signing key are kept.
    pub secrets: String,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The settings screen. `storage` is the app's `storage_notice()`; `platform` says where
    /// the session and the signing key are kept (what the sign-in screen was told).
    pub fn settings(
        &self,
        storage: StorageNotice,
        platform: SignInPlatform,
    ) -> Arc<SettingsScreen> {
        let device = DeviceFacts {
            storage: StorageFacts {
                rebuilt: storage.rebuilt,
                rescued_actions: storage.rescued_actions,
                export_path: storage.export_path,
                unreadable: storage.unreadable,
            },
            platform,
        };
        Arc::new(SettingsScreen {
            inner: self.inner.settings(device),
        })
    }
}

/// The settings screen.
#[derive(uniffi::Object)]
pub struct SettingsScreen {
    inner: Arc<offduty_screens::SettingsScreen>,
}

#[uniffi::export]
impl SettingsScreen {
    /// What to draw now.
    pub fn state(&self) -> SettingsState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Quiet hours on `day` from `start` to `end` (`HH:MM`, local), replacing that day's.
    pub fn set_quiet_day(&self, day: Weekday, start: String, end: String) {
        self.inner.set_quiet_day(day, start, end);
    }

    /// Opens the quiet-hours editor on `day` (its window, or 22:00–07:00).
    pub fn edit_quiet_day(&self, day: Weekday) {
        self.inner.edit_quiet_day(day);
    }

    /// The editor's start picker moved (24-hour clock; the minute is taken down to the step).
    pub fn set_quiet_start(&self, hour: u32, minute: u32) {
        self.inner.set_quiet_start(hour, minute);
    }

    /// The editor's end picker moved (24-hour clock).
    pub fn set_quiet_end(&self, hour: u32, minute: u32) {
        self.inner.set_quiet_end(hour, minute);
    }

    /// Saves the editor's window as the day's quiet hours and closes it.
    pub fn save_quiet_edit(&self) {
        self.inner.save_quiet_edit();
    }

    /// Closes the editor without saving.
    pub fn cancel_quiet_edit(&self) {
        self.inner.cancel_quiet_edit();
    }

    /// No quiet hours on `day`.
    pub fn clear_quiet_day(&self, day: Weekday) {
        self.inner.clear_quiet_day(day);
    }

    /// Turns a channel on or off.
    pub fn set_channel(&self, channel: Channel, on: bool) {
        self.inner.set_channel(channel, on);
    }

    /// Drops the edit the server refused (or that waits).
    pub fn discard_edit(&self) {
        self.inner.discard_edit();
    }

    /// Signs out; with unsent actions, asks first.
    pub async fn sign_out(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.sign_out().await;
            Ok(())
        })
        .await;
    }

    /// Signs out although unsent actions stay on the phone.
    pub async fn confirm_sign_out(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.confirm_sign_out().await;
            Ok(())
        })
        .await;
    }

    /// Keeps the session (after the unsent-actions warning).
    pub fn keep_signed_in(&self) {
        self.inner.keep_signed_in();
    }

    /// Pull to refresh (the edit goes up; a refusal comes back).
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
