//! Report benchmark (decision 044): a year of a 2,000-officer department generated into SQLite
//! — jobs, signups, worked timecards, organizations, invoices, credit notes and charges — then
//! the monthly reports run through the report engine exactly as the console runs them, each
//! timed (best and median of `OFFDUTY_BENCH_REPORT_RUNS`) with its CSV rendering, beside a floor
//! measured in the same run: a bare `SELECT COUNT(*)` over the timecards, and a full scan that
//! sums their minutes and pay.
//!
//! Memory: the resident set (`VmRSS`) sampled every 10 ms while the reports run, and the
//! process's high-water mark (`VmHWM`, which includes the generation).
//!
//! `cargo bench -p offduty-server --bench reports`. Tunables (env): `OFFDUTY_BENCH_OFFICERS`
//! (2000), `OFFDUTY_BENCH_JOBS_PER_DAY` (90), `OFFDUTY_BENCH_REPORT_RUNS` (5),
//! `OFFDUTY_BENCH_DIR` (the system temp dir).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use offduty_server::db::{Db, migrate};
use offduty_server::reports::{self, Params};
use offduty_server::seed::{NewDepartment, create_department};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

struct RssPeak {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl RssPeak {
    fn start() -> RssPeak {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = rss("VmRSS:");
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss("VmRSS:"));
                std::thread::sleep(Duration::from_millis(10));
            }
            peak.max(rss("VmRSS:"))
        });
        RssPeak { stop, thread }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

/// A small deterministic generator (xorshift64*), so every run builds the same department.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const RULES: [&str; 5] = [
    "{\"type\":\"first_come\"}",
    "{\"type\":\"seniority\"}",
    "{\"type\":\"fewest_hours\",\"window_days\":30}",
    "{\"type\":\"rotation\"}",
    "{\"type\":\"lottery\",\"seed\":7}",
];

struct Generated {
    jobs: usize,
    timecards: usize,
    invoices: usize,
}

