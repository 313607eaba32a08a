//! The screens over a big cache: 10,000 jobs applied from a full sync (generated as in
//! `core/benches/store.rs`), then, before every measured call, a delta sync that changes 100 of
//! them (new times, pay and slots; versions bumped) written through a second connection, as
//! the sync engine would. Measured in the same run:
//!
//! - `board_first_page_state`: `BoardScreen::state()` — the first page (50 rows) ready to draw,
//!   sync line and filters included; target ≤ 16 ms (one frame);
//! - `core_jobs_first_page`: the raw `Core::jobs` list of the same 50 jobs (the floor);
//! - `job_screen_state`: `JobScreen::state()` of one job that the delta may have changed —
//!   everything the detail screen draws (times, pay, distance, fence, standing, reasons, the
//!   actions open now); target ≤ 2 ms;
//! - `core_job`: the raw `Core::job` card of the same job (the floor).
//!
//! `cargo bench -p offduty-screens --bench screens`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use offduty_core::apply;
use offduty_core::board::{BoardQuery, Sort};
use offduty_core::platform::{MemorySecretStore, SoftwareSigner, SystemClock};
use offduty_core::store::Store;
use offduty_core::{Core, CoreConfig, Services};
use offduty_domain::award::AwardRule;
use offduty_domain::eligibility::{Limits, Rank, Requirements};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay::PayPolicy;
use offduty_domain::policy::CancelPolicy;
use offduty_domain::protocol::{
    API_VERSION, DepartmentRules, DutyBlock, DutyKind, Job, JobStatus, OfficerProfile, SyncResponse,
};
use offduty_domain::punch::PunchThresholds;
use offduty_screens::Screens;

const JOBS: usize = 10_000;
const CHANGED: usize = 100;
const HERE: GeoPoint = GeoPoint {
    lat: 39.9612,
    lon: -82.9988,
};

/// `n` jobs around Columbus over the next 30 days (the generator of `core/benches/store.rs`,
/// trimmed: circles only, no staged releases).
fn wire_jobs(department_id: Uuid, n: usize, now: DateTime<Utc>) -> Vec<Job> {
    let mut rng = StdRng::seed_from_u64(0x0ff_d075);
    let pay = PayPolicy::default();
    let kinds = ["traffic", "security", "event", "construction"];
    let customers = [
        "Ohio State Athletics",
        "Columbus Public Works",
        "Nationwide Arena",
        "COTA",
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
            let slots = rng.gen_range(1..=6);
            let slots_filled = rng.gen_range(0..=slots);
            let award_rule = match rng.gen_range(0..4) {
                0 => AwardRule::Seniority,
                _ => AwardRule::FirstCome,
            };
            let ranked = !award_rule.is_immediate();
            Job {
                id: Uuid::from_u128(rng.r#gen()),
                department_id,
                title: format!("{kind} detail — {customer}"),
                customer_name: customer.to_string(),
                site_name: format!("{customer}, site {}", i % 97),
                address: format!("{} High St, Columbus, OH 432{:02}", 100 + i % 4000, i % 40),
                location,
                geofence: Geofence::circle(location, rng.gen_range(100.0..400.0)),
                starts_at,
                ends_at: starts_at + Span::hours(rng.gen_range(3..=10)),
                slots,
                slots_filled,
                slots_offered: 0,
                job_type: kind.to_string(),
                rate_cents: pay.rate_for(kind),
                multiplier_bp: if i % 10 == 0 { 15_000 } else { 10_000 },
                currency: "USD".into(),
                requirements: if i % 10 < 2 {
                    Requirements {
                        certifications: vec!["flagger".into()],
                        ..Requirements::default()
                    }
                } else {
                    Requirements::default()
                },
                award_rule,
                signup_opens_at: now - Span::days(2),
                signup_closes_at: ranked.then(|| starts_at - Span::hours(48)),
                release_tiers: Vec::new(),
                status: if slots_filled >= slots {
                    JobStatus::Filled
                } else {
                    JobStatus::Open
                },
                notes: "Report to the site supervisor at the north gate.".into(),
                version: i as u64 + 1,
            }
        })
        .collect()
}

