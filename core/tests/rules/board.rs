//! The job board, offline: which jobs show, in what order, and what each card says (eligibility
//! with reasons, signup state, release, estimated pay, standing).

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use offduty_core::CoreError;
use offduty_core::board::{self, BoardQuery, JobCard, Sort};
use offduty_core::outbox;
use offduty_core::store::Store;
use offduty_domain::award::{ReleaseTier, SignupState};
use offduty_domain::eligibility::{IneligibleReason, Rank, Requirements};
use offduty_domain::geofence::GeoPoint;
use offduty_domain::protocol::{
    Action, AssignmentStatus, DutyBlock, DutyKind, Job, JobStatus, SyncResponse,
};

use crate::support::*;

fn list(store: &Store, q: &BoardQuery) -> Vec<JobCard> {
    store.read(|c| board::list(c, q, now())).unwrap()
}

fn ids(cards: &[JobCard]) -> Vec<Uuid> {
    cards.iter().map(|c| c.job.id).collect()
}

fn card(store: &Store, job: &Job) -> JobCard {
    store
        .read(|c| board::detail(c, job.id, None, now()))
        .unwrap()
}

fn with_jobs(jobs: &[Job]) -> SyncResponse {
    SyncResponse {
        jobs: jobs.to_vec(),
        ..snapshot()
    }
}

fn invalid_field(r: offduty_core::Result<Vec<JobCard>>) -> String {
    match r {
        Err(CoreError::Invalid(e)) => e.field,
        other => panic!("expected an invalid argument, got {other:?}"),
    }
}

#[test]
fn the_board_lists_upcoming_open_and_filled_jobs_soonest_first() {
    let later = job().starting_in(hours(48));
    let sooner = job().starting_in(hours(24)).with_status(JobStatus::Filled);
    let started = job().starting_in(hours(-1));
    let called_off = job()
        .starting_in(hours(30))
        .with_status(JobStatus::Cancelled);
    let over = job()
        .starting_in(hours(36))
        .with_status(JobStatus::Completed);
    let store = cache(&with_jobs(&[
        later.clone(),
        sooner.clone(),
        started,
        called_off,
        over,
    ]));

    assert_eq!(
        ids(&list(&store, &BoardQuery::default())),
        vec![sooner.id, later.id]
    );
}

#[test]
fn include_closed_also_lists_called_off_and_finished_jobs() {
    let open = job().starting_in(hours(48));
    let called_off = job()
        .starting_in(hours(30))
        .with_status(JobStatus::Cancelled);
    let over = job()
        .starting_in(hours(36))
        .with_status(JobStatus::Completed);
    let store = cache(&with_jobs(&[
        open.clone(),
        called_off.clone(),
        over.clone(),
    ]));

    let q = BoardQuery {
        include_closed: true,
        ..BoardQuery::default()
    };
    assert_eq!(
        ids(&list(&store, &q)),
        vec![called_off.id, over.id, open.id]
    );
}

#[test]
fn from_is_inclusive_and_to_is_exclusive() {
    let (a, b, c) = (
        job().starting_in(hours(24)),
        job().starting_in(hours(48)),
        job().starting_in(hours(72)),
    );
    let store = cache(&with_jobs(&[a.clone(), b.clone(), c.clone()]));

    let q = BoardQuery {
        from: Some(a.starts_at),
        to: Some(c.starts_at),
        ..BoardQuery::default()
    };
    assert_eq!(ids(&list(&store, &q)), vec![a.id, b.id]);
}

#[test]
fn minimum_pay_counts_the_jobs_multiplier() {
    let plain = job().paying(6000, 10_000);
    let holiday = job().starting_in(hours(80)).paying(6000, 15_000);
    let better_plain = job().starting_in(hours(90)).paying(7000, 10_000);
    let store = cache(&with_jobs(&[plain, holiday.clone(), better_plain]));

    let q = BoardQuery {
        min_hourly_cents: Some(8000),
        ..BoardQuery::default()
    };
    let cards = list(&store, &q);
    assert_eq!(ids(&cards), vec![holiday.id]);
    assert_eq!(cards[0].hourly_cents, 9000, "60.00 × 1.5");
}

