//! Black-box tests of the `offduty` binary against a real `offduty-server --demo` process:
//! signing in, the board, claiming and cancelling, clocking in (refused far away, verified on
//! site), earnings, exit codes, and an action queued while the server is away.
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-cli
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};

use common::{Terminal, demo_server};

/// The job's site (from `job --json`): (lat, lon).
fn site(t: &Terminal, job: &str) -> (f64, f64) {
    let r = t.run(&["job", job, "--json"]);
    r.expect_code(0);
    let loc = &r.json()["card"]["job"]["location"];
    (loc["lat"].as_f64().unwrap(), loc["lon"].as_f64().unwrap())
}

#[test]
fn officer_signs_in_claims_a_job_and_sees_it_among_their_shifts() {
    let server = demo_server();
    let t = Terminal::new(&server.url);

    let login = t.login();
    assert!(login.stdout.contains("Signed in as"), "{}", login.stdout);
    assert!(
        login.stdout.contains("secrets: file") && login.stdout.contains("secrets.json (0600)"),
        "login says where secrets are kept: {}",
        login.stdout
    );

    let status = t.run(&["status", "--json"]);
    status.expect_code(0);
    let s = status.json();
    assert_eq!(s["signed_in"], true);
    assert_eq!(s["pending"], 0);
    assert_eq!(s["secrets"], "file");

    let table = t.run(&["jobs", "--limit", "10"]);
    table.expect_code(0);
    for header in [
        "ID", "START", "TITLE", "SITE", "$/H", "SLOTS", "AWARD", "ELIGIBLE",
    ] {
        assert!(table.stdout.contains(header), "{}", table.stdout);
    }
    assert!(
        table.stdout.contains("America/New_York"),
        "{}",
        table.stdout
    );
    let cards = t.board(&[]);
    assert!(!cards.is_empty(), "the demo board has upcoming jobs");
    assert!(
        cards
            .iter()
            .all(|c| c["job"]["id"].is_string() && c["eligible"].is_boolean())
    );

    // More than 48 h ahead: free to cancel later in this test.
    let job = t.claimable_job(49);
    let short = &job[job.len() - 8..];
    t.run(&["job", "12345"]).expect_code(2);
    t.run(&["claim", "ffffffffffff"]).expect_code(2);
    let detail = t.run(&["job", short]);
    detail.expect_code(0);
    for label in [
        "Award",
        "Release",
        "Signup",
        "Fence",
        "Pay estimate",
        "Eligible",
    ] {
        assert!(detail.stdout.contains(label), "{}", detail.stdout);
    }
    assert!(
        detail.stdout.contains(&job),
        "the full id: {}",
        detail.stdout
    );

    let claim = t.run(&["claim", short]);
    claim.expect_code(0);
    assert!(claim.stdout.contains("Awarded"), "{}", claim.stdout);
    let again = t.run(&["claim", &job]);
    again.expect_code(1);
    assert!(again.stderr.contains("already claimed"), "{}", again.stderr);

    t.run(&["sync"]).expect_code(0);
    let shifts = t.run(&["shifts"]);
    shifts.expect_code(0);
    assert!(shifts.stdout.contains(short), "{}", shifts.stdout);
    assert!(shifts.stdout.contains("Your shift"), "{}", shifts.stdout);
    let mine = t.run(&["shifts", "--json"]).json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|c| c["job"]["id"] == job.as_str() && c["standing"]["status"] == "awarded")
    );

    let cancel = t.run(&["cancel", &job, "--reason", "family matter"]);
    cancel.expect_code(0);
    assert!(
        cancel.stdout.contains("before the start"),
        "the window is explained: {}",
        cancel.stdout
    );
    assert!(cancel.stdout.contains("Cancelled"), "{}", cancel.stdout);

    let earnings = t.run(&["earnings", "--csv"]);
    earnings.expect_code(0);
    assert!(
        earnings
            .stdout
            .starts_with("date,job,site,worked_minutes,billable_minutes,rate_cents"),
        "{}",
        earnings.stdout
    );
    let report = t.run(&["earnings"]);
    report.expect_code(0);
    assert!(report.stdout.contains("year to date"), "{}", report.stdout);

    let status = t.run(&["status", "--json"]).json();
    assert_eq!(status["pending"], 0);
    assert_eq!(status["wedged"].as_array().map(Vec::len), Some(0));
}

#[test]
fn clock_in_is_refused_two_km_away_and_verified_on_site() {
    let server = demo_server();
    let t = Terminal::new(&server.url);
    t.login();
    let job = t.claimable_job(24);
    t.run(&["claim", &job]).expect_code(0);
    let (lat, lon) = site(&t, &job);

    // 2 km north of the site: the fence is far smaller than that.
    let far = format!("{:.6}", lat + 2000.0 / 111_195.0);
    let refused = t.run(&[
        "clock-in",
        &job,
        "--lat",
        &far,
        "--lon",
        &lon.to_string(),
        "--accuracy",
        "8",
    ]);
    refused.expect_code(1);
    assert!(
        refused.stdout.contains("Outside the fence by") && refused.stdout.contains("rejected"),
        "the preview says why first: {}",
        refused.stdout
    );
    assert!(refused.stderr.contains("--anyway"), "{}", refused.stderr);
    assert_eq!(
        t.run(&["status", "--json"]).json()["pending"],
        0,
        "nothing queued"
    );

    // The shift starts now: the coordinator moved it (tests cannot wait days for a shift).
    let start = Utc::now() + Duration::minutes(10);
    server.move_job(&job, start, start + Duration::hours(4));
    t.run(&["sync"]).expect_code(0);
    let on_site = t.run(&[
        "clock-in",
        &job,
        "--lat",
        &lat.to_string(),
        "--lon",
        &lon.to_string(),
        "--accuracy",
        "8",
    ]);
    on_site.expect_code(0);
    assert!(
        on_site
            .stdout
            .contains("Clock-in check: verified — On site"),
        "{}",
        on_site.stdout
    );
    assert!(
        on_site.stdout.contains("verified by the server"),
        "{}",
        on_site.stdout
    );
    let shifts = t.run(&["shifts"]);
    let row = shifts
        .stdout
        .lines()
        .find(|l| l.starts_with(&job[job.len() - 8..]))
        .unwrap_or_default();
    assert!(row.ends_with(" in"), "the CLOCK column: {}", shifts.stdout);
}

