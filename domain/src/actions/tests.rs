use proptest::prelude::*;

use super::*;
use crate::award::{AwardRule, ReleaseTier};
use crate::eligibility::{Rank, Requirements};
use crate::geofence::{GeoPoint, Geofence};

fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).expect("valid timestamp")
}

/// A first-come job starting at hour 100, signups open since hour 0.
pub(super) fn job() -> Job {
    let p = GeoPoint::new(39.96, -83.0);
    Job {
        id: Uuid::from_u128(7),
        department_id: Uuid::from_u128(1),
        title: "Traffic — Gate 3".into(),
        customer_name: "Ohio Stadium".into(),
        site_name: "Gate 3".into(),
        address: "411 Woody Hayes Dr".into(),
        location: p,
        geofence: Geofence::circle(p, 100.0),
        starts_at: at(100),
        ends_at: at(104),
        slots: 2,
        slots_filled: 0,
        slots_offered: 0,
        job_type: "traffic".into(),
        rate_cents: 6500,
        multiplier_bp: 10_000,
        currency: "USD".into(),
        requirements: Requirements::default(),
        award_rule: AwardRule::FirstCome,
        signup_opens_at: at(0),
        signup_closes_at: None,
        release_tiers: Vec::new(),
        status: JobStatus::Open,
        notes: String::new(),
        version: 1,
    }
}

