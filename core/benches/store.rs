//! The phone's store, measured beside raw rusqlite on the same file and settings (the floor):
//!
//! - `board_10k`: 10,000 cached jobs (applied from a realistic full `SyncResponse` through
//!   `apply::apply_sync`, as a first sync does): opening the store (`quick_check`, migrations),
//!   the board sorted by distance with limit 50 and with limit 10,000, beside a raw `SELECT` of
//!   the same rows (and the same plus decoding every job's JSON);
//! - `outbox`: enqueueing one action (`outbox::enqueue` in a store write: WAL,
//!   `synchronous=FULL`) beside a raw rusqlite INSERT + COMMIT with the same settings, plus the
//!   same enqueue in memory (no fsync: the CPU share).
//!
//! `cargo bench -p offduty-core --bench store` (criterion; `-- board_10k` for one group).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use uuid::Uuid;

use offduty_core::apply;
use offduty_core::board::{self, BoardQuery, Sort};
use offduty_core::outbox;
use offduty_core::store::Store;
use offduty_domain::award::{AwardRule, ReleaseTier};
use offduty_domain::eligibility::{Limits, Rank, Requirements};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay::PayPolicy;
use offduty_domain::policy::CancelPolicy;
use offduty_domain::protocol::{
    API_VERSION, Action, Assignment, AssignmentStatus, DepartmentRules, DutyBlock, DutyKind, Job,
    JobStatus, OfficerProfile, SyncResponse,
};
use offduty_domain::punch::PunchThresholds;

const JOBS: usize = 10_000;
/// Downtown Columbus, OH: where the officer stands when listing the board.
const HERE: GeoPoint = GeoPoint {
    lat: 39.9612,
    lon: -82.9988,
};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("offduty-bench-{tag}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A regular polygon of `n` vertices, `radius_m` around `c`.
fn polygon(c: GeoPoint, radius_m: f64, n: usize) -> Geofence {
    let dlat = radius_m / 111_320.0;
    let dlon = radius_m / (111_320.0 * c.lat.to_radians().cos());
    Geofence::polygon(
        (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                GeoPoint {
                    lat: c.lat + dlat * a.sin(),
                    lon: c.lon + dlon * a.cos(),
                }
            })
            .collect(),
    )
}