#[test]
fn the_type_filter_keeps_only_the_listed_types() {
    let traffic = job().of_type("traffic");
    let security = job().starting_in(hours(80)).of_type("security");
    let event = job().starting_in(hours(90)).of_type("event");
    let store = cache(&with_jobs(&[traffic, security.clone(), event.clone()]));

    let q = BoardQuery {
        job_types: vec!["event".into(), "security".into()],
        ..BoardQuery::default()
    };
    assert_eq!(ids(&list(&store, &q)), vec![security.id, event.id]);
}

#[test]
fn a_distance_limit_needs_a_place_to_measure_from_and_a_positive_radius() {
    let store = cache(&with_jobs(&[job()]));
    let near = Some(SITE);
    let board = |near: Option<GeoPoint>, max: f64| {
        store.read(|c| {
            board::list(
                c,
                &BoardQuery {
                    near,
                    max_distance_m: Some(max),
                    ..BoardQuery::default()
                },
                now(),
            )
        })
    };
    assert_eq!(invalid_field(board(None, 5000.0)), "max_distance_m");
    assert_eq!(invalid_field(board(near, 0.0)), "max_distance_m");
    assert_eq!(invalid_field(board(near, -10.0)), "max_distance_m");
    assert_eq!(invalid_field(board(near, f64::NAN)), "max_distance_m");
    assert_eq!(invalid_field(board(near, f64::INFINITY)), "max_distance_m");
    assert_eq!(board(near, 5000.0).unwrap().len(), 1);
}

#[test]
fn a_place_off_the_globe_is_refused() {
    let store = cache(&with_jobs(&[job()]));
    let q = BoardQuery {
        near: Some(GeoPoint::new(91.0, 0.0)),
        ..BoardQuery::default()
    };
    assert_eq!(
        invalid_field(store.read(|c| board::list(c, &q, now()))),
        "near"
    );
}

#[test]
fn nearest_first_needs_a_place_and_otherwise_lists_soonest_first() {
    let far_but_soon = job().starting_in(hours(24)).located(north_of(SITE, 9000.0));
    let near_but_late = job().starting_in(hours(96)).located(north_of(SITE, 500.0));
    let store = cache(&with_jobs(&[far_but_soon.clone(), near_but_late.clone()]));

    let nearest = list(
        &store,
        &BoardQuery {
            near: Some(SITE),
            sort: Sort::Distance,
            ..BoardQuery::default()
        },
    );
    assert_eq!(ids(&nearest), vec![near_but_late.id, far_but_soon.id]);
    let d = nearest[0].distance_m.unwrap();
    assert!((d - 500.0).abs() < 1.0, "{d}");

    let nowhere = list(
        &store,
        &BoardQuery {
            sort: Sort::Distance,
            ..BoardQuery::default()
        },
    );
    assert_eq!(ids(&nowhere), vec![far_but_soon.id, near_but_late.id]);
    assert!(nowhere.iter().all(|c| c.distance_m.is_none()));
}

#[test]
fn a_page_keeps_the_best_paid_jobs_when_sorted_by_pay() {
    let jobs: Vec<Job> = [5500, 9000, 6500, 7000, 6000]
        .iter()
        .enumerate()
        .map(|(i, rate)| {
            job()
                .starting_in(hours(24 * (i as i64 + 1)))
                .paying(*rate, 10_000)
        })
        .collect();
    let store = cache(&with_jobs(&jobs));
    let q = BoardQuery {
        sort: Sort::Pay,
        limit: Some(2),
        ..BoardQuery::default()
    };
    let pay: Vec<i64> = list(&store, &q).iter().map(|c| c.hourly_cents).collect();
    assert_eq!(pay, vec![9000, 7000]);
}

