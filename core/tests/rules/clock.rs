//! Clocking in and out, offline: the verdict the officer sees before pressing the button, the
//! order punches must come in, and the device's signed chain (seq + 1, `prev_hash` = the
//! previous event's hash, a signature that verifies with the signer's key).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::SigningKey;

use offduty_core::CoreError;
use offduty_core::clock::Punched;
use offduty_core::error::Confirmation;
use offduty_core::platform::{PlatformError, Signer};
use offduty_core::store::meta::{self, keys};
use offduty_domain::protocol::{Action, AssignmentStatus, Job, RejectCode, SyncResponse};
use offduty_domain::punch::{LocationFix, PunchReason, PunchVerdict};
use offduty_domain::timecard::{
    ClockEvent, EventFix, GENESIS_HASH, PunchKind, SignedClockEvent, encode_public_key,
    parse_public_key,
};

use crate::support::*;

/// A phone holding a shift at the stadium that starts in ten minutes.
fn on_shift() -> (Phone, Job) {
    let job = job().starting_in(Duration::minutes(10));
    let phone = holding(std::slice::from_ref(&job));
    (phone, job)
}

/// A phone holding every one of `jobs`.
fn holding(jobs: &[Job]) -> Phone {
    Phone::synced(&SyncResponse {
        jobs: jobs.to_vec(),
        assignments: jobs
            .iter()
            .map(|j| assignment(j, AssignmentStatus::Awarded))
            .collect(),
        ..snapshot()
    })
}

/// A good fix at `p`, taken just now on the phone.
fn here(phone: &Phone, p: offduty_domain::geofence::GeoPoint) -> LocationFix {
    fix_at(p, phone.clock.now())
}

/// The signed events in the queue, oldest first.
fn signed_events(phone: &Phone) -> Vec<SignedClockEvent> {
    phone
        .queued()
        .into_iter()
        .filter_map(|e| match e.action {
            Action::ClockIn { event } | Action::ClockOut { event } => Some(event),
            _ => None,
        })
        .collect()
}

#[track_caller]
fn refused(r: offduty_core::Result<Punched>) -> (RejectCode, String) {
    match r {
        Err(CoreError::Rejected { code, reason, .. }) => (code, reason),
        other => panic!("expected a local refusal, got {other:?}"),
    }
}

// --- the preview -----------------------------------------------------------------------------------

#[test]
fn a_good_fix_inside_the_fence_on_time_is_verified() {
    let (phone, job) = on_shift();
    let p = phone
        .core
        .preview_punch(job.id, PunchKind::In, &here(&phone, SITE))
        .unwrap();
    assert_eq!(p.verdict, PunchVerdict::Verified);
    assert!(p.reasons.is_empty(), "{p:?}");
    assert_eq!(
        p.summary,
        "On site: inside the fence (150 m from the edge)."
    );
    assert_eq!(p.distance_outside_m, 0.0);
}

#[test]
fn a_mocked_location_is_rejected_and_a_vague_or_old_fix_needs_review() {
    let (phone, job) = on_shift();
    let preview = |fix: LocationFix| {
        phone
            .core
            .preview_punch(job.id, PunchKind::In, &fix)
            .unwrap()
    };

    let mocked = preview(LocationFix {
        is_mock: true,
        ..here(&phone, SITE)
    });
    assert_eq!(mocked.verdict, PunchVerdict::Rejected);
    assert_eq!(mocked.reasons[0].reason, PunchReason::MockLocation);
    assert_eq!(mocked.summary, "Location is from a mock provider.");

    let vague = preview(LocationFix {
        accuracy_m: 80.0,
        ..here(&phone, SITE)
    });
    assert_eq!(vague.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        vague.reasons[0].reason,
        PunchReason::LowAccuracy {
            accuracy_m: 80.0,
            max_m: 50.0
        }
    );

    let old = preview(fix_at(SITE, phone.clock.now() - Duration::minutes(2)));
    assert_eq!(old.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        old.reasons[0].reason,
        PunchReason::StaleFix {
            age_s: 120,
            max_s: 30
        }
    );
}

