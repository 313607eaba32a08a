//! Builders for the rule tests: what the server would send (a job, an assignment, a timecard,
//! the department's rules, the officer's profile, a snapshot or a delta) and a phone — a real
//! `Core` on a temporary database, with a clock the test sets, an in-memory secret store and a
//! software key. No server: a "pull" is `apply::apply_sync` on the phone's own database file,
//! exactly what `Core::sync` commits after a pull.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::SigningKey;
use uuid::Uuid;

use offduty_core::apply::{self, ChangeSummary};
use offduty_core::outbox;
use offduty_core::platform::{DeviceClock, MemorySecretStore, SoftwareSigner};
use offduty_core::standing::{self, Standing};
use offduty_core::store::Store;
use offduty_core::store::meta::{self, keys};
use offduty_core::{Core, CoreConfig, Services};
use offduty_domain::award::{AwardRule, ReleaseTier};
use offduty_domain::eligibility::{Limits, Rank, Requirements};
use offduty_domain::geofence::{EARTH_RADIUS_M, GeoPoint, Geofence};
use offduty_domain::pay::PayPolicy;
use offduty_domain::policy::CancelPolicy;
use offduty_domain::protocol::{
    API_VERSION, ActionEnvelope, Assignment, AssignmentStatus, DepartmentRules, Job, JobStatus,
    OfficerProfile, SyncResponse, Timecard, TimecardStatus,
};
use offduty_domain::punch::{LocationFix, PunchThresholds};

/// The department.
pub const DEPARTMENT: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0d01);
/// The officer holding the phone.
pub const OFFICER: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0f01);
/// Another officer of the department.
pub const COLLEAGUE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0f02);
/// The phone's registered device.
pub const DEVICE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0de1);

/// Ohio Stadium, Columbus: where the default job reports.
pub const SITE: GeoPoint = GeoPoint::new(40.001_6, -83.019_7);
/// Radius of the default job's fence.
pub const FENCE_RADIUS_M: f64 = 150.0;

/// "Now" for every test: Monday 2 November 2026, 09:00 in Columbus.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T14:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

/// `m` metres north of `p`.
pub fn north_of(p: GeoPoint, m: f64) -> GeoPoint {
    GeoPoint::new(p.lat + (m / EARTH_RADIUS_M).to_degrees(), p.lon)
}

/// `north_m` metres north and `east_m` metres east of `p` (small offsets).
pub fn offset(p: GeoPoint, north_m: f64, east_m: f64) -> GeoPoint {
    let lat = p.lat + (north_m / EARTH_RADIUS_M).to_degrees();
    let lon = p.lon + (east_m / (EARTH_RADIUS_M * p.lat.to_radians().cos())).to_degrees();
    GeoPoint::new(lat, lon)
}

/// A good GPS fix (8 m, taken `at`) at `p`.
pub fn fix_at(p: GeoPoint, at: DateTime<Utc>) -> LocationFix {
    LocationFix {
        lat: p.lat,
        lon: p.lon,
        accuracy_m: 8.0,
        fix_time: at,
        provider: "gps".into(),
        is_mock: false,
    }
}

// --- what the server sends ----------------------------------------------------------------------

/// Columbus rules: New York time, USD, the domain's default limits, cancel windows (48 h free,
/// 12 h with a replacement), punch thresholds and pay policy.
pub fn rules() -> DepartmentRules {
    DepartmentRules {
        department_id: DEPARTMENT,
        name: "Columbus Division of Police".into(),
        time_zone: "America/New_York".into(),
        currency: "USD".into(),
        limits: Limits::default(),
        cancel_policy: CancelPolicy::default(),
        punch_thresholds: PunchThresholds::default(),
        pay_period: Default::default(),
        pay: PayPolicy::default(),
    }
}

/// The phone's officer: a patrol officer with a valid permit, no certifications, no groups.
pub fn officer() -> OfficerProfile {
    OfficerProfile {
        id: OFFICER,
        display_name: "Dana Reyes".into(),
        badge: "4411".into(),
        rank: Rank::Officer,
        certifications: Vec::new(),
        groups: Vec::new(),
        seniority: 120,
        permit_expires_at: Some(now() + Duration::days(365)),
    }
}