fn officer(groups: &[&str]) -> OfficerProfile {
    OfficerProfile {
        id: Uuid::from_u128(42),
        display_name: "Marcus Holloway".into(),
        badge: "4411".into(),
        rank: Rank::Officer,
        certifications: Vec::new(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        seniority: 12,
        permit_expires_at: None,
    }
}

fn stake(status: Option<AssignmentStatus>) -> Stake {
    Stake::of(status, false)
}

fn pending(status: Option<AssignmentStatus>, kind: ActionKind, wedged: bool) -> Stake {
    Stake {
        status,
        offered: false,
        pending: Some(Pending { kind, wedged }),
    }
}

fn claim_facts<'a>(job: &'a Job, stake: Stake, claimant: Claimant<'a>) -> ClaimFacts<'a> {
    ClaimFacts {
        job,
        stake,
        claimant,
        award_ran: job.award_rule.is_immediate(),
        ineligible: &[],
        now: at(10),
        tz: chrono_tz::America::New_York,
    }
}

fn code(r: Result<impl std::fmt::Debug, Refusal>) -> RejectCode {
    r.expect_err("refused").code
}

#[test]
fn eligible_officer_takes_a_first_come_job_and_requests_a_ranked_one() {
    let j = job();
    let me = officer(&[]);
    assert_eq!(
        check_claim(&claim_facts(&j, Stake::default(), Claimant::Officer(&me))),
        Ok(ClaimPath::Take)
    );
    let mut ranked = job();
    ranked.award_rule = AwardRule::Seniority;
    ranked.signup_closes_at = Some(at(50));
    assert_eq!(
        check_claim(&claim_facts(
            &ranked,
            Stake::default(),
            Claimant::Officer(&me)
        )),
        Ok(ClaimPath::Request)
    );
}

#[test]
fn claim_refusals_come_in_order_closed_claimed_officer_signup_eligibility() {
    let me = officer(&[]);
    let mut called_off = job();
    called_off.status = JobStatus::Cancelled;
    // Closed beats everything else.
    let f = ClaimFacts {
        ineligible: &[IneligibleReason::NoPermit],
        ..claim_facts(
            &called_off,
            stake(Some(AssignmentStatus::Awarded)),
            Claimant::NotAnOfficer,
        )
    };
    assert_eq!(code(check_claim(&f)), RejectCode::JobClosed);

    let j = job();
    let f = claim_facts(
        &j,
        stake(Some(AssignmentStatus::Waitlisted)),
        Claimant::NotAnOfficer,
    );
    let r = check_claim(&f).unwrap_err();
    assert_eq!(r.code, RejectCode::AlreadyClaimed);
    assert_eq!(r.reason, "You are already on this job's waitlist.");

    let f = claim_facts(&j, Stake::default(), Claimant::NotAnOfficer);
    assert_eq!(check_claim(&f).unwrap_err(), Refusal::not_an_officer());

    let mut tiered = job();
    tiered.release_tiers = vec![ReleaseTier {
        groups: vec!["traffic".into()],
        hours: 24,
    }];
    let f = ClaimFacts {
        ineligible: &[IneligibleReason::NoPermit],
        ..claim_facts(&tiered, Stake::default(), Claimant::Officer(&me))
    };
    let r = check_claim(&f).unwrap_err();
    assert_eq!(r.code, RejectCode::SignupClosed);
    assert!(
        r.reason.starts_with("Signups open for you on "),
        "{}",
        r.reason
    );

    let f = ClaimFacts {
        ineligible: &[IneligibleReason::NoPermit],
        ..claim_facts(&j, Stake::default(), Claimant::Officer(&me))
    };
    let r = check_claim(&f).unwrap_err();
    assert_eq!(r.code, RejectCode::NotEligible);
    assert_eq!(r.ineligible, vec![IneligibleReason::NoPermit]);
    assert_eq!(r.reason, "You have no secondary-employment permit on file.");
}

#[test]
fn the_phone_refuses_a_second_claim_while_the_first_waits_to_sync() {
    let j = job();
    let f = claim_facts(
        &j,
        pending(None, ActionKind::Claim, false),
        Claimant::Unknown,
    );
    let r = check_claim(&f).unwrap_err();
    assert_eq!(r.code, RejectCode::AlreadyClaimed);
    assert_eq!(r.reason, "Your claim on this job is waiting to sync.");
    let f = claim_facts(
        &j,
        pending(None, ActionKind::Claim, true),
        Claimant::Unknown,
    );
    assert!(
        check_claim(&f)
            .unwrap_err()
            .reason
            .contains("could not be sent")
    );
}

#[test]
fn after_the_award_a_ranked_job_takes_claims_for_the_waitlist() {
    let mut ranked = job();
    ranked.award_rule = AwardRule::Lottery { seed: 3 };
    ranked.signup_closes_at = Some(at(5));
    let me = officer(&[]);
    let f = ClaimFacts {
        award_ran: true,
        ..claim_facts(&ranked, Stake::default(), Claimant::Officer(&me))
    };
    assert_eq!(check_claim(&f), Ok(ClaimPath::Take));
}

#[test]
fn withdraw_needs_a_place_in_line() {
    assert_eq!(
        check_withdraw(stake(Some(AssignmentStatus::Waitlisted))),
        Ok(())
    );
    assert_eq!(
        check_withdraw(stake(Some(AssignmentStatus::Requested))),
        Ok(())
    );
    // A claim still in the outbox can be taken back before it is sent.
    assert_eq!(
        check_withdraw(pending(None, ActionKind::Claim, false)),
        Ok(())
    );
    assert_eq!(
        code(check_withdraw(stake(Some(AssignmentStatus::Awarded)))),
        RejectCode::Invalid
    );
    assert_eq!(code(check_withdraw(stake(None))), RejectCode::NotAssigned);
    assert_eq!(
        check_withdraw(pending(
            Some(AssignmentStatus::Waitlisted),
            ActionKind::Withdraw,
            false
        ))
        .unwrap_err()
        .reason,
        "Your withdrawal is already waiting to sync."
    );
}

#[test]
fn cancel_follows_the_windows_and_stops_at_clock_in() {
    let j = job();
    let policy = CancelPolicy::default();
    let facts = |now: DateTime<Utc>, clocked_in: bool| CancelFacts {
        job: &j,
        stake: stake(Some(AssignmentStatus::Awarded)),
        clocked_in,
        policy: &policy,
        now,
    };
    assert_eq!(check_cancel(&facts(at(10), false)), Ok(CancelWindow::Free));
    assert_eq!(
        check_cancel(&facts(at(80), false)),
        Ok(CancelWindow::NeedsReplacement)
    );
    assert_eq!(
        code(check_cancel(&facts(at(95), false))),
        RejectCode::CallCoordinator
    );
    assert_eq!(
        check_cancel(&facts(at(10), true)).unwrap_err(),
        Refusal::clocked_in()
    );
    let not_mine = CancelFacts {
        stake: stake(Some(AssignmentStatus::Waitlisted)),
        ..facts(at(10), false)
    };
    assert_eq!(check_cancel(&not_mine).unwrap_err(), Refusal::no_slot());
}

#[test]
fn a_cancel_waiting_to_sync_means_the_slot_is_already_given_up() {
    let j = job();
    let policy = CancelPolicy::default();
    let f = CancelFacts {
        job: &j,
        stake: pending(Some(AssignmentStatus::Awarded), ActionKind::Cancel, false),
        clocked_in: false,
        policy: &policy,
        now: at(10),
    };
    assert_eq!(check_cancel(&f).unwrap_err(), Refusal::no_slot());
    // A wedged cancel changed nothing: the officer still holds the slot.
    let f = CancelFacts {
        stake: pending(Some(AssignmentStatus::Awarded), ActionKind::Cancel, true),
        ..f
    };
    assert_eq!(check_cancel(&f), Ok(CancelWindow::Free));
}

#[test]
fn cancel_reasons_are_trimmed_and_bounded() {
    assert_eq!(cancel_reason(None), Ok(None));
    assert_eq!(cancel_reason(Some("   ")), Ok(None));
    assert_eq!(cancel_reason(Some(" sick ")), Ok(Some("sick".into())));
    let long = "x".repeat(MAX_CANCEL_REASON_CHARS + 1);
    let e = cancel_reason(Some(&long)).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("reason", crate::validation::InvalidCode::TooLong)
    );
    assert_eq!(Refusal::invalid(&e).code, RejectCode::Invalid);
}