#[test]
fn before_the_first_sync_of_rules_every_job_looks_eligible_and_has_no_estimate() {
    let sergeants_only = job().requiring(Requirements {
        min_rank: Some(Rank::Sergeant),
        ..Requirements::default()
    });
    let store = cache(&SyncResponse {
        jobs: vec![sergeants_only.clone()],
        ..delta()
    });
    let c = card(&store, &sergeants_only);
    assert!(c.eligible && c.reasons.is_empty(), "{c:?}");
    assert_eq!(c.estimate, None);
}

#[test]
fn an_officer_who_does_not_qualify_is_told_every_reason_in_order() {
    let job = job().requiring(Requirements {
        min_rank: Some(Rank::Sergeant),
        certifications: vec!["flagger".into(), "motor".into()],
        groups: vec!["Traffic Unit".into(), "Special Events".into()],
    });
    let mut me = officer();
    me.certifications = vec!["motor".into()];
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        profile: Some(me),
        ..snapshot()
    });

    let c = card(&store, &job);
    assert!(!c.eligible);
    let reasons: Vec<&IneligibleReason> = c.reasons.iter().map(|r| &r.reason).collect();
    assert_eq!(
        reasons,
        vec![
            &IneligibleReason::RankTooLow {
                required: Rank::Sergeant,
                actual: Rank::Officer
            },
            &IneligibleReason::MissingCertification {
                certification: "flagger".into()
            },
            &IneligibleReason::NotInGroup {
                groups: vec!["Traffic Unit".into(), "Special Events".into()]
            },
        ]
    );
    let texts: Vec<&str> = c.reasons.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Requires Sergeant or above (you are Officer).",
            "Requires certification: flagger.",
            "Open only to Traffic Unit or Special Events.",
        ]
    );
}

#[test]
fn an_officer_without_a_valid_permit_is_not_eligible() {
    let job = job();
    let mut lapsing = officer();
    lapsing.permit_expires_at = Some(job.starts_at + hours(1));
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        profile: Some(lapsing),
        ..snapshot()
    });
    let reasons: Vec<IneligibleReason> = card(&store, &job)
        .reasons
        .into_iter()
        .map(|r| r.reason)
        .collect();
    assert_eq!(
        reasons,
        vec![IneligibleReason::PermitExpired {
            expires_at: job.starts_at + hours(1)
        }]
    );
}

#[test]
fn the_estimate_rounds_the_shift_applies_the_minimum_and_the_multiplier() {
    let short = job().lasting(hours(2)).paying(6500, 10_000);
    let odd = job()
        .starting_in(hours(100))
        .lasting(hours(4) + chrono::Duration::minutes(10))
        .paying(6500, 12_500);
    let store = cache(&with_jobs(&[short.clone(), odd.clone()]));

    let e = card(&store, &short).estimate.unwrap();
    assert_eq!(
        (e.billable_minutes, e.gross_cents),
        (180, 19_500),
        "a 2 h shift is paid the 3 h minimum"
    );
    let e = card(&store, &odd).estimate.unwrap();
    assert_eq!(e.billable_minutes, 255, "250 min round to 255");
    assert_eq!(e.multiplier_bp, 12_500);
    assert_eq!(e.gross_cents, 34_531, "65.00 × 4.25 h × 1.25 = 345.3125");
}

#[test]
fn a_shift_held_or_claimed_blocks_overlapping_jobs_but_a_wedged_claim_does_not() {
    let held = job().starting_in(hours(72));
    let overlaps_held = job().starting_in(hours(74));
    let claimed = job().starting_in(hours(200));
    let overlaps_claimed = job().starting_in(hours(202));
    let store = cache(&SyncResponse {
        jobs: vec![
            held.clone(),
            overlaps_held.clone(),
            claimed.clone(),
            overlaps_claimed.clone(),
        ],
        assignments: vec![assignment(&held, AssignmentStatus::Awarded)],
        ..snapshot()
    });
    let claim = store
        .write(|tx| outbox::enqueue(tx, Action::Claim { job_id: claimed.id }, now()))
        .unwrap();

    let overlap_with = |store: &Store, job: &Job| -> Vec<Option<Uuid>> {
        card(store, job)
            .reasons
            .iter()
            .filter_map(|r| match r.reason {
                IneligibleReason::Overlap { job_id, .. } => Some(job_id),
                _ => None,
            })
            .collect()
    };
    assert_eq!(overlap_with(&store, &overlaps_held), vec![Some(held.id)]);
    assert_eq!(
        overlap_with(&store, &overlaps_claimed),
        vec![Some(claimed.id)],
        "a claim waiting to sync counts as a commitment"
    );
    assert!(
        card(&store, &held).eligible,
        "a shift does not overlap itself"
    );

    store
        .write(|tx| outbox::wedge(tx, claim, "refused"))
        .unwrap();
    assert!(card(&store, &overlaps_claimed).eligible);
}

