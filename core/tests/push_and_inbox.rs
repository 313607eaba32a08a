//! What only a phone has, carried to the server and back: the device's push token (sent on
//! the next sync, again after every sign-in, waiting while offline, cleared at sign-out) and
//! the officer's notifications (fetched, cached for the inbox offline, opened ones kept
//! opened). Against a real `offduty-server` process.
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-core --test push_and_inbox
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;

use offduty_core::CoreError;
use offduty_core::inbox::Notice;
use offduty_core::push::PushTokenState;
use offduty_domain::push::{PushPlatform, PushToken};

use offduty_testkit::api::hours_from_now;
use offduty_testkit::{PASSWORD, TestServer};

fn fcm(token: &str) -> PushToken {
    PushToken {
        platform: PushPlatform::Fcm,
        token: token.into(),
    }
}

/// The server's copy: (device id, token) of every kept push token.
fn on_server(server: &TestServer) -> Vec<(String, String)> {
    let c = server.sqlite();
    let mut st = c
        .prepare("SELECT device_id, token FROM device_push_tokens ORDER BY device_id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_push_token_reaches_the_server_when_it_changes_and_again_after_sign_in() {
    let server = TestServer::start(2).await;
    let phone = server.phone(0).await;
    let device = phone
        .core
        .session()
        .unwrap()
        .unwrap()
        .device_id
        .unwrap()
        .to_string();
    assert_eq!(phone.core.push_token_state().unwrap(), PushTokenState::None);

    // Handed over offline: it waits.
    phone.go_offline();
    assert!(phone.core.set_push_token(fcm("token-1")).unwrap());
    assert!(
        !phone.core.set_push_token(fcm("token-1")).unwrap(),
        "unchanged"
    );
    phone.sync().await;
    assert_eq!(
        phone.core.push_token_state().unwrap(),
        PushTokenState::Pending
    );
    assert!(on_server(&server).is_empty());

    // Back online: sent once, then not again.
    phone.go_online();
    phone.sync().await;
    assert_eq!(phone.core.push_token_state().unwrap(), PushTokenState::Sent);
    assert_eq!(on_server(&server), [(device.clone(), "token-1".into())]);

    // The platform rotates it.
    assert!(phone.core.set_push_token(fcm("token-2")).unwrap());
    assert_eq!(
        phone.core.push_token_state().unwrap(),
        PushTokenState::Pending
    );
    phone.sync().await;
    assert_eq!(on_server(&server), [(device.clone(), "token-2".into())]);

    // A bad token never leaves the phone.
    let bad = phone.core.set_push_token(fcm("two words"));
    assert!(
        matches!(bad, Err(CoreError::Invalid(ref e)) if e.field == "push_token.token"),
        "{bad:?}"
    );

    // Signing out stops pushes to this phone; signing in again sends the token again.
    phone.core.logout(false).await.unwrap();
    assert!(on_server(&server).is_empty());
    phone
        .core
        .login(&server.officers[0].email, PASSWORD, "Test phone")
        .await
        .unwrap();
    assert_eq!(
        phone.core.push_token_state().unwrap(),
        PushTokenState::Pending
    );
    phone.sync().await;
    assert_eq!(on_server(&server), [(device.clone(), "token-2".into())]);
    assert_eq!(phone.core.push_token_state().unwrap(), PushTokenState::Sent);

    // Another officer signs in on this phone: the install's token goes with their device now,
    // and the first officer's notices no longer reach it.
    phone.core.logout(false).await.unwrap();
    let next = &server.officers[1];
    phone
        .core
        .login(&next.email, PASSWORD, "Test phone")
        .await
        .unwrap();
    phone.sync().await;
    let theirs = phone
        .core
        .session()
        .unwrap()
        .unwrap()
        .device_id
        .unwrap()
        .to_string();
    assert_ne!(theirs, device);
    assert_eq!(on_server(&server), [(theirs, "token-2".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_cached_for_the_inbox_and_stay_opened() {
    let server = TestServer::start(1).await;
    let phone = server.phone(0).await;
    let job = server.create_job(hours_from_now(30), 2).await;
    phone.sync().await;
    phone.core.claim(job).unwrap();
    phone.sync().await;
    assert!(phone.core.notifications().unwrap().is_empty());
    assert_eq!(phone.core.notifications_fetched_at().unwrap(), None);

    // The department calls the job off: the officer is told.
    server
        .as_coordinator(Method::POST, &format!("/v1/jobs/{job}/cancel"), None)
        .await;
    let fetch = phone.core.fetch_notifications().await.unwrap();
    assert_eq!((fetch.new, fetch.total), (1, 1));
    let inbox = phone.core.notifications().unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].kind, "job_cancelled");
    let Some(Notice::JobCancelled { job_id, title }) = &inbox[0].notice else {
        panic!("{:?}", inbox[0])
    };
    assert_eq!((*job_id, title.is_empty()), (job, false));
    assert!(inbox[0].read_at.is_none());
    assert!(phone.core.notifications_fetched_at().unwrap().is_some());

    // Opened, then fetched again offline (refused, cache kept) and online (still opened).
    assert!(phone.core.mark_notification_read(inbox[0].id).unwrap());
    assert!(!phone.core.mark_notification_read(inbox[0].id).unwrap());
    phone.go_offline();
    let offline = phone.core.fetch_notifications().await;
    assert!(matches!(offline, Err(CoreError::Offline(_))), "{offline:?}");
    assert_eq!(phone.core.notifications().unwrap().len(), 1);
    phone.go_online();
    let again = phone.core.fetch_notifications().await.unwrap();
    assert_eq!((again.new, again.total), (0, 1));
    assert!(phone.core.notifications().unwrap()[0].read_at.is_some());
}
