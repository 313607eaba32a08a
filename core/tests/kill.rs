//! "An action the officer saw accepted is never lost or applied twice" (RELIABILITY.md, row 1).
//!
//! A child process runs the real core against a real `offduty-server` process and is killed
//! with `std::process::abort()` (no unwinding, no destructors: what a crash or the OS killing
//! the app looks like) at a random moment while it enqueues and syncs actions: during local
//! writes, queue inserts, HTTP sends, acks and queue deletes, and while reopening the
//! database after the previous abort. The parent starts children until one finishes the plan,
//! then checks the phone's database against the server's: every accepted action decided
//! exactly once, with one outcome, and applied exactly once on the server.
//!
//! Figures (per seed): `OFFDUTY_KILL_ACTIONS` actions (default 1,000) alternating claim and
//! cancel on 10 jobs 5+ days out (so every action is a real effect: cancels are in the free
//! window), across `OFFDUTY_KILL_SEEDS` seeds (default 20; `OFFDUTY_KILL_SEED_BASE` shifts
//! them), `OFFDUTY_KILL_PARALLEL` seeds at a time (default 1: on two cores, parallel seeds
//! only contend for the server's single SQLite writer), one server process for all. Measured
//! here (debug build, 2 cores): 20 seeds × 1,000 actions in ~100–130 s, ~450–570 aborts, and
//! ~320–345 actions applied on the server whose answer an abort lost (resent: replays). A longer
//! run:
//!
//!     OFFDUTY_KILL_SEEDS=200 cargo nextest run -p offduty-core --test kill --no-capture
//!
//! The child is this same test binary run again: `kill_child_entry` is not a test, so it is
//! `#[ignore]`d with the reason shown by `--list`, and the parent runs
//! `<this binary> kill_child_entry --exact --ignored --nocapture` with `OFFDUTY_KILL_CHILD` and
//! its inputs (database directory, server URL, credentials, jobs, seed, target) in the
//! environment. Run on its own (`--ignored`, `--run-ignored all`) it fails: it never passes by
//! doing nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use offduty_core::platform::{FileSecretStore, SecretStore, SoftwareSigner, SystemClock};
use offduty_core::sync::SyncReport;
use offduty_core::{Core, CoreConfig, Services};
use offduty_domain::protocol::Outcome;

use offduty_testkit::api::hours_from_now;
use offduty_testkit::{Account, PASSWORD, TempDir, TestServer};

const CHILD: &str = "OFFDUTY_KILL_CHILD";
const JOBS: usize = 10;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// The child.

/// The child process of `accepted_actions_survive_aborts_exactly_once`, which starts it with
/// `--exact --ignored` and its inputs in the environment. Not a test of its own.
#[test]
#[ignore = "the child process of accepted_actions_survive_aborts_exactly_once, started by it; not a test on its own"]
fn kill_child_entry() {
    assert!(
        std::env::var_os(CHILD).is_some(),
        "kill_child_entry is the kill test's child process: run accepted_actions_survive_aborts_exactly_once instead"
    );
    child_main();
}

/// Aborts the process after `delay` — unless `hold` is set then (a login in progress): it
/// waits for the hold to end and aborts `delay` later.
fn arm_abort(delay: Duration, hold: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(delay);
            if !hold.load(Ordering::SeqCst) {
                std::process::abort();
            }
            while hold.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    });
}

/// (outcomes stored, actions queued) in the phone's database.
fn counts(conn: &rusqlite::Connection) -> (u64, u64) {
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64;
    (
        n("SELECT COUNT(*) FROM outcomes"),
        n("SELECT COUNT(*) FROM outbox"),
    )
}