#[test]
fn an_on_duty_shift_blocks_overlapping_details() {
    let job = job().starting_in(hours(72));
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        duty_blocks: Some(vec![DutyBlock {
            starts_at: now() + hours(66),
            ends_at: now() + hours(74),
            kind: DutyKind::OnDuty,
        }]),
        ..snapshot()
    });
    let c = card(&store, &job);
    assert!(
        matches!(
            c.reasons.first().map(|r| &r.reason),
            Some(IneligibleReason::Overlap { job_id: None, .. })
        ),
        "{c:?}"
    );
    assert!(
        c.reasons[0].text.starts_with("Overlaps your shift"),
        "{c:?}"
    );
}

#[test]
fn a_staged_release_tells_each_officer_when_signups_open_for_them() {
    let tiers = vec![ReleaseTier {
        groups: vec!["Traffic Unit".into()],
        hours: 24,
    }];
    let job = job().released(hours(-1), tiers);

    let store = cache(&with_jobs(std::slice::from_ref(&job)));
    let c = card(&store, &job);
    assert_eq!(
        c.signup,
        SignupState::NotYetOpen {
            opens_at: now() + hours(23)
        }
    );
    assert_eq!(
        c.release,
        "Open to Traffic Unit for 24 h, then to everyone."
    );
    assert_eq!(
        c.signup_text, "Signups open for you on Tue 3 Nov 08:00 EST.",
        "in the department's time zone"
    );

    let mut traffic = officer();
    traffic.groups = vec!["Traffic Unit".into()];
    let store = cache(&SyncResponse {
        jobs: vec![job.clone()],
        profile: Some(traffic),
        ..snapshot()
    });
    assert_eq!(card(&store, &job).signup, SignupState::Open);
}

#[test]
fn the_detail_of_a_job_measures_the_distance_and_an_unknown_job_is_not_found() {
    let job = job();
    let phone = Phone::synced(&with_jobs(std::slice::from_ref(&job)));
    let c = phone
        .core
        .job(job.id, Some(north_of(SITE, 1000.0)))
        .unwrap();
    assert!((c.distance_m.unwrap() - 1000.0).abs() < 1.0, "{c:?}");
    assert_eq!(
        c.award_rule,
        "First come, first served: the first eligible officers to claim get the slots."
    );
    assert!(matches!(
        phone.core.job(Uuid::now_v7(), None),
        Err(CoreError::NotFound("job"))
    ));
}

#[test]
fn my_jobs_lists_shifts_lines_and_pending_claims_soonest_first() {
    let shift = job().starting_in(hours(96));
    let line = job().starting_in(hours(48));
    let claimed = job().starting_in(hours(72));
    let other = job().starting_in(hours(60));
    let mut waitlisted = assignment(&line, AssignmentStatus::Waitlisted);
    waitlisted.position = Some(3);
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![shift.clone(), line.clone(), claimed.clone(), other],
        assignments: vec![assignment(&shift, AssignmentStatus::Awarded), waitlisted],
        ..snapshot()
    });
    phone.core.claim(claimed.id).unwrap();

    let mine: Vec<(Uuid, String)> = phone
        .core
        .my_jobs(false)
        .unwrap()
        .into_iter()
        .map(|c| (c.job.id, c.standing_text))
        .collect();
    assert_eq!(
        mine,
        vec![
            (line.id, "Waitlisted #3".to_string()),
            (claimed.id, "Claim waiting to sync".to_string()),
            (shift.id, "Your shift".to_string()),
        ]
    );
}

