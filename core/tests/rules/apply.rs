//! Applying what the server sent: a snapshot replaces the cache, a delta merges into it, a
//! record never goes back to an older version, rules / profile / duty blocks change only when
//! sent, and the officer's unsent preference edits win over the server's.

use std::collections::HashMap;

use proptest::prelude::*;
use uuid::Uuid;

use offduty_core::CoreError;
use offduty_core::apply::{self, ChangeSummary};
use offduty_core::store::Store;
use offduty_domain::eligibility::Rank;
use offduty_domain::prefs::{Channels, Preferences, QuietWindow};
use offduty_domain::protocol::{
    Assignment, AssignmentStatus, DutyBlock, DutyKind, Job, SyncResponse, TimecardStatus,
};

use crate::support::*;

fn apply(store: &Store, resp: &SyncResponse) -> ChangeSummary {
    store.write(|tx| apply::apply_sync(tx, resp)).unwrap()
}

fn job_ids(store: &Store) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = store
        .read(|c| {
            let mut st = c.prepare("SELECT id FROM jobs")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .map(|r| r.map(|s| s.parse().unwrap()))
                .collect::<rusqlite::Result<Vec<Uuid>>>()?)
        })
        .unwrap();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

/// Every row of every cached table, as comparable text.
fn dump(store: &Store) -> Vec<String> {
    store
        .read(|c| {
            let mut out = Vec::new();
            for table in ["jobs", "assignments", "timecards", "duty_blocks", "meta"] {
                let mut st = c.prepare(&format!("SELECT * FROM {table}"))?;
                let n = st.column_count();
                let mut rows = st.query([])?;
                while let Some(r) = rows.next()? {
                    let mut line = format!("{table}:");
                    for i in 0..n {
                        line.push_str(&format!("{:?}|", r.get::<_, rusqlite::types::Value>(i)?));
                    }
                    out.push(line);
                }
            }
            out.sort();
            Ok(out)
        })
        .unwrap()
}

fn server_prefs(version: u64) -> Preferences {
    Preferences {
        channels: Channels {
            push: true,
            sms: true,
            email: false,
        },
        quiet_hours: Vec::new(),
        version,
    }
}

#[test]
fn a_snapshot_replaces_everything_the_cache_held() {
    let (a, b) = (job(), job());
    let store = cache(&SyncResponse {
        jobs: vec![a.clone(), b.clone()],
        assignments: vec![assignment(&a, AssignmentStatus::Awarded)],
        timecards: vec![timecard(&a, 240, TimecardStatus::Pending)],
        ..snapshot()
    });
    let c = job();
    let sum = apply(
        &store,
        &SyncResponse {
            cursor: 40,
            jobs: vec![c.clone()],
            ..snapshot()
        },
    );
    assert!(sum.full);
    assert_eq!(
        (sum.jobs, sum.assignments, sum.timecards, sum.cursor),
        (1, 0, 0, 40)
    );
    assert_eq!(job_ids(&store), vec![c.id]);
    assert!(store.read(apply::assignments).unwrap().is_empty());
    assert!(store.read(apply::timecards).unwrap().is_empty());
}

#[test]
fn a_delta_merges_into_the_cache() {
    let (a, b) = (job(), job());
    let store = cache(&SyncResponse {
        jobs: vec![a.clone(), b.clone()],
        ..snapshot()
    });
    let mut a2 = a.clone().at_version(2);
    a2.title = "Traffic control, Gate 5".into();
    let c = job();
    let sum = apply(
        &store,
        &SyncResponse {
            jobs: vec![a2.clone(), c.clone()],
            ..delta()
        },
    );
    assert!(!sum.full);
    assert_eq!(sum.jobs, 2);
    assert_eq!(job_ids(&store), sorted(vec![a.id, b.id, c.id]));
    assert_eq!(store.read(|conn| apply::job(conn, a.id)).unwrap(), Some(a2));
}

#[test]
fn an_older_version_never_overwrites_a_newer_one() {
    let j = job().at_version(5);
    let mut held = assignment(&j, AssignmentStatus::Awarded);
    held.version = 5;
    let mut card = timecard(&j, 240, TimecardStatus::Approved);
    card.version = 5;
    let store = cache(&SyncResponse {
        jobs: vec![j.clone()],
        assignments: vec![held.clone()],
        timecards: vec![card.clone()],
        ..snapshot()
    });

    let stale_job = j.clone().at_version(3).paying(1, 10_000);
    let stale_assignment = Assignment {
        status: AssignmentStatus::Waitlisted,
        version: 3,
        ..held.clone()
    };
    let mut stale_card = card.clone();
    stale_card.status = TimecardStatus::Pending;
    stale_card.version = 4;
    let sum = apply(
        &store,
        &SyncResponse {
            jobs: vec![stale_job],
            assignments: vec![stale_assignment],
            timecards: vec![stale_card],
            ..delta()
        },
    );
    assert_eq!((sum.jobs, sum.assignments, sum.timecards), (0, 0, 0));
    assert!(sum.is_empty(), "nothing changed: {sum:?}");
    assert_eq!(store.read(|c| apply::job(c, j.id)).unwrap(), Some(j));
    assert_eq!(store.read(apply::assignments).unwrap(), vec![held]);
    assert_eq!(store.read(apply::timecards).unwrap(), vec![card]);
}

