//! The queue's sending order: what `due` hands to the sync engine, whatever mix of live,
//! backing-off and wedged actions the queue holds.

use std::collections::HashSet;

use proptest::prelude::*;
use uuid::Uuid;

use offduty_core::outbox::{self, Failure};
use offduty_core::store::Store;
use offduty_domain::protocol::Action;

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Ready,
    BackingOff,
    Wedged,
}

fn state() -> impl Strategy<Value = State> {
    prop::sample::select(vec![
        State::Ready,
        State::Ready,
        State::BackingOff,
        State::Wedged,
    ])
}

/// A queue of claims on three jobs, in order, each ready, backing off or wedged.
fn queue_of(entries: &[(usize, State)]) -> (Store, Vec<(Uuid, Uuid, State)>) {
    let store = Store::open_in_memory().unwrap();
    let jobs = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    let mut out = Vec::new();
    for (j, st) in entries {
        let job_id = jobs[*j];
        let key = store
            .write(|tx| outbox::enqueue(tx, Action::Claim { job_id }, now()))
            .unwrap();
        match st {
            State::Ready => {}
            State::BackingOff => store
                .write(|tx| outbox::record_failure(tx, &[key], "503", Failure::Server, now()))
                .unwrap(),
            State::Wedged => store.write(|tx| outbox::wedge(tx, key, "refused")).unwrap(),
        }
        out.push((key, job_id, *st));
    }
    (store, out)
}

/// What `due` promises, in words: in queue order; a wedged action is skipped and holds every
/// later action on its job; the first action still backing off stops the batch.
fn promised(queue: &[(Uuid, Uuid, State)]) -> Vec<Uuid> {
    let mut held = HashSet::new();
    let mut out = Vec::new();
    for (key, job, st) in queue {
        if *st == State::Wedged || held.contains(job) {
            held.insert(*job);
            continue;
        }
        if *st == State::BackingOff {
            break;
        }
        out.push(*key);
    }
    out
}

#[test]
fn a_backing_off_action_stops_the_batch_so_later_actions_keep_their_order() {
    let (store, q) = queue_of(&[(0, State::Ready), (1, State::BackingOff), (2, State::Ready)]);
    let due: Vec<Uuid> = store
        .read(|c| outbox::due(c, now(), 10))
        .unwrap()
        .iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(due, vec![q[0].0], "the claim on job 2 waits behind job 1's");
    let later = now() + outbox::MAX_BACKOFF;
    assert_eq!(store.read(|c| outbox::due(c, later, 10)).unwrap().len(), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// `due` is exactly the documented selection, and a smaller batch is its start.
    #[test]
    fn due_sends_in_order_and_never_past_a_wedged_action_on_the_same_job(
        entries in prop::collection::vec((0usize..3, state()), 0..12),
        limit in 1usize..6,
    ) {
        let (store, queue) = queue_of(&entries);
        let all: Vec<Uuid> = store
            .read(|c| outbox::due(c, now(), usize::MAX))
            .unwrap()
            .iter()
            .map(|d| d.key)
            .collect();
        prop_assert_eq!(&all, &promised(&queue));

        let batch: Vec<Uuid> = store
            .read(|c| outbox::due(c, now(), limit))
            .unwrap()
            .iter()
            .map(|d| d.key)
            .collect();
        prop_assert_eq!(&batch[..], &all[..limit.min(all.len())]);

        // Nothing is lost: every action is still listed, oldest first.
        let listed: Vec<Uuid> = store
            .read(outbox::list)
            .unwrap()
            .iter()
            .map(|p| p.idempotency_key)
            .collect();
        prop_assert_eq!(listed, queue.iter().map(|(k, _, _)| *k).collect::<Vec<_>>());
    }
}
