//! The officer's actions, decided on the phone: what is refused locally (and why, in words),
//! and what is queued (with the note the officer sees). A refusal queues nothing.

use chrono::Duration;
use proptest::prelude::*;

use offduty_core::CoreError;
use offduty_core::actions::Queued;
use offduty_domain::award::ReleaseTier;
use offduty_domain::eligibility::{IneligibleReason, Rank, Requirements};
use offduty_domain::policy::{CancelPolicy, CancelWindow};
use offduty_domain::protocol::{
    Action, AssignmentStatus, Job, JobStatus, RejectCode, SyncResponse,
};

use crate::support::*;

/// A phone that has synced `job` with the officer's standing on it (`None`: no part in it).
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

#[track_caller]
fn nothing_queued(phone: &Phone) {
    assert!(phone.core.pending_actions().unwrap().is_empty());
}

// --- claim -----------------------------------------------------------------------------------------

#[test]
fn claiming_an_open_job_queues_it_and_says_how_slots_are_awarded() {
    let job = job();
    let phone = phone_with(&job, None);
    let q = phone.core.claim(job.id).unwrap();
    assert_eq!((q.kind.as_str(), q.job_id), ("claim", job.id));
    assert_eq!(
        q.note.as_deref(),
        Some("First come, first served: the first eligible officers to claim get the slots.")
    );
    let queued = phone.queued();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].idempotency_key, q.idempotency_key);
    assert_eq!(queued[0].action, Action::Claim { job_id: job.id });
    assert_eq!(queued[0].created_at, now());
    assert_eq!(phone.standing(&job).describe(), "Claim waiting to sync");
}

#[test]
fn a_job_missing_from_the_cache_cannot_be_acted_on() {
    let phone = Phone::synced(&snapshot());
    let id = job().id;
    assert!(matches!(
        phone.core.claim(id),
        Err(CoreError::NotFound("job"))
    ));
    assert!(matches!(
        phone.core.withdraw(id),
        Err(CoreError::NotFound("job"))
    ));
    assert!(matches!(
        phone.core.cancel(id, None),
        Err(CoreError::NotFound("job"))
    ));
    assert!(matches!(
        phone.core.transfer(id, None),
        Err(CoreError::NotFound("job"))
    ));
    nothing_queued(&phone);
}

#[test]
fn a_called_off_finished_or_started_job_cannot_be_claimed() {
    let cases = [
        (
            job().with_status(JobStatus::Cancelled),
            "This job was called off.",
        ),
        (job().with_status(JobStatus::Completed), "This job is over."),
        (
            job().starting_in(Duration::minutes(-5)),
            "This job has already started.",
        ),
    ];
    for (job, why) in cases {
        let phone = phone_with(&job, None);
        assert_eq!(
            refused(phone.core.claim(job.id)),
            (RejectCode::JobClosed, why.to_string())
        );
        nothing_queued(&phone);
    }
}

#[test]
fn a_second_claim_on_the_same_job_is_refused_with_where_the_officer_stands() {
    let job = job();
    let phone = phone_with(&job, None);
    phone.core.claim(job.id).unwrap();
    assert_eq!(
        refused(phone.core.claim(job.id)),
        (
            RejectCode::AlreadyClaimed,
            "Your claim on this job is waiting to sync.".to_string()
        )
    );
    assert_eq!(phone.core.pending_actions().unwrap().len(), 1);

    for (status, line) in [
        (
            AssignmentStatus::Awarded,
            "You already hold a slot on this job.",
        ),
        (
            AssignmentStatus::Waitlisted,
            "You are already on this job's waitlist.",
        ),
        (
            AssignmentStatus::Requested,
            "You already asked for this job.",
        ),
    ] {
        let phone = phone_with(&job, Some(status));
        assert_eq!(
            refused(phone.core.claim(job.id)),
            (RejectCode::AlreadyClaimed, line.to_string())
        );
        nothing_queued(&phone);
    }
}

#[test]
fn after_withdrawing_or_cancelling_the_officer_may_claim_again() {
    let job = job();
    for status in [AssignmentStatus::Withdrawn, AssignmentStatus::Cancelled] {
        let phone = phone_with(&job, Some(status));
        phone.core.claim(job.id).unwrap();
    }
}

#[test]
fn claiming_before_signups_open_for_the_officer_is_refused_with_the_opening_time() {
    let job = job().released(
        hours(-1),
        vec![ReleaseTier {
            groups: vec!["Traffic Unit".into()],
            hours: 24,
        }],
    );
    let phone = phone_with(&job, None);
    assert_eq!(
        refused(phone.core.claim(job.id)),
        (
            RejectCode::SignupClosed,
            "Signups open for you on Tue 3 Nov 08:00 EST.".to_string()
        )
    );
    nothing_queued(&phone);

    phone.clock.advance(hours(23));
    phone.core.claim(job.id).unwrap();
}