// --- properties -----------------------------------------------------------------------------------

/// A job somewhere within 20 km of the stadium, starting within ~16 days (or already started),
/// at a random rate, maybe restricted by rank, maybe already held by the officer.
#[derive(Debug, Clone)]
struct Spec {
    north_m: f64,
    east_m: f64,
    start_h: i64,
    rate: i64,
    bp: u32,
    min_rank: Option<Rank>,
    job_type: &'static str,
    held: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        -20_000.0..20_000.0f64,
        -20_000.0..20_000.0f64,
        -12i64..400,
        3000i64..9000,
        prop::sample::select(vec![10_000u32, 12_500, 15_000]),
        prop::option::of(prop::sample::select(vec![
            Rank::Officer,
            Rank::Corporal,
            Rank::Sergeant,
        ])),
        prop::sample::select(vec!["traffic", "security", "event"]),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(north_m, east_m, start_h, rate, bp, min_rank, job_type, held)| Spec {
                north_m,
                east_m,
                start_h,
                rate,
                bp,
                min_rank,
                job_type,
                held,
            },
        )
}

/// The cache for these specs (the officer is a corporal).
fn board_of(specs: &[Spec]) -> Store {
    let mut jobs = Vec::new();
    let mut assignments = Vec::new();
    for s in specs {
        let j = job()
            .starting_in(hours(s.start_h))
            .located(offset(SITE, s.north_m, s.east_m))
            .paying(s.rate, s.bp)
            .of_type(s.job_type)
            .requiring(Requirements {
                min_rank: s.min_rank,
                ..Requirements::default()
            });
        if s.held {
            assignments.push(assignment(&j, AssignmentStatus::Awarded));
        }
        jobs.push(j);
    }
    let mut corporal = officer();
    corporal.rank = Rank::Corporal;
    cache(&SyncResponse {
        jobs,
        assignments,
        profile: Some(corporal),
        ..snapshot()
    })
}

fn query() -> impl Strategy<Value = BoardQuery> {
    (
        prop::sample::select(vec![Sort::StartTime, Sort::Distance, Sort::Pay]),
        any::<bool>(),
        prop::option::of(1usize..12),
    )
        .prop_map(|(sort, only_eligible, limit)| BoardQuery {
            near: Some(SITE),
            sort,
            only_eligible,
            limit,
            ..BoardQuery::default()
        })
}

