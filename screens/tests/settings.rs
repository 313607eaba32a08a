//! The settings screen against the real demo department, through a proxy that refuses
//! `PUT /v1/preferences` the way a stricter server would (as `core/tests/prefs_refused.rs`):
//! seven quiet-hour rows in local time and the device's hour cycle, channels, an edit waiting
//! to sync, refused with the server's reason, discarded; a bad time refused on the phone;
//! signing out with unsent actions (warned, kept, then confirmed); the storage notice and
//! where secrets are kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use offduty_screens::settings::{
    Channel, DeviceFacts, PrefsSyncKind, SignOutPhase, StorageFacts, Weekday,
};
use offduty_screens::sign_in::{KeyVault, SessionVault, SignInPlatform};
use offduty_screens::text::Msg;
use offduty_screens::{Display, HourCycle, NoticeKind, Screens};
use offduty_testkit::phone::{DemoServer, Phone};
use offduty_testkit::refusing::{RefusingProxy, validation_problem};

use common::{counter, eligible_first_come};

const REFUSAL: &str = "quiet hours may not cover the department's call-out window";

fn device() -> DeviceFacts {
    DeviceFacts {
        storage: StorageFacts {
            rebuilt: true,
            rescued_actions: 2,
            export_path: Some("/data/offduty/rescued-actions.json".into()),
            unreadable: None,
        },
        platform: SignInPlatform {
            session_vault: SessionVault::AndroidKeystore,
            key_vault: KeyVault::StrongBox,
            device_label: "test phone".into(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_refused_by_the_server_are_shown_then_discarded() {
    let server = DemoServer::start();
    let proxy = RefusingProxy::start(server.addr).await;
    let refusal = validation_problem(REFUSAL, "quiet_hours[0]", "inconsistent", None);
    proxy.refuse("PUT", "/v1/preferences", refusal);
    let phone = Phone::new(proxy.addr);
    phone.sign_in("officer041@columbus.demo").await;
    let screens = Screens::new(phone.core.clone());
    let settings = screens.settings(device());
    let heard = counter();
    settings.set_listener(Some(heard.clone()));

    let s = settings.state();
    assert_eq!(s.quiet_days.len(), 7);
    assert_eq!(s.quiet_days[0].day, Weekday::Mon);
    assert_eq!(s.quiet_days[6].label, Msg::SettingsSunday.text());
    assert_eq!(s.prefs.kind, PrefsSyncKind::Synced);
    assert!(s.prefs.discard_label.is_none());
    assert_eq!(s.channels.len(), 3);
    assert!(
        s.account
            .as_deref()
            .unwrap()
            .contains("officer041@columbus.demo")
    );
    assert_eq!(s.sign_out, SignOutPhase::SignedIn);
    let friday = |s: &offduty_screens::settings::SettingsState| {
        s.quiet_days
            .iter()
            .find(|d| d.day == Weekday::Fri)
            .unwrap()
            .clone()
    };
    let was_quiet = friday(&s).quiet;

    // Friday nights quiet: saved on the phone, waiting to sync, drawn in local time.
    settings.set_quiet_day(Weekday::Fri, "22:00".into(), "06:00".into());
    assert!(heard.get() >= 1);
    let s = settings.state();
    let fri = friday(&s);
    assert!(fri.quiet);
    assert_eq!(
        (fri.start.as_deref(), fri.end.as_deref()),
        (Some("22:00"), Some("06:00"))
    );
    assert_eq!(
        fri.text,
        Msg::SettingsQuietOvernight.with(&[("start", "22:00"), ("end", "06:00")])
    );
    assert_eq!(s.prefs.kind, PrefsSyncKind::Pending);
    assert!(s.prefs.discard_label.is_some());
    screens.set_display(Display {
        hour_cycle: HourCycle::H12,
    });
    assert_eq!(
        friday(&settings.state()).text,
        Msg::SettingsQuietOvernight.with(&[("start", "10:00 PM"), ("end", "6:00 AM")])
    );

    // The server refuses it: its reason and field, the edit kept, discard offered.
    settings.refresh().await;
    let s = settings.state();
    assert_eq!(s.prefs.kind, PrefsSyncKind::Refused);
    assert_eq!(
        s.prefs.text,
        Msg::SettingsPrefsRefused.with(&[("reason", REFUSAL)])
    );
    assert_eq!(s.prefs.field.as_deref(), Some("quiet_hours[0]"));
    assert_eq!(s.prefs.advice, Some(Msg::SettingsPrefsRefusedAdvice.text()));
    assert!(
        friday(&s).quiet,
        "the refused edit is still what the officer sees"
    );

    // Discarded: back to the server's copy.
    settings.discard_edit();
    let s = settings.state();
    assert_eq!(s.prefs.kind, PrefsSyncKind::Synced);
    assert_eq!(friday(&s).quiet, was_quiet);

    // A time that is not HH:MM is refused on the phone, naming the field.
    settings.set_quiet_day(Weekday::Mon, "25:00".into(), "06:00".into());
    let s = settings.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Refused);
    assert!(notice.text.contains("HH:MM"), "{}", notice.text);
    assert_eq!(s.prefs.kind, PrefsSyncKind::Synced, "nothing was saved");
    settings.dismiss_notice();

    // With the proxy out of the way, a channel change reaches the server.
    proxy.pass("PUT", "/v1/preferences");
    settings.set_channel(Channel::Sms, true);
    assert_eq!(settings.state().prefs.kind, PrefsSyncKind::Pending);
    settings.refresh().await;
    let s = settings.state();
    assert_eq!(s.prefs.kind, PrefsSyncKind::Synced);
    assert!(s.channels.iter().any(|c| c.channel == Channel::Sms && c.on));

    // What the shell said about the device.
    let storage = s.storage.clone().unwrap();
    assert_eq!(storage.kind, NoticeKind::Info);
    assert!(
        storage
            .text
            .starts_with(&Msg::SettingsStorageRebuilt.text())
    );
    assert!(
        storage
            .text
            .contains(&Msg::SettingsStorageRescued.with(&[("count", "2")]))
    );
    assert_eq!(
        s.secrets,
        Msg::SignInSecretsPlatform.with(&[
            ("store", &Msg::VaultAndroidKeystore.text()),
            ("keystore", &Msg::KeyStrongBox.text())
        ])
    );

    // Signing out with an unsent action: warned, kept, then confirmed.
    phone.link.set_online(false);
    let job = eligible_first_come(&phone);
    phone.core.claim(job.job.id).unwrap();
    settings.sign_out().await;
    let s = settings.state();
    assert_eq!(s.sign_out, SignOutPhase::ConfirmUnsent);
    assert_eq!(s.unsent, 1);
    assert!(s.sign_out_warning.is_some());
    assert_eq!(s.sign_out_label, Msg::SettingsSignOutAnyway.text());
    settings.keep_signed_in();
    assert_eq!(settings.state().sign_out, SignOutPhase::SignedIn);
    settings.sign_out().await;
    settings.confirm_sign_out().await;
    let s = settings.state();
    assert_eq!(s.sign_out, SignOutPhase::SignedOut);
    assert!(s.account.is_none());
    assert_eq!(s.unsent, 1, "the action stays on the phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_are_picked_as_start_and_end_times_and_saved_as_the_days_window() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    phone.sign_in("officer042@columbus.demo").await;
    let screens = Screens::new(phone.core.clone());
    let settings = screens.settings(device());
    settings.clear_quiet_day(Weekday::Wed);
    assert!(settings.state().quiet_editor.is_none());

    // A day without quiet hours opens on 22:00–07:00, said in words.
    settings.edit_quiet_day(Weekday::Wed);
    let e = settings.state().quiet_editor.unwrap();
    assert_eq!(e.day, Weekday::Wed);
    assert_eq!(e.title, Msg::QuietEditTitle.with(&[("day", "Wednesday")]));
    assert_eq!((e.start.hour, e.start.minute, e.end.hour), (22, 0, 7));
    assert_eq!(e.text, "Quiet from 22:00 to 07:00 the next morning");
    assert!(e.can_save && e.uses_24_hour && e.error.is_none());

    // The pickers move: a minute off the step is taken down to it; the sentence follows.
    settings.set_quiet_start(21, 33);
    settings.set_quiet_end(6, 45);
    let e = settings.state().quiet_editor.unwrap();
    assert_eq!((e.start.hour, e.start.minute), (21, 30));
    assert_eq!(e.text, "Quiet from 21:30 to 06:45 the next morning");

    // Out of range (no picker sends it, but a caller might): refused with a reason, kept.
    settings.set_quiet_end(24, 0);
    let e = settings.state().quiet_editor.unwrap();
    assert_eq!(
        e.error.as_deref(),
        Some("Choose a time from 00:00 to 23:59.")
    );
    assert_eq!((e.end.hour, e.end.minute), (6, 45));

    // The officer's hour cycle.
    screens.set_display(Display {
        hour_cycle: HourCycle::H12,
    });
    let e = settings.state().quiet_editor.unwrap();
    assert_eq!(e.text, "Quiet from 9:30 PM to 6:45 AM the next morning");
    assert_eq!((e.start_text.as_str(), e.uses_24_hour), ("9:30 PM", false));

    // Saved: the day's row shows the window, the editor closes, the edit waits to sync.
    settings.save_quiet_edit();
    let s = settings.state();
    assert!(s.quiet_editor.is_none());
    let wed = s.quiet_days.iter().find(|d| d.day == Weekday::Wed).unwrap();
    assert_eq!(
        (wed.start.as_deref(), wed.end.as_deref()),
        (Some("21:30"), Some("06:45"))
    );
    assert_eq!(s.prefs.kind, PrefsSyncKind::Pending);

    // Opened again, it starts from the saved window; cancelled, nothing changes.
    settings.edit_quiet_day(Weekday::Wed);
    let e = settings.state().quiet_editor.unwrap();
    assert_eq!(
        (e.start.hour, e.start.minute, e.end.hour, e.end.minute),
        (21, 30, 6, 45)
    );
    settings.set_quiet_start(8, 0);
    settings.cancel_quiet_edit();
    let s = settings.state();
    assert!(s.quiet_editor.is_none());
    let wed = s.quiet_days.iter().find(|d| d.day == Weekday::Wed).unwrap();
    assert_eq!(wed.start.as_deref(), Some("21:30"));

    // The server takes it on the next sync.
    settings.refresh().await;
    assert_eq!(settings.state().prefs.kind, PrefsSyncKind::Synced);
}
