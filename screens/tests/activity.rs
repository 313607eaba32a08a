//! The activity screen against the real demo department behind a proxy that can fail or
//! refuse action batches: an action saved offline, tried while the server fails (attempts and
//! the next try in local time), wedged when the server refuses it (the reason, on the activity
//! screen and on the shift), retried, and another discarded after its confirmation — with the
//! listeners told.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;

use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_screens::actions::JobActionKind;
use offduty_screens::text::Msg;
use offduty_screens::{NoticeKind, Screens, SyncKind};
use offduty_testkit::phone::{DemoServer, Phone};

use common::{REFUSAL, claimable, counter, refuse_actions};
use offduty_testkit::refusing::{Answer, RefusingProxy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_failing_wedged_retried_and_discarded() {
    let server = DemoServer::start();
    let proxy = RefusingProxy::start(server.addr).await;
    let phone = Phone::new(proxy.addr);
    phone.sign_in("officer017@columbus.demo").await;
    let screens = Screens::new(phone.core.clone());
    let activity = screens.activity();
    let heard = counter();
    activity.set_listener(Some(heard.clone()));
    assert_eq!(activity.state().empty, Some(Msg::ActivityEmpty.text()));
    let first = claimable(&screens).into_iter().next().unwrap();

    // Saved offline: waiting, goes with the next sync.
    phone.link.set_online(false);
    screens
        .job(&first.job_id)
        .perform(JobActionKind::Claim, None)
        .await;
    assert!(heard.get() >= 2, "the activity screen heard of the claim");
    let s = activity.state();
    assert!(s.empty.is_none() && s.wedged.is_empty());
    assert_eq!(s.sync.kind, SyncKind::Offline);
    let r = &s.pending[0];
    assert_eq!((r.kind, r.what.as_str()), (ActionKind::Claim, "Claim"));
    assert_eq!(r.job_title, first.title);
    assert!(
        r.queued_text.starts_with("Saved today "),
        "{}",
        r.queued_text
    );
    assert_eq!((r.attempts, r.attempts_text.clone()), (0, None));
    assert_eq!(r.next_attempt_text, Some(Msg::ActivityNextSync.text()));
    assert!(r.retry_label.is_none() && r.discard_confirm.is_none());

    // The server fails: tried once, the next try is a moment later (in local time).
    phone.link.set_online(true);
    proxy.refuse("POST", "/v1/actions", Answer::Unavailable);
    activity.refresh().await;
    let s = activity.state();
    let r = &s.pending[0];
    assert_eq!(r.attempts, 1);
    assert_eq!(r.attempts_text.as_deref(), Some("Attempts so far: 1"));
    assert!(r.next_attempt_at.is_some());
    let next = r.next_attempt_text.clone().unwrap();
    assert!(next.starts_with("Next try "), "{next}");
    assert!(
        r.last_error.as_deref().unwrap_or("").contains("503"),
        "{:?}",
        r.last_error
    );

    // The server refuses the batch because of it: wedged, with the reason, here and on the
    // shift.
    proxy.refuse("POST", "/v1/actions", refuse_actions());
    phone.clock.advance(Duration::minutes(1));
    activity.refresh().await;
    let s = activity.state();
    assert!(s.pending.is_empty());
    assert_eq!(s.sync.wedged, 1);
    let r = s.wedged[0].clone();
    assert!(r.wedged_reason.as_deref().unwrap().contains(REFUSAL));
    assert!(r.next_attempt_text.is_none());
    assert_eq!(r.retry_label, Some(Msg::ActivityRetry.text()));
    let confirm = r.discard_confirm.clone().unwrap();
    assert_eq!(confirm.title, "Discard this claim?");
    assert!(
        confirm.message.contains(&first.title),
        "{}",
        confirm.message
    );
    let shifts = screens.shifts();
    let on_shift = shifts
        .state()
        .sections
        .into_iter()
        .flat_map(|s| s.rows)
        .find(|row| row.job_id == first.job_id)
        .unwrap();
    assert_eq!(on_shift.standing, StandingKind::Wedged);
    assert!(on_shift.wedged.unwrap().contains(REFUSAL));

    // The server takes it again: retried and decided.
    proxy.pass("POST", "/v1/actions");
    activity.retry(r.key.clone()).await;
    let s = activity.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    assert!(notice.text.starts_with("Awarded"), "{}", notice.text);
    assert_eq!(s.empty, Some(Msg::ActivityEmpty.text()));

    // Wedged again on another job: discarded after the confirmation; the job screen hears of
    // it and the officer has no part in the job any more.
    // (Picked now: holding the first shift changes what this officer may claim.)
    let second = claimable(&screens).into_iter().next().unwrap();
    proxy.refuse("POST", "/v1/actions", refuse_actions());
    let job = screens.job(&second.job_id);
    let job_heard = counter();
    job.set_listener(Some(job_heard.clone()));
    job.perform(JobActionKind::Claim, None).await;
    let notice = job.state().notice.unwrap();
    assert_eq!(notice.kind, NoticeKind::Failure);
    assert!(
        notice.text.starts_with("Could not send your claim"),
        "{}",
        notice.text
    );
    let key = activity.state().wedged[0].key.clone();
    let before = job_heard.get();
    activity.discard(key);
    assert!(
        job_heard.get() > before,
        "the job screen heard of the discard"
    );
    let s = activity.state();
    assert_eq!(s.notice.unwrap().text, "Your claim was discarded.");
    assert_eq!(s.empty, Some(Msg::ActivityEmpty.text()));
    let d = job.state().detail.unwrap();
    assert_eq!(d.standing, StandingKind::None);
    assert!(d.refused.is_none(), "a discard is not a refusal");
    assert_eq!(job.state().actions[0].kind, JobActionKind::Claim);
}
