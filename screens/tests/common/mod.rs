//! Shared by the screens' tests: demo officers signed in with their screens, jobs the core says
//! an officer may claim, a shift that starts now (the board's own eligibility picks it; the job
//! is then moved in time, decision 012), the coordinator's HTTP calls, location fixes on or
//! off site, a listener that counts, and the refusal a stricter server would send for an
//! action batch (given by `offduty_testkit::refusing::RefusingProxy`, so the core wedges it).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_core::board::{BoardQuery, JobCard};
use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_domain::geofence::EARTH_RADIUS_M;
use offduty_domain::punch::LocationFix;
use offduty_screens::board::{BoardFilters, BoardRow, Eligibility};
use offduty_screens::{Listener, Screens};
use offduty_testkit::phone::{DEMO_PASSWORD, DemoServer, Phone};
use offduty_testkit::refusing::{Answer, validation_problem};

/// Counts `changed()` calls.
#[derive(Default)]
pub struct Count(AtomicUsize);

impl Listener for Count {
    fn changed(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A first-come job with a free slot that the core says this officer may work and sign up
/// for now, starting at least a day from now.
pub fn eligible_first_come(phone: &Phone) -> JobCard {
    let query = BoardQuery {
        only_eligible: true,
        from: Some(Utc::now() + Duration::days(1)),
        limit: Some(500),
        ..BoardQuery::default()
    };
    phone
        .core
        .jobs(&query)
        .unwrap()
        .into_iter()
        .find(|c| {
            c.job.award_rule.kind() == AwardRuleKind::FirstCome
                && c.job.slots_filled < c.job.slots
                && c.standing.kind() == StandingKind::None
                // Open to this officer now: a release tier that has not reached them would
                // refuse the claim (which jobs those are depends on the hour of seeding).
                && matches!(c.signup, offduty_domain::award::SignupState::Open)
        })
        .expect("an open first-come job this officer may work")
}

/// Claims an eligible job, syncs, and moves it to start ten minutes ago (four hours long):
/// the officer holds a shift they can clock in to now. Returns the job's id.
pub async fn hold_shift_now(server: &DemoServer, phone: &Phone) -> Uuid {
    let card = eligible_first_come(phone);
    let id = card.job.id;
    phone.core.claim(id).unwrap();
    let report = phone.core.sync(None).await.unwrap();
    assert!(report.offline.is_none());
    assert_eq!(
        phone.core.job(id, None).unwrap().standing.kind(),
        StandingKind::Holding
    );
    let start = Utc::now() - Duration::minutes(10);
    offduty_testkit::move_job(
        &server.db_path,
        &id.to_string(),
        start,
        start + Duration::hours(4),
    );
    phone.core.sync(None).await.unwrap();
    id
}

/// A fix `north_m` metres north of the job's site (its location lies inside its fence).
pub fn fix_near(
    phone: &Phone,
    job: Uuid,
    north_m: f64,
    accuracy_m: f64,
    mock: bool,
) -> LocationFix {
    let site = phone.core.job(job, None).unwrap().job.location;
    let m_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    LocationFix {
        lat: site.lat + north_m / m_per_deg,
        lon: site.lon,
        accuracy_m,
        fix_time: offduty_core::platform::DeviceClock::now(phone.clock.as_ref()),
        provider: "gps".into(),
        is_mock: mock,
    }
}

/// The demo coordinator, over HTTP.
pub struct Coordinator {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Coordinator {
    pub async fn sign_in(server: &DemoServer) -> Coordinator {
        let http = reqwest::Client::new();
        let resp: Value = http
            .post(format!("{}/v1/auth/login", server.url))
            .json(&json!({"email": "coordinator@columbus.demo", "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Coordinator {
            http,
            url: server.url.clone(),
            token: resp["access_token"]
                .as_str()
                .expect("coordinator token")
                .into(),
        }
    }

    /// `method path` with `body`; panics unless 2xx.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The timecard of `job`.
    pub async fn timecard_of(&self, job: Uuid) -> Value {
        let cards = self
            .call(
                reqwest::Method::GET,
                "/v1/timecards?from=2000-01-01T00:00:00Z",
                None,
            )
            .await;
        cards
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["job_id"] == job.to_string())
            .cloned()
            .unwrap_or_else(|| panic!("no timecard for {job}"))
    }

    pub async fn approve(&self, timecard: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/timecards/{timecard}/approve"),
            Some(json!({"note": "Checked with the site supervisor."})),
        )
        .await
    }

    pub async fn reject(&self, timecard: &str, reason: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/timecards/{timecard}/reject"),
            Some(json!({ "reason": reason })),
        )
        .await
    }

    pub async fn mark_paid(&self, timecard: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/timecards/{timecard}/paid"),
            None,
        )
        .await
    }

    pub async fn cancel_job(&self, job: Uuid) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/jobs/{job}/cancel"),
            None,
        )
        .await
    }

    /// Posts a first-come job at Ohio Stadium with `slots` slots; returns its id.
    pub async fn post_job(&self, title: &str, starts_at: DateTime<Utc>, slots: u32) -> String {
        let body = json!({
            "title": title,
            "customer_name": "Ohio State Athletics",
            "site_name": "Ohio Stadium, Gate 10",
            "address": "411 Woody Hayes Dr, Columbus, OH 43210",
            "location": {"lat": 40.0017, "lon": -83.0197},
            "geofence": {"type": "circle", "center": {"lat": 40.0017, "lon": -83.0197}, "radius_m": 300.0},
            "starts_at": starts_at,
            "ends_at": starts_at + Duration::hours(4),
            "slots": slots,
            "job_type": "traffic",
            "award_rule": {"type": "first_come"},
            "notes": "Report to Sgt. Ortiz at Gate 10.",
        });
        self.call(reqwest::Method::POST, "/v1/jobs", Some(body))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Calls a job off (`job` as the screens give it).
    pub async fn call_off(&self, job: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/v1/jobs/{job}/cancel"),
            None,
        )
        .await;
    }
}

