//! The clock screen against the real demo department: no shift; waiting for a fix; no fix
//! (and what the officer is told to do); the core's preview verdicts (inside, outside by N m,
//! poor accuracy, mocked); the explicit confirmation a rejected punch needs; queued offline;
//! the server's verdict after the sync; then the clock-out likewise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use offduty_domain::punch::{PunchReason, PunchVerdict};
use offduty_domain::timecard::PunchKind;
use offduty_screens::Screens;
use offduty_screens::clock::{ClockPhase, LocationProblem};
use offduty_screens::text::Msg;
use offduty_testkit::phone::{DemoServer, Phone};

use common::{counter, fix_near, hold_shift_now};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_from_waiting_for_a_fix_to_the_servers_verdict_in_and_out() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());

    // Before sign-in: no shift.
    let nothing = screens.clock(None).state();
    assert_eq!(nothing.phase, ClockPhase::NoShift);
    assert_eq!(nothing.message, Msg::ClockNoShift.text());

    phone.sign_in("officer021@columbus.demo").await;
    let job = hold_shift_now(&server, &phone).await;
    let clock = screens.clock(None);
    let heard = counter();
    clock.set_listener(Some(heard.clone()));

    // The screen picks the shift whose window is open and asks for a fix.
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::WaitingForFix);
    assert_eq!(s.punch, PunchKind::In);
    assert!(s.needs_location);
    assert_eq!(s.shift.as_ref().unwrap().job_id, job.to_string());
    assert!(s.map.is_some() && s.map.as_ref().unwrap().fix.is_none());
    assert!(s.clock_in.is_none() && !s.finished);

    // No fix: why, and what to do.
    clock.location_unavailable(LocationProblem::Denied);
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::LocationUnavailable);
    assert_eq!(s.message, Msg::ClockLocationDenied.text());
    assert_eq!(s.advice, Some(Msg::ClockLocationDeniedAdvice.text()));
    assert!(!s.needs_location);
    clock.location_unavailable(LocationProblem::TimedOut);
    assert_eq!(
        clock.state().advice,
        Some(Msg::ClockLocationTimedOutAdvice.text())
    );
    clock.start();
    assert_eq!(clock.state().phase, ClockPhase::WaitingForFix);

    // Inside the fence: verified, the map shows the fix.
    clock.location_fix(fix_near(&phone, job, 0.0, 8.0, false));
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::Preview);
    assert_eq!(s.verdict, Some(PunchVerdict::Verified));
    assert!(s.reasons.is_empty() && s.advice.is_none());
    assert!(s.message.starts_with("On site"), "{}", s.message);
    assert_eq!(s.distance_outside_m, Some(0.0));
    assert_eq!(s.map.as_ref().unwrap().accuracy_m, Some(8.0));
    assert_eq!(s.confirm_label, Some(Msg::ClockActionIn.text()));

    // Two kilometres north: rejected, outside by N m, the rules' own sentence.
    clock.location_fix(fix_near(&phone, job, 2_000.0, 8.0, false));
    let s = clock.state();
    assert_eq!(s.verdict, Some(PunchVerdict::Rejected));
    assert_eq!(s.reasons[0].code, "outside_fence");
    let outside = s.distance_outside_m.unwrap();
    assert!(outside > 1_000.0 && outside < 2_000.0, "{outside}");
    let rule = PunchReason::OutsideFence {
        distance_m: outside,
        accuracy_m: 8.0,
    };
    assert_eq!(s.reasons[0].text, rule.explain());
    assert_eq!(s.message, rule.explain());
    assert_eq!(s.advice, Some(Msg::ClockAdviceMoveInside.text()));

    // Poor accuracy: needs review, and the officer may go ahead.
    clock.location_fix(fix_near(&phone, job, 0.0, 180.0, false));
    let s = clock.state();
    assert_eq!(s.verdict, Some(PunchVerdict::NeedsReview));
    assert!(
        s.reasons.iter().any(|r| r.code == "low_accuracy"),
        "{:?}",
        s.reasons
    );
    assert_eq!(
        s.advice,
        Some(Msg::ClockAdviceReview.with(&[("punch", &Msg::ClockPunchIn.text())]))
    );

    // A mocked location: rejected; confirming asks for the explicit confirmation.
    clock.location_fix(fix_near(&phone, job, 0.0, 8.0, true));
    let s = clock.state();
    assert_eq!(s.verdict, Some(PunchVerdict::Rejected));
    assert_eq!(s.reasons[0].code, "mock_location");
    assert_eq!(s.advice, Some(Msg::ClockAdviceNoMock.text()));
    phone.link.set_online(false);
    clock.confirm().await;
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::ConfirmRejected);
    assert_eq!(s.confirm_label, Some(Msg::ClockRecordAnyway.text()));
    assert!(
        s.message.contains("anyway"),
        "the core's question: {}",
        s.message
    );
    assert!(
        phone.core.punches(job).unwrap().is_empty(),
        "nothing recorded yet"
    );

    // Recorded anyway, offline: queued on the phone.
    let before = heard.get();
    clock.confirm().await;
    assert!(heard.get() > before, "the listener heard of it");
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::Queued);
    assert_eq!(s.punch, PunchKind::In);
    assert_eq!(
        s.verdict,
        Some(PunchVerdict::Rejected),
        "this phone's verdict"
    );
    assert!(!s.needs_location && s.confirm_label.is_none());
    assert_eq!(s.start_label, Some(Msg::ClockActionOut.text()));
    assert_eq!(s.sync.pending, 1);
    let line = s.clock_in.unwrap();
    assert_eq!(
        (line.local_verdict, line.server_verdict),
        (Some(PunchVerdict::Rejected), None)
    );

    // Online again: the server's verdict, in the core's words.
    phone.link.set_online(true);
    clock.refresh().await;
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::Decided);
    assert_eq!(s.verdict, Some(PunchVerdict::Rejected));
    assert!(s.reasons.iter().any(|r| r.code == "mock_location"));
    assert!(
        s.message.starts_with("Recorded but rejected by the server"),
        "{}",
        s.message
    );
    assert_eq!(
        s.clock_in.as_ref().unwrap().server_verdict,
        Some(PunchVerdict::Rejected)
    );
    assert_eq!(s.sync.pending, 0);

    // Clock-out: started by the officer, previewed, recorded and decided (online).
    clock.start();
    let s = clock.state();
    assert_eq!(
        (s.phase, s.punch),
        (ClockPhase::WaitingForFix, PunchKind::Out)
    );
    assert_eq!(s.title, Msg::ClockTitleOut.text());
    clock.location_fix(fix_near(&phone, job, 0.0, 8.0, false));
    let s = clock.state();
    assert_eq!(
        (s.phase, s.verdict),
        (ClockPhase::Preview, Some(PunchVerdict::Verified))
    );
    assert_eq!(s.confirm_label, Some(Msg::ClockActionOut.text()));
    clock.confirm().await;
    let s = clock.state();
    assert_eq!((s.phase, s.punch), (ClockPhase::Decided, PunchKind::Out));
    assert_eq!(s.verdict, Some(PunchVerdict::Verified));
    assert_eq!(s.message, "Recorded and verified by the server.");
    assert!(s.finished);
    assert_eq!(s.advice, Some(Msg::ClockFinished.text()));
    assert!(s.clock_out.is_some());

    // A fix after both punches changes nothing.
    clock.location_fix(fix_near(&phone, job, 0.0, 8.0, false));
    assert_eq!(clock.state().phase, ClockPhase::Decided);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screen_opened_for_a_job_stays_on_it_and_an_unknown_job_says_so() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    phone.sign_in("officer023@columbus.demo").await;
    let screens = Screens::new(phone.core.clone());
    let job = hold_shift_now(&server, &phone).await;

    let clock = screens.clock(Some(&job.to_string()));
    assert_eq!(
        clock.state().shift.unwrap().job_id,
        job.to_string(),
        "opened for the job"
    );
    // A fix the platform could not have produced is refused as bad input, not a crash.
    let mut bad = fix_near(&phone, job, 0.0, 8.0, false);
    bad.lat = 123.0;
    clock.location_fix(bad);
    let s = clock.state();
    assert_eq!(s.phase, ClockPhase::WaitingForFix);
    assert!(s.notice.is_some());
    clock.dismiss_notice();
    assert!(clock.state().notice.is_none());

    for other in [uuid::Uuid::now_v7().to_string(), "not-an-id".to_string()] {
        let s = screens.clock(Some(&other)).state();
        assert_eq!(s.phase, ClockPhase::NoShift, "{other}");
        assert!(s.shift.is_none());
        assert!(s.notice.is_some(), "the job is not on this phone");
    }
}
