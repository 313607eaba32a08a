//! The server as a real process: its logs (human and JSON; the request id in every line of a
//! request).

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_server::app::AppState;
use offduty_server::db::{Db, migrate};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
use offduty_testkit::{ServerProcess, TempDir, server_bin};

/// A migrated SQLite file with one department and an officer, and the officer's access
/// token (signed with the key the server will load from the file).
struct Fixture {
    _dir: TempDir,
    url: String,
    officer: String,
}

async fn fixture(tag: &str) -> Fixture {
    let dir = TempDir::new(tag);
    let url = format!("sqlite://{}", dir.join("offduty.db").display());
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
        url,
        officer,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
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