fn starts(cards: &[JobCard]) -> Vec<DateTime<Utc>> {
    cards.iter().map(|c| c.job.starts_at).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the sort, the board is in that sort's order: soonest first, nearest first
    /// (never a closer job further down), best paid first (never a better paid job further
    /// down).
    #[test]
    fn every_sort_keeps_its_order(specs in prop::collection::vec(spec(), 0..24)) {
        let store = board_of(&specs);
        let q = |sort| BoardQuery { near: Some(SITE), sort, ..BoardQuery::default() };

        let by_start = list(&store, &q(Sort::StartTime));
        prop_assert!(starts(&by_start).windows(2).all(|w| w[0] <= w[1]));

        let by_distance = list(&store, &q(Sort::Distance));
        let d: Vec<f64> = by_distance.iter().map(|c| c.distance_m.unwrap()).collect();
        prop_assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");

        let by_pay = list(&store, &q(Sort::Pay));
        let pay: Vec<i64> = by_pay.iter().map(|c| c.hourly_cents).collect();
        prop_assert!(pay.windows(2).all(|w| w[0] >= w[1]), "{pay:?}");

        // The same jobs whatever the order: every upcoming one.
        let upcoming = specs.iter().filter(|s| s.start_h >= 0).count();
        for cards in [&by_start, &by_distance, &by_pay] {
            prop_assert_eq!(cards.len(), upcoming);
        }
    }

    /// "Only jobs I can work" is exactly the eligible part of the full board, in the same order.
    #[test]
    fn only_eligible_is_exactly_the_eligible_subset(
        specs in prop::collection::vec(spec(), 0..24),
        sort in prop::sample::select(vec![Sort::StartTime, Sort::Distance, Sort::Pay]),
    ) {
        let store = board_of(&specs);
        let all = list(&store, &BoardQuery { near: Some(SITE), sort, ..BoardQuery::default() });
        let eligible = list(
            &store,
            &BoardQuery { near: Some(SITE), sort, only_eligible: true, ..BoardQuery::default() },
        );
        let expected: Vec<Uuid> = all.iter().filter(|c| c.eligible).map(|c| c.job.id).collect();
        prop_assert_eq!(ids(&eligible), expected);
        prop_assert!(eligible.iter().all(|c| c.eligible && c.reasons.is_empty()));
        prop_assert!(all.iter().all(|c| c.eligible == c.reasons.is_empty()));
    }

    /// A distance limit never shows a farther job, and hides no job within it.
    #[test]
    fn a_distance_limit_keeps_exactly_the_jobs_within_it(
        specs in prop::collection::vec(spec(), 0..24),
        max in 1.0..30_000.0f64,
    ) {
        let store = board_of(&specs);
        let all = list(&store, &BoardQuery { near: Some(SITE), ..BoardQuery::default() });
        let within = list(
            &store,
            &BoardQuery { near: Some(SITE), max_distance_m: Some(max), ..BoardQuery::default() },
        );
        prop_assert!(within.iter().all(|c| c.distance_m.unwrap() <= max));
        let expected: Vec<Uuid> = all
            .iter()
            .filter(|c| c.distance_m.unwrap() <= max)
            .map(|c| c.job.id)
            .collect();
        prop_assert_eq!(ids(&within), expected);
    }

    /// A minimum hourly pay hides exactly the jobs paying less (multiplier included).
    #[test]
    fn minimum_pay_keeps_exactly_the_jobs_paying_that_much(
        specs in prop::collection::vec(spec(), 0..24),
        min in 3000i64..14_000,
    ) {
        let store = board_of(&specs);
        let all = list(&store, &BoardQuery::default());
        let paying = list(&store, &BoardQuery { min_hourly_cents: Some(min), ..BoardQuery::default() });
        let expected: Vec<Uuid> =
            all.iter().filter(|c| c.hourly_cents >= min).map(|c| c.job.id).collect();
        prop_assert_eq!(ids(&paying), expected);
    }

    /// A page is the start of the whole list, whatever the sort and filter.
    #[test]
    fn a_page_is_the_start_of_the_whole_list(
        specs in prop::collection::vec(spec(), 0..24),
        q in query(),
    ) {
        let store = board_of(&specs);
        let page = list(&store, &q);
        let whole = list(&store, &BoardQuery { limit: None, ..q.clone() });
        let n = q.limit.unwrap_or(200).min(whole.len());
        prop_assert_eq!(ids(&page), ids(&whole[..n]));
    }
}

#[test]
fn a_shift_leaves_my_jobs_when_its_clock_out_window_closes() {
    // Ended 5 h ago: past the 4 h clock-out window. Ended 3 h ago: still current.
    let gone = job().starting_in(hours(-9));
    let late = job().starting_in(hours(-7));
    let phone = Phone::synced(&SyncResponse {
        jobs: vec![gone.clone(), late.clone()],
        assignments: vec![
            assignment(&gone, AssignmentStatus::Awarded),
            assignment(&late, AssignmentStatus::Awarded),
        ],
        ..snapshot()
    });
    let current: Vec<_> = phone
        .core
        .my_jobs(false)
        .unwrap()
        .into_iter()
        .map(|c| c.job.id)
        .collect();
    assert_eq!(current, vec![late.id]);
    assert_eq!(phone.core.my_jobs(true).unwrap().len(), 2);
}

// --- decoded jobs kept between listings (decision 033) ------------------------------------------

fn listed_with_cache(store: &Store, q: &BoardQuery) -> Vec<JobCard> {
    store
        .read(|c| board::list_cached(c, store.job_cache(), q, now()))
        .unwrap()
}