/// Writes the year with rusqlite in one transaction (the server's own writes are not what is
/// measured here).
fn generate(path: &std::path::Path, dept: Uuid, officers: usize, jobs_per_day: usize) -> Generated {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.transaction().unwrap();
    let d = dept.to_string();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut officer_ids = Vec::with_capacity(officers);
    {
        let mut u = tx
            .prepare(
                "INSERT INTO users (id, department_id, email, password_hash, role, display_name, \
                 badge, seniority, created_us, organization_id) VALUES (?1, ?2, ?3, 'x', ?4, ?5, \
                 ?6, ?7, 0, ?8)",
            )
            .unwrap();
        for i in 0..officers {
            let id = Uuid::now_v7().to_string();
            u.execute(rusqlite::params![
                id,
                d,
                format!("officer{i}@bench.test"),
                "officer",
                format!("Officer {i:04}"),
                format!("{}", 1000 + i),
                i as i64 + 1,
                Option::<String>::None
            ])
            .unwrap();
            officer_ids.push(id);
        }
    }
    // 20 customer organizations, one customer account each.
    let mut customers = Vec::new();
    {
        let mut o = tx
            .prepare(
                "INSERT INTO organizations (id, department_id, name, billing_address, terms, \
                 created_us) VALUES (?1, ?2, ?3, '1 Main St', 'invoice', 0)",
            )
            .unwrap();
        let mut u = tx
            .prepare(
                "INSERT INTO users (id, department_id, email, password_hash, role, display_name, \
                 created_us, organization_id) VALUES (?1, ?2, ?3, 'x', 'customer', ?4, 0, ?5)",
            )
            .unwrap();
        for i in 0..20 {
            let org = Uuid::now_v7().to_string();
            o.execute(rusqlite::params![org, d, format!("Customer {i:02}")])
                .unwrap();
            let cu = Uuid::now_v7().to_string();
            u.execute(rusqlite::params![
                cu,
                d,
                format!("customer{i}@bench.test"),
                format!("Customer {i:02} AP"),
                org
            ])
            .unwrap();
            customers.push((org, cu));
        }
    }
    let year_start = chrono_tz::America::New_York
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros();
    let day_us: i64 = 86_400_000_000;
    let mut jobs = 0;
    let mut timecards = 0;
    // Per organization and month: the billed minutes, for its invoice.
    let mut billed = vec![[0i64; 12]; customers.len()];
    {
        let mut j = tx
            .prepare(
                "INSERT INTO jobs (id, department_id, customer_id, title, customer_name, \
                 site_name, address, lat, lon, geofence_json, starts_us, ends_us, slots, \
                 job_type, rate_cents, multiplier_bp, requirements_json, award_rule_json, \
                 release_tiers_json, signup_opens_us, status, created_by, created_us, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '1 Main St', 39.96, -83.0, '{}', ?7, ?8, ?9, \
                 ?10, 5000, 10000, '{}', ?11, '[]', ?12, 'completed', 'bench', 0, 1)",
            )
            .unwrap();
        let mut a = tx
            .prepare(
                "INSERT INTO assignments (id, job_id, department_id, officer_id, status, \
                 receipt_seq, created_us, updated_us, version) VALUES (?1, ?2, ?3, ?4, ?5, 1, \
                 ?6, ?6, 1)",
            )
            .unwrap();
        let mut t = tx
            .prepare(
                "INSERT INTO timecards (id, assignment_id, department_id, job_id, officer_id, \
                 in_us, out_us, worked_minutes, billable_minutes, rate_cents, multiplier_bp, \
                 gross_cents, status, customer_review, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
                 ?7, ?8, ?9, 5000, 10000, ?10, ?11, 'approved', 1)",
            )
            .unwrap();
        for day in 0..365i64 {
            for _ in 0..jobs_per_day {
                let job = Uuid::now_v7().to_string();
                let c = rng.below(customers.len() as u64) as usize;
                let start = year_start + day * day_us + (8 + rng.below(12) as i64) * 3_600_000_000;
                let hours = 3 + rng.below(4) as i64;
                let slots = 1 + rng.below(6) as i64;
                let opens = start - (3 + rng.below(10) as i64) * day_us;
                j.execute(rusqlite::params![
                    job,
                    d,
                    customers[c].1,
                    "Detail",
                    format!("Customer {c:02}"),
                    format!("Site {}", rng.below(5)),
                    start,
                    start + hours * 3_600_000_000,
                    slots,
                    if rng.below(3) == 0 {
                        "traffic"
                    } else {
                        "security"
                    },
                    RULES[rng.below(5) as usize],
                    opens
                ])
                .unwrap();
                jobs += 1;
                // Most slots are filled; a few officers cancel, a few never clock in.
                for _ in 0..slots {
                    if rng.below(10) == 0 {
                        continue;
                    }
                    let officer = &officer_ids[rng.below(officer_ids.len() as u64) as usize];
                    let asg = Uuid::now_v7().to_string();
                    let status = if rng.below(25) == 0 {
                        "cancelled"
                    } else {
                        "awarded"
                    };
                    // (job, officer) is unique: a clash is simply skipped.
                    if a.execute(rusqlite::params![
                        asg,
                        job,
                        d,
                        officer,
                        status,
                        opens + 3_600_000_000
                    ])
                    .is_err()
                    {
                        continue;
                    }
                    if status != "awarded" || rng.below(40) == 0 {
                        continue;
                    }
                    let late = rng.below(15) as i64;
                    let worked = hours * 60 - late;
                    let billable = hours * 60;
                    let gross = billable * 5000 / 60;
                    let tstatus = match rng.below(20) {
                        0 => "needs_review",
                        1..=10 => "paid",
                        _ => "approved",
                    };
                    t.execute(rusqlite::params![
                        Uuid::now_v7().to_string(),
                        asg,
                        d,
                        job,
                        officer,
                        start + late * 60_000_000,
                        start + hours * 3_600_000_000,
                        worked,
                        billable,
                        gross,
                        tstatus
                    ])
                    .unwrap();
                    timecards += 1;
                    let month = ((day * 12) / 365) as usize;
                    billed[c][month.min(11)] += gross;
                }
            }
        }
    }
    let mut invoices = 0;
    {
        let mut i = tx
            .prepare(
                "INSERT INTO invoices (id, department_id, organization_id, number, terms, \
                 bill_json, worked_json, total_cents, status, issued_us) VALUES (?1, ?2, ?3, \
                 ?4, 'invoice', ?5, '[]', ?6, ?7, ?8)",
            )
            .unwrap();
        let mut ch = tx
            .prepare(
                "INSERT INTO charges (id, department_id, invoice_id, attempt, method, idem_key, \
                 amount_cents, status, created_us, updated_us) VALUES (?1, ?2, ?3, 1, \
                 'transfer', ?4, ?5, 'succeeded', ?6, ?6)",
            )
            .unwrap();
        let mut number = 0;
        for (c, (org, _)) in customers.iter().enumerate() {
            for (m, sub) in billed[c].iter().enumerate() {
                number += 1;
                let fee = sub / 20;
                let total = sub + fee;
                let issued = year_start + (m as i64 * 365 / 12 + 32) * day_us;
                let id = Uuid::now_v7().to_string();
                let paid = rng.below(3) != 0;
                i.execute(rusqlite::params![
                    id,
                    d,
                    org,
                    number,
                    format!(
                        "{{\"lines\":[],\"subtotal_cents\":{sub},\"event_fee_cents\":{fee},\
                         \"total_cents\":{total}}}"
                    ),
                    total,
                    if paid { "paid" } else { "open" },
                    issued
                ])
                .unwrap();
                if paid {
                    ch.execute(rusqlite::params![
                        Uuid::now_v7().to_string(),
                        d,
                        id,
                        format!("invoice-{id}-attempt-1"),
                        total,
                        issued + 10 * day_us
                    ])
                    .unwrap();
                }
                invoices += 1;
            }
        }
    }
    tx.commit().unwrap();
    Generated {
        jobs,
        timecards,
        invoices,
    }
}