/// A listener shared with a screen.
pub fn counter() -> Arc<Count> {
    Arc::new(Count::default())
}

/// A phone signed in as demo officer `n` (`officer0NN@columbus.demo`), its screens on top.
pub async fn officer(upstream: SocketAddr, n: u32) -> (Phone, Arc<Screens>) {
    let phone = Phone::new(upstream);
    phone.sign_in(&format!("officer{n:03}@columbus.demo")).await;
    let screens = Screens::new(phone.core.clone());
    (phone, screens)
}

/// The board's rows this officer may claim now: first come, a free slot, eligible (the core
/// says so, whatever the time of day), no part in it yet; soonest first.
pub fn claimable(screens: &Arc<Screens>) -> Vec<BoardRow> {
    let board = screens.board();
    board.set_filters(BoardFilters {
        only_eligible: true,
        ..BoardFilters::default()
    });
    board.load_more();
    board
        .state()
        .rows
        .into_iter()
        .filter(|r| {
            r.award == AwardRuleKind::FirstCome
                && !r.full
                && r.standing == StandingKind::None
                && r.eligibility == Eligibility::Eligible
        })
        .collect()
}

/// Claims `n` jobs one after another from the job screen, each one the officer may still claim
/// after the ones before (a claim changes eligibility: overlaps, hour caps, rest); returns
/// their ids, each now held.
pub async fn claim_n(screens: &Arc<Screens>, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    while out.len() < n {
        let next = claimable(screens)
            .into_iter()
            .find(|r| !out.contains(&r.job_id))
            .unwrap_or_else(|| panic!("only {} jobs this officer may claim", out.len()));
        let job = screens.job(&next.job_id);
        job.perform(offduty_screens::actions::JobActionKind::Claim, None)
            .await;
        let s = job.state();
        assert_eq!(
            s.detail.map(|d| d.standing),
            Some(StandingKind::Holding),
            "{:?}",
            s.notice
        );
        out.push(next.job_id);
    }
    out
}

/// Signs in demo officers from `first` on until `wanted` of them may work `job` (the core's
/// eligibility decides: demo officers have on-duty shifts).
pub async fn eligible_for(
    server: &DemoServer,
    job: &str,
    first: u32,
    wanted: usize,
) -> Vec<(Phone, Arc<Screens>)> {
    let mut out = Vec::new();
    for n in first..first + 40 {
        let (phone, screens) = officer(server.addr, n).await;
        let s = screens.job(job).state();
        if s.detail.map(|d| d.eligibility) == Some(Eligibility::Eligible) {
            out.push((phone, screens));
            if out.len() == wanted {
                return out;
            }
        }
    }
    panic!("fewer than {wanted} demo officers may work {job}");
}

/// A whole hour `days` from now (a job far from most on-duty shifts).
pub fn days_ahead(days: i64) -> DateTime<Utc> {
    use chrono::Timelike;
    let t = Utc::now() + Duration::days(days);
    t.with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap()
}

/// The reason a stricter server gives for an action batch it cannot read (the officer reads it
/// on the wedged action).
pub const REFUSAL: &str = "this server cannot read the action";

/// That server's answer to `POST /v1/actions`: a problem whose `index` names the first action,
/// so the core wedges it.
pub fn refuse_actions() -> Answer {
    validation_problem(REFUSAL, "actions[0].action", "bad_format", Some(0))
}
