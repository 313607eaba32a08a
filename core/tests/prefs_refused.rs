//! A preferences edit the department's server refuses is kept on the phone and shown with the
//! server's reason — like a wedged action — until the officer edits again or discards it. The
//! server here is the real one behind a small proxy that refuses `PUT /v1/preferences` the way
//! a stricter (newer) server would; everything else goes through.
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-core --test prefs_refused
#![allow(clippy::unwrap_used, clippy::expect_used)]

use offduty_core::prefs::PrefsSync;
use offduty_domain::prefs::{Channels, Preferences, QuietWindow};

use offduty_testkit::refusing::{RefusingProxy, validation_problem};
use offduty_testkit::{Phone, TestServer};

const REASON: &str = "quiet hours may not cover the department's call-out window";

fn nights() -> Preferences {
    Preferences {
        channels: Channels {
            push: true,
            sms: false,
            email: true,
        },
        quiet_hours: vec![QuietWindow {
            weekday: "fri".into(),
            start: "22:00".into(),
            end: "06:00".into(),
        }],
        version: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_preferences_edit_is_kept_with_the_reason_until_edited_or_discarded() {
    let server = TestServer::start(1).await;
    let proxy = RefusingProxy::start(server.addr).await;
    let answer = validation_problem(REASON, "quiet_hours[0]", "inconsistent", None);
    proxy.refuse("PUT", "/v1/preferences", answer.clone());
    let phone = Phone::new(proxy.addr);
    server.sign_in(&phone, 0).await;
    let server_copy = phone.core.preferences().unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);

    phone.core.set_preferences(nights()).unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Pending);
    let report = phone.sync().await;
    assert!(report.offline.is_none(), "{report:?}");

    // Refused: the edit is still what the officer sees, with the server's words.
    let PrefsSync::Refused(refusal) = phone.core.preferences_sync().unwrap() else {
        panic!("expected a refusal")
    };
    assert_eq!(refusal.reason, REASON);
    assert_eq!(refusal.field.as_deref(), Some("quiet_hours[0]"));
    let kept = phone.core.preferences().unwrap();
    assert_eq!(kept.quiet_hours, nights().quiet_hours);

    // Later syncs neither resend it nor overwrite it with the server's copy.
    let again = phone.sync().await;
    assert!(again.offline.is_none(), "{again:?}");
    assert!(matches!(
        phone.core.preferences_sync().unwrap(),
        PrefsSync::Refused(_)
    ));
    assert_eq!(
        phone.core.preferences().unwrap().quiet_hours,
        nights().quiet_hours
    );

    // The officer edits again: it goes up (the server now accepts it).
    proxy.pass("PUT", "/v1/preferences");
    let mut fixed = nights();
    fixed.quiet_hours[0].end = "05:00".into();
    phone.core.set_preferences(fixed.clone()).unwrap();
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Pending);
    phone.sync().await;
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);
    assert_eq!(
        phone.core.preferences().unwrap().quiet_hours,
        fixed.quiet_hours
    );

    // Refused again, then discarded: back to the server's copy, nothing pending.
    proxy.refuse("PUT", "/v1/preferences", answer.clone());
    phone.core.set_preferences(nights()).unwrap();
    phone.sync().await;
    assert!(matches!(
        phone.core.preferences_sync().unwrap(),
        PrefsSync::Refused(_)
    ));
    assert!(phone.core.discard_preferences_edit().unwrap());
    assert_eq!(phone.core.preferences_sync().unwrap(), PrefsSync::Synced);
    let back = phone.core.preferences().unwrap();
    assert_eq!(back.quiet_hours, fixed.quiet_hours);
    assert_ne!(back.quiet_hours, server_copy.quiet_hours);
}
