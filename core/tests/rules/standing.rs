//! Where the officer stands on a job: the server's last word, overlaid with the latest action
//! still in the queue (a wedged one gives the server's word back, with the reason).

use p256::ecdsa::SigningKey;
use proptest::prelude::*;
use uuid::Uuid;

use offduty_core::outbox;
use offduty_core::standing::{self, Standing};
use offduty_core::store::Store;
use offduty_domain::actions::ActionKind;
use offduty_domain::protocol::{Action, AssignmentStatus, Job, SyncResponse};
use offduty_domain::timecard::{self, ClockEvent, EventFix, GENESIS_HASH, PunchKind};

use crate::support::*;

fn server_says(status: Option<AssignmentStatus>, position: Option<u32>) -> Standing {
    Standing {
        status,
        position,
        ..Standing::default()
    }
}

fn pending(status: Option<AssignmentStatus>, kind: &str, wedged: Option<&str>) -> Standing {
    Standing {
        status,
        pending: Some(ActionKind::parse(kind).expect("an action kind")),
        wedged: wedged.map(Into::into),
        ..Standing::default()
    }
}

#[test]
fn the_standing_line_reads_like_the_app() {
    use AssignmentStatus::*;
    let offered = Standing {
        offered: true,
        ..server_says(Some(Awarded), None)
    };
    let cases = [
        (server_says(None, None), ""),
        (server_says(Some(Awarded), None), "Your shift"),
        (offered, "Your shift (offered on the board)"),
        (
            server_says(Some(Requested), Some(2)),
            "Requested — #2 in line",
        ),
        (server_says(Some(Requested), None), "Requested"),
        (server_says(Some(Waitlisted), Some(3)), "Waitlisted #3"),
        (server_says(Some(Waitlisted), None), "Waitlisted"),
        (server_says(Some(Withdrawn), None), "You withdrew"),
        (server_says(Some(Cancelled), None), "You cancelled"),
        (server_says(Some(TransferredOut), None), "Transferred"),
        (server_says(Some(JobCancelled), None), "Job called off"),
        (pending(None, "claim", None), "Claim waiting to sync"),
        (
            pending(Some(Waitlisted), "withdraw", None),
            "Withdrawal waiting to sync",
        ),
        (
            pending(Some(Awarded), "cancel", None),
            "Cancellation waiting to sync",
        ),
        (
            pending(Some(Awarded), "transfer", None),
            "Transfer waiting to sync",
        ),
        (
            pending(
                Some(Awarded),
                "cancel",
                Some("the server refused it (422): bad"),
            ),
            "Could not send your cancellation: the server refused it (422): bad",
        ),
    ];
    for (standing, line) in cases {
        assert_eq!(standing.describe(), line, "{standing:?}");
    }
}

#[test]
fn a_queued_cancel_gives_the_slot_up_at_once_until_the_queue_gives_up_on_it() {
    let job = job();
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: vec![assignment(&job, AssignmentStatus::Awarded)],
        ..snapshot()
    });
    let on_job = |store: &Store| store.read(|c| standing::on_job(c, job.id)).unwrap();
    assert!(on_job(&store).holds_slot());

    let key = store
        .write(|tx| {
            outbox::enqueue(
                tx,
                Action::Cancel {
                    job_id: job.id,
                    reason: None,
                },
                now(),
            )
        })
        .unwrap();
    let s = on_job(&store);
    assert!(!s.holds_slot() && !s.committed(), "{s:?}");
    assert_eq!(s.describe(), "Cancellation waiting to sync");

    store
        .write(|tx| outbox::wedge(tx, key, "gave up after 8 failed attempts: 503"))
        .unwrap();
    let s = on_job(&store);
    assert!(s.holds_slot(), "a wedged cancel leaves the shift: {s:?}");
    assert_eq!(
        s.describe(),
        "Could not send your cancellation: gave up after 8 failed attempts: 503"
    );
}

#[test]
fn punches_never_change_the_standing() {
    let job = job();
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        assignments: vec![assignment(&job, AssignmentStatus::Awarded)],
        ..snapshot()
    });
    let before = store.read(|c| standing::on_job(c, job.id)).unwrap();
    store
        .write(|tx| {
            outbox::enqueue(
                tx,
                Action::ClockIn {
                    event: punch(&job, 1),
                },
                now(),
            )
        })
        .unwrap();
    assert_eq!(store.read(|c| standing::on_job(c, job.id)).unwrap(), before);
}

fn punch(job: &Job, seq: u64) -> timecard::SignedClockEvent {
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let event = ClockEvent {
        event_id: Uuid::now_v7(),
        device_id: DEVICE,
        officer_id: OFFICER,
        job_id: job.id,
        kind: PunchKind::In,
        seq,
        prev_hash: GENESIS_HASH.into(),
        fix: EventFix::from_fix(&fix_at(SITE, now())),
        device_time: now(),
        monotonic_ms: 1,
        boot_id: "boot".into(),
    };
    timecard::sign(event, &key)
}

