//! "The last slot goes to exactly one officer" (docs/RELIABILITY.md): a thundering herd of
//! claims on one server, the same race across two server processes on one PostgreSQL, and
//! randomized claim / withdraw / cancel / offer sequences checked against a small model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, envelope, fresh_database};
use offduty_server::db::get;
use offduty_server::services::group_commit::GroupConfig;
use offduty_testkit::ServerProcess;

/// One claim's answer.
#[derive(Debug, Clone)]
struct ClaimResult {
    officer: Uuid,
    status: StatusCode,
    body: Value,
}

impl ClaimResult {
    fn outcome(&self) -> &Value {
        &self.body["outcomes"][0]["outcome"]
    }
}

/// Fires one claim per `(officer, base_url)` at once (all tasks wait on a barrier first).
async fn claim_all_at_once(
    http: &reqwest::Client,
    job_id: &str,
    who: Vec<(Actor, String)>,
) -> Vec<ClaimResult> {
    let barrier = Arc::new(Barrier::new(who.len()));
    let mut tasks = JoinSet::new();
    for (officer, base) in who {
        let http = http.clone();
        let barrier = barrier.clone();
        let body = json!({"actions": [envelope(json!({"type": "claim", "job_id": job_id}))]});
        tasks.spawn(async move {
            let req = http
                .post(format!("{base}/v1/actions"))
                .bearer_auth(&officer.token)
                .json(&body);
            barrier.wait().await;
            let resp = req.send().await.expect("send claim");
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            ClaimResult {
                officer: officer.id,
                status,
                body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
            }
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.expect("claim task"));
    }
    out
}

/// The roster as `officer → (status, position, offered)`.
fn roster_map(roster: &Value) -> BTreeMap<Uuid, (String, Option<u64>, bool)> {
    roster
        .as_array()
        .unwrap_or_else(|| panic!("roster is not a list: {roster}"))
        .iter()
        .map(|r| {
            (
                r["officer_id"].as_str().unwrap().parse().unwrap(),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["position"].as_u64(),
                    r["offered"].as_bool().unwrap(),
                ),
            )
        })
        .collect()
}

/// `(officer, status, position, receipt_seq)` of every row on the job, in receipt order.
async fn rows_by_receipt(
    db: &offduty_server::db::Db,
    job_id: &str,
) -> Vec<(Uuid, String, Option<i64>, i64)> {
    sqlx::query(
        "SELECT officer_id, status, position, receipt_seq FROM assignments WHERE job_id = $1 \
         ORDER BY receipt_seq",
    )
    .bind(job_id.to_string())
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            get::<String>(r, "officer_id").unwrap().parse().unwrap(),
            get::<String>(r, "status").unwrap(),
            get::<Option<i64>>(r, "position").unwrap(),
            get::<i64>(r, "receipt_seq").unwrap(),
        )
    })
    .collect()
}

