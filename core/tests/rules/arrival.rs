//! "Running late" and "won't make it" on the phone (decision 048): checked locally by the
//! domain's rule, queued with the note the officer reads, and the slot given up optimistically
//! by a queued "won't make it" (the outbox row is the optimistic state).

use chrono::Duration;

use offduty_core::CoreError;
use offduty_core::actions::Queued;
use offduty_domain::actions::ActionKind;
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::{Action, AssignmentStatus, Job, RejectCode, SyncResponse};

use crate::support::*;

fn phone_with(job: &Job, status: Option<AssignmentStatus>) -> Phone {
    Phone::synced(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: status.map(|s| assignment(job, s)).into_iter().collect(),
        ..snapshot()
    })
}

#[track_caller]
fn refused(r: offduty_core::Result<Queued>) -> (RejectCode, String) {
    match r {
        Err(CoreError::Rejected { code, reason, .. }) => (code, reason),
        other => panic!("expected a local refusal, got {other:?}"),
    }
}

#[test]
fn running_late_is_queued_with_the_time_the_department_expects_the_officer() {
    // Starts in 30 minutes (14:30 UTC is 09:30 in New York).
    let job = job().starting_in(Duration::minutes(30));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone.core.report_late(job.id, 15).unwrap();
    assert_eq!(q.kind, ActionKind::ReportLate);
    assert_eq!(
        q.note.as_deref(),
        Some("Running late: the department expects you at 09:45.")
    );
    assert_eq!(
        phone.queued()[0].action,
        Action::ReportLate {
            job_id: job.id,
            minutes_late: 15
        }
    );
    let standing = phone.standing(&job);
    assert!(standing.holds_slot(), "still the officer's shift");
    assert_eq!(standing.describe(), "Running-late notice waiting to sync");
}

#[test]
fn running_late_is_refused_locally_when_the_server_would_refuse_it() {
    let near = job().starting_in(Duration::minutes(30));
    let phone = phone_with(&near, Some(AssignmentStatus::Awarded));
    assert_eq!(
        refused(phone.core.report_late(near.id, 0)).0,
        RejectCode::Invalid
    );
    assert_eq!(
        refused(phone.core.report_late(near.id, 181)).0,
        RejectCode::Invalid
    );
    let far = job().starting_in(hours(3));
    let phone2 = phone_with(&far, Some(AssignmentStatus::Awarded));
    let (code, reason) = refused(phone2.core.report_late(far.id, 10));
    assert_eq!(code, RejectCode::JobClosed);
    assert!(reason.contains("cancel the shift instead"), "{reason}");
    let theirs = phone_with(&near, Some(AssignmentStatus::Waitlisted));
    assert_eq!(
        refused(theirs.core.report_late(near.id, 10)).0,
        RejectCode::NotAssigned
    );
    for p in [&phone, &phone2, &theirs] {
        assert!(p.core.pending_actions().unwrap().is_empty());
    }
}

#[test]
fn wont_make_it_gives_the_slot_up_at_once_and_says_it_counts_as_late() {
    let job = job().starting_in(Duration::minutes(45));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let checks = phone.core.action_checks(job.id).unwrap();
    assert_eq!(checks.wont_make_it, Ok(CancelWindow::CallCoordinator));
    assert!(checks.report_late.is_ok());
    assert!(
        checks.cancel.is_err(),
        "a plain cancel is refused this close"
    );
    let terms = phone.core.wont_make_it_terms(job.id).unwrap();
    assert!(terms.contains("counts as a late cancellation"), "{terms}");
    let q = phone
        .core
        .wont_make_it(job.id, Some("  car broke down ".into()))
        .unwrap();
    assert_eq!(q.kind, ActionKind::WontMakeIt);
    assert_eq!(q.note.as_deref(), Some(terms.as_str()));
    assert_eq!(
        phone.queued()[0].action,
        Action::WontMakeIt {
            job_id: job.id,
            reason: Some("car broke down".into())
        }
    );
    let standing = phone.standing(&job);
    assert!(!standing.holds_slot(), "given up optimistically");
    assert_eq!(standing.describe(), "Won't-make-it notice waiting to sync");
    // Given up: neither can be said again.
    assert_eq!(
        refused(phone.core.wont_make_it(job.id, None)).0,
        RejectCode::NotAssigned
    );
    assert_eq!(
        refused(phone.core.report_late(job.id, 5)).0,
        RejectCode::NotAssigned
    );
    assert_eq!(phone.queued().len(), 1);
}

#[test]
fn a_wedged_wont_make_it_keeps_the_shift_until_retried() {
    let job = job().starting_in(Duration::minutes(45));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone.core.wont_make_it(job.id, None).unwrap();
    phone.wedge(q.idempotency_key, "server error");
    assert!(phone.standing(&job).holds_slot());
    assert!(phone.core.retry_action(q.idempotency_key).unwrap());
    assert!(!phone.standing(&job).holds_slot());
}

#[test]
fn after_the_end_or_once_clocked_in_neither_is_offered() {
    let ended = job().starting_in(hours(-5));
    let phone = phone_with(&ended, Some(AssignmentStatus::Awarded));
    let checks = phone.core.action_checks(ended.id).unwrap();
    assert_eq!(
        checks.report_late.unwrap_err().reason,
        "This shift has ended."
    );
    assert!(checks.wont_make_it.is_err());

    let started = job().starting_in(Duration::minutes(-5));
    let phone = phone_with(&started, Some(AssignmentStatus::Awarded));
    phone
        .core
        .clock_in(started.id, &fix_at(SITE, phone.clock.now()), false)
        .unwrap();
    let checks = phone.core.action_checks(started.id).unwrap();
    assert!(checks.report_late.is_err());
    assert_eq!(
        checks.wont_make_it.unwrap_err().code,
        RejectCode::CallCoordinator
    );
}
