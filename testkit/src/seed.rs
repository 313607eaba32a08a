//! A custom department, seeded through the server's own front doors as people would: the
//! operator bootstraps it with the admin command line (`offduty-server migrate`, `admin
//! create-department`, `admin create-coordinator`), then the coordinator adds the officers with
//! `POST /v1/officers`. No test links the server's library to seed (see the crate docs).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::call;

/// Every account of a seeded department has this password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The seeded department's name, time zone and coordinator.
pub const DEPARTMENT: &str = "E2E PD";
pub const TIME_ZONE: &str = "America/New_York";
pub const COORDINATOR: &str = "coordinator@e2e.test";

/// An account the harness created.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
}

/// What to seed, and the claim limits the server runs with.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Officers `officer0@e2e.test` …, seniority in that order, permits valid for a year.
    pub officers: usize,
    /// `--claim-burst`.
    pub claim_burst: u32,
    /// `--claims-per-minute`.
    pub claims_per_minute: u32,
}

impl Seed {
    /// `n` officers, and claim limits no test reaches.
    pub fn officers(n: usize) -> Seed {
        Seed {
            officers: n,
            claim_burst: 1_000_000,
            claims_per_minute: 1_000_000,
        }
    }

    /// The `serve` flags this seed asks for: a 1-second award sweep and its claim limits.
    pub(crate) fn serve_args(&self) -> Vec<String> {
        [
            "--sweep-seconds",
            "1",
            "--claim-burst",
            &self.claim_burst.to_string(),
            "--claims-per-minute",
            &self.claims_per_minute.to_string(),
        ]
        .map(str::to_string)
        .to_vec()
    }
}

/// Runs `bin <args>` (the admin command line), `stdin` on its standard input; panics with its
/// output unless it succeeds.
fn run(bin: &Path, args: &[&str], stdin: &str) {
    let mut child = Command::new(bin)
        .args(args)
        .env("OFFDUTY_LOG", "warn")
        .env_remove("OFFDUTY_DEPARTMENT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run offduty-server");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "offduty-server {}: {}\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The operator's part, before the server starts: a migrated database at `database_url`
/// holding the department and its coordinator (password [`PASSWORD`]).
pub(crate) fn bootstrap(bin: &Path, database_url: &str) {
    run(bin, &["migrate", "--database-url", database_url], "");
    let admin = ["admin", "--database-url", database_url];
    run(
        bin,
        &[
            &admin[..],
            &[
                "create-department",
                "--name",
                DEPARTMENT,
                "--time-zone",
                TIME_ZONE,
            ],
        ]
        .concat(),
        "",
    );
    run(
        bin,
        &[
            &admin[..],
            &[
                "create-coordinator",
                "--email",
                COORDINATOR,
                "--name",
                "Coordinator",
                "--password-stdin",
            ],
        ]
        .concat(),
        &format!("{PASSWORD}\n"),
    );
}

/// The coordinator's part, once the server runs: officer `i` of `0..n` is `officer{i}@e2e.test`,
/// badge `B{i:04}`, rank officer, permit valid for a year, password [`PASSWORD`]; the server
/// numbers seniority in the order they are added (officer 0 most senior).
pub(crate) async fn add_officers(
    http: &reqwest::Client,
    url: &str,
    coordinator_token: &str,
    n: usize,
) -> Vec<Account> {
    let permit = Utc::now() + chrono::Duration::days(365);
    let mut officers = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("officer{i}@e2e.test");
        let body = json!({
            "email": email,
            "display_name": format!("Officer {i}"),
            "badge": format!("B{i:04}"),
            "rank": "officer",
            "permit_expires_at": permit,
            "password": PASSWORD,
        });
        let (status, created) = call(
            http,
            url,
            Method::POST,
            "/v1/officers",
            Some(coordinator_token),
            Some(&body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "add officer {i}: {created}");
        officers.push(Account {
            id: uuid_at(&created, "/account/id"),
            email,
        });
    }
    officers
}

/// The UUID at `pointer` in `v`.
pub(crate) fn uuid_at(v: &Value, pointer: &str) -> Uuid {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no UUID at {pointer} in {v}"))
}