/// Checks one raced job: `expect_awarded` of the `results` won, the rest are in line with
/// places 1..=k exactly once, in order of receipt; the roster, the job and the database agree.
async fn check_race(
    app: &TestApp,
    coord: &Actor,
    job_id: &str,
    slots: usize,
    results: &[ClaimResult],
    expect_awarded: usize,
) {
    let bad: Vec<_> = results
        .iter()
        .filter(|r| r.status != StatusCode::OK)
        .map(|r| (r.status, r.body.to_string()))
        .collect();
    assert!(bad.is_empty(), "non-200 answers to claims: {bad:?}");
    let mut awarded = Vec::new();
    let mut line: HashMap<Uuid, u64> = HashMap::new();
    for r in results {
        let o = r.outcome();
        match o["type"].as_str() {
            Some("awarded") => awarded.push(r.officer),
            Some("waitlisted") => {
                line.insert(r.officer, o["position"].as_u64().unwrap());
            }
            _ => panic!("unexpected claim outcome for {}: {o}", r.officer),
        }
    }
    assert_eq!(
        awarded.len(),
        expect_awarded,
        "awarded {} of the racers, expected {expect_awarded}",
        awarded.len()
    );
    let waiting = results.len() - expect_awarded;
    let mut places: Vec<u64> = line.values().copied().collect();
    places.sort_unstable();
    assert_eq!(
        places,
        (1..=waiting as u64).collect::<Vec<_>>(),
        "waitlist places must be 1..={waiting}, each once"
    );

    // The roster agrees with what each officer was told.
    let (s, roster) = app.get(&format!("/v1/jobs/{job_id}/roster"), coord).await;
    assert_eq!(s, StatusCode::OK, "{roster}");
    let roster = roster_map(&roster);
    let roster_awarded = roster.values().filter(|r| r.0 == "awarded").count();
    assert_eq!(
        roster_awarded,
        slots.min(roster.len()),
        "awarded on the roster"
    );
    for officer in &awarded {
        assert_eq!(roster[officer].0, "awarded", "roster for winner {officer}");
    }
    for (officer, place) in &line {
        assert_eq!(
            (roster[officer].0.as_str(), roster[officer].1),
            ("waitlisted", Some(*place)),
            "roster for {officer}"
        );
    }

    // The job's counters.
    let (_, job) = app.get(&format!("/v1/jobs/{job_id}"), coord).await;
    assert_eq!(
        job["slots_filled"].as_u64(),
        Some(roster_awarded as u64),
        "{job}"
    );
    let expected_status = if roster_awarded >= slots {
        "filled"
    } else {
        "open"
    };
    assert_eq!(job["status"], expected_status, "{job}");

    // Order of receipt: every winner was received before every officer in line, and places
    // increase with receipt.
    let rows = rows_by_receipt(&app.db, job_id).await;
    let first_waiting = rows.iter().position(|r| r.1 == "waitlisted");
    if let Some(first) = first_waiting {
        assert!(
            rows[first..].iter().all(|r| r.1 == "waitlisted"),
            "an officer received after the first waitlisted one holds a slot: {rows:?}"
        );
        let places: Vec<i64> = rows[first..].iter().map(|r| r.2.unwrap()).collect();
        assert_eq!(
            places,
            (1..=places.len() as i64).collect::<Vec<_>>(),
            "waitlist places do not follow the order of receipt"
        );
    }
}

async fn thousand_concurrent_claims_for_ten_slots(backend: Backend) {
    const OFFICERS: usize = 1000;
    const SLOTS: usize = 10;
    let t0 = Instant::now();
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(SLOTS)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let officers = app.officers(dept, OFFICERS).await;
    let setup = t0.elapsed();

    let t1 = Instant::now();
    let who = officers
        .iter()
        .map(|o| (o.clone(), app.url.clone()))
        .collect();
    let results = claim_all_at_once(&app.http, &job_id, who).await;
    let race = t1.elapsed();
    assert_eq!(results.len(), OFFICERS);
    check_race(&app, &coord, &job_id, SLOTS, &results, SLOTS).await;

    // Every claim was audited, and the chain written by 1,000 racing transactions verifies.
    let (_, report) = app.get("/v1/audit/verify", &coord).await;
    assert!(report["first_bad_seq"].is_null(), "{report}");
    assert!(
        report["entries"].as_u64().unwrap() >= OFFICERS as u64,
        "{report}"
    );
    eprintln!(
        "{backend:?}: setup {setup:?}, {OFFICERS} concurrent claims decided in {race:?}, total {:?}",
        t0.elapsed()
    );
}

