//! Helpers shared by the integration tests of `offduty-server`, `offduty-core`,
//! `offduty-screens`, `offduty-ffi` and `offduty-cli` (dev-dependency only; never linked into a
//! product binary).
//!
//! - [`server_bin`]: the `offduty-server` binary the end-to-end tests run as a real process;
//! - [`spawn_server`]: starts it with given arguments and waits until it listens;
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
