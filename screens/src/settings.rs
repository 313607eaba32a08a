//! The settings screen: quiet hours per weekday (seven rows, each off or start–end in the
//! department's local time), the notification channels, where the preferences stand
//! (saved, waiting to sync, or refused by the server with its reason — edit again or
//! discard), signing out (with a warning when unsent actions would stay on the phone), what
//! opening the local database found, and where the session's secrets are kept.

mod quiet;
mod records;

pub use quiet::{ClockTime, DEFAULT_WINDOW, MINUTE_STEP, QuietEditor, sentence as quiet_sentence};
pub use records::{
    Channel, ChannelRow, DeviceFacts, PrefsSyncKind, PrefsSyncLine, QuietDay, SettingsState,
    SignOutPhase, StorageFacts, Weekday,
};

use std::sync::{Arc, Mutex};

use chrono::NaiveTime;

use offduty_core::CoreError;
use offduty_core::error::Confirmation;
use offduty_core::prefs::PrefsSync;
use offduty_domain::prefs::{Preferences, QuietWindow};

use crate::format::HourCycle;
use crate::text::Msg;
use crate::{Live, Notice, NoticeKind, Notifier, Screens, lock};

struct Ui {
    /// The quiet-hours editor, while open.
    quiet: Option<quiet::Draft>,
    sign_out: SignOutPhase,
    warning: Option<String>,
    notice: Option<Notice>,
}

/// The settings screen.
pub struct SettingsScreen {
    root: Arc<Screens>,
    device: DeviceFacts,
    ui: Mutex<Ui>,
    notifier: Notifier,
}

impl Live for SettingsScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

fn show_time(t: NaiveTime, cycle: HourCycle) -> String {
    match cycle {
        HourCycle::H24 => t.format("%H:%M").to_string(),
        HourCycle::H12 => t.format("%-I:%M %p").to_string(),
    }
}

fn storage_notice(s: &StorageFacts) -> Option<Notice> {
    if !s.rebuilt {
        return None;
    }
    let mut parts = vec![Msg::SettingsStorageRebuilt.text()];
    if s.rescued_actions > 0 {
        parts.push(Msg::SettingsStorageRescued.with(&[("count", &s.rescued_actions.to_string())]));
    }
    if let Some(p) = &s.export_path {
        parts.push(Msg::SettingsStorageExported.with(&[("path", p)]));
    }
    let kind = match &s.unreadable {
        Some(why) => {
            parts.push(Msg::SettingsStorageUnreadable.with(&[("why", why)]));
            NoticeKind::Failure
        }
        None => NoticeKind::Info,
    };
    Some(Notice::new(kind, parts.join(" ")))
}