/// An open first-come traffic job at the stadium, starting in three days, four hours long,
/// 65.00 an hour, signups open since yesterday.
pub fn job() -> Job {
    Job {
        id: Uuid::now_v7(),
        department_id: DEPARTMENT,
        title: "Traffic control, Gate 3".into(),
        customer_name: "Ohio State Athletics".into(),
        site_name: "Ohio Stadium".into(),
        address: "411 Woody Hayes Dr".into(),
        location: SITE,
        geofence: Geofence::circle(SITE, FENCE_RADIUS_M),
        starts_at: now() + hours(72),
        ends_at: now() + hours(76),
        slots: 2,
        slots_filled: 0,
        slots_offered: 0,
        job_type: "traffic".into(),
        rate_cents: 6500,
        multiplier_bp: 10_000,
        currency: "USD".into(),
        requirements: Requirements::default(),
        award_rule: AwardRule::FirstCome,
        signup_opens_at: now() - hours(24),
        signup_closes_at: None,
        release_tiers: Vec::new(),
        status: JobStatus::Open,
        notes: String::new(),
        version: 1,
    }
}

/// Small edits of a [`job`], so a test says only what matters to it.
pub trait JobExt: Sized {
    fn starting_in(self, lead: Duration) -> Self;
    fn lasting(self, d: Duration) -> Self;
    fn located(self, p: GeoPoint) -> Self;
    fn paying(self, rate_cents: i64, multiplier_bp: u32) -> Self;
    fn of_type(self, t: &str) -> Self;
    fn with_status(self, s: JobStatus) -> Self;
    fn at_version(self, v: u64) -> Self;
    fn requiring(self, r: Requirements) -> Self;
    fn released(self, opens_in: Duration, tiers: Vec<ReleaseTier>) -> Self;
}

impl JobExt for Job {
    fn starting_in(mut self, lead: Duration) -> Self {
        let length = self.ends_at - self.starts_at;
        self.starts_at = now() + lead;
        self.ends_at = self.starts_at + length;
        self
    }
    fn lasting(mut self, d: Duration) -> Self {
        self.ends_at = self.starts_at + d;
        self
    }
    fn located(mut self, p: GeoPoint) -> Self {
        self.location = p;
        self.geofence = Geofence::circle(p, FENCE_RADIUS_M);
        self
    }
    fn paying(mut self, rate_cents: i64, multiplier_bp: u32) -> Self {
        self.rate_cents = rate_cents;
        self.multiplier_bp = multiplier_bp;
        self
    }
    fn of_type(mut self, t: &str) -> Self {
        self.job_type = t.into();
        self
    }
    fn with_status(mut self, s: JobStatus) -> Self {
        self.status = s;
        self
    }
    fn at_version(mut self, v: u64) -> Self {
        self.version = v;
        self
    }
    fn requiring(mut self, r: Requirements) -> Self {
        self.requirements = r;
        self
    }
    fn released(mut self, opens_in: Duration, tiers: Vec<ReleaseTier>) -> Self {
        self.signup_opens_at = now() + opens_in;
        self.release_tiers = tiers;
        self
    }
}

/// The officer's assignment on `job` (version 1, no place in line, not offered).
pub fn assignment(job: &Job, status: AssignmentStatus) -> Assignment {
    Assignment {
        id: Uuid::now_v7(),
        job_id: job.id,
        officer_id: OFFICER,
        status,
        position: None,
        offered: false,
        updated_at: now(),
        version: 1,
    }
}

/// A timecard for `job`: `minutes` worked and billed at the job's rate.
pub fn timecard(job: &Job, minutes: i64, status: TimecardStatus) -> Timecard {
    Timecard {
        id: Uuid::now_v7(),
        assignment_id: Uuid::now_v7(),
        job_id: job.id,
        officer_id: OFFICER,
        clock_in: None,
        clock_out: None,
        worked_minutes: Some(minutes),
        billable_minutes: Some(minutes),
        rate_cents: job.rate_cents,
        multiplier_bp: job.multiplier_bp,
        gross_cents: Some(offduty_domain::pay::gross_cents(
            job.rate_cents,
            minutes,
            job.multiplier_bp,
        )),
        currency: "USD".into(),
        status,
        paid_at: None,
        invoiced_at: None,
        version: 1,
        rejection_reason: None,
    }
}

/// A full snapshot at cursor 10 with the rules and the profile, and nothing else yet.
pub fn snapshot() -> SyncResponse {
    SyncResponse {
        api_version: API_VERSION,
        cursor: 10,
        full: true,
        jobs: Vec::new(),
        assignments: Vec::new(),
        timecards: Vec::new(),
        duty_blocks: Some(Vec::new()),
        rules: Some(rules()),
        profile: Some(officer()),
        preferences: None,
    }
}

/// An empty delta at cursor 11.
pub fn delta() -> SyncResponse {
    SyncResponse {
        api_version: API_VERSION,
        cursor: 11,
        full: false,
        jobs: Vec::new(),
        assignments: Vec::new(),
        timecards: Vec::new(),
        duty_blocks: None,
        rules: None,
        profile: None,
        preferences: None,
    }
}