#[test]
fn punching_far_from_the_shifts_hours_needs_review() {
    let later = job().starting_in(hours(3));
    let long_over = job().starting_in(hours(-9)).lasting(hours(4));
    let phone = holding(&[later.clone(), long_over.clone()]);

    let early = phone
        .core
        .preview_punch(later.id, PunchKind::In, &here(&phone, SITE))
        .unwrap();
    assert_eq!(early.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        early.reasons[0].reason,
        PunchReason::OffSchedule { minutes: -120 },
        "clock-in opens an hour before the start"
    );
    assert!(
        early.summary.contains("earlier than this shift allows"),
        "{early:?}"
    );

    let late = phone
        .core
        .preview_punch(long_over.id, PunchKind::Out, &here(&phone, SITE))
        .unwrap();
    assert_eq!(
        late.reasons[0].reason,
        PunchReason::OffSchedule { minutes: 60 },
        "clock-out closes four hours after the end"
    );
}

#[test]
fn a_punch_far_from_the_last_one_moments_later_needs_review() {
    let stadium = job().starting_in(Duration::minutes(10));
    let far_site = north_of(SITE, 50_000.0);
    let elsewhere = job().starting_in(Duration::minutes(10)).located(far_site);
    let phone = holding(&[stadium.clone(), elsewhere.clone()]);
    phone
        .core
        .clock_in(stadium.id, &here(&phone, SITE), false)
        .unwrap();

    phone.clock.advance(Duration::minutes(5));
    let p = phone
        .core
        .preview_punch(elsewhere.id, PunchKind::In, &here(&phone, far_site))
        .unwrap();
    assert_eq!(p.verdict, PunchVerdict::NeedsReview);
    assert!(
        p.reasons
            .iter()
            .any(|r| matches!(r.reason, PunchReason::ImplausibleSpeed { .. })),
        "50 km in 5 minutes: {p:?}"
    );
}

#[test]
fn an_unusable_fix_is_refused_and_an_unknown_job_is_not_found() {
    let (phone, job) = on_shift();
    for bad in [
        LocationFix {
            lat: 200.0,
            ..here(&phone, SITE)
        },
        LocationFix {
            accuracy_m: f64::NAN,
            ..here(&phone, SITE)
        },
        LocationFix {
            provider: " ".into(),
            ..here(&phone, SITE)
        },
    ] {
        let r = phone.core.preview_punch(job.id, PunchKind::In, &bad);
        assert!(
            matches!(&r, Err(CoreError::Invalid(e)) if e.field.starts_with("fix.")),
            "{r:?}"
        );
        let r = phone.core.clock_in(job.id, &bad, false);
        assert!(matches!(r, Err(CoreError::Invalid(_))), "{r:?}");
    }
    let not_cached = crate::support::job();
    assert!(matches!(
        phone
            .core
            .preview_punch(not_cached.id, PunchKind::In, &here(&phone, SITE)),
        Err(CoreError::NotFound("job"))
    ));
    assert!(phone.queued().is_empty());
}

// --- punching --------------------------------------------------------------------------------------

#[test]
fn clocking_in_and_out_queues_both_punches_with_their_verdicts() {
    let (phone, job) = on_shift();
    let clocked_in_at = phone.clock.now();
    let i = phone
        .core
        .clock_in(job.id, &here(&phone, SITE), false)
        .unwrap();
    phone.clock.advance(hours(4) + Duration::minutes(10));
    let o = phone
        .core
        .clock_out(job.id, &here(&phone, SITE), false)
        .unwrap();

    assert_eq!((i.kind, o.kind), (PunchKind::In, PunchKind::Out));
    assert_eq!(i.preview.verdict, PunchVerdict::Verified);
    let punches = phone.core.punches(job.id).unwrap();
    let seen: Vec<_> = punches
        .iter()
        .map(|p| (p.event_id, p.kind, p.at, p.local_verdict, p.server_verdict))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                i.event_id,
                PunchKind::In,
                clocked_in_at,
                PunchVerdict::Verified,
                None
            ),
            (
                o.event_id,
                PunchKind::Out,
                phone.clock.now(),
                PunchVerdict::Verified,
                None
            ),
        ]
    );
    let kinds: Vec<&str> = phone
        .queued()
        .iter()
        .map(|e| e.action.kind().as_str())
        .collect();
    assert_eq!(kinds, vec!["clock_in", "clock_out"]);
    assert_eq!(
        phone.standing(&job).describe(),
        "Your shift",
        "punches are not standing"
    );
}