fn sync_response(now: DateTime<Utc>, jobs: Vec<Job>, full: bool, cursor: u64) -> SyncResponse {
    let department_id = jobs.first().map(|j| j.department_id).unwrap_or_default();
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    SyncResponse {
        api_version: API_VERSION,
        cursor,
        full,
        jobs,
        assignments: Vec::new(),
        timecards: Vec::new(),
        duty_blocks: full.then(|| {
            (0..31)
                .filter(|d: &i64| d.rem_euclid(7) < 4)
                .map(|d| DutyBlock {
                    starts_at: midnight + Span::days(d) + Span::hours(11),
                    ends_at: midnight + Span::days(d) + Span::hours(19),
                    kind: DutyKind::OnDuty,
                })
                .collect()
        }),
        rules: full.then(|| DepartmentRules {
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
        profile: full.then(|| OfficerProfile {
            id: Uuid::from_u128(2),
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

struct Bench {
    path: PathBuf,
    now: DateTime<Utc>,
    jobs: Vec<Job>,
    cursor: u64,
    rng: StdRng,
}

impl Bench {
    /// A delta sync changing `CHANGED` random jobs, applied through its own connection.
    fn delta(&mut self) {
        let (store, _) = Store::open(&self.path).unwrap();
        let mut changed = Vec::with_capacity(CHANGED);
        for _ in 0..CHANGED {
            let k = self.rng.gen_range(0..self.jobs.len());
            let j = &mut self.jobs[k];
            j.starts_at += Span::minutes(15);
            j.ends_at += Span::minutes(15);
            j.slots_filled = (j.slots_filled + 1) % (j.slots + 1);
            j.rate_cents += 25;
            j.version += JOBS as u64;
            changed.push(j.clone());
        }
        self.cursor += 1;
        let resp = sync_response(self.now, changed, false, self.cursor);
        store.write(|tx| apply::apply_sync(tx, &resp)).unwrap();
    }
}

fn screens_10k(c: &mut Criterion) {
    let dir =
        std::env::temp_dir().join(format!("offduty-bench-screens-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("officer.db");
    let now = Utc::now();
    let jobs = wire_jobs(Uuid::from_u128(1), JOBS, now);
    {
        let (store, _) = Store::open(&path).unwrap();
        let resp = sync_response(now, jobs.clone(), true, 10_000);
        store.write(|tx| apply::apply_sync(tx, &resp)).unwrap();
    }
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let services = Services {
        signer: Arc::new(SoftwareSigner::from_key(key)),
        secrets: Arc::new(MemorySecretStore::default()),
        clock: Arc::new(SystemClock::default()),
    };
    let (core, _) = Core::open(CoreConfig::new(&path, "http://127.0.0.1:9"), services).unwrap();
    let core = Arc::new(core);
    let screens = Screens::new(core.clone());
    let board = screens.board();
    let mut bench = Bench {
        path,
        now,
        jobs,
        cursor: 10_000,
        rng: StdRng::seed_from_u64(7),
    };
    bench.delta();
    let first = board.state();
    assert_eq!(first.rows.len(), 50);
    assert!(
        first.matched as usize >= JOBS * 99 / 100,
        "{} matched",
        first.matched
    );
    let page = BoardQuery {
        sort: Sort::StartTime,
        limit: Some(50),
        ..BoardQuery::default()
    };
    let detail_id: Uuid = first.rows[0].job_id.parse().unwrap();
    println!(
        "screens_10k: {} jobs matched, {} changed per sync, detail of {detail_id}",
        first.matched, CHANGED
    );

    let mut g = c.benchmark_group("screens_10k");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("board_first_page_state", |b| {
        b.iter_batched(
            || bench.delta(),
            |()| black_box(board.state()),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("core_jobs_first_page", |b| {
        b.iter_batched(
            || bench.delta(),
            |()| black_box(core.jobs(&page).unwrap()),
            BatchSize::PerIteration,
        )
    });
    let job_screen = screens.job(&detail_id.to_string());
    job_screen.set_location(HERE.lat, HERE.lon);
    assert!(
        job_screen.state().detail.is_some(),
        "the job screen finds the job"
    );
    g.bench_function("job_screen_state", |b| {
        b.iter_batched(
            || bench.delta(),
            |()| black_box(job_screen.state()),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("core_job", |b| {
        b.iter_batched(
            || bench.delta(),
            |()| black_box(core.job(detail_id, Some(HERE)).unwrap()),
            BatchSize::PerIteration,
        )
    });
    g.finish();
    drop(job_screen);
    drop(board);
    drop(screens);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, screens_10k);
criterion_main!(benches);