/// `n` jobs as the server sends them: spread over ~30 km around Columbus and the next 30 days,
/// mixed types, rules, fences (one in five a polygon), requirements and staged releases.
fn wire_jobs(department_id: Uuid, n: usize, now: DateTime<Utc>) -> Vec<Job> {
    let mut rng = StdRng::seed_from_u64(0x0ff_d075);
    let pay = PayPolicy::default();
    let kinds = ["traffic", "security", "event", "construction"];
    let customers = [
        "Ohio State Athletics",
        "Columbus Public Works",
        "Nationwide Arena",
        "Kroger #512",
        "AEP Ohio",
        "Schottenstein Center",
        "COTA",
        "Franklin County Fair",
    ];
    let streets = [
        "High St",
        "Broad St",
        "Main St",
        "Livingston Ave",
        "Morse Rd",
    ];
    (0..n)
        .map(|i| {
            let location = GeoPoint {
                lat: HERE.lat + rng.gen_range(-0.27..0.27),
                lon: HERE.lon + rng.gen_range(-0.35..0.35),
            };
            let kind = kinds[rng.gen_range(0..kinds.len())];
            let customer = customers[rng.gen_range(0..customers.len())];
            let starts_at =
                now + Span::minutes(60 + 15 * rng.gen_range(0..(30 * 24 * 4))).min(Span::days(30));
            let ends_at = starts_at + Span::hours(rng.gen_range(3..=10));
            let slots = rng.gen_range(1..=6);
            let slots_filled = rng.gen_range(0..=slots);
            let award_rule = match rng.gen_range(0..20) {
                0..=11 => AwardRule::FirstCome,
                12..=14 => AwardRule::Seniority,
                15..=16 => AwardRule::FewestHours { window_days: 28 },
                17..=18 => AwardRule::Rotation,
                _ => AwardRule::Lottery { seed: rng.r#gen() },
            };
            let ranked = !award_rule.is_immediate();
            Job {
                id: Uuid::from_u128(rng.r#gen()),
                department_id,
                title: format!("{} detail — {customer}", capitalize(kind)),
                customer_name: customer.to_string(),
                site_name: format!("{customer}, site {}", i % 97),
                address: format!(
                    "{} {}, Columbus, OH 432{:02}",
                    100 + i % 4000,
                    streets[i % streets.len()],
                    i % 40
                ),
                location,
                geofence: if i % 5 == 0 {
                    polygon(location, rng.gen_range(80.0..300.0), rng.gen_range(4..=12))
                } else {
                    Geofence::circle(location, rng.gen_range(100.0..400.0))
                },
                starts_at,
                ends_at,
                slots,
                slots_filled,
                slots_offered: 0,
                job_type: kind.to_string(),
                rate_cents: pay.rate_for(kind),
                multiplier_bp: if i % 10 == 0 { 15_000 } else { 10_000 },
                currency: "USD".into(),
                requirements: match i % 10 {
                    0 | 1 => Requirements {
                        certifications: vec!["flagger".into()],
                        ..Requirements::default()
                    },
                    2 => Requirements {
                        min_rank: Some(Rank::Sergeant),
                        ..Requirements::default()
                    },
                    _ => Requirements::default(),
                },
                award_rule,
                signup_opens_at: now - Span::days(2),
                signup_closes_at: ranked.then(|| starts_at - Span::hours(48)),
                release_tiers: if i % 10 == 3 {
                    vec![ReleaseTier {
                        groups: vec!["traffic-unit".into()],
                        hours: 24,
                    }]
                } else {
                    Vec::new()
                },
                status: if slots_filled >= slots {
                    JobStatus::Filled
                } else {
                    JobStatus::Open
                },
                notes: "Report to the site supervisor at the north gate. Vest and flashlight; \
                        park on the east lot."
                    .into(),
                version: i as u64 + 1,
            }
        })
        .collect()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A full first sync: 10,000 jobs, the officer's few assignments, on-duty shifts, rules, profile.
fn full_sync(now: DateTime<Utc>) -> SyncResponse {
    let department_id = Uuid::from_u128(1);
    let officer = Uuid::from_u128(2);
    let jobs = wire_jobs(department_id, JOBS, now);
    let assignments = jobs
        .iter()
        .skip(100)
        .step_by(997)
        .enumerate()
        .map(|(k, j)| Assignment {
            id: Uuid::from_u128(10_000 + k as u128),
            job_id: j.id,
            officer_id: officer,
            status: if k % 3 == 2 {
                AssignmentStatus::Waitlisted
            } else {
                AssignmentStatus::Awarded
            },
            position: (k % 3 == 2).then_some(2),
            offered: false,
            updated_at: now - Span::hours(5),
            version: 9_000 + k as u64,
        })
        .collect();
    // Four 8-hour on-duty shifts a week, a week back and a month ahead.
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let duty_blocks = (-7..31)
        .filter(|d: &i64| d.rem_euclid(7) < 4)
        .map(|d| DutyBlock {
            starts_at: midnight + Span::days(d) + Span::hours(11),
            ends_at: midnight + Span::days(d) + Span::hours(19),
            kind: DutyKind::OnDuty,
        })
        .collect();
    SyncResponse {
        api_version: API_VERSION,
        cursor: 10_500,
        full: true,
        jobs,
        assignments,
        timecards: Vec::new(),
        duty_blocks: Some(duty_blocks),
        rules: Some(DepartmentRules {
            department_id,
            name: "Columbus Division of Police".into(),
            time_zone: "America/New_York".into(),
            currency: "USD".into(),
            limits: Limits::default(),
            cancel_policy: CancelPolicy::default(),
            punch_thresholds: PunchThresholds::default(),
            pay: PayPolicy::default(),
            pay_period: Default::default(),
        }),
        profile: Some(OfficerProfile {
            id: officer,
            display_name: "Officer Dana Ruiz".into(),
            badge: "B1187".into(),
            rank: Rank::Officer,
            certifications: vec!["flagger".into()],
            groups: vec!["patrol-east".into()],
            seniority: 120,
            permit_expires_at: Some(now + Span::days(200)),
        }),
        preferences: None,
    }
}

/// Phase 1 of the board, done by hand: the same columns of the same rows.
fn raw_rows(conn: &Connection, now: DateTime<Utc>) -> Vec<(String, i64, f64, f64, i64, String)> {
    let mut st = conn
        .prepare_cached(
            "SELECT id, starts_us, lat, lon, hourly_cents, json FROM jobs \
             WHERE starts_us >= ?1 AND starts_us < ?2 AND status IN ('open', 'filled')",
        )
        .unwrap();
    st.query_map(rusqlite::params![now.timestamp_micros(), i64::MAX], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// The board's sort keys only, without the job's JSON (what phase 1 would read if the JSON of
/// the page were fetched afterwards by id).
fn raw_keys(conn: &Connection, now: DateTime<Utc>) -> Vec<(String, i64, f64, f64, i64)> {
    let mut st = conn
        .prepare_cached(
            "SELECT id, starts_us, lat, lon, hourly_cents FROM jobs \
             WHERE starts_us >= ?1 AND starts_us < ?2 AND status IN ('open', 'filled')",
        )
        .unwrap();
    st.query_map(rusqlite::params![now.timestamp_micros(), i64::MAX], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn seeded_store(dir: &Path, now: DateTime<Utc>) -> PathBuf {
    let path = dir.join("officer.db");
    let (store, _) = Store::open(&path).unwrap();
    let resp = full_sync(now);
    let summary = store.write(|tx| apply::apply_sync(tx, &resp)).unwrap();
    assert_eq!(summary.jobs as usize, JOBS, "every job applied");
    path
}

fn board_10k(c: &mut Criterion) {
    let dir = temp_dir("board");
    let now = Utc::now();
    let path = seeded_store(&dir, now);
    let (store, _) = Store::open(&path).unwrap();
    let raw = Connection::open(&path).unwrap();
    let q = |limit| BoardQuery {
        near: Some(HERE),
        sort: Sort::Distance,
        limit: Some(limit),
        ..BoardQuery::default()
    };
    let (q50, qall) = (q(50), q(JOBS));
    // Sanity: the board and the floor see the same rows.
    let listed = store.read(|c| board::list(c, &qall, now)).unwrap();
    let rows = raw_rows(&raw, now);
    assert_eq!(listed.len(), rows.len());
    assert!(listed.len() >= JOBS * 99 / 100, "{} listed", listed.len());
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "board_10k: {} jobs listed, database {:.1} MB",
        listed.len(),
        size as f64 / 1e6
    );

    let mut g = c.benchmark_group("board_10k");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("floor: raw SELECT of the same rows (rusqlite)", |b| {
        b.iter(|| black_box(raw_rows(&raw, now)).len())
    });
    g.bench_function("raw SELECT of the sort keys only (no JSON column)", |b| {
        b.iter(|| black_box(raw_keys(&raw, now)).len())
    });
    g.bench_function("floor + serde decode of every job", |b| {
        b.iter(|| {
            raw_rows(&raw, now)
                .iter()
                .map(|r| serde_json::from_str::<Job>(&r.5).unwrap().slots)
                .sum::<u32>()
        })
    });
    g.bench_function("board by distance, limit 50", |b| {
        b.iter(|| {
            store
                .read(|c| board::list(c, black_box(&q50), now))
                .unwrap()
                .len()
        })
    });
    g.bench_function("board by distance, limit 10000", |b| {
        b.iter(|| {
            store
                .read(|c| board::list(c, black_box(&qall), now))
                .unwrap()
                .len()
        })
    });
    // What `Core::jobs` and the screens run: the same boards with the store's decoded jobs kept
    // between calls (decision 033). Cold: the cache emptied before every call (the first board
    // after opening the store); warm: nothing changed since the previous call.
    let cached = |q: &BoardQuery| {
        store
            .read(|c| board::list_cached(c, store.job_cache(), q, now))
            .unwrap()
    };
    assert_eq!(cached(&qall), listed, "the cached board is the same board");
    assert_eq!(
        cached(&qall),
        listed,
        "the cached board is the same board, warm"
    );
    g.bench_function("board by distance, limit 10000, job cache cold", |b| {
        b.iter(|| {
            store.job_cache().clear();
            cached(black_box(&qall)).len()
        })
    });
    g.bench_function("board by distance, limit 10000, job cache warm", |b| {
        b.iter(|| cached(black_box(&qall)).len())
    });
    g.bench_function("board by distance, limit 50, job cache warm", |b| {
        b.iter(|| cached(black_box(&q50)).len())
    });
    g.bench_function("open store (quick_check, migrations)", |b| {
        b.iter(|| Store::open(&path).unwrap().0)
    });
    g.bench_function("open store + board by distance, limit 50", |b| {
        b.iter(|| {
            let (s, _) = Store::open(&path).unwrap();
            s.read(|c| board::list(c, &q50, now)).unwrap().len()
        })
    });
    // Decision 008: what the officer sees is recomputed from the outbox on every read. With 20
    // claims queued (an officer offline for a while), the same board:
    for card in listed.iter().step_by(listed.len() / 20).take(20) {
        let job_id = card.job.id;
        store
            .write(|tx| outbox::enqueue(tx, Action::Claim { job_id }, now))
            .unwrap();
    }
    g.bench_function("board by distance, limit 50, 20 claims queued", |b| {
        b.iter(|| {
            store
                .read(|c| board::list(c, black_box(&q50), now))
                .unwrap()
                .len()
        })
    });
    g.finish();
    drop((store, raw));
    let _ = std::fs::remove_dir_all(&dir);
}

const PAYLOAD: &str = r#"{"idempotency_key":"0190f7a2-5c1e-7d3a-9b2f-3c4d5e6f7a8b","created_at":"2026-05-01T12:00:00Z","action":{"type":"claim","job_id":"0190f7a2-5c1e-7d3a-9b2f-3c4d5e6f7a8c"}}"#;

fn outbox_group(c: &mut Criterion) {
    let dir = temp_dir("outbox");
    let (store, _) = Store::open(&dir.join("officer.db")).unwrap();
    let memory = Store::open_in_memory().unwrap();
    let raw = Connection::open(dir.join("raw.db")).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "FULL").unwrap();
    raw.execute_batch(
        "CREATE TABLE raw (seq INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, \
         payload TEXT NOT NULL)",
    )
    .unwrap();
    let job_id = Uuid::now_v7();

    let mut g = c.benchmark_group("outbox");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(1));
    g.bench_function("floor: raw INSERT + COMMIT (rusqlite, WAL, FULL)", |b| {
        b.iter(|| {
            raw.execute_batch("BEGIN IMMEDIATE").unwrap();
            raw.execute(
                "INSERT INTO raw (k, payload) VALUES (?1, ?2)",
                rusqlite::params![Uuid::now_v7().to_string(), PAYLOAD],
            )
            .unwrap();
            raw.execute_batch("COMMIT").unwrap();
        })
    });
    g.bench_function("enqueue claim (store write, WAL, FULL)", |b| {
        b.iter(|| {
            store
                .write(|tx| outbox::enqueue(tx, Action::Claim { job_id }, Utc::now()))
                .unwrap()
        })
    });
    g.bench_function("enqueue claim, in memory (no fsync)", |b| {
        b.iter(|| {
            memory
                .write(|tx| outbox::enqueue(tx, Action::Claim { job_id }, Utc::now()))
                .unwrap()
        })
    });
    g.finish();
    drop((store, memory, raw));
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, board_10k, outbox_group);
criterion_main!(benches);