#[test]
fn punches_must_come_in_order_in_then_out_once_each() {
    let (phone, job) = on_shift();
    let fix = |phone: &Phone| here(phone, SITE);
    assert_eq!(
        refused(phone.core.clock_out(job.id, &fix(&phone), false)),
        (
            RejectCode::PunchOutOfOrder,
            "Clock in before clocking out.".to_string()
        )
    );
    phone.core.clock_in(job.id, &fix(&phone), false).unwrap();
    assert_eq!(
        refused(phone.core.clock_in(job.id, &fix(&phone), false)),
        (
            RejectCode::PunchOutOfOrder,
            "You are already clocked in for this shift.".to_string()
        )
    );
    phone.clock.advance(hours(4));
    phone.core.clock_out(job.id, &fix(&phone), false).unwrap();
    assert_eq!(
        refused(phone.core.clock_out(job.id, &fix(&phone), false)),
        (
            RejectCode::PunchOutOfOrder,
            "You already clocked out of this shift.".to_string()
        )
    );
    assert_eq!(phone.queued().len(), 2);
}

#[test]
fn only_the_holder_of_the_slot_can_punch() {
    let job = job().starting_in(Duration::minutes(10));
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: vec![assignment(&job, AssignmentStatus::Waitlisted)],
        ..snapshot()
    });
    assert_eq!(
        refused(phone.core.clock_in(job.id, &here(&phone, SITE), false)),
        (
            RejectCode::NotAssigned,
            "You do not hold a slot on this job.".to_string()
        )
    );
    assert!(phone.queued().is_empty());
    assert!(phone.core.punches(job.id).unwrap().is_empty());
}

#[test]
fn punching_needs_a_registered_device_and_a_signed_in_officer() {
    for missing in [keys::DEVICE_ID, keys::OFFICER_ID] {
        let (phone, job) = on_shift();
        phone.store.write(|tx| meta::delete(tx, missing)).unwrap();
        let r = phone.core.clock_in(job.id, &here(&phone, SITE), false);
        assert!(matches!(r, Err(CoreError::Unauthorized(_))), "{r:?}");
        assert!(phone.queued().is_empty());
    }
}

// --- the device chain ------------------------------------------------------------------------------

