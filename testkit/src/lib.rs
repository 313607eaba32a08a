//! Helpers shared by the integration tests of `offduty-server`, `offduty-core`,
//! `offduty-screens`, `offduty-ffi` and `offduty-cli` (dev-dependency only; never linked into a
//! product binary).
//!
//! - [`server_bin`]: the `offduty-server` binary the end-to-end tests run as a real process;
//! - [`spawn_server`]: starts it with given arguments and waits until it listens;
//! - [`ServerProcess`]: the same, keeping its log, to signal it and watch it exit;
//! - [`TempDir`]: a fresh folder under the system's temp dir, removed when the test passes;
//! - [`move_job`]: moves a job in time in the server's SQLite file (decision 012);
//! - [`proxy::LossyProxy`]: a TCP proxy that loses chosen responses on the way back;
//! - [`phone`]: a phone (the real core) behind a [`phone::Link`] that can lose the network,
//!   with a [`phone::FakeClock`], and the demo department as a real server
//!   ([`phone::DemoServer`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod phone;
pub mod proxy;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target"),
    }
}

/// The server binary: `$OFFDUTY_SERVER_BIN`, else `<target>/debug/offduty-server`, built once
/// (per test process) when missing. `cargo nextest run --workspace` (scripts/test.sh) builds it
/// with the tests; the fallback serves a bare `cargo nextest run -p offduty-core`. Parallel test
/// processes may both build: cargo's own lock on the target directory serializes them.
pub fn server_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("OFFDUTY_SERVER_BIN") {
            return PathBuf::from(p);
        }
        let bin = target_dir().join("debug").join("offduty-server");
        if !bin.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "-p", "offduty-server", "--bin", "offduty-server"])
                .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
                .status()
                .expect("run cargo build for offduty-server");
            assert!(status.success(), "cargo build -p offduty-server failed");
        }
        assert!(bin.exists(), "no server binary at {}", bin.display());
        bin
    })
    .clone()
}

/// Starts `bin serve <args>` (logs at `warn`, stdout piped) and returns the process and the
/// address it listens on, read from its "listening on http://…" line. Stdout keeps being drained
/// so the server never blocks on a full pipe. Panics when it does not listen within 60 s.
pub fn spawn_server(bin: &Path, args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(bin)
        .arg("serve")
        .args(args)
        .env("OFFDUTY_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start offduty-server");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on http://").nth(1)
                && let Some(t) = tx.take()
            {
                let _ = t.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            // Keep draining so the server never blocks on a full pipe.
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => (child, a.parse().expect("listening address")),
        Err(e) => {
            let _ = child.kill();
            panic!(
                "offduty-server did not start: {e}; status {:?}",
                child.try_wait()
            );
        }
    }
}

/// A fresh folder under the system's temp dir, removed on drop — kept when the test panics,
/// for a look at the files.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("offduty-{tag}-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Moves a job in time (tests cannot wait hours for a shift to start) by writing the server's
/// SQLite file the way the server itself changes a job: new times, the department's next change
/// sequence as the job's version, and a change-log entry, so clients pull the new times on their
/// next sync (decision 012). Safe while the server runs (WAL; waits for its write lock).
pub fn move_job(db_path: &Path, job: &str, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
    let mut c = rusqlite::Connection::open(db_path).unwrap();
    c.busy_timeout(Duration::from_secs(30)).unwrap();
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let dept: String = tx
        .query_row("SELECT department_id FROM jobs WHERE id = ?1", [job], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("no job {job}: {e}"));
    let seq: i64 = tx
        .query_row(
            "UPDATE departments SET change_seq = change_seq + 1 WHERE id = ?1 RETURNING change_seq",
            [&dept],
            |r| r.get(0),
        )
        .unwrap();
    let n = tx
        .execute(
            "UPDATE jobs SET starts_us = ?1, ends_us = ?2, version = ?3 WHERE id = ?4",
            rusqlite::params![
                starts_at.timestamp_micros(),
                ends_at.timestamp_micros(),
                seq,
                job
            ],
        )
        .unwrap();
    assert_eq!(n, 1, "no job {job}");
    tx.execute(
        "INSERT INTO change_log (department_id, seq, entity, entity_id, audience) \
         VALUES (?1, ?2, 'job', ?3, NULL)",
        rusqlite::params![dept, seq, job],
    )
    .unwrap();
    tx.commit().unwrap();
}

/// A server process whose log (stderr) is kept line by line, for tests of how the process
/// behaves: logs, signals, exit status. Killed on drop if still running.
pub struct ServerProcess {
    pub child: Child,
    /// The API's address.
    pub addr: SocketAddr,
    /// The metrics listener's address, when started with `--metrics-listen`.
    pub metrics: Option<SocketAddr>,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts `bin serve <args>` with `env` added (e.g. `OFFDUTY_LOG`), and waits until it
    /// listens (60 s at most).
    pub fn start(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> ServerProcess {
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .args(args)
            .env("OFFDUTY_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start offduty-server");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut metrics = None;
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("metrics on http://").nth(1) {
                    metrics = rest.split('/').next().map(str::to_string);
                }
                if let Some(rest) = line.split("listening on http://").nth(1)
                    && let Some(t) = tx.take()
                {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = t.send((addr, metrics.clone()));
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((addr, metrics)) => ServerProcess {
                child,
                addr: addr.parse().expect("listening address"),
                metrics: metrics.map(|m| m.parse().expect("metrics address")),
                log,
            },
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "offduty-server did not start: {e}; its log:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        }
    }

    /// The log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends a signal by name (`TERM`, `INT`) with `kill(1)`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit, at most `limit`; `None` when it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