#[test]
fn transfer_needs_the_slot_an_open_job_no_punch_and_someone_else() {
    let j = job();
    let me = Uuid::from_u128(42);
    let facts = |to: Option<Uuid>| TransferFacts {
        job: &j,
        stake: stake(Some(AssignmentStatus::Awarded)),
        clocked_in: false,
        me,
        to,
        now: at(10),
    };
    assert_eq!(check_transfer(&facts(None)), Ok(()));
    assert_eq!(check_transfer(&facts(Some(Uuid::from_u128(9)))), Ok(()));
    assert_eq!(
        code(check_transfer(&facts(Some(me)))),
        RejectCode::TransferTargetInvalid
    );
    let punched = TransferFacts {
        clocked_in: true,
        ..facts(None)
    };
    assert_eq!(check_transfer(&punched).unwrap_err(), Refusal::clocked_in());
    let started = TransferFacts {
        now: at(101),
        ..facts(None)
    };
    assert_eq!(code(check_transfer(&started)), RejectCode::JobClosed);
}

#[test]
fn punches_go_in_then_out_once_each() {
    let none = PunchesMade::default();
    let inn = PunchesMade {
        clock_in: true,
        clock_out: false,
    };
    let both = PunchesMade {
        clock_in: true,
        clock_out: true,
    };
    assert_eq!(check_punch(PunchKind::In, true, none), Ok(()));
    assert_eq!(check_punch(PunchKind::Out, true, inn), Ok(()));
    assert_eq!(
        check_punch(PunchKind::In, false, none).unwrap_err(),
        Refusal::no_slot()
    );
    for (kind, made) in [
        (PunchKind::In, inn),
        (PunchKind::Out, none),
        (PunchKind::Out, both),
    ] {
        assert_eq!(
            code(check_punch(kind, true, made)),
            RejectCode::PunchOutOfOrder
        );
    }
}

#[test]
fn action_kinds_round_trip_their_wire_names() {
    for k in [
        ActionKind::Claim,
        ActionKind::Withdraw,
        ActionKind::Cancel,
        ActionKind::Transfer,
        ActionKind::ClockIn,
        ActionKind::ClockOut,
    ] {
        assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).unwrap(),
            serde_json::Value::String(k.as_str().into())
        );
    }
}

fn any_stake() -> impl Strategy<Value = Stake> {
    let status = prop_oneof![
        Just(None),
        Just(Some(AssignmentStatus::Requested)),
        Just(Some(AssignmentStatus::Awarded)),
        Just(Some(AssignmentStatus::Waitlisted)),
        Just(Some(AssignmentStatus::Withdrawn)),
        Just(Some(AssignmentStatus::Cancelled)),
        Just(Some(AssignmentStatus::TransferredOut)),
        Just(Some(AssignmentStatus::JobCancelled)),
    ];
    let kind = prop_oneof![
        Just(ActionKind::Claim),
        Just(ActionKind::Withdraw),
        Just(ActionKind::Cancel),
        Just(ActionKind::Transfer),
    ];
    (
        status,
        any::<bool>(),
        proptest::option::of((kind, any::<bool>())),
    )
        .prop_map(|(status, offered, p)| Stake {
            status,
            offered,
            pending: p.map(|(kind, wedged)| Pending { kind, wedged }),
        })
}

proptest! {
    /// An officer never both holds a slot and may withdraw from the line, and the one who
    /// holds it is the only one who may cancel it.
    #[test]
    fn slot_and_line_exclude_each_other(s in any_stake(), hours in -200i64..200) {
        prop_assert!(!(s.holds_slot() && check_withdraw(s).is_ok()));
        let j = job();
        let policy = CancelPolicy::default();
        let r = check_cancel(&CancelFacts { job: &j, stake: s, clocked_in: false, policy: &policy, now: at(100 - hours) });
        if !s.holds_slot() {
            prop_assert_eq!(r.unwrap_err(), Refusal::no_slot());
        }
    }

    /// The later it is, the more a cancel is refused: never refused early and allowed late.
    #[test]
    fn cancelling_never_gets_easier_as_the_start_nears(a in -200i64..200, b in -200i64..200) {
        let j = job();
        let policy = CancelPolicy::default();
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let f = |h| check_cancel(&CancelFacts { job: &j, stake: stake(Some(AssignmentStatus::Awarded)), clocked_in: false, policy: &policy, now: at(h) });
        prop_assert!(!(f(early).is_err() && f(late).is_ok()));
    }
}

#[test]
fn refusals_become_rejected_outcomes_with_their_reasons() {
    let r = Refusal::not_eligible(vec![IneligibleReason::NoPermit], chrono_tz::UTC);
    let o: Outcome = r.clone().into();
    assert_eq!(
        o,
        Outcome::Rejected {
            code: RejectCode::NotEligible,
            reason: r.reason,
            ineligible: vec![IneligibleReason::NoPermit],
        }
    );
}