#[test]
fn an_ineligible_claim_is_refused_with_every_reason() {
    let job = job().requiring(Requirements {
        min_rank: Some(Rank::Sergeant),
        certifications: vec!["flagger".into()],
        groups: Vec::new(),
    });
    let phone = phone_with(&job, None);
    match phone.core.claim(job.id) {
        Err(CoreError::Rejected {
            code: RejectCode::NotEligible,
            reason,
            ineligible,
        }) => {
            assert_eq!(
                reason,
                "Requires Sergeant or above (you are Officer). Requires certification: flagger."
            );
            assert_eq!(
                ineligible,
                vec![
                    IneligibleReason::RankTooLow {
                        required: Rank::Sergeant,
                        actual: Rank::Officer
                    },
                    IneligibleReason::MissingCertification {
                        certification: "flagger".into()
                    },
                ]
            );
        }
        other => panic!("expected not eligible, got {other:?}"),
    }
    nothing_queued(&phone);
}

#[test]
fn a_claim_waiting_to_sync_makes_an_overlapping_claim_ineligible() {
    let first = job();
    let overlapping = job().starting_in(hours(73));
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![first.clone(), overlapping.clone()],
        ..snapshot()
    });
    phone.core.claim(first.id).unwrap();
    let (code, reason) = refused(phone.core.claim(overlapping.id));
    assert_eq!(code, RejectCode::NotEligible);
    assert!(reason.starts_with("Overlaps your detail"), "{reason}");
}

// --- withdraw --------------------------------------------------------------------------------------

#[test]
fn withdrawing_leaves_a_waitlist_or_a_request() {
    let job = job();
    for status in [AssignmentStatus::Waitlisted, AssignmentStatus::Requested] {
        let phone = phone_with(&job, Some(status));
        let q = phone.core.withdraw(job.id).unwrap();
        assert_eq!((q.kind.as_str(), q.note), ("withdraw", None));
        assert_eq!(
            phone.standing(&job).describe(),
            "Withdrawal waiting to sync"
        );
    }
}

#[test]
fn a_claim_not_yet_sent_can_be_withdrawn_and_both_go_in_order() {
    let job = job();
    let phone = phone_with(&job, None);
    phone.core.claim(job.id).unwrap();
    phone.core.withdraw(job.id).unwrap();
    let kinds: Vec<&str> = phone
        .queued()
        .iter()
        .map(|e| e.action.kind().as_str())
        .collect();
    assert_eq!(kinds, vec!["claim", "withdraw"]);
}

/// A withdrawal waiting to sync has already taken the officer out of the line (the standing
/// says so): like a second cancel or transfer, a second withdrawal is refused here rather than
/// sent for the server to refuse.
#[test]
fn a_second_withdrawal_is_refused_while_the_first_waits_to_sync() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Waitlisted));
    phone.core.withdraw(job.id).unwrap();
    assert_eq!(
        phone.standing(&job).describe(),
        "Withdrawal waiting to sync"
    );
    let second = phone.core.withdraw(job.id);
    let queued = phone.core.pending_actions().unwrap().len();
    assert!(
        matches!(
            second,
            Err(CoreError::Rejected {
                code: RejectCode::NotAssigned,
                ..
            })
        ),
        "a second withdrawal was accepted ({second:?}); {queued} withdrawals are now queued"
    );
    assert_eq!(queued, 1);
}

#[test]
fn a_held_slot_is_cancelled_or_transferred_not_withdrawn() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    assert_eq!(
        refused(phone.core.withdraw(job.id)),
        (
            RejectCode::Invalid,
            "You hold a slot on this job: cancel or transfer it instead.".to_string()
        )
    );
    nothing_queued(&phone);
}

#[test]
fn there_is_nothing_to_withdraw_without_a_place_in_line() {
    let job = job();
    for status in [None, Some(AssignmentStatus::Withdrawn)] {
        let phone = phone_with(&job, status);
        assert_eq!(
            refused(phone.core.withdraw(job.id)),
            (
                RejectCode::NotAssigned,
                "You have no request or waitlist place on this job.".to_string()
            )
        );
        nothing_queued(&phone);
    }
}

// --- cancel ----------------------------------------------------------------------------------------

#[test]
fn cancelling_48_hours_or_more_ahead_is_free() {
    let job = job().starting_in(hours(48));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone
        .core
        .cancel(job.id, Some("  family emergency \n".into()))
        .unwrap();
    assert_eq!(q.kind, offduty_domain::actions::ActionKind::Cancel);
    assert!(
        q.note.as_deref().unwrap_or("").contains("cancel freely"),
        "the note says which window applies: {:?}",
        q.note
    );
    assert_eq!(
        phone.queued()[0].action,
        Action::Cancel {
            job_id: job.id,
            reason: Some("family emergency".into())
        }
    );
    assert!(!phone.standing(&job).holds_slot());
}