#[test]
fn duty_blocks_rules_and_profile_change_only_when_sent() {
    let block = DutyBlock {
        starts_at: now() + hours(20),
        ends_at: now() + hours(28),
        kind: DutyKind::OnDuty,
    };
    let store = cache(&SyncResponse {
        duty_blocks: Some(vec![block.clone()]),
        ..snapshot()
    });
    let blocks = |s: &Store| s.read(offduty_core::standing::schedule).unwrap().len();

    let sum = apply(&store, &delta());
    assert!(sum.is_empty(), "{sum:?}");
    assert_eq!(blocks(&store), 1);
    assert_eq!(store.read(apply::rules).unwrap(), Some(rules()));
    assert_eq!(store.read(apply::profile).unwrap(), Some(officer()));

    let mut promoted = officer();
    promoted.rank = Rank::Corporal;
    let mut stricter = rules();
    stricter.limits.max_hours_per_day = 12;
    let sum = apply(
        &store,
        &SyncResponse {
            duty_blocks: Some(Vec::new()),
            rules: Some(stricter.clone()),
            profile: Some(promoted.clone()),
            ..delta()
        },
    );
    assert!(sum.rules_changed && sum.profile_changed, "{sum:?}");
    assert_eq!(blocks(&store), 0, "an empty list clears the duty blocks");
    assert_eq!(store.read(apply::rules).unwrap(), Some(stricter));
    assert_eq!(store.read(apply::profile).unwrap(), Some(promoted));
}

#[test]
fn the_cursor_is_what_the_server_said_last() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.read(apply::cursor).unwrap(), 0, "never synced");
    apply(&store, &snapshot());
    assert_eq!(store.read(apply::cursor).unwrap(), 10);
    apply(&store, &delta());
    assert_eq!(store.read(apply::cursor).unwrap(), 11);
}

#[test]
fn before_the_first_sync_the_phone_knows_no_rules_and_uses_default_preferences() {
    let phone = Phone::new();
    assert_eq!(phone.core.rules().unwrap(), None);
    assert_eq!(phone.core.preferences().unwrap(), Preferences::default());
    assert_eq!(phone.core.last_sync().unwrap(), None);
    assert!(phone.core.my_jobs(false).unwrap().is_empty());
    phone.receive(&snapshot());
    assert_eq!(phone.core.rules().unwrap(), Some(rules()));
}

#[test]
fn the_servers_preferences_apply_until_the_officer_edits_them_offline() {
    let phone = Phone::synced(&snapshot());
    let sum = phone.receive(&SyncResponse {
        preferences: Some(server_prefs(3)),
        ..delta()
    });
    assert!(sum.preferences_changed);
    assert_eq!(phone.core.preferences().unwrap(), server_prefs(3));

    let mine = Preferences {
        quiet_hours: vec![QuietWindow {
            weekday: "fri".into(),
            start: "22:00".into(),
            end: "06:00".into(),
        }],
        ..server_prefs(3)
    };
    phone.core.set_preferences(mine.clone()).unwrap();
    for resp in [
        SyncResponse {
            preferences: Some(server_prefs(4)),
            ..delta()
        },
        SyncResponse {
            preferences: Some(server_prefs(5)),
            ..snapshot()
        },
    ] {
        let sum = phone.receive(&resp);
        assert!(!sum.preferences_changed);
        assert_eq!(
            phone.core.preferences().unwrap(),
            mine,
            "unsent local edits win"
        );
    }
}

#[test]
fn invalid_preferences_are_refused_naming_the_field_and_change_nothing() {
    let phone = Phone::synced(&snapshot());
    let bad = Preferences {
        quiet_hours: vec![QuietWindow {
            weekday: "fri".into(),
            start: "25:00".into(),
            end: "06:00".into(),
        }],
        ..Preferences::default()
    };
    match phone.core.set_preferences(bad) {
        Err(CoreError::Invalid(e)) => {
            assert_eq!(e.field, "quiet_hours[0].start");
            assert_eq!(e.code, offduty_domain::validation::InvalidCode::BadFormat);
            assert_eq!(e.message, "\"25:00\" is not HH:MM");
        }
        other => panic!("expected invalid preferences, got {other:?}"),
    }
    assert_eq!(phone.core.preferences().unwrap(), Preferences::default());
    let sum = phone.receive(&SyncResponse {
        preferences: Some(server_prefs(2)),
        ..delta()
    });
    assert!(sum.preferences_changed, "nothing local to protect");
}

// --- properties -----------------------------------------------------------------------------------

