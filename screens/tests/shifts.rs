//! My shifts against the real demo department: sections (upcoming, in line, past), a cancel
//! the server refuses shown on the shift with the rules' sentence, offering a shift on the
//! board, and handing one to a colleague found in the department's directory — a search that
//! needs a connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};

use offduty_core::standing::StandingKind;
use offduty_domain::policy::CancelWindow;
use offduty_screens::actions::JobActionKind;
use offduty_screens::shifts::{ShiftRow, ShiftSectionKind, ShiftsState};
use offduty_screens::text::Msg;
use offduty_screens::{NoticeKind, ShiftsScreen};
use offduty_testkit::phone::DemoServer;

use common::{Coordinator, claim_n, counter, days_ahead, eligible_for, officer};

/// The row of `job` and the section it is in.
fn find(s: &ShiftsState, job: &str) -> Option<(ShiftSectionKind, ShiftRow)> {
    s.sections.iter().find_map(|sec| {
        sec.rows
            .iter()
            .find(|r| r.job_id == job)
            .map(|r| (sec.kind, r.clone()))
    })
}

fn row(shifts: &ShiftsScreen, job: &str) -> (ShiftSectionKind, ShiftRow) {
    let s = shifts.state();
    find(&s, job).unwrap_or_else(|| panic!("no row for {job}: {s:#?}"))
}