#[test]
fn a_job_rewritten_at_the_same_version_is_decoded_again_not_taken_from_memory() {
    let original = job().starting_in(hours(24));
    let store = cache(&with_jobs(std::slice::from_ref(&original)));
    let all = BoardQuery::default();
    assert_eq!(listed_with_cache(&store, &all), list(&store, &all));
    assert_eq!(store.job_cache().len(), 1);
    // The server may resend a job at the same version (the upsert keeps `>=`); the row's `rev`
    // changes all the same, so the board cannot show the old copy.
    let mut renamed = original.clone();
    renamed.title = "Traffic control, Gate 5".into();
    store
        .write(|tx| {
            offduty_core::apply::apply_sync(
                tx,
                &SyncResponse {
                    jobs: vec![renamed.clone()],
                    ..delta()
                },
            )
        })
        .unwrap();
    let cards = listed_with_cache(&store, &all);
    assert_eq!(cards[0].job.title, "Traffic control, Gate 5");
    assert_eq!(cards, list(&store, &all));
}

#[test]
fn a_full_resync_that_reuses_rowids_never_shows_a_job_from_memory() {
    let first = job().starting_in(hours(24));
    let store = cache(&with_jobs(std::slice::from_ref(&first)));
    let all = BoardQuery::default();
    assert_eq!(ids(&listed_with_cache(&store, &all)), vec![first.id]);
    // A full sync empties the table and inserts again: the new job may get the old rowid.
    let second = job().starting_in(hours(30));
    store
        .write(|tx| offduty_core::apply::apply_sync(tx, &with_jobs(std::slice::from_ref(&second))))
        .unwrap();
    assert_eq!(ids(&listed_with_cache(&store, &all)), vec![second.id]);
    assert_eq!(listed_with_cache(&store, &all), list(&store, &all));
}

#[test]
fn the_board_inside_a_write_keeps_nothing_in_memory() {
    let store = cache(&with_jobs(&[job().starting_in(hours(24))]));
    let all = BoardQuery::default();
    let cards = store
        .write(|tx| board::list_cached(tx, store.job_cache(), &all, now()))
        .unwrap();
    assert_eq!(cards.len(), 1);
    assert!(store.job_cache().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through any sequence of deltas (new jobs, rewritten jobs at the same or a later version,
    /// cancelled ones), the board with decoded jobs kept in memory is the board decoded afresh.
    #[test]
    fn the_board_with_kept_jobs_equals_the_board_decoded_afresh(
        steps in prop::collection::vec(prop::collection::vec((0usize..12, 0u8..4, 1i64..200), 1..6), 1..6),
        sort in prop::sample::select(vec![Sort::StartTime, Sort::Distance, Sort::Pay]),
        limit in prop::option::of(1usize..15),
    ) {
        let mut jobs: Vec<Job> = (0..12).map(|i| job().starting_in(hours(1 + i))).collect();
        let store = cache(&with_jobs(&jobs[..6]));
        let q = BoardQuery {
            near: Some(GeoPoint::new(39.96, -83.0)),
            sort,
            limit,
            ..BoardQuery::default()
        };
        prop_assert_eq!(listed_with_cache(&store, &q), list(&store, &q));
        for step in steps {
            let mut changed = Vec::new();
            for (i, what, h) in step {
                let j = &mut jobs[i];
                match what {
                    0 => j.title = format!("Detail {h}"),
                    1 => { j.starts_at = now() + hours(h); j.ends_at = j.starts_at + hours(4); j.version += 1; }
                    2 => { j.rate_cents += h; j.version += 1; }
                    _ => { j.status = JobStatus::Cancelled; j.version += 1; }
                }
                changed.push(j.clone());
            }
            store
                .write(|tx| offduty_core::apply::apply_sync(tx, &SyncResponse { jobs: changed, ..delta() }))
                .unwrap();
            prop_assert_eq!(listed_with_cache(&store, &q), list(&store, &q));
        }
    }
}
