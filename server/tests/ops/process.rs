//! The server as a real process: graceful shutdown on SIGTERM / SIGINT (in-flight requests
//! finish, new connections are refused, the sweeper stops, exit 0; the grace period bounds it),
//! its logs (human and JSON; the request id in every line of a request), and the metrics
//! listener kept apart from the API.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_server::app::AppState;
use offduty_server::db::{Db, migrate};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
use offduty_testkit::{ServerProcess, TempDir, server_bin};

/// A migrated SQLite file with one department, an officer and a coordinator, and their access
/// tokens (signed with the key the server will load from the file).
struct Fixture {
    _dir: TempDir,
    file: PathBuf,
    url: String,
    officer: String,
}

async fn fixture(tag: &str) -> Fixture {
    let dir = TempDir::new(tag);
    let file = dir.join("offduty.db");
    let url = format!("sqlite://{}", file.display());
    let db = Db::connect(&url, 2).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    let state = AppState::new(db.clone()).await.unwrap();
    let dept = create_department(&db, &NewDepartment::new("Ops", "America/New_York"))
        .await
        .unwrap();
    let hash = offduty_server::auth::passwords::hash_password("not used here").unwrap();
    let mut u = NewUser::new(dept, Role::Officer, "officer@ops.test", &hash);
    u.permit_expires_at = Some(Utc::now() + chrono::Duration::days(365));
    let officer_id = create_user(&db, &u).await.unwrap();
    let officer = state
        .tokens
        .issue_access(officer_id, dept, Role::Officer, Utc::now());
    db.pool.close().await;
    Fixture {
        _dir: dir,
        file,
        url,
        officer,
    }
}

/// Holds SQLite's write lock on `file` until dropped: a request that writes waits behind it,
/// which makes a slow request without any test-only code in the server.
struct WriteLock(rusqlite::Connection);

