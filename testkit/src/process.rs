//! The one way a test runs the `offduty-server` binary: [`ServerProcess`] starts `serve` with
//! given flags, waits for its "listening on http://…" line, keeps its log, and can be signalled,
//! stopped and started again on the same address and database.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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
/// processes may both build: cargo's own lock on the target directory serializes them. An
/// existing binary is used as it is: run `cargo build -p offduty-server` first when testing
/// another crate after changing the server.
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

/// The base URL in a line the server prints once it listens: what follows "listening on " up
/// to the next white space, when it starts with `http://`. The Kotlin and Swift tests read the
/// same line with the same rule (`listening on (http://\S+)`).
pub fn listening_url(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.split_whitespace().next()?;
    url.starts_with("http://").then_some(url)
}

/// How long a server may take to listen (the demo department seeds first).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A running `offduty-server serve` process. Its log (stderr) is kept line by line and shown
/// when the test fails; stdout is read for the addresses and drained so the server never
/// blocks on a full pipe. Killed on drop if still running.
pub struct ServerProcess {
    pub child: Child,
    /// The API's address.
    pub addr: SocketAddr,
    /// The metrics listener's address, when started with `--metrics-listen`.
    pub metrics: Option<SocketAddr>,
    bin: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts `bin serve <args>` with `OFFDUTY_LOG=warn` and `env` added (which may override
    /// it), and waits until it listens (60 s at most; panics with its log otherwise).
    pub fn start(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> ServerProcess {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (child, addr, metrics) = spawn(bin, &args, &env, &log);
        ServerProcess {
            child,
            addr,
            metrics,
            bin: bin.to_path_buf(),
            args,
            env,
            log,
        }
    }

    /// `http://ADDR`, the API's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The log lines so far (of every run, when restarted).
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
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Takes the server away at once (SIGKILL): the address stops answering.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }

    /// Stops the server (if running) and starts it again with the same flags, on the same
    /// address (its `--listen` becomes the address it had) and so the same database.
    pub fn restart(&mut self) {
        self.stop();
        let listen = self.addr.to_string();
        let mut args = self.args.clone();
        match args.iter().position(|a| a == "--listen") {
            Some(i) if i + 1 < args.len() => args[i + 1] = listen,
            _ => args.extend(["--listen".to_string(), listen]),
        }
        let (child, addr, metrics) = spawn(&self.bin, &args, &self.env, &self.log);
        assert_eq!(addr, self.addr, "restarted on another address");
        self.child = child;
        self.metrics = metrics;
        self.args = args;
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail = &log[log.len().saturating_sub(40)..];
            eprintln!(
                "offduty-server {} — last {} log lines:\n{}",
                self.url(),
                tail.len(),
                tail.join("\n")
            );
        }
    }
}

/// Runs `bin serve <args>`; returns the child, the API's and the metrics' addresses once it
/// prints that it listens.
fn spawn(
    bin: &Path,
    args: &[String],
    env: &[(String, String)],
    log: &Arc<Mutex<Vec<String>>>,
) -> (Child, SocketAddr, Option<SocketAddr>) {
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
            if let Some(url) = listening_url(&line)
                && let Some(t) = tx.take()
            {
                let addr = url.trim_start_matches("http://").to_string();
                let _ = t.send((addr, metrics.clone()));
            }
            // Keep draining so the server never blocks on a full pipe.
        }
    });
    match rx.recv_timeout(START_LIMIT) {
        Ok((addr, metrics)) => (
            child,
            addr.parse().expect("listening address"),
            metrics.map(|m| m.parse().expect("metrics address")),
        ),
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

#[cfg(test)]
mod tests {
    use super::listening_url;

    #[test]
    fn the_listening_line_gives_the_base_url() {
        let line = "offduty-server listening on http://127.0.0.1:43117  (API: http://127.0.0.1:43117/v1/openapi.json)";
        assert_eq!(listening_url(line), Some("http://127.0.0.1:43117"));
        assert_eq!(
            listening_url("offduty-server metrics on http://127.0.0.1:9/metrics"),
            None
        );
        assert_eq!(listening_url("listening on https://x"), None);
    }
}