/// Record `id` of a pool of three, at `version`; its content follows from the version.
fn job_at(ids: &[Uuid; 3], i: usize, version: u64) -> Job {
    let mut j = job()
        .starting_in(hours(24 + version as i64))
        .at_version(version);
    j.id = ids[i];
    j.title = format!("v{version}");
    j
}

fn assignment_at(ids: &[Uuid; 3], jobs: &[Uuid; 3], i: usize, version: u64) -> Assignment {
    Assignment {
        id: ids[i],
        job_id: jobs[i],
        officer_id: OFFICER,
        status: AssignmentStatus::Waitlisted,
        position: Some(version as u32),
        offered: false,
        updated_at: now(),
        version,
    }
}

type Batch = Vec<(usize, u64)>;

fn batches() -> impl Strategy<Value = Vec<(Batch, Batch)>> {
    let batch = || prop::collection::vec((0usize..3, 1u64..20), 0..5);
    prop::collection::vec((batch(), batch()), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Deltas arriving in any order: each record ends at the newest version it was sent, and
    /// each summary counts exactly the records that were not older than what the cache held.
    #[test]
    fn the_newest_version_of_each_record_wins_whatever_the_order(deltas in batches()) {
        let job_ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        let asg_ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        let store = Store::open_in_memory().unwrap();
        let mut newest_job: HashMap<usize, u64> = HashMap::new();
        let mut newest_asg: HashMap<usize, u64> = HashMap::new();
        for (jobs, assignments) in &deltas {
            let resp = SyncResponse {
                jobs: jobs.iter().map(|(i, v)| job_at(&job_ids, *i, *v)).collect(),
                assignments: assignments
                    .iter()
                    .map(|(i, v)| assignment_at(&asg_ids, &job_ids, *i, *v))
                    .collect(),
                ..delta()
            };
            let counted = |batch: &Batch, newest: &mut HashMap<usize, u64>| {
                batch
                    .iter()
                    .filter(|(i, v)| {
                        let cur = newest.entry(*i).or_insert(0);
                        let applies = *v >= *cur;
                        *cur = (*cur).max(*v);
                        applies
                    })
                    .count() as u32
            };
            let sum = apply(&store, &resp);
            prop_assert_eq!(sum.jobs, counted(jobs, &mut newest_job));
            prop_assert_eq!(sum.assignments, counted(assignments, &mut newest_asg));
        }
        for (i, v) in &newest_job {
            let cached = store.read(|c| apply::job(c, job_ids[*i])).unwrap();
            prop_assert_eq!(cached, Some(job_at(&job_ids, *i, *v)));
        }
        let mut cached = store.read(apply::assignments).unwrap();
        cached.sort_by_key(|a| a.id);
        let mut expected: Vec<Assignment> = newest_asg
            .iter()
            .map(|(i, v)| assignment_at(&asg_ids, &job_ids, *i, *v))
            .collect();
        expected.sort_by_key(|a| a.id);
        prop_assert_eq!(cached, expected);
    }

    /// Receiving the same delta again (a retried pull) leaves the cache exactly as it was.
    #[test]
    fn applying_the_same_delta_twice_changes_nothing(
        base in prop::collection::vec((0usize..3, 1u64..20), 0..4),
        again in prop::collection::vec((0usize..3, 1u64..20), 0..5),
        asg in prop::collection::vec((0usize..3, 1u64..20), 0..5),
        blocks in prop::option::of(0usize..3),
        with_rules in any::<bool>(),
        with_prefs in any::<bool>(),
    ) {
        let ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        let asg_ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        let store = cache(&SyncResponse {
            jobs: base.iter().map(|(i, v)| job_at(&ids, *i, *v)).collect(),
            ..snapshot()
        });
        let mut r = rules();
        r.limits.min_rest_hours = 10;
        let resp = SyncResponse {
            jobs: again.iter().map(|(i, v)| job_at(&ids, *i, *v)).collect(),
            assignments: asg.iter().map(|(i, v)| assignment_at(&asg_ids, &ids, *i, *v)).collect(),
            timecards: again
                .iter()
                .map(|(i, v)| {
                    let mut t = timecard(&job_at(&ids, *i, *v), 240, TimecardStatus::Pending);
                    t.id = asg_ids[*i];
                    t.version = *v;
                    t
                })
                .collect(),
            duty_blocks: blocks.map(|n| {
                (0..n)
                    .map(|k| DutyBlock {
                        starts_at: now() + hours(10 * k as i64),
                        ends_at: now() + hours(10 * k as i64 + 8),
                        kind: DutyKind::OnDuty,
                    })
                    .collect()
            }),
            rules: with_rules.then_some(r),
            preferences: with_prefs.then(|| server_prefs(7)),
            ..delta()
        };
        apply(&store, &resp);
        let once = dump(&store);
        apply(&store, &resp);
        prop_assert_eq!(dump(&store), once);
    }
}
