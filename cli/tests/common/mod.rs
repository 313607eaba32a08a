//! Harness for black-box tests of the `offduty` binary: officers running the real CLI, each in
//! its own data directory with file secrets, against the demo department as a real server
//! process ([`demo_server`], from `offduty_testkit`: stoppable and restartable on the same
//! address, to take the server away).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use serde_json::Value;

use offduty_testkit::{DEMO_PASSWORD, TempDir, TestServer};

/// The demo officer every test signs in as.
pub const OFFICER: &str = "officer001@columbus.demo";

/// The demo department on a fresh SQLite file, with an award sweep every second.
pub fn demo_server() -> TestServer {
    TestServer::demo_with(&["--sweep-seconds", "1"])
}

/// What one run of the CLI did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// An officer's terminal: the real `offduty` binary with its own data directory and file
/// secrets, pointed at a server.
pub struct Terminal {
    pub data: TempDir,
    pub server_url: String,
}

impl Terminal {
    pub fn new(server_url: &str) -> Terminal {
        Terminal {
            data: TempDir::new("data"),
            server_url: server_url.to_string(),
        }
    }

    /// Runs `offduty ARGS` with `stdin` as standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_offduty"))
            .args(args)
            .env_remove("OFFDUTY_SERVER")
            .env_remove("OFFDUTY_DATA_DIR")
            .env_remove("OFFDUTY_LOG")
            .env("OFFDUTY_SECRETS", "file")
            .env("OFFDUTY_SERVER", &self.server_url)
            .env("OFFDUTY_DATA_DIR", &self.data.0)
            .env("HOME", &self.data.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run offduty");
        {
            let mut input = child.stdin.take().unwrap();
            let _ = input.write_all(stdin.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `offduty ARGS` with empty standard input.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    /// Signs in as the demo officer (password on stdin).
    pub fn login(&self) -> Run {
        let r = self.run_with_stdin(
            &["login", "--email", OFFICER, "--password-stdin"],
            &format!("{DEMO_PASSWORD}\n"),
        );
        r.expect_code(0);
        r
    }

    /// Board cards (`jobs --json` with extra arguments).
    pub fn board(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["jobs", "--json"];
        args.extend_from_slice(extra);
        let r = self.run(&args);
        r.expect_code(0);
        r.json().as_array().cloned().unwrap_or_default()
    }

    /// The id of an eligible first-come job with a free slot, open for signups, starting at
    /// least `min_hours_ahead` hours from now.
    pub fn claimable_job(&self, min_hours_ahead: i64) -> String {
        let earliest = Utc::now() + chrono::Duration::hours(min_hours_ahead);
        self.board(&["--eligible", "--limit", "500"])
            .into_iter()
            .find(|c| {
                let job = &c["job"];
                job["award_rule"]["type"] == "first_come"
                    && c["signup"]["type"] == "open"
                    && job["slots_filled"].as_u64() < job["slots"].as_u64()
                    && job["starts_at"]
                        .as_str()
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                        .is_some_and(|t| t > earliest)
            })
            .and_then(|c| c["job"]["id"].as_str().map(str::to_string))
            .expect("the demo board has a claimable job")
    }
}