#[test]
fn cancelling_inside_the_replacement_window_is_queued_with_a_note() {
    let job = job().starting_in(hours(24));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone.core.cancel(job.id, None).unwrap();
    assert_eq!(
        q.note.as_deref(),
        Some(
            "Less than 48 hours before the start: you can cancel only if a replacement takes \
             the slot (the next officer on the waitlist, or a transfer)."
        )
    );
    assert_eq!(phone.queued().len(), 1);
}

#[test]
fn cancelling_inside_the_last_window_is_refused_call_the_coordinator() {
    for lead in [hours(11), Duration::minutes(1), hours(-1)] {
        let job = job().starting_in(lead);
        let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
        assert_eq!(
            refused(phone.core.cancel(job.id, None)),
            (
                RejectCode::CallCoordinator,
                "Less than 12 hours before the start: call the detail coordinator to be released."
                    .to_string()
            )
        );
        nothing_queued(&phone);
        assert!(
            phone.standing(&job).holds_slot(),
            "still the officer's shift"
        );
    }
}

#[test]
fn the_departments_own_cancel_windows_apply() {
    let job = job().starting_in(hours(20));
    let mut r = rules();
    r.cancel_policy = CancelPolicy {
        free_hours: 24,
        replacement_hours: 2,
    };
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: vec![assignment(&job, AssignmentStatus::Awarded)],
        rules: Some(r),
        ..snapshot()
    });
    let note = phone.core.cancel(job.id, None).unwrap().note.unwrap();
    assert!(
        note.starts_with("Less than 24 hours before the start"),
        "{note}"
    );
}

#[test]
fn a_cancel_reason_is_trimmed_blank_means_none_and_too_long_is_refused_not_cut() {
    let job = job().starting_in(hours(100));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    phone.core.cancel(job.id, Some(" \t ".into())).unwrap();
    let phone2 = phone_with(&job, Some(AssignmentStatus::Awarded));
    phone2.core.cancel(job.id, Some("é".repeat(500))).unwrap();

    let reason = |p: &Phone| match &p.queued()[0].action {
        Action::Cancel { reason, .. } => reason.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(reason(&phone), None);
    assert_eq!(reason(&phone2).unwrap().chars().count(), 500);

    // Longer than the limit: refused naming the field, nothing queued (the officer's words are
    // never cut silently).
    let phone3 = phone_with(&job, Some(AssignmentStatus::Awarded));
    match phone3.core.cancel(job.id, Some("é".repeat(501))) {
        Err(CoreError::Invalid(e)) => {
            assert_eq!(e.field, "reason");
            assert_eq!(e.code, offduty_domain::validation::InvalidCode::TooLong);
        }
        other => panic!("expected a refusal of the reason, got {other:?}"),
    }
    nothing_queued(&phone3);
}

#[test]
fn only_a_held_slot_can_be_cancelled() {
    let job = job();
    for status in [None, Some(AssignmentStatus::Waitlisted)] {
        let phone = phone_with(&job, status);
        assert_eq!(
            refused(phone.core.cancel(job.id, None)),
            (
                RejectCode::NotAssigned,
                "You do not hold a slot on this job.".to_string()
            )
        );
        nothing_queued(&phone);
    }
    // A cancel already queued gave the slot up: a second one is refused.
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    phone.core.cancel(job.id, None).unwrap();
    assert_eq!(
        refused(phone.core.cancel(job.id, None)).0,
        RejectCode::NotAssigned
    );
    assert_eq!(phone.core.pending_actions().unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// For any policy and lead time, cancelling does what the policy's window says: refused
    /// (call the coordinator), or queued with the note of the window that applies.
    #[test]
    fn cancelling_follows_the_departments_window(
        free in 0u32..96,
        replacement in 0u32..96,
        lead_min in -120i64..(100 * 60),
    ) {
        prop_assume!(free >= replacement);
        let policy = CancelPolicy { free_hours: free, replacement_hours: replacement };
        let job = job().starting_in(Duration::minutes(lead_min));
        let mut r = rules();
        r.cancel_policy = policy.clone();
        let phone = Phone::synced(&SyncResponse {
            jobs: vec![job.clone()],
            assignments: vec![assignment(&job, AssignmentStatus::Awarded)],
            rules: Some(r),
            ..snapshot()
        });
        let window = policy.window(job.starts_at, now());
        match (window, phone.core.cancel(job.id, None)) {
            (CancelWindow::CallCoordinator, Err(CoreError::Rejected { code, reason, .. })) => {
                prop_assert_eq!(code, RejectCode::CallCoordinator);
                prop_assert_eq!(reason, window.explain(&policy));
                prop_assert!(phone.queued().is_empty());
            }
            (CancelWindow::NeedsReplacement, Ok(q)) => {
                prop_assert_eq!(q.note, Some(window.explain(&policy)));
            }
            (CancelWindow::Free, Ok(q)) => {
                prop_assert_eq!(q.note, Some(window.explain(&policy)));
            }
            (w, r) => prop_assert!(false, "window {:?} but cancel gave {:?}", w, r),
        }
    }
}

// --- transfer --------------------------------------------------------------------------------------

#[test]
fn offering_a_shift_on_the_board_is_queued_with_a_note() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone.core.transfer(job.id, None).unwrap();
    assert_eq!(
        q.note.as_deref(),
        Some("Offered on the board: you keep the shift until another officer takes it.")
    );
    assert_eq!(
        phone.queued()[0].action,
        Action::Transfer {
            job_id: job.id,
            to_officer_id: None
        }
    );
    assert_eq!(phone.standing(&job).describe(), "Transfer waiting to sync");
}

#[test]
fn handing_a_shift_to_a_colleague_is_queued() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    let q = phone.core.transfer(job.id, Some(COLLEAGUE)).unwrap();
    assert_eq!(q.note, None);
    assert_eq!(
        phone.queued()[0].action,
        Action::Transfer {
            job_id: job.id,
            to_officer_id: Some(COLLEAGUE)
        }
    );
}

