//! Helpers shared by the integration tests of `offduty-server`, `offduty-core`,
//! `offduty-screens`, `offduty-ffi` and `offduty-cli` (dev-dependency only; never linked into a
//! product binary). There is one way to run the server for a test, as a real process:
//!
//! - [`ServerProcess`] ([`process`]): `offduty-server serve <flags>` started from
//!   [`server_bin`], its address read from its "listening on http://…" line, its log kept (and
//!   shown when the test fails), signals, exit, [`ServerProcess::stop`] and
//!   [`ServerProcess::restart`] on the same address and database. The server's own process
//!   tests (graceful shutdown, logs, metrics, nginx) use it with their own flags;
//! - [`TestServer`] ([`server`]): a [`ServerProcess`] on a fresh SQLite file with a department
//!   in it — the demo department ([`TestServer::demo`], started with the very flags the Kotlin
//!   and Swift tests use, [`server::demo_args`]) or a seeded one ([`TestServer::start`],
//!   [`seed::Seed`]) — plus the coordinator's side of the API (login, jobs, rosters,
//!   timecards), the database path, [`move_job`], and phones signed in to it;
//! - [`phone`]: a phone (the real core) behind a [`phone::Link`] that can lose the network,
//!   with a [`phone::FakeClock`]; [`phone::DemoServer`] is the demo [`TestServer`] under the
//!   screens' tests' name;
//! - [`proxy::LossyProxy`]: a TCP proxy that loses chosen responses on the way back;
//! - [`refusing::RefusingProxy`]: an HTTP proxy that answers chosen routes with a problem or a
//!   503 while told to (a wedged action, a refused edit);
//! - [`stripe::FakeStripe`]: a fake of Stripe held to Stripe's published OpenAPI document
//!   (`testkit/stripe/contract.json`), with hosted pages and signed webhooks (decision 037);
//! - [`api`]: one API call with a token, the job fixture, the site and its fence;
//! - [`TempDir`]: a fresh folder under the system's temp dir, removed when the test passes;
//! - [`move_job`]: moves a job in time in the server's SQLite file (decision 012).
//!
//! **Seeding goes through the server's front doors, not its library.** A seeded department is
//! bootstrapped with the operator's admin command line (`offduty-server migrate`, `admin
//! create-department`, `admin create-coordinator --password-stdin`) before `serve` starts,
//! and its officers are added by the coordinator with `POST /v1/officers`. So this crate does
//! not depend on `offduty-server` (the core's, the bindings' and the terminal client's tests
//! do not link the server's library: they talk to its binary as a phone would), and the
//! fixtures go through the same checks, seniority numbering and change log as a department's
//! own data. It costs one argon2 hash per officer in the server (well under a second each).
//! The server's own tests (`server/tests/common`) still seed through its library: they test
//! the server as a library, and take only what is shared (the API call, the job fixture) from
//! here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod api;
pub mod phone;
pub mod process;
pub mod proxy;
pub mod push;
pub mod refusing;
pub mod seed;
pub mod server;
pub mod sms;
pub mod stripe;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use phone::{DEMO_PASSWORD, Phone};
pub use process::{ServerProcess, server_bin};
pub use seed::{Account, PASSWORD, Seed};
pub use server::TestServer;

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