/// The same race with group commit forced to its largest size: the deciding task waits until
/// every claim has arrived, so all 1,000 are decided in one transaction, one after another in
/// order of receipt — and the answers must be exactly those of the race above.
async fn thousand_claims_decided_in_one_group(backend: Backend) {
    const OFFICERS: usize = 1000;
    const SLOTS: usize = 10;
    let limits = offduty_server::app::Limits {
        group_commit: GroupConfig {
            max_actions: OFFICERS,
            linger: std::time::Duration::from_secs(20),
        },
        ..Default::default()
    };
    let app = TestApp::start_with(backend, limits).await;
    let (dept, coord) = app.department("Columbus").await;
    let job = app.job(&coord, |b| b["slots"] = json!(SLOTS)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let officers = app.officers(dept, OFFICERS).await;
    let before = app.state.actions.stats();

    let who = officers
        .iter()
        .map(|o| (o.clone(), app.url.clone()))
        .collect();
    let results = claim_all_at_once(&app.http, &job_id, who).await;
    assert_eq!(results.len(), OFFICERS);
    check_race(&app, &coord, &job_id, SLOTS, &results, SLOTS).await;
    let after = app.state.actions.stats();
    assert_eq!(
        (
            after.groups - before.groups,
            after.largest_group,
            after.transactions - before.transactions
        ),
        (1, OFFICERS, 1),
        "every claim should have been decided in one shared transaction"
    );
    let (_, report) = app.get("/v1/audit/verify", &coord).await;
    assert!(report["first_bad_seq"].is_null(), "{report}");
}

on_both_backends!(
    thousand_concurrent_claims_for_ten_slots,
    thousand_claims_decided_in_one_group
);

// ---------------------------------------------------------------------------------------------
// Two server processes on one PostgreSQL.

/// A real `offduty-server serve` process on `database_url` (killed when dropped, also when the
/// test panics).
fn server_process(database_url: &str) -> ServerProcess {
    ServerProcess::start(
        Path::new(env!("CARGO_BIN_EXE_offduty-server")),
        &["--listen", "127.0.0.1:0", "--database-url", database_url],
        &[],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_on_one_postgres_award_the_last_slot_once() {
    let t0 = Instant::now();
    let url = fresh_database(Backend::Postgres).await;
    // The harness migrates the database and gives direct access to it; its token key lives in
    // the database, so tokens it mints are valid in both processes.
    let app = TestApp::start_on(Backend::Postgres, &url).await;
    let servers = [server_process(&url), server_process(&url)];
    for s in &servers {
        let resp = app.http.get(format!("{}/v1/ready", s.url())).send().await;
        assert_eq!(
            resp.unwrap().status(),
            StatusCode::OK,
            "{} not ready",
            s.url()
        );
    }
    let (dept, coord) = app.department("Columbus").await;
    let mut rng = StdRng::seed_from_u64(0x0ff_d07);

    // 50 jobs: slots - 1 taken beforehand, then 2..=10 officers split across both processes
    // race for the last one.
    for round in 0..50 {
        let slots: usize = rng.gen_range(1..=3);
        let racers: usize = rng.gen_range(2..=10);
        let job = app.job(&coord, |b| b["slots"] = json!(slots)).await;
        let job_id = job["id"].as_str().unwrap().to_string();
        for early in app.officers(dept, slots - 1).await {
            let base = &servers[rng.gen_range(0..2)].url();
            let (s, body) = post_claim(&app.http, base, &early, &job_id).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert_eq!(body["outcomes"][0]["outcome"]["type"], "awarded", "{body}");
        }
        let who: Vec<(Actor, String)> = app
            .officers(dept, racers)
            .await
            .into_iter()
            .map(|o| (o, servers[rng.gen_range(0..2)].url()))
            .collect();
        let results = claim_all_at_once(&app.http, &job_id, who).await;
        check_race(&app, &coord, &job_id, slots, &results, 1).await;
        eprintln!("round {round}: {racers} racers for the last of {slots} slots: one won");
    }

    // One big job: 200 officers for 5 slots, alternating processes.
    let job = app.job(&coord, |b| b["slots"] = json!(5)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let who: Vec<(Actor, String)> = app
        .officers(dept, 200)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, o)| (o, servers[i % 2].url()))
        .collect();
    let t1 = Instant::now();
    let results = claim_all_at_once(&app.http, &job_id, who).await;
    let race = t1.elapsed();
    check_race(&app, &coord, &job_id, 5, &results, 5).await;

    // Both processes appended to one audit chain; it still verifies.
    let (_, report) = app.get("/v1/audit/verify", &coord).await;
    assert!(report["first_bad_seq"].is_null(), "{report}");
    eprintln!(
        "two processes: 200 claims for 5 slots in {race:?}; whole test {:?}",
        t0.elapsed()
    );
    drop(servers);
}

async fn post_claim(
    http: &reqwest::Client,
    base: &str,
    officer: &Actor,
    job_id: &str,
) -> (StatusCode, Value) {
    let body = json!({"actions": [envelope(json!({"type": "claim", "job_id": job_id}))]});
    let resp = http
        .post(format!("{base}/v1/actions"))
        .bearer_auth(&officer.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Randomized runs against a model.

/// An officer's row on the job, in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Awarded,
    Waitlisted,
    Withdrawn,
    Cancelled,
    TransferredOut,
}

impl St {
    fn as_str(self) -> &'static str {
        match self {
            St::Awarded => "awarded",
            St::Waitlisted => "waitlisted",
            St::Withdrawn => "withdrawn",
            St::Cancelled => "cancelled",
            St::TransferredOut => "transferred_out",
        }
    }
}

/// The rules as documented in `services/assignments.rs`, for a first-come job in the free
/// cancellation window with every officer eligible:
/// - claim: already awarded or in line → `already_claimed`; a free slot → awarded; else take
///   over the longest-offered slot (its holder → transferred out); else join the end of the line;
/// - withdraw: only from the line; a holder gets `invalid`, anyone else `not_assigned`;
/// - cancel: only a holder; the first in line is promoted;
/// - transfer to the board: only a holder; the first in line takes the slot at once, else the
///   slot is marked offered (once; the holder keeps it until someone claims).
#[derive(Debug, Default)]
struct Model {
    slots: usize,
    rows: HashMap<usize, St>,
    line: VecDeque<usize>,
    /// Offered slots, oldest offer first.
    offered: Vec<usize>,
    /// How often a claim took over an offered slot (coverage).
    takeovers: usize,
}

/// What the model expects an action to answer.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Awarded,
    Waitlisted(u64),
    Rejected(&'static str),
    Withdrawn,
    Cancelled { promoted: bool },
    Transferred { to: Option<usize> },
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Claim(usize),
    Withdraw(usize),
    Cancel(usize),
    Offer(usize),
}

impl Model {
    fn awarded(&self) -> usize {
        self.rows.values().filter(|s| **s == St::Awarded).count()
    }

    fn promote_first(&mut self) -> Option<usize> {
        let next = self.line.pop_front()?;
        self.rows.insert(next, St::Awarded);
        Some(next)
    }

    fn leave(&mut self, who: usize, to: St) {
        self.rows.insert(who, to);
        self.offered.retain(|o| *o != who);
        self.line.retain(|o| *o != who);
    }

    fn apply(&mut self, step: Step) -> Expect {
        match step {
            Step::Claim(i) => match self.rows.get(&i) {
                Some(St::Awarded | St::Waitlisted) => Expect::Rejected("already_claimed"),
                _ => {
                    if self.awarded() < self.slots {
                        self.rows.insert(i, St::Awarded);
                        Expect::Awarded
                    } else if !self.offered.is_empty() {
                        let giver = self.offered.remove(0);
                        self.takeovers += 1;
                        self.rows.insert(giver, St::TransferredOut);
                        self.rows.insert(i, St::Awarded);
                        Expect::Awarded
                    } else {
                        self.rows.insert(i, St::Waitlisted);
                        self.line.push_back(i);
                        Expect::Waitlisted(self.line.len() as u64)
                    }
                }
            },
            Step::Withdraw(i) => match self.rows.get(&i) {
                Some(St::Waitlisted) => {
                    self.leave(i, St::Withdrawn);
                    Expect::Withdrawn
                }
                Some(St::Awarded) => Expect::Rejected("invalid"),
                _ => Expect::Rejected("not_assigned"),
            },
            Step::Cancel(i) => match self.rows.get(&i) {
                Some(St::Awarded) => {
                    self.leave(i, St::Cancelled);
                    let promoted = self.promote_first().is_some();
                    Expect::Cancelled { promoted }
                }
                _ => Expect::Rejected("not_assigned"),
            },
            Step::Offer(i) => match self.rows.get(&i) {
                Some(St::Awarded) => {
                    if self.line.is_empty() {
                        if !self.offered.contains(&i) {
                            self.offered.push(i);
                        }
                        Expect::Transferred { to: None }
                    } else {
                        self.leave(i, St::TransferredOut);
                        let next = self.promote_first();
                        Expect::Transferred { to: next }
                    }
                }
                _ => Expect::Rejected("not_assigned"),
            },
        }
    }

    /// The roster the model predicts, as `officer index → (status, position, offered)`.
    fn roster(&self) -> BTreeMap<usize, (String, Option<u64>, bool)> {
        self.rows
            .iter()
            .map(|(i, s)| {
                let position = self.line.iter().position(|o| o == i).map(|p| p as u64 + 1);
                (
                    *i,
                    (s.as_str().to_string(), position, self.offered.contains(i)),
                )
            })
            .collect()
    }
}

/// A coverage label for what the model expected.
fn label(expect: &Expect) -> String {
    match expect {
        Expect::Awarded => "awarded".into(),
        Expect::Waitlisted(_) => "waitlisted".into(),
        Expect::Rejected(code) => format!("rejected {code}"),
        Expect::Withdrawn => "withdrawn".into(),
        Expect::Cancelled { promoted: true } => "cancelled, next promoted".into(),
        Expect::Cancelled { promoted: false } => "cancelled, slot freed".into(),
        Expect::Transferred { to: Some(_) } => "offered, next in line took it".into(),
        Expect::Transferred { to: None } => "offered on the board".into(),
    }
}

fn action_of(step: Step, job_id: &str) -> (usize, Value) {
    match step {
        Step::Claim(i) => (i, json!({"type": "claim", "job_id": job_id})),
        Step::Withdraw(i) => (i, json!({"type": "withdraw", "job_id": job_id})),
        Step::Cancel(i) => (
            i,
            json!({"type": "cancel", "job_id": job_id, "reason": "model"}),
        ),
        Step::Offer(i) => (
            i,
            json!({"type": "transfer", "job_id": job_id, "to_officer_id": null}),
        ),
    }
}

/// Does the server's outcome match the model's expectation?
fn matches(expect: &Expect, outcome: &Value, officers: &[Actor]) -> bool {
    let kind = outcome["type"].as_str().unwrap_or_default();
    match expect {
        Expect::Awarded => kind == "awarded",
        Expect::Waitlisted(p) => kind == "waitlisted" && outcome["position"].as_u64() == Some(*p),
        Expect::Rejected(code) => kind == "rejected" && outcome["code"] == *code,
        Expect::Withdrawn => kind == "withdrawn",
        Expect::Cancelled { promoted } => {
            kind == "cancelled"
                && outcome["window"] == "free"
                && outcome["promoted"].as_bool() == Some(*promoted)
        }
        Expect::Transferred { to } => {
            kind == "transferred"
                && match to {
                    None => outcome["to_officer_id"].is_null(),
                    Some(i) => outcome["to_officer_id"] == officers[*i].id.to_string(),
                }
        }
    }
}

/// One randomized run: a fresh job and fresh officers, up to `max_steps` steps; some steps
/// are 2–4 officers claiming at the same moment ("devices reconnecting together"), applied to
/// the model in the server's order of receipt.
async fn model_run(
    app: &TestApp,
    dept: Uuid,
    coord: &Actor,
    seed: u64,
    max_steps: usize,
    seen: &mut BTreeMap<String, usize>,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    let slots: usize = rng.gen_range(1..=3);
    let n: usize = rng.gen_range(2..=10);
    let job = app.job(coord, |b| b["slots"] = json!(slots)).await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let officers = app.officers(dept, n).await;
    let index: HashMap<Uuid, usize> = officers
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, i))
        .collect();
    let mut model = Model {
        slots,
        ..Model::default()
    };
    let steps = rng.gen_range(1..=max_steps);
    let mut history: Vec<String> = Vec::new();
    for step_no in 0..steps {
        if rng.gen_bool(0.2) {
            // Concurrent claims by 2–4 officers who do not hold an offered slot (their own
            // claim's answer would then depend on whether someone took the slot over first).
            let mut pool: Vec<usize> = (0..n).filter(|i| !model.offered.contains(i)).collect();
            pool.shuffle(&mut rng);
            pool.truncate(rng.gen_range(2..=4).min(pool.len()));
            if pool.len() >= 2 {
                let who = pool
                    .iter()
                    .map(|i| (officers[*i].clone(), app.url.clone()))
                    .collect();
                let results = claim_all_at_once(&app.http, &job_id, who).await;
                // Order of receipt of the claims that changed something.
                let rows = rows_by_receipt(&app.db, &job_id).await;
                let seq_of: HashMap<Uuid, i64> = rows.iter().map(|r| (r.0, r.3)).collect();
                let mut order: Vec<&ClaimResult> = results.iter().collect();
                order.sort_by_key(|r| {
                    let accepted =
                        matches!(r.outcome()["type"].as_str(), Some("awarded" | "waitlisted"));
                    (accepted, if accepted { seq_of[&r.officer] } else { 0 })
                });
                for r in order {
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    let i = index[&r.officer];
                    let expect = model.apply(Step::Claim(i));
                    *seen
                        .entry(format!("concurrent claim: {}", label(&expect)))
                        .or_default() += 1;
                    history.push(format!("concurrent claim({i}) → {}", r.outcome()));
                    assert!(
                        matches(&expect, r.outcome(), &officers),
                        "seed {seed} step {step_no}: concurrent claim by {i}: model expects \
                         {expect:?}, server said {}\nhistory: {history:#?}",
                        r.outcome()
                    );
                }
                compare(app, coord, &job_id, &model, &officers, seed, &history).await;
                continue;
            }
        }
        let i = rng.gen_range(0..n);
        let step = match rng.gen_range(0..10) {
            0..=4 => Step::Claim(i),
            5 => Step::Withdraw(i),
            6..=7 => Step::Cancel(i),
            _ => Step::Offer(i),
        };
        let (who, action) = action_of(step, &job_id);
        let (s, body) = app
            .actions(
                &officers[who],
                &json!({"actions": [envelope(action.clone())]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "seed {seed}: {action} → {body}");
        let outcome = &body["outcomes"][0]["outcome"];
        let expect = model.apply(step);
        *seen.entry(label(&expect)).or_default() += 1;
        history.push(format!("{step:?} → {outcome}"));
        assert!(
            matches(&expect, outcome, &officers),
            "seed {seed} step {step_no}: {step:?}: model expects {expect:?}, server said \
             {outcome}\nhistory: {history:#?}"
        );
        compare(app, coord, &job_id, &model, &officers, seed, &history).await;
    }
    *seen
        .entry("claim took over an offered slot".into())
        .or_default() += model.takeovers;
}

async fn compare(
    app: &TestApp,
    coord: &Actor,
    job_id: &str,
    model: &Model,
    officers: &[Actor],
    seed: u64,
    history: &[String],
) {
    let (s, roster) = app.get(&format!("/v1/jobs/{job_id}/roster"), coord).await;
    assert_eq!(s, StatusCode::OK, "{roster}");
    let index: HashMap<Uuid, usize> = officers
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, i))
        .collect();
    let server: BTreeMap<usize, (String, Option<u64>, bool)> = roster_map(&roster)
        .into_iter()
        .map(|(id, v)| (index[&id], v))
        .collect();
    assert_eq!(
        server,
        model.roster(),
        "seed {seed}: roster (left) differs from the model (right)\nhistory: {history:#?}"
    );
    let (_, job) = app.get(&format!("/v1/jobs/{job_id}"), coord).await;
    let filled = model.awarded();
    assert_eq!(
        (
            job["slots_filled"].as_u64(),
            job["slots_offered"].as_u64(),
            job["status"].as_str()
        ),
        (
            Some(filled as u64),
            Some(model.offered.len() as u64),
            Some(if filled >= model.slots {
                "filled"
            } else {
                "open"
            })
        ),
        "seed {seed}: job counters\nhistory: {history:#?}"
    );
}

