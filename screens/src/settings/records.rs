//! The settings screen's records: the weekday rows, the channel switches, the preferences'
//! sync line, signing out — and what the shell tells the screen about the device.

use serde::{Deserialize, Serialize};

use crate::text::Msg;
use crate::{Notice, SyncStatus};

/// A day of the week (quiet hours are set per weekday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The name the preferences use (`mon` … `sun`).
    pub fn key(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub(crate) fn label(self) -> String {
        match self {
            Weekday::Mon => Msg::SettingsMonday,
            Weekday::Tue => Msg::SettingsTuesday,
            Weekday::Wed => Msg::SettingsWednesday,
            Weekday::Thu => Msg::SettingsThursday,
            Weekday::Fri => Msg::SettingsFriday,
            Weekday::Sat => Msg::SettingsSaturday,
            Weekday::Sun => Msg::SettingsSunday,
        }
        .text()
    }
}

/// A notification channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Push,
    Sms,
    Email,
}

/// One weekday's quiet hours, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Windows set on this day (the screen edits one; more come from elsewhere).
    pub windows: u32,
}

/// One channel's switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: Channel,
    pub label: String,
    pub on: bool,
}

/// Where the preferences stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PrefsSyncKind {
    Synced,
    Pending,
    /// The server refused the last edit: edit again or discard it.
    Refused,
}

/// The preferences' sync line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefsSyncLine {
    pub kind: PrefsSyncKind,
    /// `Saved`, `Saved on this phone; …`, `The server refused your change: <its reason>`.
    pub text: String,
    pub advice: Option<String>,
    /// The field the server named (`quiet_hours[0]`).
    pub field: Option<String>,
    /// The `Discard my change` button, when there is an edit to discard.
    pub discard_label: Option<String>,
}

/// Where signing out is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignOutPhase {
    /// Signed in: `Sign out` is offered.
    SignedIn,
    /// Unsent actions would stay on the phone: the officer confirms or keeps the session.
    ConfirmUnsent,
    /// Done: the shell shows the sign-in screen.
    SignedOut,
}

/// What the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsState {
    pub sync: SyncStatus,
    /// Monday to Sunday.
    pub quiet_days: Vec<QuietDay>,
    /// The quiet-hours editor of one day, while open (`edit_quiet_day`).
    pub quiet_editor: Option<super::QuietEditor>,
    pub channels: Vec<ChannelRow>,
    pub prefs: PrefsSyncLine,
    /// `Signed in as Jane Doe (jane@…)`.
    pub account: Option<String>,
    pub sign_out: SignOutPhase,
    /// `Sign out` or, confirming, `Sign out anyway`.
    pub sign_out_label: String,
    /// In `ConfirmUnsent`: what happens to the unsent actions.
    pub sign_out_warning: Option<String>,
    pub unsent: u32,
    /// What opening the local database found (a rebuilt cache, rescued actions).
    pub storage: Option<Notice>,
    /// Where the session and the signing key are kept.
    pub secrets: String,
    pub notice: Option<Notice>,
}

/// What opening the local database found (the app's storage notice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageFacts {
    pub rebuilt: bool,
    pub rescued_actions: u32,
    pub export_path: Option<String>,
    pub unreadable: Option<String>,
}

/// What the shell knows of the device: the storage notice, and where it keeps the session and
/// the signing key (what it tells the sign-in screen; both screens say it in the same words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFacts {
    pub storage: StorageFacts,
    pub platform: crate::sign_in::SignInPlatform,
}