fn kinds(r: &ShiftRow) -> Vec<JobActionKind> {
    r.actions.iter().map(|a| a.kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sections_a_refused_cancel_an_offer_and_a_past_shift() {
    let server = DemoServer::start();
    let (phone, screens) = officer(server.addr, 16).await;
    let shifts = screens.shifts();
    let heard = counter();
    shifts.set_listener(Some(heard.clone()));
    let picks = claim_n(&screens, 3).await;
    assert!(heard.get() >= 3 * 2, "told of every claim and its sync");

    // Three shifts held, soonest first, each with cancel, hand-on and offer.
    let s = shifts.state();
    let upcoming = &s.sections[0];
    assert_eq!(upcoming.kind, ShiftSectionKind::Upcoming);
    assert_eq!(upcoming.title, Msg::ShiftsUpcoming.text());
    assert!(
        upcoming
            .rows
            .windows(2)
            .all(|w| w[0].starts_at <= w[1].starts_at)
    );
    for id in &picks {
        let (section, r) = row(&shifts, id);
        assert_eq!(section, ShiftSectionKind::Upcoming);
        assert_eq!(
            (r.standing, r.standing_text.as_str()),
            (StandingKind::Holding, "Your shift")
        );
        assert!(r.refused.is_none() && r.pending.is_none() && r.wedged.is_none());
        assert_eq!(
            kinds(&r),
            [
                JobActionKind::Cancel,
                JobActionKind::Transfer,
                JobActionKind::Offer
            ]
        );
    }
    assert!(s.empty.is_none());

    // One shift is over: it moves to the past, with nothing to do on it.
    let now = Utc::now();
    let (past, late, offered) = (&picks[0], &picks[1], &picks[2]);
    offduty_testkit::move_job(
        &server.db_path,
        past,
        now - Duration::days(2) - Duration::hours(4),
        now - Duration::days(2),
    );
    // Another starts in a day: cancelling needs someone to take the slot.
    offduty_testkit::move_job(
        &server.db_path,
        late,
        now + Duration::hours(24),
        now + Duration::hours(28),
    );
    shifts.refresh().await;
    let (section, r) = row(&shifts, past);
    assert_eq!(section, ShiftSectionKind::Past);
    assert!(r.actions.is_empty());
    let s = shifts.state();
    assert_eq!(
        s.sections.last().map(|sec| (sec.kind, sec.title.clone())),
        Some((ShiftSectionKind::Past, Msg::ShiftsPast.text()))
    );

    // The cancel's window is said before confirming; the server refuses it (nobody waits to
    // take the slot) and the shift shows the refusal in the rules' words.
    let (window, sentence) = phone.core.cancel_window(late.parse().unwrap()).unwrap();
    assert_eq!(window, CancelWindow::NeedsReplacement);
    let (_, r) = row(&shifts, late);
    let cancel = &r.actions[0];
    assert!(cancel.enabled);
    assert_eq!(cancel.confirm.as_ref().unwrap().message, sentence);
    shifts
        .perform(
            late.clone(),
            JobActionKind::Cancel,
            Some("family emergency".into()),
        )
        .await;
    let s = shifts.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Refused, "{}", notice.text);
    assert!(notice.text.contains(&sentence), "{}", notice.text);
    let (section, r) = find(&s, late).unwrap();
    assert_eq!(section, ShiftSectionKind::Upcoming);
    assert_eq!(r.standing, StandingKind::Holding);
    let refused = r.refused.expect("the refusal on the shift");
    assert!(
        refused.starts_with("Refused: ") && refused.contains(&sentence),
        "{refused}"
    );

    // Offered back to the board: still the officer's until someone takes it.
    shifts
        .perform(offered.clone(), JobActionKind::Offer, None)
        .await;
    assert_eq!(shifts.state().notice.unwrap().kind, NoticeKind::Success);
    let (_, r) = row(&shifts, offered);
    assert_eq!(r.standing, StandingKind::Offered);
    assert_eq!(r.standing_text, "Your shift (offered on the board)");
    assert_eq!(kinds(&r), [JobActionKind::Cancel, JobActionKind::Transfer]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_handed_to_a_colleague_found_in_the_directory() {
    let server = DemoServer::start();
    let coordinator = Coordinator::sign_in(&server).await;
    let job = coordinator
        .post_job("Screens test: hand-on", days_ahead(11), 2)
        .await;
    let officers = eligible_for(&server, &job, 20, 2).await;
    let (me, mine) = &officers[0];
    let (them, theirs) = &officers[1];
    let their = them.core.session().unwrap().unwrap();
    let my_name = me.core.session().unwrap().unwrap().display_name;
    mine.job(&job).perform(JobActionKind::Claim, None).await;

    let shifts = mine.shifts();
    let heard = counter();
    shifts.set_listener(Some(heard.clone()));
    shifts
        .perform(job.clone(), JobActionKind::Transfer, None)
        .await;
    let panel = shifts.state().transfer.expect("the officer search is open");
    assert_eq!(panel.job_id, job);
    assert_eq!(panel.title, Msg::TransferTitle.text());
    assert_eq!(panel.hint, Some(Msg::TransferHint.with(&[("min", "2")])));
    assert_eq!(
        panel.offer.as_ref().map(|a| a.kind),
        Some(JobActionKind::Offer)
    );

    // One letter: not enough to ask the server.
    shifts.search_officers("a".into()).await;
    let panel = shifts.state().transfer.unwrap();
    assert!(panel.results.is_empty() && !panel.searching);
    assert_eq!(panel.hint, Some(Msg::TransferHint.with(&[("min", "2")])));

    // By name: the colleague, with the confirmation naming them; never the officer themself.
    let before = heard.get();
    shifts.search_officers(their.display_name.clone()).await;
    assert!(
        heard.get() >= before + 2,
        "told when the search started and ended"
    );
    let panel = shifts.state().transfer.unwrap();
    let found = panel
        .results
        .iter()
        .find(|m| m.officer_id == their.officer_id.to_string())
        .expect("the colleague is found by name");
    assert!(
        found.line.contains(&their.display_name) && found.line.contains('#'),
        "{}",
        found.line
    );
    assert_eq!(
        found.confirm.message,
        Msg::ConfirmTransfer.with(&[("name", &their.display_name)])
    );
    let my_id = me.core.session().unwrap().unwrap().officer_id.to_string();
    shifts.search_officers(my_name.clone()).await;
    let panel = shifts.state().transfer.unwrap();
    assert!(
        panel.results.iter().all(|m| m.officer_id != my_id),
        "not to oneself"
    );
    if panel.results.is_empty() {
        assert_eq!(
            panel.hint,
            Some(Msg::TransferNoMatch.with(&[("query", &my_name)]))
        );
    }

    // Offline: the search says it needs a connection; the board is still offered.
    me.link.set_online(false);
    shifts.search_officers(their.display_name.clone()).await;
    let panel = shifts.state().transfer.unwrap();
    assert!(panel.offline && panel.results.is_empty());
    assert_eq!(panel.hint, Some(Msg::TransferOffline.text()));
    assert!(panel.offer.is_some());

    // Back online: hand it on; the shift leaves this officer's list and joins theirs.
    me.link.set_online(true);
    shifts.search_officers(their.display_name.clone()).await;
    let id = shifts
        .state()
        .transfer
        .unwrap()
        .results
        .into_iter()
        .find(|m| m.officer_id == their.officer_id.to_string())
        .unwrap()
        .officer_id;
    shifts.transfer_to(id).await;
    let s = shifts.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    assert!(
        s.transfer.is_none(),
        "the search closes once the shift is handed on"
    );
    assert!(find(&s, &job).is_none());
    let their_shifts = theirs.shifts();
    their_shifts.refresh().await;
    let (section, r) = row(&their_shifts, &job);
    assert_eq!(
        (section, r.standing),
        (ShiftSectionKind::Upcoming, StandingKind::Holding)
    );
}