fn child_main() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("child needs {k}"));
    let dir = PathBuf::from(var("OFFDUTY_KILL_DIR"));
    let url = var("OFFDUTY_KILL_URL");
    let email = var("OFFDUTY_KILL_EMAIL");
    let password = var("OFFDUTY_KILL_PASSWORD");
    let jobs: Vec<Uuid> = var("OFFDUTY_KILL_JOBS")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let target: u64 = var("OFFDUTY_KILL_TARGET").parse().unwrap();
    let seed: u64 = var("OFFDUTY_KILL_SEED").parse().unwrap();
    let run: u64 = var("OFFDUTY_KILL_RUN").parse().unwrap();
    let no_abort = std::env::var_os("OFFDUTY_KILL_NO_ABORT").is_some();
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ run);

    let hold = Arc::new(AtomicBool::new(false));
    if !no_abort {
        arm_abort(Duration::from_millis(rng.gen_range(5..=400)), hold.clone());
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Tokens and the signing key must survive the abort: both live in a file.
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecretStore::new(dir.join("secrets.json")));
    let signer = SoftwareSigner::load_or_create(&secrets, "kill-test-device-key").unwrap();
    let services = Services {
        signer: Arc::new(signer),
        secrets,
        clock: Arc::new(SystemClock::default()),
    };
    let db_path = dir.join("phone.db");
    let (core, report) = Core::open(CoreConfig::new(&db_path, &url), services).unwrap();
    assert!(
        report.rescue.is_none(),
        "the database needed a rescue after an abort: {report:?}"
    );
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();

    if core.session().unwrap().is_none() {
        hold.store(true, Ordering::SeqCst);
        rt.block_on(core.login(&email, &password, "kill-test phone"))
            .unwrap();
        hold.store(false, Ordering::SeqCst);
        println!("KILL-CHILD-LOGIN run={run}");
    }

    let sync = || -> SyncReport {
        let r = rt.block_on(core.sync(None)).expect("sync");
        assert!(r.offline.is_none(), "the server is up: {r:?}");
        assert_eq!(
            r.wedged,
            0,
            "nothing may wedge: {:?}",
            core.pending_actions()
        );
        r
    };
    // Until the queue is empty (and the last sync's pull is in).
    let drain = || {
        let started = Instant::now();
        loop {
            if sync().pending == 0 {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the queue does not drain: {:?}",
                core.pending_actions()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Actions the server already decided whose answer the previous child never stored (it was
    // aborted between the send and the ack): they must come back as replays, not new effects.
    let server_db = rusqlite::Connection::open_with_flags(
        var("OFFDUTY_KILL_SERVER_DB"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    server_db.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut in_doubt = 0;
    for p in core.pending_actions().unwrap() {
        in_doubt += server_db
            .query_row(
                "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?1",
                [p.idempotency_key.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .unwrap();
    }
    drop(server_db);
    println!("KILL-CHILD-REPLAYS {in_doubt}");
    // The previous child may have pushed without pulling: start from the server's word.
    sync();

    let mut accepted = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("accepted.log"))
        .unwrap();
    let j = jobs.len() as u64;
    let mut since_sync = 0;
    let mut every = rng.gen_range(1..=j / 2);
    loop {
        // Where the plan stands is what the database holds: an action enqueued before an abort
        // is in the outbox (or decided) and is not enqueued again.
        let (decided, queued) = counts(&conn);
        let pos = decided + queued;
        assert!(pos <= target, "{pos} actions for a plan of {target}");
        if pos == target {
            drain();
            break;
        }
        let k = pos % (2 * j);
        // A phase (claims, then cancels) starts only once the previous one is decided and
        // pulled: a cancel needs the award on record, a new claim the cancellation.
        if k.is_multiple_of(j) && queued > 0 {
            drain();
            continue;
        }
        let job = jobs[(k % j) as usize];
        let result = if k < j {
            core.claim(job)
        } else {
            core.cancel(job, None)
        };
        let q = result.unwrap_or_else(|e| {
            panic!(
                "action {pos} ({}) refused locally: {e:?}; standing {:?}",
                if k < j { "claim" } else { "cancel" },
                core.job(job, None).map(|c| c.standing)
            )
        });
        // The officer saw it accepted: note it (fsync'd) for the parent's "never lost" check.
        writeln!(accepted, "{}", q.idempotency_key).unwrap();
        accepted.sync_data().unwrap();
        since_sync += 1;
        if since_sync >= every {
            sync();
            since_sync = 0;
            every = rng.gen_range(1..=j / 2);
        }
    }
    let (decided, queued) = counts(&conn);
    println!("KILL-CHILD-DONE decided={decided} queued={queued}");
}

// ---------------------------------------------------------------------------------------------
// The parent.

struct Ctx {
    url: String,
    jobs: Vec<Uuid>,
    target: u64,
    root: PathBuf,
    server_db: PathBuf,
}

struct SeedResult {
    seed: u64,
    aborts: u64,
    children: u64,
    logins: u64,
    /// Actions applied on the server whose answer an abort kept from the phone (resent later).
    replays: u64,
    accepted: usize,
    elapsed: Duration,
}

fn run_child(
    ctx: &Ctx,
    dir: &Path,
    officer: &Account,
    seed: u64,
    run: u64,
    abort: bool,
) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("sh");
    // No core dumps from the thousands of aborts.
    cmd.arg("-c")
        .arg("ulimit -c 0; exec \"$0\" \"$@\"")
        .arg(exe)
        .args([
            "kill_child_entry",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, "1")
        .env("OFFDUTY_KILL_DIR", dir)
        .env("OFFDUTY_KILL_URL", &ctx.url)
        .env("OFFDUTY_KILL_SERVER_DB", &ctx.server_db)
        .env("OFFDUTY_KILL_EMAIL", &officer.email)
        .env("OFFDUTY_KILL_PASSWORD", PASSWORD)
        .env(
            "OFFDUTY_KILL_JOBS",
            ctx.jobs
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .env("OFFDUTY_KILL_TARGET", ctx.target.to_string())
        .env("OFFDUTY_KILL_SEED", seed.to_string())
        .env("OFFDUTY_KILL_RUN", run.to_string())
        .env_remove("OFFDUTY_KILL_NO_ABORT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !abort {
        cmd.env("OFFDUTY_KILL_NO_ABORT", "1");
    }
    cmd.output().expect("run the child")
}

fn aborted(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(6)
}

fn run_seed(ctx: &Ctx, officer: &Account, seed: u64) -> SeedResult {
    let dir = ctx.root.join(format!("seed-{seed}"));
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let (mut aborts, mut children, mut logins, mut replays) = (0u64, 0u64, 0u64, 0u64);
    // Aborting children until one completes the plan, then one clean child to confirm.
    let mut clean = false;
    loop {
        let out = run_child(ctx, &dir, officer, seed, children, !clean);
        children += 1;
        let stdout = String::from_utf8_lossy(&out.stdout);
        logins += stdout.matches("KILL-CHILD-LOGIN").count() as u64;
        replays += stdout
            .lines()
            // libtest may have printed "test kill_child_entry ... " on the same line.
            .filter_map(|l| l.split("KILL-CHILD-REPLAYS ").nth(1))
            .filter_map(|n| n.split_whitespace().next()?.parse::<u64>().ok())
            .sum::<u64>();
        if aborted(&out.status) {
            assert!(!clean, "seed {seed}: the clean child aborted");
            aborts += 1;
            assert!(
                children < 20_000,
                "seed {seed}: no end after {children} children"
            );
            continue;
        }
        assert!(
            out.status.success() && stdout.contains("KILL-CHILD-DONE"),
            "seed {seed}, child {children}: {:?}\n--- stdout\n{stdout}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if clean {
            let want = format!("KILL-CHILD-DONE decided={} queued=0", ctx.target);
            assert!(stdout.contains(&want), "seed {seed}: {stdout}");
            break;
        }
        clean = true;
    }
    let accepted = verify(ctx, &dir, officer, seed);
    SeedResult {
        seed,
        aborts,
        children,
        logins,
        replays,
        accepted,
        elapsed: started.elapsed(),
    }
}

/// Checks one seed's phone against the server; returns how many actions the log saw accepted.
fn verify(ctx: &Ctx, dir: &Path, officer: &Account, seed: u64) -> usize {
    let phone = rusqlite::Connection::open(dir.join("phone.db")).unwrap();
    let ok: String = phone
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "seed {seed}: phone database integrity");
    assert_eq!(counts(&phone).1, 0, "seed {seed}: outbox empty");
    let mut st = phone
        .prepare("SELECT idempotency_key, kind, job_id, outcome_json FROM outcomes")
        .unwrap();
    let local: BTreeMap<Uuid, (String, Uuid, serde_json::Value)> = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap()
        .map(|r| {
            let (k, kind, job, json) = r.unwrap();
            (
                k.parse().unwrap(),
                (
                    kind,
                    job.parse().unwrap(),
                    serde_json::from_str(&json).unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        local.len() as u64,
        ctx.target,
        "seed {seed}: one outcome per action"
    );

    // Zero lost: every action the officer saw accepted has its outcome.
    let log = std::fs::read_to_string(dir.join("accepted.log")).unwrap_or_default();
    let accepted: BTreeSet<Uuid> = log.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let lost: Vec<&Uuid> = accepted.iter().filter(|k| !local.contains_key(k)).collect();
    assert!(lost.is_empty(), "seed {seed}: accepted but lost: {lost:?}");

    // The plan, in order (UUIDv7 keys sort by creation): claim every job, cancel every job, …
    let j = ctx.jobs.len();
    for (i, (key, (kind, job, outcome))) in local.iter().enumerate() {
        let k = i % (2 * j);
        let (want_kind, want_type) = if k < j {
            ("claim", "awarded")
        } else {
            ("cancel", "cancelled")
        };
        assert_eq!(
            (kind.as_str(), *job),
            (want_kind, ctx.jobs[k % j]),
            "seed {seed}: action {i} ({key}) is not the plan's"
        );
        // A real decision, never a refusal (`already_claimed` would be a claim applied twice
        // under two keys, `not_assigned` a cancel applied twice).
        assert_eq!(
            outcome["type"], want_type,
            "seed {seed}: action {i} ({key}): {outcome}"
        );
        let parsed: Outcome = serde_json::from_value(outcome.clone()).unwrap();
        assert!(matches!(
            parsed,
            Outcome::Awarded { .. } | Outcome::Cancelled { .. }
        ));
    }

    // The server: the same keys with the same outcomes, and one effect each.
    let server = rusqlite::Connection::open(&ctx.server_db).unwrap();
    server.busy_timeout(Duration::from_secs(30)).unwrap();
    let mut st = server
        .prepare("SELECT idem_key, outcome_json FROM idempotency_keys WHERE user_id = ?1")
        .unwrap();
    let remote: BTreeMap<Uuid, serde_json::Value> = st
        .query_map([officer.id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .unwrap()
        .map(|r| {
            let (k, json) = r.unwrap();
            (k.parse().unwrap(), serde_json::from_str(&json).unwrap())
        })
        .collect();
    assert_eq!(
        remote.keys().collect::<Vec<_>>(),
        local.keys().collect::<Vec<_>>(),
        "seed {seed}: the server's keys are the phone's"
    );
    for (k, (_, _, outcome)) in &local {
        assert_eq!(&remote[k], outcome, "seed {seed}: outcome of {k}");
    }
    let mut st = server
        .prepare(
            "SELECT action, entity_id, COUNT(*) FROM audit_log WHERE actor_id = ?1 \
             AND action IN ('claim', 'cancel') GROUP BY action, entity_id",
        )
        .unwrap();
    let applied: BTreeMap<(String, String), i64> = st
        .query_map([officer.id.to_string()], |r| {
            Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let total: i64 = applied.values().sum();
    assert_eq!(
        total as u64, ctx.target,
        "seed {seed}: one applied effect per action: {applied:?}"
    );
    for (i, job) in ctx.jobs.iter().enumerate() {
        for (kind, first) in [("claim", i), ("cancel", j + i)] {
            let want = (ctx.target as usize).saturating_sub(first).div_ceil(2 * j);
            let got = applied
                .get(&(kind.to_string(), job.to_string()))
                .copied()
                .unwrap_or(0);
            assert_eq!(got as usize, want, "seed {seed}: {kind}s applied on {job}");
        }
    }
    accepted.len()
}

#[test]
fn accepted_actions_survive_aborts_exactly_once() {
    let seeds: usize = env_or("OFFDUTY_KILL_SEEDS", 20);
    let base: u64 = env_or("OFFDUTY_KILL_SEED_BASE", 1);
    let target: u64 = env_or("OFFDUTY_KILL_ACTIONS", 1000);
    let parallel: usize = env_or("OFFDUTY_KILL_PARALLEL", 1).max(1);
    assert!(seeds > 0 && target > 0);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(TestServer::start(seeds));
    // Ten 4-hour jobs, one a day from day 5: no overlaps, within every hour cap, and every
    // cancel in the free window. Enough slots for every seed running at once.
    let jobs: Vec<Uuid> = rt.block_on(async {
        let mut jobs = Vec::new();
        for day in 0..JOBS as i64 {
            jobs.push(
                server
                    .create_job(
                        hours_from_now(24 * (5 + day)),
                        u32::try_from(parallel.min(500)).unwrap(),
                    )
                    .await,
            );
        }
        jobs
    });
    let root = TempDir::new("kill");
    println!(
        "kill test: files in {} (kept if the test fails)",
        root.0.display()
    );
    let ctx = Ctx {
        url: server.url.clone(),
        jobs,
        target,
        root: root.0.clone(),
        server_db: server.db_path.clone(),
    };

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..parallel.min(seeds) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= seeds {
                        return;
                    }
                    let r = run_seed(&ctx, &server.officers[i], base + i as u64);
                    println!(
                        "seed {:>4}: {} actions ({} seen accepted), {:>4} aborts, {:>3} acks lost and replayed, {:>4} children, {} logins, {:>6.1} s",
                        r.seed,
                        ctx.target,
                        r.accepted,
                        r.aborts,
                        r.replays,
                        r.children,
                        r.logins,
                        r.elapsed.as_secs_f64()
                    );
                    results.lock().unwrap().push(r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    assert_eq!(results.len(), seeds);
    let aborts: u64 = results.iter().map(|r| r.aborts).sum();
    let replays: u64 = results.iter().map(|r| r.replays).sum();
    println!(
        "kill test: {seeds} seeds × {target} actions, {aborts} aborts ({replays} between a send and \
         its ack), 0 lost, 0 applied twice, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        aborts > 0,
        "no child was ever aborted: the test proved nothing"
    );
}