impl WriteLock {
    fn take(file: &Path) -> WriteLock {
        let c = rusqlite::Connection::open(file).unwrap();
        c.busy_timeout(Duration::from_secs(30)).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        WriteLock(c)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

fn claim_batch() -> Value {
    json!({"actions": [{
        "idempotency_key": Uuid::now_v7(),
        "created_at": Utc::now(),
        "action": {"type": "claim", "job_id": Uuid::now_v7()},
    }]})
}

async fn scrape(metrics: std::net::SocketAddr) -> String {
    reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits (polling the metrics, 10 s at most) until `n` API requests are in flight.
async fn until_in_flight(metrics: std::net::SocketAddr, n: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let want = format!("offduty_http_requests_in_flight {n}\n");
    loop {
        if scrape(metrics).await.contains(&want) {
            return;
        }
        assert!(Instant::now() < deadline, "never {n} requests in flight");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Tries new connections until one is refused (10 s at most); panics if none is. A reset counts
/// as refused: a connection the kernel queued in the listener's backlog just before the server
/// closed the listener is reset, never accepted (seen once in CI, 2026-12-07).
async fn until_refused(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                return;
            }
            Err(e) => panic!("connecting after the signal failed otherwise: {e}"),
            Ok(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "still accepting connections 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_connections_and_exits_0() {
    let fx = fixture("shutdown").await;
    let mut server = ServerProcess::start(
        &server_bin(),
        &[
            "--database-url",
            &fx.url,
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--sweep-seconds",
            "3600",
        ],
        &[("OFFDUTY_LOG", "info,tower_http=debug")],
    );
    let metrics = server.metrics.expect("metrics address printed");
    let api = format!("http://{}", server.addr);

    // The metrics live on their own listener only.
    let r = client().get(format!("{api}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404, "the API listener must not serve /metrics");
    let r = client()
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );

    // A claim that waits behind the database's write lock: in flight as long as we hold it.
    let lock = WriteLock::take(&fx.file);
    let slow = tokio::spawn({
        let (url, token) = (format!("{api}/v1/actions"), fx.officer.clone());
        async move {
            client()
                .post(url)
                .bearer_auth(token)
                .header("x-request-id", "slow-claim-1")
                .json(&claim_batch())
                .send()
                .await
        }
    });
    until_in_flight(metrics, 1).await;

    let signalled = Instant::now();
    server.signal("TERM");
    until_refused(server.addr).await;
    assert!(
        !slow.is_finished(),
        "the slow request ended before the lock was released"
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );

    drop(lock);
    let released = Instant::now();
    let resp = slow
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["outcomes"][0]["outcome"]["code"], "job_not_found",
        "{body}"
    );
    let status = server
        .wait_exit(Duration::from_secs(20))
        .expect("the server exits once the request is answered");
    assert!(status.success(), "exit status {status:?}");
    eprintln!(
        "measured: SIGTERM to exit {:?}, of which {:?} after the request in flight could go on",
        signalled.elapsed(),
        released.elapsed()
    );

    let log = server.log();
    let text = log.join("\n");
    for line in [
        "shutting down",
        "award sweeper stopped",
        "offduty-server stopped",
    ] {
        assert!(text.contains(line), "log lacks {line:?}:\n{text}");
    }
    // Every line tower-http logs for a request names the request (human format:
    // `request{id=… method=… route=… client=…}`); the slow one's start and finish among them.
    let per_request: Vec<&String> = log.iter().filter(|l| l.contains("tower_http::")).collect();
    for l in &per_request {
        assert!(l.contains("request{id="), "{l}");
    }
    let slow_lines = per_request
        .iter()
        .filter(|l| l.contains("request{id=slow-claim-1 method=POST route=/v1/actions"))
        .count();
    assert!(slow_lines >= 2, "the slow request's lines:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grace_period_bounds_the_wait_for_requests_in_flight() {
    let fx = fixture("grace").await;
    let mut server = ServerProcess::start(
        &server_bin(),
        &[
            "--database-url",
            &fx.url,
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--sweep-seconds",
            "3600",
            "--shutdown-grace-seconds",
            "1",
        ],
        &[("OFFDUTY_LOG", "info")],
    );
    let metrics = server.metrics.unwrap();
    let lock = WriteLock::take(&fx.file);
    let slow = tokio::spawn({
        let (url, token) = (
            format!("http://{}/v1/actions", server.addr),
            fx.officer.clone(),
        );
        async move {
            client()
                .post(url)
                .bearer_auth(token)
                .json(&claim_batch())
                .send()
                .await
        }
    });
    until_in_flight(metrics, 1).await;
    let signalled = Instant::now();
    server.signal("INT");
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after the grace period even with a request stuck");
    let took = signalled.elapsed();
    drop(lock);
    assert!(status.success(), "{status:?}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "exit {took:?} after SIGINT with a 1 s grace period"
    );
    eprintln!("measured: SIGINT to exit with a stuck request, 1 s grace: {took:?}");
    // The stuck request is cut (its connection closes), or — when it reaches for the pool as
    // the pool closes — answered 503; either way nothing of it was applied.
    match slow.await.unwrap() {
        Err(_) => {}
        Ok(r) => assert_eq!(
            r.status(),
            503,
            "the stuck request was answered: {}",
            r.text().await.unwrap_or_default()
        ),
    }
    let db = rusqlite::Connection::open(&fx.file).unwrap();
    let decided: i64 = db
        .query_row("SELECT count(*) FROM idempotency_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(decided, 0, "the cut claim was stored");
    let text = server.log().join("\n");
    assert!(text.contains("grace period over"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let fx = fixture("jsonlog").await;
    let mut server = ServerProcess::start(
        &server_bin(),
        &[
            "--database-url",
            &fx.url,
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ],
        &[("OFFDUTY_LOG", "info,tower_http=debug")],
    );
    let api = format!("http://{}", server.addr);
    // An officer asking for a coordinator's list: a 403, which the server logs as a warning
    // from inside the request.
    let r = client()
        .get(format!("{api}/v1/officers"))
        .bearer_auth(&fx.officer)
        .header("x-request-id", "json-log-403")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-request-id"], "json-log-403");
    let r = client()
        .get(format!("{api}/v1/health"))
        .send()
        .await
        .unwrap();
    let generated = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(Uuid::parse_str(&generated).is_ok(), "{generated}");
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(20)).unwrap().success());

    let log = server.log();
    assert!(!log.is_empty());
    let mut lines_403 = 0;
    let mut denied = false;
    let mut lines_health = 0;
    for raw in &log {
        let line: Value = serde_json::from_str(raw)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {raw}"));
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{raw}"
        );
        let target = line["target"].as_str().unwrap_or("");
        let in_request = line["span"]["name"] == "request";
        // tower-http's lines and the denial warning exist only inside a request.
        if target.starts_with("tower_http") || line["fields"]["message"] == "denied" {
            assert!(in_request, "a request's line without its span: {raw}");
        }
        if !in_request {
            continue;
        }
        match line["span"]["id"].as_str() {
            Some("json-log-403") => {
                lines_403 += 1;
                assert_eq!(line["span"]["route"], "/v1/officers", "{raw}");
                denied |= line["fields"]["message"] == "denied";
            }
            Some(id) if id == generated => {
                lines_health += 1;
                assert_eq!(line["span"]["route"], "/v1/health", "{raw}");
            }
            other => panic!("a line of an unknown request {other:?}: {raw}"),
        }
    }
    assert!(denied, "the denial is logged inside its request");
    // tower-http's "started" and "finished" lines, plus the denial.
    assert!(lines_403 >= 3, "{lines_403} lines for the 403");
    assert!(
        lines_health >= 2,
        "{lines_health} lines for the health check"
    );
}