#[test]
fn a_shift_cannot_be_handed_to_its_own_holder() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    assert_eq!(
        refused(phone.core.transfer(job.id, Some(OFFICER))),
        (
            RejectCode::TransferTargetInvalid,
            "You already hold this slot.".to_string()
        )
    );
    nothing_queued(&phone);
}

#[test]
fn only_a_held_slot_on_a_job_still_ahead_can_be_transferred() {
    let job = job();
    let phone = phone_with(&job, Some(AssignmentStatus::Waitlisted));
    assert_eq!(
        refused(phone.core.transfer(job.id, Some(COLLEAGUE))).0,
        RejectCode::NotAssigned
    );
    let started = job.clone().starting_in(hours(-1));
    let phone = phone_with(&started, Some(AssignmentStatus::Awarded));
    assert_eq!(
        refused(phone.core.transfer(started.id, None)),
        (
            RejectCode::JobClosed,
            "This job has already started.".to_string()
        )
    );
    nothing_queued(&phone);
}

// --- the queue, as the officer sees it -------------------------------------------------------------

#[test]
fn discarding_a_wedged_claim_lets_the_officer_claim_again() {
    let job = job();
    let phone = phone_with(&job, None);
    let first = phone.core.claim(job.id).unwrap();
    phone.wedge(first.idempotency_key, "the server refused it (422): bad");
    assert_eq!(
        refused(phone.core.claim(job.id)).1,
        "Your earlier claim on this job could not be sent: retry it or discard it first."
    );

    assert!(phone.core.discard_action(first.idempotency_key).unwrap());
    nothing_queued(&phone);
    let second = phone.core.claim(job.id).unwrap();
    assert_ne!(second.idempotency_key, first.idempotency_key);
}

#[test]
fn only_a_wedged_action_can_be_retried_or_discarded() {
    let job = job();
    let phone = phone_with(&job, None);
    let q = phone.core.claim(job.id).unwrap();
    assert!(!phone.core.retry_action(q.idempotency_key).unwrap());
    assert!(!phone.core.discard_action(q.idempotency_key).unwrap());
    assert_eq!(phone.core.pending_actions().unwrap().len(), 1);

    phone.wedge(q.idempotency_key, "refused");
    assert!(phone.core.retry_action(q.idempotency_key).unwrap());
    let p = &phone.core.pending_actions().unwrap()[0];
    assert_eq!((p.wedged_reason.as_deref(), p.attempts), (None, 0));
}

#[test]
fn once_clocked_in_only_the_coordinator_can_release_the_officer() {
    let job = job().starting_in(hours(72));
    let phone = phone_with(&job, Some(AssignmentStatus::Awarded));
    // Clocked in (very early: the punch itself needs review, but it is on the record).
    phone
        .core
        .clock_in(job.id, &fix_at(SITE, phone.clock.now()), false)
        .unwrap();
    let (code, reason) = refused(phone.core.cancel(job.id, None));
    assert_eq!(code, RejectCode::CallCoordinator);
    assert!(reason.contains("clocked in"), "{reason}");
    let (code, _) = refused(phone.core.transfer(job.id, None));
    assert_eq!(code, RejectCode::CallCoordinator);
    assert_eq!(phone.queued().len(), 1, "only the clock-in is queued");
}
