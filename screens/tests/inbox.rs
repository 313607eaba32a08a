//! The inbox, deep links and app events against the real demo department: the push token
//! handed over as an app event reaches the server for this device (and an unchanged one does
//! not sync again); a push after the coordinator calls a shift off syncs and routes to the
//! job; the inbox shows the notification with its route; opening it marks it read; a link
//! round-trips; a screen opened on a stale cache syncs first; the network coming back sends
//! what waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;

use offduty_domain::push::PushPlatform;
use offduty_screens::events::SyncReason;
use offduty_screens::inbox::InboxKind;
use offduty_screens::text::Msg;
use offduty_screens::{AppEvent, Route, Screens, SyncKind};
use offduty_testkit::phone::{DemoServer, Phone};

use common::{Coordinator, counter, eligible_first_come};

/// The push tokens the server keeps: (device id, platform, token).
fn tokens_on_server(server: &DemoServer) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open(&server.db_path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    let mut st = c
        .prepare("SELECT device_id, platform, token FROM device_push_tokens")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_leads_through_the_inbox_to_the_job_it_is_about() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());

    // Not signed in: events change nothing.
    let out = screens.app_event(AppEvent::Foreground).await;
    assert_eq!((out.synced, out.reason), (false, SyncReason::NotSignedIn));

    phone.sign_in("officer051@columbus.demo").await;
    let device = phone
        .core
        .session()
        .unwrap()
        .unwrap()
        .device_id
        .unwrap()
        .to_string();
    let inbox = screens.inbox();
    let s = inbox.state();
    assert!(s.items.is_empty());
    assert_eq!(s.empty, Some(Msg::InboxEmptyNeverFetched.text()));

    // The push service issues a token: it reaches the server for this device.
    let out = screens
        .app_event(AppEvent::PushToken {
            platform: PushPlatform::Fcm,
            token: "fcm-token-1".into(),
        })
        .await;
    assert_eq!((out.synced, out.reason), (true, SyncReason::NewPushToken));
    assert_eq!(
        tokens_on_server(&server),
        [(device.clone(), "fcm".into(), "fcm-token-1".into())]
    );
    let same = screens
        .app_event(AppEvent::PushToken {
            platform: PushPlatform::Fcm,
            token: "fcm-token-1".into(),
        })
        .await;
    assert_eq!(
        (same.synced, same.reason),
        (false, SyncReason::SamePushToken)
    );
    let bad = screens
        .app_event(AppEvent::PushToken {
            platform: PushPlatform::Apns,
            token: "not hex".into(),
        })
        .await;
    assert_eq!((bad.synced, bad.reason), (false, SyncReason::BadPushToken));
    assert_eq!(
        inbox.state().empty,
        Some(Msg::InboxEmpty.text()),
        "fetched, nothing yet"
    );

    // Just synced: coming to the foreground does not sync again.
    let fg = screens.app_event(AppEvent::Foreground).await;
    assert_eq!((fg.synced, fg.reason), (false, SyncReason::Fresh));

    // The officer holds a shift; the department calls it off and a push arrives.
    let job = eligible_first_come(&phone).job.id;
    phone.core.claim(job).unwrap();
    screens.sync_all().await.unwrap();
    Coordinator::sign_in(&server).await.cancel_job(job).await;
    let heard = counter();
    inbox.set_listener(Some(heard.clone()));
    let payload = format!(r#"{{"data":{{"kind":"job_cancelled","job_id":"{job}","title":"x"}}}}"#);
    let out = screens
        .app_event(AppEvent::PushReceived {
            payload_json: payload.clone(),
        })
        .await;
    assert_eq!((out.synced, out.reason), (true, SyncReason::PushArrived));
    let to_job = Route::Job {
        id: job.to_string(),
    };
    assert_eq!(out.route, Some(to_job.clone()));
    assert_eq!(screens.on_push(&payload), to_job);
    assert!(heard.get() >= 1, "the inbox heard of the sync");

    // The inbox: the notice, unread, leading to the job.
    let s = inbox.state();
    assert_eq!(s.unread, 1);
    assert_eq!(s.mark_all_label, Some(Msg::InboxMarkAllRead.text()));
    let item = s.items[0].clone();
    assert_eq!(item.kind, InboxKind::JobCancelled);
    assert_eq!(item.title, Msg::InboxCancelledTitle.text());
    assert!(item.unread && item.route == to_job);
    assert!(item.when.starts_with("today "), "{}", item.when);

    // Opening it: read, and the route; its link names the same route.
    assert_eq!(inbox.open(&item.id), to_job);
    assert_eq!(inbox.state().unread, 0);
    assert_eq!(screens.route_for_link(&to_job.link()), to_job);
    assert_eq!(
        screens.route_for_link("https://example.com/elsewhere"),
        Route::Board
    );

    // Opening the job's screen right away: the cache is fresh, no sync.
    let decision = screens.open(&to_job).await;
    assert_eq!((decision.sync, decision.reason), (false, SyncReason::Fresh));
    // Three minutes later the cache is stale: sync first.
    phone.clock.advance(Duration::minutes(3));
    let decision = screens.open(&to_job).await;
    assert_eq!((decision.sync, decision.reason), (true, SyncReason::Stale));
    // A job this phone never saw: sync first.
    let decision = screens
        .open(&Route::Job {
            id: uuid::Uuid::now_v7().to_string(),
        })
        .await;
    assert_eq!(decision.reason, SyncReason::Missing);

    // Offline, an action waits; the network comes back: it is sent.
    phone.link.set_online(false);
    let other = eligible_first_come(&phone).job.id;
    phone.core.claim(other).unwrap();
    let fg = screens.app_event(AppEvent::Foreground).await;
    assert_eq!((fg.synced, fg.reason), (true, SyncReason::PendingActions));
    assert_eq!(screens.sync_status().kind, SyncKind::Offline);
    phone.link.set_online(true);
    let back = screens.app_event(AppEvent::NetworkBack).await;
    assert_eq!(
        (back.synced, back.reason),
        (true, SyncReason::PendingActions)
    );
    let status = screens.sync_status();
    assert_eq!((status.kind, status.pending), (SyncKind::Synced, 0));

    // Mark all read is there only while something is unread.
    inbox.mark_all_read();
    assert!(inbox.state().mark_all_label.is_none());
}
