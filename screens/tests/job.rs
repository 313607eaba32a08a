//! The job detail screen against the real demo department: everything a claim needs, the
//! actions open now with their confirmations, a claim made offline then sent, a sync that
//! changes the job (another officer takes the last slot; the coordinator calls it off), and a
//! cancel the rules refuse inside the call-the-coordinator window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};

use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::JobStatus;
use offduty_screens::actions::JobActionKind;
use offduty_screens::board::Eligibility;
use offduty_screens::job::{JobState, MapFence, SignupPhase};
use offduty_screens::text::Msg;
use offduty_screens::{NoticeKind, SyncKind};
use offduty_testkit::phone::DemoServer;

use common::{Coordinator, claimable, counter, days_ahead, eligible_for, officer};

fn kinds(s: &JobState) -> Vec<JobActionKind> {
    s.actions.iter().map(|a| a.kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_from_the_detail_screen_offline_then_online() {
    let server = DemoServer::start();
    let (phone, screens) = officer(server.addr, 12).await;
    let pick = claimable(&screens)
        .into_iter()
        .next()
        .expect("a first-come job this officer may claim");
    let job = screens.job(&pick.job_id);
    let heard = counter();
    job.set_listener(Some(heard.clone()));

    // Everything a claim needs, ready to draw.
    let s = job.state();
    assert!(s.missing.is_none());
    let d = s.detail.clone().unwrap();
    assert_eq!(d.title, pick.title);
    assert!(!d.customer.is_empty() && !d.address.is_empty() && !d.site.is_empty());
    assert_eq!(d.when, pick.when);
    assert!(d.when.contains('–'), "{}", d.when);
    assert!(d.pay.ends_with("/h"), "{}", d.pay);
    assert!(d.estimate.as_deref().unwrap().starts_with("≈ $"));
    assert_eq!(d.award_decides, Msg::AwardDecidesNow.text());
    assert!(!d.award_text.is_empty() && !d.release.is_empty());
    assert_eq!(d.signup, SignupPhase::Open);
    assert_eq!(d.eligibility, Eligibility::Eligible);
    assert!(d.reasons.is_empty());
    assert_eq!(d.standing, StandingKind::None);
    assert!(d.place_in_line.is_none() && d.closed.is_none());
    match &d.fence {
        MapFence::Circle { radius_m, .. } => assert!(*radius_m > 0.0),
        MapFence::Polygon { vertices } => assert!(vertices.len() >= 3),
    }
    assert_eq!(kinds(&s), [JobActionKind::Claim]);
    let claim = &s.actions[0];
    assert!(claim.enabled && claim.disabled_reason.is_none());
    let confirm = claim.confirm.as_ref().unwrap();
    assert_eq!(confirm.title, Msg::ConfirmClaimTitle.text());
    assert_eq!(confirm.message, d.award_text, "the award rule in words");

    // Offline: saved on the phone, shown waiting; the next step is leaving the line.
    phone.link.set_online(false);
    job.perform(JobActionKind::Claim, None).await;
    let s = job.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(
        (notice.kind, notice.text.as_str()),
        (NoticeKind::Info, Msg::QueuedOffline.text().as_str())
    );
    let d = s.detail.clone().unwrap();
    assert_eq!(d.standing, StandingKind::Pending);
    assert_eq!(d.standing_text, "Claim waiting to sync");
    assert_eq!(d.pending, Some(ActionKind::Claim));
    assert_eq!(s.sync.kind, SyncKind::Offline);
    assert_eq!(s.sync.pending, 1);
    assert!(!s.busy);
    assert_eq!(kinds(&s), [JobActionKind::Withdraw]);
    assert!(heard.get() >= 3, "told: busy, queued, sync start and end");

    // Online: the sync sends it; the shift is the officer's, with its actions.
    phone.link.set_online(true);
    let before = heard.get();
    job.refresh().await;
    assert!(heard.get() > before);
    let s = job.state();
    let d = s.detail.clone().unwrap();
    assert_eq!(d.standing, StandingKind::Holding);
    assert_eq!(d.standing_text, "Your shift");
    assert_eq!(s.sync.kind, SyncKind::Synced);
    assert_eq!(
        kinds(&s),
        [
            JobActionKind::Cancel,
            JobActionKind::Transfer,
            JobActionKind::Offer
        ]
    );
    let cancel = &s.actions[0];
    let (window, sentence) = phone
        .core
        .cancel_window(pick.job_id.parse().unwrap())
        .unwrap();
    let confirm = cancel.confirm.as_ref().unwrap();
    assert_eq!(
        confirm.message, sentence,
        "the window, said before confirming"
    );
    assert_eq!(
        confirm.reason_label.as_deref(),
        Some("Reason for the coordinator (optional)")
    );
    assert_eq!(cancel.enabled, window != CancelWindow::CallCoordinator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_shows_the_last_slot_taken_and_the_job_called_off() {
    let server = DemoServer::start();
    let coordinator = Coordinator::sign_in(&server).await;
    let job_id = coordinator
        .post_job("Screens test: one slot", days_ahead(9), 1)
        .await;
    let officers = eligible_for(&server, &job_id, 13, 2).await;
    let (_, mine) = &officers[0];
    let (_, theirs) = &officers[1];

    let job = mine.job(&job_id);
    let heard = counter();
    job.set_listener(Some(heard.clone()));
    let s = job.state();
    let d = s.detail.clone().unwrap();
    assert_eq!(d.slots, "0 of 1 filled");
    assert!(!d.full);
    assert_eq!(d.notes.as_deref(), Some("Report to Sgt. Ortiz at Gate 10."));
    assert_eq!(kinds(&s), [JobActionKind::Claim]);

    // Another officer takes the last slot; this phone learns it on its next sync.
    let other = theirs.job(&job_id);
    other.perform(JobActionKind::Claim, None).await;
    assert_eq!(other.state().notice.unwrap().kind, NoticeKind::Success);
    let before = heard.get();
    job.refresh().await;
    assert!(heard.get() > before, "the listener heard of the sync");
    let s = job.state();
    let d = s.detail.clone().unwrap();
    assert_eq!(d.slots, "1 of 1 filled");
    assert!(d.full);
    assert_eq!(kinds(&s), [JobActionKind::JoinWaitlist]);
    assert!(s.actions[0].enabled);

    // The officer waits in line for it.
    job.perform(JobActionKind::JoinWaitlist, None).await;
    let s = job.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    let d = s.detail.clone().unwrap();
    assert_eq!(d.standing, StandingKind::Waitlisted);
    assert_eq!(d.place_in_line.as_deref(), Some("#1 in line"));
    assert_eq!(kinds(&s), [JobActionKind::Withdraw]);

    // The coordinator calls it off: the next sync says so, and nothing can be claimed.
    coordinator.call_off(&job_id).await;
    job.refresh().await;
    let s = job.state();
    let d = s.detail.clone().unwrap();
    assert_eq!(d.status, JobStatus::Cancelled);
    assert_eq!(d.closed.as_deref(), Some("This job was called off."));
    assert_eq!(d.standing, StandingKind::CalledOff);
    assert_eq!(s.actions.len(), 1);
    assert!(!s.actions[0].enabled);
    assert_eq!(
        s.actions[0].disabled_reason.as_deref(),
        Some("This job was called off.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_inside_the_call_coordinator_window_is_refused_with_its_sentence() {
    let server = DemoServer::start();
    let (phone, screens) = officer(server.addr, 14).await;
    let pick = claimable(&screens).into_iter().next().unwrap();
    let job = screens.job(&pick.job_id);
    job.perform(JobActionKind::Claim, None).await;
    assert_eq!(job.state().detail.unwrap().standing, StandingKind::Holding);

    // The job moves to six hours from now: inside the last window.
    let now = Utc::now();
    offduty_testkit::move_job(
        &server.db_path,
        &pick.job_id,
        now + Duration::hours(6),
        now + Duration::hours(10),
    );
    job.refresh().await;
    let (window, sentence) = phone
        .core
        .cancel_window(pick.job_id.parse().unwrap())
        .unwrap();
    assert_eq!(window, CancelWindow::CallCoordinator);
    let s = job.state();
    let cancel = s
        .actions
        .iter()
        .find(|a| a.kind == JobActionKind::Cancel)
        .unwrap();
    assert!(!cancel.enabled);
    assert_eq!(cancel.disabled_reason.as_deref(), Some(sentence.as_str()));
    assert_eq!(cancel.confirm.as_ref().unwrap().message, sentence);

    // Asked anyway (a stale screen): refused with the same sentence, nothing queued.
    job.perform(JobActionKind::Cancel, Some("sick".into()))
        .await;
    let s = job.state();
    let notice = s.notice.unwrap();
    assert_eq!((notice.kind, notice.text), (NoticeKind::Refused, sentence));
    assert_eq!(s.detail.unwrap().standing, StandingKind::Holding);
    assert_eq!(s.sync.pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_the_start_the_officer_can_say_running_late_or_wont_make_it() {
    let server = DemoServer::start();
    let (phone, screens) = officer(server.addr, 16).await;
    let pick = claimable(&screens).into_iter().next().unwrap();
    let job = screens.job(&pick.job_id);
    job.perform(JobActionKind::Claim, None).await;
    let s = job.state();
    assert_eq!(s.detail.clone().unwrap().standing, StandingKind::Holding);
    assert!(
        !kinds(&s).contains(&JobActionKind::RunningLate) && s.late_choices.is_empty(),
        "days ahead: not yet"
    );

    // The job moves to start in 40 minutes.
    let now = Utc::now();
    offduty_testkit::move_job(
        &server.db_path,
        &pick.job_id,
        now + Duration::minutes(40),
        now + Duration::minutes(280),
    );
    job.refresh().await;
    let s = job.state();
    assert_eq!(
        kinds(&s),
        [
            JobActionKind::Cancel,
            JobActionKind::Transfer,
            JobActionKind::RunningLate,
            JobActionKind::WontMakeIt,
            JobActionKind::Offer
        ]
    );
    let minutes: Vec<u16> = s.late_choices.iter().map(|c| c.minutes).collect();
    assert_eq!(minutes, [5, 10, 15, 30, 60]);
    assert_eq!(s.late_choices[2].label, "15 min");
    assert_eq!(s.late_title, "How late will you be?");
    let give_up = s
        .actions
        .iter()
        .find(|a| a.kind == JobActionKind::WontMakeIt)
        .unwrap();
    assert!(give_up.enabled);
    let confirm = give_up.confirm.as_ref().unwrap();
    let terms = phone
        .core
        .wont_make_it_terms(pick.job_id.parse().unwrap())
        .unwrap();
    assert_eq!(confirm.message, terms, "the sentence is the core's");
    assert!(terms.contains("counts as a late cancellation"), "{terms}");
    assert_eq!(confirm.title, "Give up this shift?");

    // Running late without the minutes: the shell must ask first.
    job.perform(JobActionKind::RunningLate, None).await;
    assert_eq!(job.state().notice.unwrap().text, Msg::LatePickFirst.text());

    // Offline: saved and shown waiting; the shift is still the officer's.
    phone.link.set_online(false);
    job.report_late(15).await;
    let s = job.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(
        (notice.kind, notice.text.as_str()),
        (NoticeKind::Info, Msg::QueuedOffline.text().as_str())
    );
    let d = s.detail.clone().unwrap();
    assert_eq!(d.pending, Some(ActionKind::ReportLate));
    assert_eq!(d.standing_text, "Running-late notice waiting to sync");
    assert!(kinds(&s).contains(&JobActionKind::WontMakeIt));

    // Online: a new time, sent at once; the server's answer is the notice.
    phone.link.set_online(true);
    job.report_late(10).await;
    let s = job.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    assert!(
        notice
            .text
            .starts_with("Running late: the department expects you at"),
        "{}",
        notice.text
    );
    assert_eq!(s.sync.pending, 0, "both reports were sent");
    assert_eq!(s.detail.unwrap().standing, StandingKind::Holding);

    // Won't make it: given up as a cancellation, the slot is no longer the officer's.
    job.perform(JobActionKind::WontMakeIt, Some("flat tyre".into()))
        .await;
    let s = job.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    assert!(notice.text.starts_with("Cancelled"), "{}", notice.text);
    let d = s.detail.clone().unwrap();
    assert_eq!(d.standing, StandingKind::Left);
    assert!(!kinds(&s).contains(&JobActionKind::RunningLate));
    assert!(s.late_choices.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_the_officer_may_not_work_says_why_with_every_reason() {
    let server = DemoServer::start();
    let (_phone, screens) = officer(server.addr, 12).await;
    let board = screens.board();
    board.load_more();
    // A job this officer may not work whose signups are open to them now: for one whose
    // release tier has not reached them yet, the closed button says when it opens instead
    // (the demo's tiers are relative to the moment of seeding, so which jobs those are
    // depends on the hour).
    let s = board
        .state()
        .rows
        .into_iter()
        .filter(|r| r.eligibility == Eligibility::NotEligible && r.standing == StandingKind::None)
        .map(|r| screens.job(&r.job_id).state())
        .find(|s| {
            s.detail
                .as_ref()
                .is_some_and(|d| d.signup == SignupPhase::Open)
        })
        .expect("a job this demo officer may not work (on-duty shifts, caps, rank), open to them");
    let d = s.detail.unwrap();
    assert_eq!(d.eligibility, Eligibility::NotEligible);
    assert!(!d.reasons.is_empty());
    assert!(
        d.reasons
            .iter()
            .all(|r| !r.code.is_empty() && !r.text.is_empty())
    );
    assert_eq!(d.eligibility_text, d.reasons[0].text);
    // The claim button is there, closed, with the rules' sentence joining every reason.
    let claim = &s.actions[0];
    assert!(!claim.enabled);
    let why = claim.disabled_reason.clone().unwrap();
    assert!(d.reasons.iter().all(|r| why.contains(&r.text)), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_is_not_on_the_phone_says_so() {
    let server = DemoServer::start();
    let (_phone, screens) = officer(server.addr, 15).await;
    for id in ["not-a-job", "0190c2b1-0000-7000-8000-000000000000"] {
        let job = screens.job(id);
        let s = job.state();
        assert!(s.detail.is_none() && s.actions.is_empty());
        assert_eq!(s.missing, Some(Msg::JobMissing.text()));
        job.perform(JobActionKind::Claim, None).await;
        assert_eq!(job.state().notice.unwrap().kind, NoticeKind::Refused);
    }
}