// --- property -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Claim,
    Withdraw,
    Cancel,
    Transfer,
    ClockIn,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Claim => "claim",
            Kind::Withdraw => "withdraw",
            Kind::Cancel => "cancel",
            Kind::Transfer => "transfer",
            Kind::ClockIn => "clock_in",
        }
    }

    fn action(self, job: &Job, seq: u64) -> Action {
        let job_id = job.id;
        match self {
            Kind::Claim => Action::Claim { job_id },
            Kind::Withdraw => Action::Withdraw { job_id },
            Kind::Cancel => Action::Cancel {
                job_id,
                reason: None,
            },
            Kind::Transfer => Action::Transfer {
                job_id,
                to_officer_id: None,
            },
            Kind::ClockIn => Action::ClockIn {
                event: punch(job, seq),
            },
        }
    }
}

fn status() -> impl Strategy<Value = Option<AssignmentStatus>> {
    use AssignmentStatus::*;
    prop::option::of(prop::sample::select(vec![
        Requested,
        Awarded,
        Waitlisted,
        Withdrawn,
        Cancelled,
        TransferredOut,
        JobCancelled,
    ]))
}

fn queued() -> impl Strategy<Value = Vec<(Kind, bool)>> {
    let kind = prop::sample::select(vec![
        Kind::Claim,
        Kind::Withdraw,
        Kind::Cancel,
        Kind::Transfer,
        Kind::ClockIn,
    ]);
    prop::collection::vec((kind, prop::bool::weighted(0.3)), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any server status and any sequence of queued actions (some wedged): the standing shows
    /// the latest non-punch action; a live cancel, withdrawal or transfer gives the slot up at
    /// once, a live claim commits the officer, a wedged action leaves the server's word; the
    /// schedule used for eligibility holds the job exactly when the officer is committed.
    #[test]
    fn the_latest_queued_action_decides_the_standing(
        server in status(),
        position in prop::option::of(1u32..9),
        offered in any::<bool>(),
        actions in queued(),
    ) {
        let job = job();
        let mut a = assignment(&job, AssignmentStatus::Awarded);
        let assignments = match server {
            Some(s) => {
                a.status = s;
                a.position = position;
                a.offered = offered;
                vec![a]
            }
            None => Vec::new(),
        };
        let store = cache(&SyncResponse { jobs: vec![job.clone()], assignments, ..snapshot() });
        for (i, (kind, wedged)) in actions.iter().enumerate() {
            let key = store
                .write(|tx| outbox::enqueue(tx, kind.action(&job, i as u64 + 1), now()))
                .unwrap();
            if *wedged {
                store.write(|tx| outbox::wedge(tx, key, "refused")).unwrap();
            }
        }

        let s = store.read(|c| standing::on_job(c, job.id)).unwrap();
        let latest = actions.iter().rev().find(|(k, _)| *k != Kind::ClockIn);
        prop_assert_eq!(s.status, server);
        prop_assert_eq!(s.pending.map(ActionKind::as_str), latest.map(|(k, _)| k.name()));
        prop_assert_eq!(s.wedged.is_some(), latest.is_some_and(|(_, w)| *w));

        let server_holds = server == Some(AssignmentStatus::Awarded);
        match latest {
            None => {
                prop_assert_eq!(s.holds_slot(), server_holds);
                prop_assert_eq!(s.committed(), server_holds);
                let plain = Standing {
                    status: server,
                    position: server.and(position),
                    offered: server.is_some() && offered,
                    ..Standing::default()
                };
                prop_assert_eq!(s.describe(), plain.describe());
            }
            Some((kind, true)) => {
                prop_assert_eq!(s.holds_slot(), server_holds);
                let noun = ActionKind::parse(kind.name()).map(ActionKind::noun).unwrap_or("?");
                let expected = format!("Could not send your {noun}: refused");
                prop_assert_eq!(s.describe(), expected);
            }
            Some((Kind::Claim, false)) => {
                prop_assert!(s.committed());
                prop_assert!(s.has_active_claim());
                prop_assert_eq!(s.describe(), "Claim waiting to sync");
            }
            Some((_, false)) => {
                prop_assert!(!s.holds_slot());
                prop_assert!(!s.committed());
                prop_assert!(s.describe().ends_with("waiting to sync"));
            }
        }
        prop_assert!(!s.holds_slot() || s.committed(), "holding a slot is a commitment");
        if server.is_some() || latest.is_some() {
            prop_assert!(!s.describe().is_empty());
        }

        let schedule = store.read(standing::schedule).unwrap();
        let in_schedule = schedule.iter().any(|b| b.job_id == Some(job.id));
        prop_assert_eq!(in_schedule, s.committed());
    }
}