#[test]
fn every_punch_extends_the_devices_signed_chain_across_jobs_and_restarts() {
    let first = job().starting_in(Duration::minutes(10));
    let second_site = north_of(SITE, 3000.0);
    let second = job().starting_in(hours(5)).located(second_site);
    let mut phone = holding(&[first.clone(), second.clone()]);

    let mut times: Vec<DateTime<Utc>> = Vec::new();
    let mut punch = |phone: &Phone, job: &Job, kind: PunchKind, at| {
        times.push(phone.clock.now());
        let fix = here(phone, at);
        match kind {
            PunchKind::In => phone.core.clock_in(job.id, &fix, false).unwrap(),
            PunchKind::Out => phone.core.clock_out(job.id, &fix, false).unwrap(),
        }
    };
    punch(&phone, &first, PunchKind::In, SITE);
    phone.clock.advance(hours(4) + Duration::minutes(10));
    punch(&phone, &first, PunchKind::Out, SITE);
    phone.reopen();
    phone.clock.advance(Duration::minutes(40));
    punch(&phone, &second, PunchKind::In, second_site);
    phone.clock.advance(hours(4));
    punch(&phone, &second, PunchKind::Out, second_site);

    let key = parse_public_key(&encode_public_key(phone.key.verifying_key())).unwrap();
    let events = signed_events(&phone);
    let seqs: Vec<u64> = events.iter().map(|e| e.event.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(events[0].event.prev_hash, GENESIS_HASH);
    for pair in events.windows(2) {
        assert_eq!(pair[1].event.prev_hash, pair[0].event.hash_hex());
    }
    for (e, at) in events.iter().zip(&times) {
        e.verify(&key).unwrap();
        let ev: &ClockEvent = &e.event;
        assert_eq!((ev.device_id, ev.officer_id), (DEVICE, OFFICER));
        assert_eq!(ev.device_time, *at);
        assert_eq!(ev.boot_id, "boot-test");
        ev.validate().unwrap();
    }
    let jobs: Vec<_> = events
        .iter()
        .map(|e| (e.event.job_id, e.event.kind))
        .collect();
    assert_eq!(
        jobs,
        vec![
            (first.id, PunchKind::In),
            (first.id, PunchKind::Out),
            (second.id, PunchKind::In),
            (second.id, PunchKind::Out),
        ]
    );
    assert!(
        events
            .windows(2)
            .all(|w| w[0].event.monotonic_ms <= w[1].event.monotonic_ms)
    );
    let (seq, head) = phone
        .store
        .read(|c| {
            Ok((
                meta::get(c, keys::DEVICE_SEQ)?,
                meta::get(c, keys::DEVICE_LAST_HASH)?,
            ))
        })
        .unwrap();
    assert_eq!(seq.as_deref(), Some("4"));
    assert_eq!(head, Some(events[3].event.hash_hex()));
}

#[test]
fn the_signed_fix_is_the_officers_fix_in_fixed_point() {
    let (phone, job) = on_shift();
    let fix = LocationFix {
        lat: 40.001_612_345_67,
        lon: -83.019_712_345_67,
        accuracy_m: 7.456,
        fix_time: phone.clock.now() - Duration::seconds(3),
        provider: "fused".into(),
        is_mock: false,
    };
    phone.core.clock_in(job.id, &fix, false).unwrap();
    let signed = &signed_events(&phone)[0].event.fix;
    assert_eq!(
        signed,
        &EventFix {
            lat_e7: 400_016_123,
            lon_e7: -830_197_123,
            accuracy_cm: 746,
            fix_time: fix.fix_time,
            provider: "fused".into(),
            is_mock: false,
        }
    );
    assert_eq!(signed, &EventFix::from_fix(&fix));
}

/// A platform signer the test can break: it signs with its key, with a key other than the one
/// it reports, or not at all.
struct FlakySigner {
    key: SigningKey,
    other: SigningKey,
    mode: AtomicU8,
}

const GOOD: u8 = 0;
const WRONG_KEY: u8 = 1;
const LOCKED: u8 = 2;

impl FlakySigner {
    fn new(mode: u8) -> Arc<FlakySigner> {
        Arc::new(FlakySigner {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            other: SigningKey::random(&mut rand::rngs::OsRng),
            mode: AtomicU8::new(mode),
        })
    }
}

impl Signer for FlakySigner {
    fn public_key(&self) -> Result<String, PlatformError> {
        Ok(encode_public_key(self.key.verifying_key()))
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PlatformError> {
        use p256::ecdsa::signature::Signer as _;
        let key = match self.mode.load(Ordering::SeqCst) {
            GOOD => &self.key,
            WRONG_KEY => &self.other,
            _ => return Err(PlatformError("keystore locked".into())),
        };
        let sig: p256::ecdsa::Signature = key.sign(message);
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

fn phone_signing_with(signer: &Arc<FlakySigner>) -> (Phone, Job) {
    let job = job().starting_in(Duration::minutes(10));
    let s: Arc<dyn Signer> = signer.clone();
    let phone = Phone::with_signer(move |_| s);
    phone.receive(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: vec![assignment(&job, AssignmentStatus::Awarded)],
        ..snapshot()
    });
    (phone, job)
}

#[test]
fn a_signature_that_does_not_verify_is_caught_before_anything_is_queued() {
    let signer = FlakySigner::new(WRONG_KEY);
    let (phone, job) = phone_signing_with(&signer);
    match phone.core.clock_in(job.id, &here(&phone, SITE), false) {
        Err(CoreError::Platform(msg)) => {
            assert!(msg.contains("does not verify"), "{msg}")
        }
        other => panic!("expected a platform error, got {other:?}"),
    }
    assert!(phone.queued().is_empty());
    assert!(phone.core.punches(job.id).unwrap().is_empty());

    signer.mode.store(GOOD, Ordering::SeqCst);
    phone
        .core
        .clock_in(job.id, &here(&phone, SITE), false)
        .unwrap();
    let e = &signed_events(&phone)[0];
    assert_eq!(
        (e.event.seq, e.event.prev_hash.as_str()),
        (1, GENESIS_HASH),
        "the failed punch used no place in the chain"
    );
    e.verify(signer.key.verifying_key()).unwrap();
}

#[test]
fn a_signer_that_fails_is_a_platform_error_not_a_crash() {
    let signer = FlakySigner::new(LOCKED);
    let (phone, job) = phone_signing_with(&signer);
    match phone.core.clock_in(job.id, &here(&phone, SITE), false) {
        Err(CoreError::Platform(msg)) => {
            assert_eq!(msg, "signing the clock event: keystore locked")
        }
        other => panic!("expected a platform error, got {other:?}"),
    }
    assert!(phone.queued().is_empty());
}

// --- the punch policy and the officer's other devices ----------------------------------------------

#[test]
fn a_rejected_punch_is_refused_until_the_officer_confirms_it() {
    let (phone, job) = on_shift();
    let mocked = LocationFix {
        is_mock: true,
        ..here(&phone, SITE)
    };
    match phone.core.clock_in(job.id, &mocked, false) {
        Err(CoreError::NeedsConfirmation {
            what: Confirmation::RejectedPunch,
            message,
        }) => {
            assert_eq!(
                message,
                "Location is from a mock provider. Record this clock-in anyway? A coordinator \
                 will see why it was rejected."
            );
        }
        other => panic!("expected a request for confirmation, got {other:?}"),
    }
    assert!(phone.queued().is_empty(), "nothing is signed or queued");

    let punched = phone.core.clock_in(job.id, &mocked, true).unwrap();
    assert_eq!(punched.preview.verdict, PunchVerdict::Rejected);
    assert_eq!(signed_events(&phone).len(), 1);
    // A punch that merely needs review goes through without asking.
    let vague = LocationFix {
        accuracy_m: 80.0,
        ..here(&phone, SITE)
    };
    let out = phone.core.clock_out(job.id, &vague, false).unwrap();
    assert_eq!(out.preview.verdict, PunchVerdict::NeedsReview);
}

/// The officer clocked in to a shift on another phone: this phone knows it from the synced
/// timecard, refuses a second clock-in, and judges its speed against that punch's fix.
#[test]
fn a_punch_made_on_another_device_counts_for_order_and_speed() {
    let here_job = job().starting_in(Duration::minutes(10));
    let far = north_of(SITE, 50_000.0);
    let far_job = job().starting_in(Duration::minutes(10)).located(far);
    let mut card = timecard(&far_job, 0, offduty_domain::protocol::TimecardStatus::Open);
    let other_phone_fix = fix_at(far, now() - Duration::minutes(5));
    card.clock_in = Some(offduty_domain::protocol::PunchRecord {
        event_id: uuid::Uuid::now_v7(),
        at: now() - Duration::minutes(5),
        verdict: PunchVerdict::Verified,
        reasons: Vec::new(),
        fix: Some(EventFix::from_fix(&other_phone_fix)),
    });
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![here_job.clone(), far_job.clone()],
        assignments: vec![
            assignment(&here_job, AssignmentStatus::Awarded),
            assignment(&far_job, AssignmentStatus::Awarded),
        ],
        timecards: vec![card],
        ..snapshot()
    });
    assert_eq!(
        refused(phone.core.clock_in(far_job.id, &here(&phone, far), false)),
        (
            RejectCode::PunchOutOfOrder,
            "You are already clocked in for this shift.".into()
        )
    );
    let p = phone
        .core
        .preview_punch(here_job.id, PunchKind::In, &here(&phone, SITE))
        .unwrap();
    assert!(
        p.reasons
            .iter()
            .any(|r| matches!(r.reason, PunchReason::ImplausibleSpeed { .. })),
        "50 km from the other phone's punch five minutes ago: {p:?}"
    );
}