impl SettingsScreen {
    pub(crate) fn new(root: Arc<Screens>, device: DeviceFacts) -> SettingsScreen {
        SettingsScreen {
            root,
            device,
            ui: Mutex::new(Ui {
                quiet: None,
                sign_out: SignOutPhase::SignedIn,
                warning: None,
                notice: None,
            }),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        {
            let mut ui = lock(&self.ui);
            f(&mut ui);
        }
        self.notifier.notify();
    }

    /// What to draw now.
    pub fn state(&self) -> SettingsState {
        let sync = self.root.sync_status();
        let core = self.root.core();
        let cycle = self.root.fmt().display.hour_cycle;
        let (mut notice, sign_out, warning, draft) = {
            let ui = lock(&self.ui);
            (
                ui.notice.clone(),
                ui.sign_out,
                ui.warning.clone(),
                ui.quiet.clone(),
            )
        };
        let prefs = core.preferences().unwrap_or_else(|e| {
            notice = notice.clone().or(Some(Notice::from_error(&e)));
            Preferences::default()
        });
        let quiet_days = Weekday::ALL
            .iter()
            .map(|&day| {
                let windows: Vec<&QuietWindow> = prefs
                    .quiet_hours
                    .iter()
                    .filter(|w| w.weekday.eq_ignore_ascii_case(day.key()))
                    .collect();
                let first = windows.first().and_then(|w| {
                    Some((
                        w.start.clone(),
                        w.end.clone(),
                        parse_time(&w.start)?,
                        parse_time(&w.end)?,
                    ))
                });
                let texts: Vec<String> = windows
                    .iter()
                    .filter_map(|w| {
                        let (s, e) = (parse_time(&w.start)?, parse_time(&w.end)?);
                        let msg = if e <= s {
                            Msg::SettingsQuietOvernight
                        } else {
                            Msg::SettingsQuietWindow
                        };
                        Some(msg.with(&[
                            ("start", &show_time(s, cycle)),
                            ("end", &show_time(e, cycle)),
                        ]))
                    })
                    .collect();
                QuietDay {
                    day,
                    label: day.label(),
                    quiet: first.is_some(),
                    start: first.as_ref().map(|f| f.0.clone()),
                    end: first.as_ref().map(|f| f.1.clone()),
                    text: if texts.is_empty() {
                        Msg::SettingsQuietOff.text()
                    } else {
                        texts.join(", ")
                    },
                    windows: u32::try_from(windows.len()).unwrap_or(u32::MAX),
                }
            })
            .collect();
        let c = &prefs.channels;
        let channels = [
            (Channel::Push, Msg::SettingsChannelPush, c.push),
            (Channel::Sms, Msg::SettingsChannelSms, c.sms),
            (Channel::Email, Msg::SettingsChannelEmail, c.email),
        ]
        .into_iter()
        .map(|(channel, label, on)| ChannelRow {
            channel,
            label: label.text(),
            on,
        })
        .collect();
        let prefs_line = match core.preferences_sync() {
            Ok(PrefsSync::Refused(r)) => PrefsSyncLine {
                kind: PrefsSyncKind::Refused,
                text: Msg::SettingsPrefsRefused.with(&[("reason", &r.reason)]),
                advice: Some(Msg::SettingsPrefsRefusedAdvice.text()),
                field: r.field,
                discard_label: Some(Msg::SettingsDiscard.text()),
            },
            Ok(PrefsSync::Pending) => PrefsSyncLine {
                kind: PrefsSyncKind::Pending,
                text: Msg::SettingsPrefsPending.text(),
                advice: None,
                field: None,
                discard_label: Some(Msg::SettingsDiscard.text()),
            },
            Ok(PrefsSync::Synced) | Err(_) => PrefsSyncLine {
                kind: PrefsSyncKind::Synced,
                text: Msg::SettingsPrefsSynced.text(),
                advice: None,
                field: None,
                discard_label: None,
            },
        };
        let session = core.session().ok().flatten();
        let account = session.as_ref().map(|s| {
            Msg::SettingsSignedInAs.with(&[("name", &s.display_name), ("email", &s.email)])
        });
        // Signed out elsewhere (or never signed in): nothing to sign out of.
        let sign_out = match (sign_out, &session) {
            (SignOutPhase::ConfirmUnsent, Some(_)) => SignOutPhase::ConfirmUnsent,
            (_, None) => SignOutPhase::SignedOut,
            (_, Some(_)) => SignOutPhase::SignedIn,
        };
        let quiet_editor = draft.map(|d| d.editor(&d.day.label(), cycle));
        SettingsState {
            quiet_days,
            quiet_editor,
            channels,
            prefs: prefs_line,
            account,
            sign_out_label: match sign_out {
                SignOutPhase::ConfirmUnsent => Msg::SettingsSignOutAnyway,
                _ => Msg::SettingsSignOut,
            }
            .text(),
            sign_out_warning: warning.filter(|_| sign_out == SignOutPhase::ConfirmUnsent),
            sign_out,
            unsent: sync.pending + sync.wedged,
            sync,
            storage: storage_notice(&self.device.storage),
            secrets: crate::sign_in::secrets_text(&self.device.platform),
            notice,
        }
    }

    /// Saves new preferences on the phone (sent at the next sync); a refusal by the rules
    /// becomes the notice.
    fn edit(&self, f: impl FnOnce(&mut Preferences)) {
        let core = self.root.core();
        let result = core.preferences().and_then(|mut p| {
            f(&mut p);
            core.set_preferences(p)
        });
        self.update(|ui| {
            ui.notice = match result {
                Ok(()) => None,
                Err(e) => Some(Notice::from_error(&e)),
            }
        });
    }

    /// Quiet hours on `day` from `start` to `end` (`HH:MM`, local; past midnight when `end` is
    /// not after `start`), replacing that day's windows.
    pub fn set_quiet_day(&self, day: Weekday, start: String, end: String) {
        self.edit(|p| {
            p.quiet_hours
                .retain(|w| !w.weekday.eq_ignore_ascii_case(day.key()));
            p.quiet_hours.push(QuietWindow {
                weekday: day.key().to_string(),
                start,
                end,
            });
        });
    }

    /// Opens the quiet-hours editor on `day`: its first window, or 22:00–07:00.
    pub fn edit_quiet_day(&self, day: Weekday) {
        let prefs = self.root.core().preferences().unwrap_or_default();
        let first = prefs
            .quiet_hours
            .iter()
            .find(|w| w.weekday.eq_ignore_ascii_case(day.key()));
        let draft = quiet::Draft::open(
            day,
            first.map(|w| w.start.as_str()),
            first.map(|w| w.end.as_str()),
        );
        self.update(|ui| ui.quiet = Some(draft));
    }

    /// The editor's start picker moved (24-hour clock).
    pub fn set_quiet_start(&self, hour: u32, minute: u32) {
        self.pick(hour, minute, |d, t| d.start = t);
    }

    /// The editor's end picker moved (24-hour clock).
    pub fn set_quiet_end(&self, hour: u32, minute: u32) {
        self.pick(hour, minute, |d, t| d.end = t);
    }

    fn pick(&self, hour: u32, minute: u32, set: impl FnOnce(&mut quiet::Draft, ClockTime)) {
        self.update(|ui| {
            if let Some(d) = ui.quiet.as_mut() {
                match ClockTime::picked(hour, minute) {
                    Ok(t) => {
                        set(d, t);
                        d.error = None;
                    }
                    Err(why) => d.error = Some(why),
                }
            }
        });
    }

    /// Saves the editor's window as the day's quiet hours (on the phone; sent at the next
    /// sync) and closes it; a window the rules refuse keeps it open with the reason.
    pub fn save_quiet_edit(&self) {
        let Some(draft) = lock(&self.ui).quiet.clone() else {
            return;
        };
        match draft.window() {
            Ok(w) => {
                self.set_quiet_day(draft.day, w.start, w.end);
                let refused = lock(&self.ui).notice.is_some();
                if !refused {
                    self.update(|ui| ui.quiet = None);
                }
            }
            Err(why) => self.update(|ui| {
                if let Some(d) = ui.quiet.as_mut() {
                    d.error = Some(why);
                }
            }),
        }
    }

    /// Closes the editor without saving.
    pub fn cancel_quiet_edit(&self) {
        self.update(|ui| ui.quiet = None);
    }

    /// No quiet hours on `day`.
    pub fn clear_quiet_day(&self, day: Weekday) {
        self.edit(|p| {
            p.quiet_hours
                .retain(|w| !w.weekday.eq_ignore_ascii_case(day.key()))
        });
    }

    /// Turns a channel on or off.
    pub fn set_channel(&self, channel: Channel, on: bool) {
        self.edit(|p| match channel {
            Channel::Push => p.channels.push = on,
            Channel::Sms => p.channels.sms = on,
            Channel::Email => p.channels.email = on,
        });
    }

    /// Drops the edit the server refused (or that waits) and goes back to the server's copy.
    pub fn discard_edit(&self) {
        let result = self.root.core().discard_preferences_edit();
        self.update(|ui| {
            ui.notice = result.err().map(|e| Notice::from_error(&e));
        });
    }

    /// Signs out; with unsent actions, asks first (`ConfirmUnsent`).
    pub async fn sign_out(&self) {
        self.logout(false).await;
    }

    /// Signs out although unsent actions stay on the phone (until this officer signs in
    /// again).
    pub async fn confirm_sign_out(&self) {
        self.logout(true).await;
    }

    /// Keeps the session (after the unsent-actions warning).
    pub fn keep_signed_in(&self) {
        self.update(|ui| {
            ui.sign_out = SignOutPhase::SignedIn;
            ui.warning = None;
        });
    }

    async fn logout(&self, force: bool) {
        let result = self.root.core().logout(force).await;
        self.update(|ui| match result {
            Ok(()) => {
                ui.sign_out = SignOutPhase::SignedOut;
                ui.warning = None;
                ui.notice = Some(Notice::new(
                    NoticeKind::Success,
                    Msg::SettingsSignedOut.text(),
                ));
            }
            Err(CoreError::NeedsConfirmation {
                what: Confirmation::UnsentActions { .. },
                message,
            }) => {
                ui.sign_out = SignOutPhase::ConfirmUnsent;
                ui.warning = Some(message);
            }
            Err(e) => ui.notice = Some(Notice::from_error(&e)),
        });
        self.root.notify_all();
    }

    /// Pull to refresh: syncs (the edit goes up; a refusal comes back this way).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.update(|ui| ui.notice = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_notice_says_what_opening_the_database_found() {
        assert_eq!(storage_notice(&StorageFacts::default()), None);
        let lost = storage_notice(&StorageFacts {
            rebuilt: true,
            rescued_actions: 0,
            export_path: None,
            unreadable: Some("file is not a database".into()),
        })
        .unwrap();
        assert_eq!(lost.kind, NoticeKind::Failure);
        assert!(
            lost.text.ends_with("file is not a database"),
            "{}",
            lost.text
        );
    }

    #[test]
    fn quiet_times_follow_the_hour_cycle() {
        let t = parse_time("22:05").unwrap();
        assert_eq!(show_time(t, HourCycle::H24), "22:05");
        assert_eq!(show_time(t, HourCycle::H12), "10:05 PM");
        assert_eq!(parse_time("7:5pm"), None);
    }
}