async fn timed<F, T>(runs: usize, mut f: impl FnMut() -> F) -> (Duration, Duration, T)
where
    F: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    (times[0], times[times.len() / 2], last.unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let officers = env("OFFDUTY_BENCH_OFFICERS", 2000);
    let per_day = env("OFFDUTY_BENCH_JOBS_PER_DAY", 90);
    let runs = env("OFFDUTY_BENCH_REPORT_RUNS", 5).max(1);
    let dir = std::env::var("OFFDUTY_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir())
        .join(format!("offduty-reports-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bench.db");
    let url = format!("sqlite://{}", file.display());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.trim());

    let db = Db::connect(&url, 4).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    let dept = create_department(&db, &NewDepartment::new("Bench PD", "America/New_York"))
        .await
        .unwrap();
    db.pool.close().await;
    let t = Instant::now();
    let g = generate(&file, dept, officers, per_day);
    println!(
        "generated {officers} officers, {} jobs, {} timecards, {} invoices in {:.1} s ({} MB file)",
        g.jobs,
        g.timecards,
        g.invoices,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&file)
            .map(|m| m.len() / 1_000_000)
            .unwrap_or(0)
    );
    let db = Db::connect(&url, 4).await.unwrap();
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();

    // Floors.
    let (best, median, n) = timed(runs, || async {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM timecards")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        offduty_server::db::get::<i64>(&r, "n").unwrap()
    })
    .await;
    println!(
        "floor: SELECT COUNT(*) FROM timecards ({n} rows): best {}, median {}",
        ms(best),
        ms(median)
    );
    let (best, median, _) = timed(runs, || async {
        sqlx::query(
            "SELECT CAST(SUM(worked_minutes) AS BIGINT), CAST(SUM(gross_cents) AS BIGINT) \
             FROM timecards WHERE department_id = $1",
        )
        .bind(dept.to_string())
        .fetch_one(&db.pool)
        .await
        .unwrap()
    })
    .await;
    println!(
        "floor: one scan summing every timecard's minutes and pay: best {}, median {}",
        ms(best),
        ms(median)
    );

    // June 2025, the month reports; and the year by month.
    let june = Params {
        from: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        officer: None,
        organization: None,
        rule: None,
    };
    let year = Params {
        from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        ..june.clone()
    };
    let tz = chrono_tz::America::New_York;
    let now = Utc::now();
    let rss_before = rss("VmRSS:");
    let peak = RssPeak::start();
    println!("| report | period | rows | best | median | CSV |");
    println!("|---|---|---|---|---|---|");
    for (id, p, label) in [
        ("hours-by-officer", &june, "June"),
        ("distribution", &june, "June"),
        ("fairness-by-rule", &june, "June"),
        ("aging", &june, "June"),
        ("jobs-filled", &june, "June"),
        ("fill-time", &june, "June"),
        ("customer-invoices", &june, "June"),
        ("payroll-owed", &june, "June"),
        ("no-clock-in", &june, "June"),
        ("hours-by-month", &year, "year"),
        ("fairness-by-rule", &year, "year"),
    ] {
        let r = reports::find(id).unwrap();
        let (best, median, table) = timed(runs, || async {
            reports::run(&db, r, dept, tz, p, now).await.unwrap()
        })
        .await;
        let t = Instant::now();
        let csv = reports::render::csv(r, &table, tz);
        let csv_time = t.elapsed();
        assert!(csv.len() > 10);
        println!(
            "| {id} | {label} | {} | {} | {} | {} |",
            table.rows.len(),
            ms(best),
            ms(median),
            ms(csv_time)
        );
    }
    let peak = peak.stop();
    println!(
        "memory: resident {:.0} MB before the reports, peak {:.0} MB while they ran; \
         process high-water mark {:.0} MB (includes the generation)",
        rss_before as f64 / 1e6,
        peak as f64 / 1e6,
        rss("VmHWM:") as f64 / 1e6
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.trim());
    db.pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