#[test]
fn a_shift_whose_clock_out_window_closed_is_counted_and_shown_with_all() {
    let server = demo_server();
    let t = Terminal::new(&server.url);
    t.login();
    let job = t.claimable_job(24);
    t.run(&["claim", &job]).expect_code(0);
    // The demo officer's history holds past shifts too; all of them, with the new claim:
    let held = t.run(&["shifts", "--all", "--json"]).json();
    let held = held.as_array().map(Vec::len).unwrap_or_default();
    assert!(held >= 1);
    // The shift ended five hours ago: past the four-hour clock-out window.
    let start = Utc::now() - Duration::hours(9);
    server.move_job(&job, start, start + Duration::hours(4));
    t.run(&["sync"]).expect_code(0);

    let current = t.run(&["shifts"]);
    current.expect_code(0);
    assert!(
        current.stdout.contains("no upcoming shifts")
            && current
                .stdout
                .contains(&format!("{held} past shift(s): `offduty shifts --all`.")),
        "{}",
        current.stdout
    );
    assert_eq!(t.run(&["shifts", "--json"]).json(), serde_json::json!([]));
    let all = t.run(&["shifts", "--all", "--json"]).json();
    let all = all.as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), held);
    assert!(all.iter().any(|c| c["job"]["id"] == job.as_str()));
}

#[test]
fn a_claim_made_while_the_server_is_away_is_queued_and_sent_by_the_next_sync() {
    let mut server = demo_server();
    let t = Terminal::new(&server.url);
    t.login();
    let job = t.claimable_job(24);

    server.stop();
    let claim = t.run(&["claim", &job]);
    claim.expect_code(0);
    let expected = format!(
        "Queued — the server at {} is unreachable; it will be sent on the next `offduty sync`",
        server.url
    );
    assert!(claim.stdout.contains(&expected), "{}", claim.stdout);
    let status = t.run(&["status"]);
    status.expect_code(0);
    assert!(
        status.stdout.contains("pending:     1 action(s)"),
        "{}",
        status.stdout
    );
    let offline_sync = t.run(&["sync"]);
    offline_sync.expect_code(4);
    assert!(
        offline_sync.stderr.contains("unreachable"),
        "{}",
        offline_sync.stderr
    );

    server.restart();
    let sync = t.run(&["sync"]);
    sync.expect_code(0);
    assert!(sync.stdout.contains("claim ·"), "{}", sync.stdout);
    assert!(sync.stdout.contains("Awarded"), "{}", sync.stdout);
    assert_eq!(t.run(&["status", "--json"]).json()["pending"], 0);
    let mine = t.run(&["shifts", "--json"]).json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|c| c["job"]["id"] == job.as_str())
    );
}

#[test]
fn bad_input_exits_2_and_not_signed_in_exits_3() {
    // No server needed: these are refused before anything is sent.
    let t = Terminal::new("http://127.0.0.1:9");
    let lat = t.run(&[
        "clock-in",
        "0123456789ab",
        "--lat",
        "200",
        "--lon",
        "-83",
        "--accuracy",
        "8",
    ]);
    lat.expect_code(2);
    assert!(lat.stderr.contains("latitude 200"), "{}", lat.stderr);
    t.run(&["jobs", "--near", "40.0"]).expect_code(2);
    t.run(&["no-such-command"]).expect_code(2);

    let jobs = t.run(&["jobs"]);
    jobs.expect_code(3);
    assert!(jobs.stderr.contains("offduty login"), "{}", jobs.stderr);
    assert!(!jobs.stderr.contains("panicked"), "{}", jobs.stderr);
    let status = t.run(&["status", "--json"]);
    status.expect_code(0);
    assert_eq!(status.json()["signed_in"], false);

    let unreachable = t.run_with_stdin(
        &["login", "--email", common::OFFICER, "--password-stdin"],
        "whatever\n",
    );
    unreachable.expect_code(4);
    assert!(
        unreachable.stderr.contains("unreachable"),
        "{}",
        unreachable.stderr
    );
}

#[test]
fn payout_says_a_payroll_department_needs_no_payout_account() {
    let server = demo_server();
    let t = Terminal::new(&server.url);
    t.login().expect_code(0);
    let shown = t.run(&["payout"]);
    shown.expect_code(0);
    assert!(
        shown.stdout.contains("through its payroll"),
        "{}",
        shown.stdout
    );
    let json = t.run(&["payout", "--json"]);
    json.expect_code(0);
    assert_eq!(json.json()["status"], "not_needed");
    // The set-up link is refused with the server's sentence, not a crash.
    let setup = t.run(&["payout", "setup"]);
    assert_ne!(setup.code, 0);
    assert!(setup.stderr.contains("payroll"), "{}", setup.stderr);
    assert!(!setup.stderr.contains("panicked"), "{}", setup.stderr);
}
