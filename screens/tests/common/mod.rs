//! Shared by the screens' tests: a demo officer holding a shift that starts now (the board's
//! own eligibility picks it; the job is then moved in time, decision 012), the coordinator's
//! HTTP calls, and location fixes on or off site.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_core::board::{BoardQuery, JobCard};
use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_domain::geofence::EARTH_RADIUS_M;
use offduty_domain::punch::LocationFix;
use offduty_screens::Listener;
use offduty_testkit::phone::{DEMO_PASSWORD, DemoServer, Phone};

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

/// A first-come job with a free slot that the core says this officer may work, starting at
/// least a day from now.
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
}

/// A listener shared with a screen.
pub fn counter() -> Arc<Count> {
    Arc::new(Count::default())
}