/// An in-memory cache holding `resp`.
pub fn cache(resp: &SyncResponse) -> Store {
    let store = Store::open_in_memory().unwrap();
    store.write(|tx| apply::apply_sync(tx, resp)).unwrap();
    store
}

// --- the phone -----------------------------------------------------------------------------------

/// The device's clocks, set by the test: wall time stays where it is put; monotonic time moves
/// with it.
pub struct TestClock {
    wall: Mutex<DateTime<Utc>>,
    mono_ms: AtomicU64,
}

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> Arc<TestClock> {
        Arc::new(TestClock {
            wall: Mutex::new(t),
            mono_ms: AtomicU64::new(3_600_000),
        })
    }

    /// The phone's wall-clock time.
    pub fn now(&self) -> DateTime<Utc> {
        *self.wall.lock().unwrap()
    }

    /// Time passes.
    pub fn advance(&self, d: Duration) {
        *self.wall.lock().unwrap() += d;
        let ms = u64::try_from(d.num_milliseconds().max(0)).unwrap();
        self.mono_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl DeviceClock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        TestClock::now(self)
    }
    fn monotonic_ms(&self) -> u64 {
        self.mono_ms.load(Ordering::SeqCst)
    }
    fn boot_id(&self) -> String {
        "boot-test".into()
    }
}

fn config(db: &std::path::Path) -> CoreConfig {
    // Nothing here talks to a server: the address is never dialled.
    CoreConfig::new(db, "http://127.0.0.1:9")
}

/// An officer's phone: a `Core` on its own database, signed in with a registered device, never
/// synced. `receive` plays the part of a pull.
pub struct Phone {
    pub core: Core,
    pub clock: Arc<TestClock>,
    pub key: SigningKey,
    /// A second connection to the phone's database (what a pull writes through).
    pub store: Store,
    services: Services,
    db: PathBuf,
    dir: PathBuf,
}

impl Phone {
    /// A phone at [`now`], signed in as [`OFFICER`] on [`DEVICE`].
    pub fn new() -> Phone {
        Phone::with_signer(|key| Arc::new(SoftwareSigner::from_key(key.clone())))
    }

    /// A phone whose platform signer is `make(key)` (a broken signer, for instance).
    pub fn with_signer(
        make: impl FnOnce(&SigningKey) -> Arc<dyn offduty_core::platform::Signer>,
    ) -> Phone {
        let dir = std::env::temp_dir().join(format!("offduty-rules-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("officer.db");
        let clock = TestClock::at(now());
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let services = Services {
            signer: make(&key),
            secrets: Arc::new(MemorySecretStore::default()),
            clock: clock.clone(),
        };
        let (core, _) = Core::open(config(&db), services.clone()).unwrap();
        let (store, _) = Store::open(&db).unwrap();
        store
            .write(|tx| {
                meta::set(tx, keys::OFFICER_ID, &OFFICER.to_string())?;
                meta::set(tx, keys::DEPARTMENT_ID, &DEPARTMENT.to_string())?;
                meta::set(tx, keys::DEVICE_ID, &DEVICE.to_string())
            })
            .unwrap();
        Phone {
            core,
            clock,
            key,
            store,
            services,
            db,
            dir,
        }
    }

    /// The app is closed and opened again on the same database and platform services.
    pub fn reopen(&mut self) {
        self.core = Core::open(config(&self.db), self.services.clone())
            .unwrap()
            .0;
    }

    /// A phone that has pulled `resp`.
    pub fn synced(resp: &SyncResponse) -> Phone {
        let phone = Phone::new();
        phone.receive(resp);
        phone
    }

    /// What a pull does with the server's answer.
    pub fn receive(&self, resp: &SyncResponse) -> ChangeSummary {
        self.store.write(|tx| apply::apply_sync(tx, resp)).unwrap()
    }

    /// Where the officer stands on `job`.
    pub fn standing(&self, job: &Job) -> Standing {
        self.store.read(|c| standing::on_job(c, job.id)).unwrap()
    }

    /// Every action in the queue, oldest first, as it will be sent (wedged ones included).
    pub fn queued(&self) -> Vec<ActionEnvelope> {
        self.store
            .read(|c| {
                let mut st = c.prepare("SELECT envelope_json FROM outbox ORDER BY seq")?;
                let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(serde_json::from_str(&r?)?);
                }
                Ok(out)
            })
            .unwrap()
    }

    /// The queue gives up on an action (what repeated server refusals do).
    pub fn wedge(&self, key: Uuid, why: &str) {
        self.store.write(|tx| outbox::wedge(tx, key, why)).unwrap();
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
