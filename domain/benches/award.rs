//! Ranking one job's claimants among a large department: `award::rank` with 50,000 candidates
//! whose stats look like a real roster (seniority numbers, off-duty minutes in the window, last
//! detail a year back at most, one in five never worked one, receipts in arrival order), under
//! every award rule, beside two floors measured in the same run: sorting the 50,000 receipt
//! numbers alone, and the first version of `rank` (a stable sort with the whole comparator).
//!
//! `cargo bench -p offduty-domain --bench award`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;
use std::hint::black_box;
use std::time::Duration;

use chrono::DateTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use offduty_domain::award::{self, AwardRule, Candidate};

const OFFICERS: usize = 50_000;

fn roster(n: usize) -> Vec<Candidate> {
    let mut rng = StdRng::seed_from_u64(0x0ff_d075);
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let mut seniority: Vec<u32> = (1..=n as u32).collect();
    seniority.shuffle(&mut rng);
    let mut receipts: Vec<u64> = (0..n as u64).map(|i| 1_000 + i * 3).collect();
    receipts.shuffle(&mut rng);
    (0..n)
        .map(|i| {
            let never = rng.gen_range(0..5) == 0;
            Candidate {
                officer_id: Uuid::from_u128(rng.r#gen()),
                receipt_seq: receipts[i],
                seniority: seniority[i],
                // Off-duty minutes in a 28-day window: whole quarter hours, many zeros.
                recent_minutes: if never {
                    0
                } else {
                    15 * rng.gen_range(0..=4 * 80)
                },
                last_detail_end: (!never)
                    .then(|| now - chrono::Duration::minutes(15 * rng.gen_range(1..4 * 24 * 365))),
            }
        })
        .collect()
}

/// The first version of `rank`, kept here as the "before" of the same run.
fn rank_before(rule: &AwardRule, job_id: Uuid, candidates: &[Candidate]) -> Vec<Uuid> {
    let mut keyed: Vec<(u64, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let draw = match rule {
                AwardRule::Lottery { seed } => award::lottery_key(*seed, job_id, c.officer_id),
                _ => 0,
            };
            (draw, c)
        })
        .collect();
    keyed.sort_by(|(da, a), (db, b)| {
        let primary = match rule {
            AwardRule::FirstCome => Ordering::Equal,
            AwardRule::Seniority => a.seniority.cmp(&b.seniority),
            AwardRule::FewestHours { .. } => a.recent_minutes.cmp(&b.recent_minutes),
            AwardRule::Rotation => a.last_detail_end.cmp(&b.last_detail_end),
            AwardRule::Lottery { .. } => da.cmp(db),
        };
        primary
            .then(a.receipt_seq.cmp(&b.receipt_seq))
            .then(a.officer_id.cmp(&b.officer_id))
            .then(a.seniority.cmp(&b.seniority))
            .then(a.recent_minutes.cmp(&b.recent_minutes))
            .then(a.last_detail_end.cmp(&b.last_detail_end))
    });
    keyed.into_iter().map(|(_, c)| c.officer_id).collect()
}

fn rank_50k(c: &mut Criterion) {
    let candidates = roster(OFFICERS);
    let job_id = Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0001);
    let rules = [
        ("first come", AwardRule::FirstCome),
        ("seniority", AwardRule::Seniority),
        ("fewest hours", AwardRule::FewestHours { window_days: 28 }),
        ("rotation", AwardRule::Rotation),
        ("lottery", AwardRule::Lottery { seed: 42 }),
    ];
    for (_, rule) in &rules {
        assert_eq!(
            award::rank(rule, job_id, &candidates),
            rank_before(rule, job_id, &candidates)
        );
    }

    let mut g = c.benchmark_group("award_rank_50k");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(OFFICERS as u64));
    g.bench_function("floor: sort_unstable of the 50,000 receipt numbers", |b| {
        b.iter(|| {
            let mut seqs: Vec<u64> = black_box(&candidates)
                .iter()
                .map(|c| c.receipt_seq)
                .collect();
            seqs.sort_unstable();
            seqs
        })
    });
    for (name, rule) in &rules {
        g.bench_function(format!("rank, {name}"), |b| {
            b.iter(|| award::rank(black_box(rule), job_id, black_box(&candidates)))
        });
    }
    for (name, rule) in &rules {
        g.bench_function(
            format!("before (stable sort, full comparator), {name}"),
            |b| b.iter(|| rank_before(black_box(rule), job_id, black_box(&candidates))),
        );
    }
    g.finish();
}

criterion_group!(benches, rank_50k);
criterion_main!(benches);