/// Runs 500 randomized sequences (set `OFFDUTY_MODEL_RUNS` for more: docs/reliability.md
/// records a 3,000-run pass), each checked step by step against the model.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn randomized_claim_withdraw_cancel_offer_runs_match_the_model() {
    const MAX_STEPS: usize = 12;
    let runs: u64 = std::env::var("OFFDUTY_MODEL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let t0 = Instant::now();
    let app = TestApp::start(Backend::Sqlite).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut seen = BTreeMap::new();
    for run in 0..runs {
        model_run(&app, dept, &coord, 0x5eed_0000 + run, MAX_STEPS, &mut seen).await;
    }
    eprintln!(
        "{runs} randomized runs matched the model in {:?}; coverage: {seen:#?}",
        t0.elapsed()
    );
    // The runs reach every rule, not just the easy ones.
    if runs >= 300 {
        for must in [
            "awarded",
            "waitlisted",
            "withdrawn",
            "cancelled, next promoted",
            "cancelled, slot freed",
            "offered, next in line took it",
            "offered on the board",
            "claim took over an offered slot",
            "rejected already_claimed",
            "rejected not_assigned",
            "rejected invalid",
            "concurrent claim: awarded",
            "concurrent claim: waitlisted",
        ] {
            assert!(
                seen.get(must).copied().unwrap_or(0) >= 5,
                "the runs hardly reached {must:?}: {seen:#?}"
            );
        }
    }
}
