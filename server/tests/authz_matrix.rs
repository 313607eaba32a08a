//! The authorization matrix (RELIABILITY.md: "No officer or department sees another's data"),
//! generated from `openapi::OPERATIONS`: every operation × every kind of caller (anonymous; two
//! officers, the coordinator and two customers of department A; an officer, the coordinator and
//! a customer of department B; each department's two customers belong to two organizations of
//! that department, each with a site and invoice terms — the second is an affiliate the
//! coordinator invited, its contact's account made by the invitation (decision 047), so the
//! matrix proves an affiliate user is scoped like a customer) × every target (department A's record, department B's record)
//! where the route names one. Each cell is checked against `expect`, written from the product
//! rules: anonymous → 401; a role the route does not serve → 403; another department's record →
//! 404 (never data); officers and customers see only their own rows; every 403 is audited.
//! Around the matrix, each department's state is snapshotted (as its coordinator) to prove that
//! no cross-department attempt, denied or not, changed anything.
//! An operation without a matrix entry fails the matrix, and `every_routed_path_is_an_operation`
//! reads the router's source so a route missing from OPERATIONS cannot escape it either.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, TestDevice, envelope, job_body, punch_action};
use offduty_domain::billing::RateCard;
use offduty_domain::geofence::GeoPoint;
use offduty_domain::protocol::Role;
use offduty_domain::timecard::{self, GENESIS_HASH, PunchKind};
use offduty_server::extract::AuthUser;
use offduty_server::openapi::{OPERATIONS, Op};
use offduty_server::services::{affiliates, customers, event_requests, rate_card};

const STADIUM: (f64, f64) = (40.0017, -83.0197);
/// `GET /v1/jobs` with every job of the department, not only the last day's.
const ALL_JOBS: &str = "/v1/jobs?from=2000-01-01T00:00:00Z&limit=2000";

/// A valid body for `PUT /v1/preferences`.
fn prefs_body() -> Value {
    json!({"channels": {"push": true, "sms": true, "email": false},
        "quiet_hours": [{"weekday": "fri", "start": "22:00", "end": "06:00"}]})
}

/// The stored preferences of `user`.
async fn stored_prefs(app: &TestApp, user: &str) -> Value {
    let row = sqlx::query("SELECT prefs_json FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    serde_json::from_str(&row.try_get::<String, _>(0).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The dimensions of the matrix.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum D {
    A,
    B,
}

impl D {
    fn other(self) -> D {
        match self {
            D::A => D::B,
            D::B => D::A,
        }
    }
}

/// Who calls. `Officer1` owns the department's officer records (device, timecard, held slot);
/// `Customer1` is the `customer_id` of the department's customer job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anon,
    Officer1(D),
    Officer2(D),
    Coord(D),
    Customer1(D),
    Customer2(D),
}

const CALLERS: [Who; 9] = [
    Who::Anon,
    Who::Officer1(D::A),
    Who::Officer2(D::A),
    Who::Coord(D::A),
    Who::Customer1(D::A),
    Who::Customer2(D::A),
    Who::Officer1(D::B),
    Who::Coord(D::B),
    Who::Customer1(D::B),
];

impl Who {
    fn dept(self) -> Option<D> {
        match self {
            Who::Anon => None,
            Who::Officer1(d)
            | Who::Officer2(d)
            | Who::Coord(d)
            | Who::Customer1(d)
            | Who::Customer2(d) => Some(d),
        }
    }

    fn role(self) -> Option<Role> {
        match self {
            Who::Anon => None,
            Who::Officer1(_) | Who::Officer2(_) => Some(Role::Officer),
            Who::Coord(_) => Some(Role::Coordinator),
            Who::Customer1(_) | Who::Customer2(_) => Some(Role::Customer),
        }
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Anon => write!(f, "anonymous"),
            Who::Officer1(d) => write!(f, "officer {d:?}1"),
            Who::Officer2(d) => write!(f, "officer {d:?}2"),
            Who::Coord(d) => write!(f, "coordinator {d:?}"),
            Who::Customer1(d) => write!(f, "customer {d:?}"),
            Who::Customer2(d) => write!(f, "customer {d:?}'"),
        }
    }
}

/// What a cell is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The route names no record.
    Plain,
    /// `{id}` is this department's record (for `POST /v1/actions`: the claimed job).
    Record(D),
    /// `?officer_id=` names this department's officer 1.
    OfficerFilter(D),
    /// `GET /v1/sync?cursor=N` (0: full snapshot; 1: a delta of nearly everything).
    Cursor(u64),
}

/// The matrix entry of each operation: its targets. A new operation without an entry here
/// fails `every_operation_has_a_matrix_entry` and the matrix itself.
fn targets(op: &Op) -> Option<Vec<Target>> {
    use Target::*;
    let records = vec![Record(D::A), Record(D::B)];
    Some(match (op.method, op.path) {
        (
            "get",
            "/v1/health"
            | "/v1/ready"
            | "/v1/openapi.json"
            | "/v1/me"
            | "/v1/devices"
            | "/v1/jobs"
            | "/v1/officers"
            | "/v1/department"
            | "/v1/notifications"
            | "/v1/audit"
            | "/v1/audit/verify"
            | "/v1/users"
            | "/v1/directory"
            | "/v1/organization"
            | "/v1/sites"
            | "/v1/event-requests"
            | "/v1/organizations"
            | "/v1/rate-card"
            | "/v1/me/history.pdf"
            | "/v1/me/payout-account"
            | "/v1/me/reliability",
        ) => vec![Plain],
        ("post", "/v1/me/payout-account/link" | "/v1/webhooks/stripe") => vec![Plain],
        (
            "post",
            "/v1/auth/login"
            | "/v1/auth/refresh"
            | "/v1/auth/logout"
            | "/v1/auth/reset-password"
            | "/v1/devices"
            | "/v1/jobs"
            | "/v1/duty-blocks"
            | "/v1/officers"
            | "/v1/officers/import"
            | "/v1/sites"
            | "/v1/event-requests"
            | "/v1/event-requests/estimate",
        ) => vec![Plain],
        ("put", "/v1/rate-card") => vec![Plain],
        ("get" | "put", "/v1/event-requests/{id}")
        | ("get", "/v1/event-requests/{id}/cancellation")
        | (
            "post",
            "/v1/event-requests/{id}/cancel"
            | "/v1/event-requests/{id}/approve"
            | "/v1/event-requests/{id}/changes"
            | "/v1/event-requests/{id}/reject",
        )
        | ("put", "/v1/organizations/{id}/terms") => records,
        ("get" | "put", "/v1/preferences") | ("put", "/v1/department") => vec![Plain],
        (
            "post",
            "/v1/devices/{id}/revoke"
            | "/v1/jobs/{id}/cancel"
            | "/v1/jobs/{id}/award"
            | "/v1/timecards/{id}/approve"
            | "/v1/timecards/{id}/reject"
            | "/v1/timecards/{id}/paid"
            | "/v1/users/{id}/disable"
            | "/v1/users/{id}/enable"
            | "/v1/users/{id}/reset-password"
            | "/v1/actions",
        ) => records,
        ("patch", "/v1/jobs/{id}") | ("put", "/v1/users/{id}/role") => records,
        ("put", "/v1/timecards/{id}/rating" | "/v1/me/timecards/{id}/site-rating") => records,
        ("get", "/v1/jobs/{id}" | "/v1/jobs/{id}/roster") => records,
        // Before the revoke in OPERATIONS: officer 1's device is still active when they set it.
        ("put" | "delete", "/v1/devices/{id}/push-token") => records,
        ("get", "/v1/sync") => vec![Cursor(0), Cursor(1)],
        ("get", "/v1/timecards" | "/v1/earnings") => {
            vec![Plain, OfficerFilter(D::A), OfficerFilter(D::B)]
        }
        _ => return None,
    })
}

/// The expected result of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Success with this status; the body is then checked for scoping.
    Ok(u16),
    /// A refusal with this status (401, 403, 404).
    Refused(u16),
    /// `POST /v1/actions` answers 200 but the action is rejected with this code.
    Rejected(&'static str),
}

/// The product rules.
fn expect(op: &Op, who: Who, target: Target) -> Expect {
    // No webhook secret is configured in this world: the endpoint does not exist for anyone
    // (its signature checks are tested in tests/direct_payouts.rs).
    if op.path == "/v1/webhooks/stripe" {
        return Expect::Refused(404);
    }
    if op.roles == "public" {
        return Expect::Ok(op.ok.0);
    }
    let (Some(dept), Some(role)) = (who.dept(), who.role()) else {
        return Expect::Refused(401);
    };
    // Roles: the OPERATIONS column, narrowed where the product narrows it (customers never see
    // officers' timecards or pay).
    let allowed: &[Role] = match op.roles {
        "officer" => &[Role::Officer],
        "coordinator" => &[Role::Coordinator],
        "officer or coordinator" => &[Role::Officer, Role::Coordinator],
        "customer" => &[Role::Customer],
        "customer or coordinator" => &[Role::Customer, Role::Coordinator],
        "any signed-in user" => match op.path {
            "/v1/timecards" | "/v1/earnings" => &[Role::Officer, Role::Coordinator],
            _ => &[Role::Officer, Role::Coordinator, Role::Customer],
        },
        other => panic!("unknown roles {other:?} on {} {}", op.method, op.path),
    };
    if !allowed.contains(&role) {
        return Expect::Refused(403);
    }
    // Both departments pay through their payroll: an officer has no payout account to set up.
    if op.path == "/v1/me/payout-account/link" {
        return Expect::Refused(409);
    }
    match target {
        // Officers ask only about themselves.
        Target::OfficerFilter(d) if role == Role::Officer && who != Who::Officer1(d) => {
            Expect::Refused(403)
        }
        // An action naming another department's job must not reveal that the job exists.
        Target::Record(d) if op.path == "/v1/actions" => {
            if d == dept {
                Expect::Ok(200)
            } else {
                Expect::Rejected("job_not_found")
            }
        }
        Target::Record(d) if d != dept => Expect::Refused(404),
        Target::Record(d) => match op.path {
            // Devices are their owner's alone.
            "/v1/devices/{id}/revoke" | "/v1/devices/{id}/push-token"
                if who != Who::Officer1(d) =>
            {
                Expect::Refused(404)
            }
            // A customer sees its own organization's requests only: customer 2 is another
            // organization of the same department.
            p if p.starts_with("/v1/event-requests/")
                && role == Role::Customer
                && who != Who::Customer1(d) =>
            {
                Expect::Refused(404)
            }
            // A customer rates its own organization's timecards only; an officer rates the
            // site of their own shift only.
            "/v1/timecards/{id}/rating" if who != Who::Customer1(d) => Expect::Refused(404),
            "/v1/me/timecards/{id}/site-rating" if who != Who::Officer1(d) => Expect::Refused(404),
            // Customers see their own jobs only.
            "/v1/jobs/{id}" if role == Role::Customer && who != Who::Customer1(d) => {
                Expect::Refused(404)
            }
            _ => Expect::Ok(op.ok.0),
        },
        _ => Expect::Ok(op.ok.0),
    }
}

// ---------------------------------------------------------------------------------------------
// The fixture world.

struct Dept {
    id: Uuid,
    coord: Actor,
    o1: Actor,
    o2: Actor,
    cust1: Actor,
    cust2: Actor,
    /// Customer job (customer_id = cust1): target of `GET /v1/jobs/{id}`.
    j_cust: String,
    /// Target of cancel.
    j_cancel: String,
    /// Ranked, o1 requested: target of award.
    j_ranked: String,
    /// o1's past shift with a timecard: target of roster.
    j_work1: String,
    /// o1 holds a future slot.
    j_hold: String,
    /// First come, five slots: what `POST /v1/actions` claims.
    j_open: String,
    /// o1's pending timecard: target of approve.
    t_approve: String,
    /// o2's approved timecard: target of paid.
    t_paid: String,
    /// o1's pending timecard of another shift: target of reject.
    t_reject: String,
    /// o2's worked timecard of customer 1's job: target of the customer's rating.
    t_rate: String,
    /// An officer no caller signs in as: target of the account administration routes.
    spare: Actor,
    /// o1's device: target of revoke.
    dev1: TestDevice,
    /// `GET /v1/department` as the coordinator.
    settings: Value,
    /// Customer 1's and customer 2's organizations (two of this department) and their sites.
    org1: Uuid,
    org2: Uuid,
    site1: Uuid,
    site2: Uuid,
    /// Customer 1's submitted requests: read, changed and priced (`GET`/`PUT …/{id}`,
    /// `…/cancellation`), cancelled, approved, sent back and rejected.
    r_view: Uuid,
    r_cancel: Uuid,
    r_approve: Uuid,
    r_changes: Uuid,
    r_reject: Uuid,
    /// `GET /v1/rate-card` as the coordinator (the departments' fees differ).
    rate_card: Value,
}

struct World {
    a: Dept,
    b: Dept,
}

impl World {
    fn dept(&self, d: D) -> &Dept {
        match d {
            D::A => &self.a,
            D::B => &self.b,
        }
    }

    fn dept_mut(&mut self, d: D) -> &mut Dept {
        match d {
            D::A => &mut self.a,
            D::B => &mut self.b,
        }
    }

    fn actor(&self, who: Who) -> Option<&Actor> {
        Some(match who {
            Who::Anon => return None,
            Who::Officer1(d) => &self.dept(d).o1,
            Who::Officer2(d) => &self.dept(d).o2,
            Who::Coord(d) => &self.dept(d).coord,
            Who::Customer1(d) => &self.dept(d).cust1,
            Who::Customer2(d) => &self.dept(d).cust2,
        })
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Clocks `officer` in and out of `job` (moved to the last four hours); returns the timecard.
async fn work_shift(
    app: &TestApp,
    coord: &Actor,
    officer: &Actor,
    job: &str,
) -> (String, TestDevice) {
    let now = Utc::now();
    app.set_job_times(job, now - Duration::hours(4), now).await;
    let mut device = TestDevice::register(app, officer).await;
    for (kind, at) in [
        (PunchKind::In, now - Duration::minutes(245)),
        (PunchKind::Out, now - Duration::seconds(30)),
    ] {
        let ev = device.punch(officer, job, kind, at, STADIUM.0, STADIUM.1, 8.0);
        let out = app.act(officer, punch_action(kind, &ev)).await;
        assert_eq!(out["type"], "punched", "fixture punch: {out}");
    }
    let (_, cards) = app.get("/v1/timecards", coord).await;
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["job_id"] == job)
        .unwrap_or_else(|| panic!("no timecard for {job}: {cards}"));
    (id_of(card), device)
}

/// A business signed up in `dept` (its organization and first customer account) with one site
/// and invoice terms the coordinator granted: returns the customer, organization and site.
async fn business(app: &TestApp, dept: Uuid, coord: &Actor, name: &str) -> (Actor, Uuid, Uuid) {
    let now = Utc::now();
    let email = format!(
        "{}-{}@business.test",
        name.to_lowercase().replace(' ', "-"),
        Uuid::new_v4().simple()
    );
    let (org, user_id) = customers::sign_up(
        &app.db,
        dept,
        &customers::SignUp {
            organization: name.into(),
            billing_address: "1 Main St, Columbus, OH".into(),
            contact_name: "Pat Gate".into(),
            email: email.clone(),
            phone: "(614) 555-0100".into(),
            password: common::PASSWORD.into(),
        },
        now,
    )
    .await
    .unwrap();
    let customer = Actor {
        id: user_id,
        department_id: dept,
        role: Role::Customer,
        email,
        token: app
            .state
            .tokens
            .issue_access(user_id, dept, Role::Customer, now),
    };
    let site = customers::add_site(
        &app.db,
        auth(&customer),
        &customers::NewSite {
            name: format!("{name} gate"),
            address: "411 Woody Hayes Dr".into(),
            location: GeoPoint {
                lat: STADIUM.0,
                lon: STADIUM.1,
            },
            radius_m: None,
        },
        now,
    )
    .await
    .unwrap();
    customers::set_terms(&app.db, auth(coord), org.id, customers::Terms::Invoice, now)
        .await
        .unwrap();
    (customer, org.id, site.id)
}

/// A security firm the coordinator invited as an affiliate (decision 047), its contact having
/// accepted the link, with one site: returns the contact, organization and site.
async fn affiliate(app: &TestApp, dept: Uuid, coord: &Actor, name: &str) -> (Actor, Uuid, Uuid) {
    let now = Utc::now();
    let email = format!(
        "{}-{}@affiliate.test",
        name.to_lowercase().replace(' ', "-"),
        Uuid::new_v4().simple()
    );
    let invited = affiliates::invite(
        &app.db,
        auth(coord),
        &affiliates::Invite {
            name: name.into(),
            billing_address: "65 E State St, Columbus, OH".into(),
            contact_name: "Jordan Reyes".into(),
            email: email.clone(),
            terms: customers::Terms::Invoice,
        },
        "http://127.0.0.1",
        now,
    )
    .await
    .unwrap();
    let token = invited.link.split("token=").nth(1).unwrap();
    affiliates::accept(&app.db, token, common::PASSWORD, now)
        .await
        .unwrap();
    let user_id = invited.user_id;
    // Accepting ended any session the account had: a token must carry its current epoch.
    let epoch: i64 = sqlx::query("SELECT session_epoch FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("session_epoch")
        .unwrap();
    let contact = Actor {
        id: user_id,
        department_id: dept,
        role: Role::Customer,
        email,
        token: app
            .state
            .tokens
            .issue_access_at_epoch(user_id, dept, Role::Customer, epoch, now),
    };
    let site = customers::add_site(
        &app.db,
        auth(&contact),
        &customers::NewSite {
            name: format!("{name} vault"),
            address: "17 S High St".into(),
            location: GeoPoint {
                lat: STADIUM.0,
                lon: STADIUM.1,
            },
            radius_m: None,
        },
        now,
    )
    .await
    .unwrap();
    (contact, invited.organization.id, site.id)
}

fn auth(a: &Actor) -> AuthUser {
    AuthUser {
        user_id: a.id,
        department_id: a.department_id,
        role: a.role,
    }
}

/// A valid request form for `site`, its one shift `days` from now.
fn event_form(site: Uuid, days: i64) -> Value {
    let start = Utc::now() + Duration::days(days);
    json!({"site_id": site, "title": "Matrix game", "job_type": "security",
        "contact_name": "Pat Gate", "contact_phone": "(614) 555-0100",
        "instructions": "Gate C.",
        "shifts": [{"starts_at": start, "ends_at": start + Duration::hours(4), "officers": 2}]})
}

/// Customer 1 submits a request (through the service); returns its id.
async fn submitted(app: &TestApp, customer: &Actor, site: Uuid, days: i64) -> Uuid {
    let form: event_requests::EventForm = serde_json::from_value(event_form(site, days)).unwrap();
    event_requests::submit(&app.db, auth(customer), None, &form, Utc::now())
        .await
        .unwrap()
        .id
}

async fn build_dept(app: &TestApp, name: &str, free_hours: u32, admin_fee: i64) -> Dept {
    let (id, coord) = app.department(name).await;
    let o1 = app.officer(id).await;
    let o2 = app.officer(id).await;
    let (cust1, org1, site1) = business(app, id, &coord, &format!("{name} Arena")).await;
    let (cust2, org2, site2) = affiliate(app, id, &coord, &format!("{name} Security")).await;
    let r_view = submitted(app, &cust1, site1, 15).await;
    let r_cancel = submitted(app, &cust1, site1, 16).await;
    let r_approve = submitted(app, &cust1, site1, 17).await;
    let r_changes = submitted(app, &cust1, site1, 18).await;
    let r_reject = submitted(app, &cust1, site1, 19).await;
    // The departments' fees differ, so a price from the wrong one would show.
    let card = RateCard {
        admin_fee_cents_per_hour: admin_fee,
        ..rate_card::current(&app.db, id).await.unwrap()
    };
    rate_card::save(&app.db, auth(&coord), &card, Utc::now())
        .await
        .unwrap();
    let rate_card = serde_json::to_value(&card).unwrap();
    let now = Utc::now();
    let day = |d: i64| now + Duration::days(d);
    let post = |start: DateTime<Utc>, slots: u32| {
        let coord = &coord;
        async move { id_of(&app.job(coord, |b| *b = job_body(start, slots)).await) }
    };
    let j_cust = id_of(
        &app.job(&coord, |b| {
            *b = job_body(day(2), 2);
            b["customer_id"] = json!(cust1.id);
        })
        .await,
    );
    let j_cancel = post(day(3), 2).await;
    let j_ranked = id_of(
        &app.job(&coord, |b| {
            *b = job_body(day(5), 2);
            b["award_rule"] = json!({"type": "seniority"});
            b["signup_closes_at"] = json!(day(4));
        })
        .await,
    );
    let j_work1 = post(day(1), 1).await;
    let j_work2 = post(day(1), 1).await;
    let j_hold = post(day(6), 1).await;
    let j_open = post(day(8), 5).await;
    let j_note = post(day(9), 2).await;

    assert_eq!(app.claim(&o1, &j_work1).await["type"], "awarded");
    assert_eq!(app.claim(&o2, &j_work2).await["type"], "awarded");
    assert_eq!(app.claim(&o1, &j_hold).await["type"], "awarded");
    assert_eq!(app.claim(&o1, &j_ranked).await["type"], "requested");
    // A cancelled job leaves both officers a notification.
    assert_eq!(app.claim(&o1, &j_note).await["type"], "awarded");
    assert_eq!(app.claim(&o2, &j_note).await["type"], "awarded");
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/v1/jobs/{j_note}/cancel"),
            Some(&coord),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let j_work3 = post(day(10), 1).await;
    assert_eq!(app.claim(&o1, &j_work3).await["type"], "awarded");
    let (t_approve, dev1) = work_shift(app, &coord, &o1, &j_work1).await;
    let (t_reject, _dev3) = work_shift(app, &coord, &o1, &j_work3).await;
    let spare = app.officer(id).await;
    let (t_paid, _dev2) = work_shift(app, &coord, &o2, &j_work2).await;
    let j_rate = id_of(
        &app.job(&coord, |b| {
            *b = job_body(day(1), 1);
            b["customer_id"] = json!(cust1.id);
        })
        .await,
    );
    assert_eq!(app.claim(&o2, &j_rate).await["type"], "awarded");
    let (t_rate, _dev4) = work_shift(app, &coord, &o2, &j_rate).await;
    let (s, card) = app
        .post(
            &format!("/v1/timecards/{t_paid}/approve"),
            &coord,
            &json!({"note": "fixture"}),
        )
        .await;
    assert_eq!(
        (s, card["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{card}"
    );
    // Duty hours for o2 (far from every shift).
    let (s, _) = app
        .post(
            "/v1/duty-blocks",
            &coord,
            &json!({"source": "CAD", "blocks": [{"officer_id": o2.id,
                "starts_at": day(30), "ends_at": day(30) + Duration::hours(8)}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Departments differ in their rules, so a body from the wrong one would show.
    let (_, settings) = app.get("/v1/department", &coord).await;
    let mut body = put_department_body(&settings);
    body["rules"]["cancel_policy"]["free_hours"] = json!(free_hours);
    let (s, p) = app
        .call(Method::PUT, "/v1/department", Some(&coord), Some(&body))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (_, settings) = app.get("/v1/department", &coord).await;

    Dept {
        id,
        coord,
        o1,
        o2,
        cust1,
        cust2,
        j_cust,
        j_cancel,
        j_ranked,
        j_work1,
        j_hold,
        j_open,
        t_approve,
        t_paid,
        t_reject,
        t_rate,
        spare,
        dev1,
        settings,
        org1,
        org2,
        site1,
        site2,
        r_view,
        r_cancel,
        r_approve,
        r_changes,
        r_reject,
        rate_card,
    }
}

fn put_department_body(settings: &Value) -> Value {
    let r = &settings["rules"];
    json!({"rules": {"limits": r["limits"], "cancel_policy": r["cancel_policy"],
        "punch_thresholds": r["punch_thresholds"]}, "pay": settings["pay"]})
}

// ---------------------------------------------------------------------------------------------
// Requests.

struct Req {
    method: Method,
    /// Path and query.
    uri: String,
    body: Option<Value>,
    /// A CSV body instead of JSON (the roster import).
    csv: Option<String>,
}

impl Req {
    /// `METHOD /path` as the denial audit records it.
    fn route(&self) -> String {
        let path = self.uri.split('?').next().unwrap_or("");
        format!("{} {path}", self.method)
    }
}

fn record_id(op: &Op, d: &Dept) -> String {
    match op.path {
        "/v1/devices/{id}/revoke" | "/v1/devices/{id}/push-token" => d.dev1.id.to_string(),
        "/v1/jobs/{id}" => d.j_cust.clone(),
        "/v1/jobs/{id}/cancel" => d.j_cancel.clone(),
        "/v1/jobs/{id}/award" => d.j_ranked.clone(),
        "/v1/jobs/{id}/roster" => d.j_work1.clone(),
        "/v1/timecards/{id}/approve" => d.t_approve.clone(),
        "/v1/timecards/{id}/paid" => d.t_paid.clone(),
        "/v1/timecards/{id}/reject" => d.t_reject.clone(),
        "/v1/timecards/{id}/rating" => d.t_rate.clone(),
        "/v1/me/timecards/{id}/site-rating" => d.t_approve.clone(),
        "/v1/users/{id}/disable"
        | "/v1/users/{id}/enable"
        | "/v1/users/{id}/reset-password"
        | "/v1/users/{id}/role" => d.spare.id.to_string(),
        "/v1/event-requests/{id}" | "/v1/event-requests/{id}/cancellation" => d.r_view.to_string(),
        "/v1/event-requests/{id}/cancel" => d.r_cancel.to_string(),
        "/v1/event-requests/{id}/approve" => d.r_approve.to_string(),
        "/v1/event-requests/{id}/changes" => d.r_changes.to_string(),
        "/v1/event-requests/{id}/reject" => d.r_reject.to_string(),
        "/v1/organizations/{id}/terms" => d.org1.to_string(),
        other => panic!("no fixture record for {other}"),
    }
}

async fn login(app: &TestApp, who: &Actor) -> Value {
    let (s, tokens) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&json!({"email": who.email, "password": common::PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "login {}: {tokens}", who.email);
    tokens
}

/// A valid request for the cell: a 401/403/404 is then about authorization, not input.
async fn request(app: &TestApp, w: &World, op: &Op, who: Who, target: Target) -> Req {
    let home_d = who.dept().unwrap_or(D::A);
    let home = w.dept(home_d);
    // Sign-in routes act for the caller; anonymous callers use officer A1's credentials.
    let account = w.actor(who).unwrap_or(&w.a.o1);
    let now = Utc::now();
    let mut uri = op.path.to_string();
    if let Target::Record(d) = target
        && op.path.contains("{id}")
    {
        uri = uri.replace("{id}", &record_id(op, w.dept(d)));
    }
    match target {
        Target::OfficerFilter(d) => uri.push_str(&format!("?officer_id={}", w.dept(d).o1.id)),
        Target::Cursor(c) => uri.push_str(&format!("?cursor={c}")),
        _ if op.path == "/v1/jobs" && op.method == "get" => uri = ALL_JOBS.to_string(),
        // Every fixture officer's name starts with "officer-", in both departments.
        _ if op.path == "/v1/directory" => uri.push_str("?q=OFFICER-&limit=50"),
        _ => {}
    }
    let body = match (op.method, op.path) {
        ("post", "/v1/auth/login") => {
            Some(json!({"email": account.email, "password": common::PASSWORD}))
        }
        ("post", "/v1/auth/refresh" | "/v1/auth/logout") => {
            let tokens = login(app, account).await;
            Some(json!({"refresh_token": tokens["refresh_token"]}))
        }
        ("post", "/v1/devices") => {
            let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
            Some(
                json!({"public_key": timecard::encode_public_key(key.verifying_key()),
                "label": "Matrix phone"}),
            )
        }
        ("post", "/v1/jobs") => Some(job_body(now + Duration::days(12), 1)),
        ("post", "/v1/actions") => {
            let Target::Record(d) = target else {
                panic!("actions need a target")
            };
            let job = &w.dept(d).j_open;
            Some(json!({"actions": [envelope(json!({"type": "claim", "job_id": job}))]}))
        }
        ("post", "/v1/timecards/{id}/approve") => {
            Some(json!({"note": "Checked with the site supervisor."}))
        }
        ("post", "/v1/duty-blocks") => Some(json!({"source": "CAD", "blocks": [{
            "officer_id": home.o2.id,
            "starts_at": now + Duration::days(20),
            "ends_at": now + Duration::days(20) + Duration::hours(8)}]})),
        ("put", "/v1/department") => Some(put_department_body(&home.settings)),
        ("put", "/v1/preferences") => Some(prefs_body()),
        // A token of its own per request: tokens move between devices, never across cells.
        ("put", "/v1/devices/{id}/push-token") => {
            Some(json!({"platform": "fcm", "token": format!("matrix-{}", Uuid::new_v4().simple())}))
        }
        ("patch", "/v1/jobs/{id}") => Some(json!({"notes": "Matrix: the gate code changed."})),
        ("post", "/v1/timecards/{id}/reject") => {
            Some(json!({"reason": "Matrix: not on the site's sign-in sheet."}))
        }
        ("post", "/v1/officers") => {
            let n = Uuid::new_v4().simple().to_string();
            Some(
                json!({"email": format!("matrix-{n}@officers.test"), "display_name": "Matrix",
                "badge": format!("M{}", &n[..12])}),
            )
        }
        ("post", "/v1/users/{id}/reset-password") => Some(json!({})),
        ("post", "/v1/sites") => Some(
            json!({"name": format!("Matrix lot {}", Uuid::new_v4().simple()),
            "address": "1 Lot Rd", "location": {"lat": STADIUM.0, "lon": STADIUM.1}}),
        ),
        // The caller's own site (a customer's form names a site of its organization; others
        // are refused before the form matters).
        ("post", "/v1/event-requests" | "/v1/event-requests/estimate")
        | ("put", "/v1/event-requests/{id}") => {
            let site = if who == Who::Customer2(home_d) {
                home.site2
            } else {
                home.site1
            };
            Some(event_form(site, 20))
        }
        ("post", "/v1/event-requests/{id}/cancel") => Some(json!({"expected_fee_cents": 0})),
        ("post", "/v1/event-requests/{id}/approve") => {
            Some(json!({"rate_cents": 6100, "officers": 1}))
        }
        ("post", "/v1/event-requests/{id}/changes" | "/v1/event-requests/{id}/reject") => {
            Some(json!({"reason": "Matrix: the dates are taken."}))
        }
        ("put", "/v1/organizations/{id}/terms") => Some(json!({"terms": "invoice"})),
        ("put", "/v1/rate-card") => Some(home.rate_card.clone()),
        ("put", "/v1/timecards/{id}/rating") => {
            Some(json!({"stars": 5, "tags": ["on_time"], "comment": "Matrix: thank you."}))
        }
        ("put", "/v1/me/timecards/{id}/site-rating") => {
            Some(json!({"stars": 3, "tags": ["parking"]}))
        }
        ("put", "/v1/users/{id}/role") => Some(json!({"role": "coordinator"})),
        ("post", "/v1/auth/reset-password") => {
            let reset = offduty_server::services::access::reset_password(
                &app.db,
                home.id,
                &offduty_server::services::accounts::Admin::Operator("matrix".into()),
                home.spare.id,
                None,
                now,
            )
            .await
            .unwrap();
            Some(json!({"token": reset.setup_token, "password": "a matrix passphrase"}))
        }
        _ => None,
    };
    let csv = (op.path == "/v1/officers/import").then(|| {
        let n = Uuid::new_v4().simple().to_string();
        format!(
            "email,name,badge\nmatrix-{n}@roster.test,Matrix Roster,R{}\n",
            &n[..12]
        )
    });
    Req {
        method: op.method.to_uppercase().parse().unwrap(),
        uri,
        body,
        csv,
    }
}

/// Posts a CSV body (the roster import).
async fn post_csv(
    app: &TestApp,
    uri: &str,
    actor: Option<&Actor>,
    csv: &str,
) -> (StatusCode, Value) {
    let mut r = app
        .http
        .post(format!("{}{uri}", app.url))
        .header("content-type", "text/csv")
        .body(csv.to_string());
    if let Some(a) = actor {
        r = r.bearer_auth(&a.token);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Ground truth, read from the database.

async fn db_set(app: &TestApp, sql: &'static str, binds: &[&str]) -> BTreeSet<String> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .collect()
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x[key].as_str().unwrap_or("<missing>").to_string())
                .collect()
        })
        .unwrap_or_else(|| vec![format!("<not an array: {v}>")])
}

fn subset(got: &[String], allowed: &BTreeSet<String>) -> Vec<String> {
    got.iter()
        .filter(|g| !allowed.contains(*g))
        .cloned()
        .collect()
}

/// Checks a successful body: it holds the caller's rows and nobody else's. Returns problems.
async fn check_scope(
    app: &TestApp,
    w: &World,
    op: &Op,
    who: Who,
    target: Target,
    body: &Value,
) -> Vec<String> {
    let mut bad = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    let me = w.actor(who);
    let me_id = me.map(|a| a.id.to_string()).unwrap_or_default();
    let dept = who.dept().map(|d| w.dept(d));
    let dept_id = dept.map(|d| d.id.to_string()).unwrap_or_default();
    let role = who.role();
    let dept_d = who.dept().unwrap_or(D::A);
    let my_org = match who {
        Who::Customer1(d) => w.dept(d).org1.to_string(),
        Who::Customer2(d) => w.dept(d).org2.to_string(),
        _ => String::new(),
    };
    let record = match target {
        Target::Record(d) if op.path.contains("{id}") => record_id(op, w.dept(d)),
        _ => String::new(),
    };
    match (op.method, op.path) {
        ("get", "/v1/health") => need(body == "ok", format!("health said {body}")),
        ("get", "/v1/ready") => need(body["status"] == "ready", format!("ready said {body}")),
        ("get", "/v1/openapi.json") => need(body["openapi"] == "3.1.0", "not the document".into()),
        ("post", "/v1/auth/login" | "/v1/auth/refresh") => {
            let account = me.unwrap_or(&w.a.o1);
            need(
                body["user"]["id"] == account.id.to_string(),
                format!("tokens for another user: {}", body["user"]),
            );
        }
        ("get", "/v1/me") => {
            need(
                body["user"]["id"] == me_id && body["user"]["department_id"] == dept_id,
                format!("me is someone else: {}", body["user"]),
            );
            if role == Some(Role::Officer) {
                need(
                    body["profile"]["id"] == me_id,
                    "another officer's profile".into(),
                );
            } else {
                need(
                    body["profile"].is_null(),
                    "a profile for a non-officer".into(),
                );
            }
        }
        ("get", "/v1/devices") => {
            let mine = db_set(app, "SELECT id FROM devices WHERE user_id = $1", &[&me_id]).await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(
                got == mine,
                format!("devices {got:?}, own devices {mine:?}"),
            );
        }
        ("get", "/v1/jobs") => {
            let got = strs(body, "id");
            let depts = strs(body, "department_id");
            need(
                depts.iter().all(|d| *d == dept_id),
                format!("jobs of another department: {depts:?}"),
            );
            if role == Some(Role::Customer) {
                let mine =
                    db_set(app, "SELECT id FROM jobs WHERE customer_id = $1", &[&me_id]).await;
                let extra = subset(&got, &mine);
                need(
                    extra.is_empty(),
                    format!("customer sees others' jobs {extra:?}"),
                );
                if let Who::Customer1(d) = who {
                    need(
                        got.contains(&w.dept(d).j_cust),
                        "customer does not see their own job".into(),
                    );
                }
            } else {
                let own = db_set(
                    app,
                    "SELECT id FROM jobs WHERE department_id = $1",
                    &[&dept_id],
                )
                .await;
                let extra = subset(&got, &own);
                need(
                    extra.is_empty(),
                    format!("jobs outside the department {extra:?}"),
                );
                need(
                    got.contains(&dept.unwrap().j_open),
                    "the department's board is missing its open job".into(),
                );
            }
        }
        ("post", "/v1/jobs") => need(
            body["department_id"] == dept_id,
            format!("job created in {}", body["department_id"]),
        ),
        ("patch", "/v1/jobs/{id}") => need(
            body["job"]["id"] == record && body["job"]["department_id"] == dept_id,
            format!(
                "edited job {} of {}",
                body["job"]["id"], body["job"]["department_id"]
            ),
        ),
        ("get", "/v1/jobs/{id}") | ("post", "/v1/jobs/{id}/cancel") => need(
            body["id"] == record && body["department_id"] == dept_id,
            format!("wrong job {} of {}", body["id"], body["department_id"]),
        ),
        ("post", "/v1/jobs/{id}/award") => {
            let officers = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1 AND role = 'officer'",
                &[&dept_id],
            )
            .await;
            let awarded: Vec<String> = body["awarded"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            need(
                body["job_id"] == record,
                format!("award of {}", body["job_id"]),
            );
            let extra = subset(&awarded, &officers);
            need(extra.is_empty(), format!("awarded outsiders {extra:?}"));
        }
        ("get", "/v1/jobs/{id}/roster") => {
            let officers = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            let rows = db_set(
                app,
                "SELECT id FROM assignments WHERE job_id = $1",
                &[&record],
            )
            .await;
            let who_ = strs(body, "officer_id");
            need(!who_.is_empty(), "empty roster for a worked job".into());
            let extra = subset(&who_, &officers);
            need(
                extra.is_empty(),
                format!("roster lists outsiders {extra:?}"),
            );
            let extra = subset(&strs(body, "assignment_id"), &rows);
            need(
                extra.is_empty(),
                format!("roster lists other jobs' rows {extra:?}"),
            );
        }
        ("post", "/v1/actions") => {
            let t = body["outcomes"][0]["outcome"]["type"]
                .as_str()
                .unwrap_or("");
            need(
                matches!(t, "awarded" | "waitlisted" | "requested"),
                format!("claim of the own board refused: {body}"),
            );
        }
        ("get", "/v1/sync") => {
            let depts = strs(&body["jobs"], "department_id");
            need(
                depts.iter().all(|d| *d == dept_id),
                format!("sync jobs of {depts:?}"),
            );
            for key in ["assignments", "timecards"] {
                let owners = strs(&body[key], "officer_id");
                need(
                    owners.iter().all(|o| *o == me_id),
                    format!("sync {key} of other officers {owners:?}"),
                );
            }
            if !body["profile"].is_null() {
                need(
                    body["profile"]["id"] == me_id,
                    "sync profile of someone else".into(),
                );
            }
            if !body["rules"].is_null() {
                need(
                    body["rules"]["department_id"] == dept_id,
                    "sync rules of another department".into(),
                );
            }
            if !body["preferences"].is_null() {
                let stored = stored_prefs(app, &me_id).await;
                need(
                    body["preferences"] == stored,
                    format!(
                        "sync preferences {}, the caller's are {stored}",
                        body["preferences"]
                    ),
                );
            }
            if let Who::Officer1(d) = who {
                need(
                    strs(&body["timecards"], "id").contains(&w.dept(d).t_approve),
                    "sync lacks the officer's own timecard".into(),
                );
            }
        }
        ("get", "/v1/timecards" | "/v1/earnings") => {
            let (rows, key) = if op.path == "/v1/timecards" {
                (body.clone(), "id")
            } else {
                (body["lines"].clone(), "timecard_id")
            };
            let got: BTreeSet<String> = strs(&rows, key).into_iter().collect();
            let subject = match (role, target) {
                (Some(Role::Officer), _) => Some(me_id.clone()),
                (_, Target::OfficerFilter(d)) => Some(w.dept(d).o1.id.to_string()),
                _ => None,
            };
            let visible = match &subject {
                Some(o) => {
                    db_set(
                        app,
                        "SELECT id FROM timecards WHERE department_id = $1 AND officer_id = $2",
                        &[&dept_id, o],
                    )
                    .await
                }
                None => {
                    db_set(
                        app,
                        "SELECT id FROM timecards WHERE department_id = $1",
                        &[&dept_id],
                    )
                    .await
                }
            };
            need(
                got == visible,
                format!("{} rows {got:?}, visible {visible:?}", op.path),
            );
            if op.path == "/v1/earnings" {
                need(
                    body["totals"]["shifts"].as_u64() == Some(got.len() as u64),
                    format!("totals count other shifts: {}", body["totals"]),
                );
            }
        }
        (
            "post",
            "/v1/timecards/{id}/approve" | "/v1/timecards/{id}/paid" | "/v1/timecards/{id}/reject",
        ) => need(
            body["id"] == record,
            format!("changed timecard {}", body["id"]),
        ),
        ("get", "/v1/officers") => {
            let officers = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1 AND role = 'officer'",
                &[&dept_id],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(
                got == officers,
                format!("officers {got:?}, department's {officers:?}"),
            );
        }
        ("get", "/v1/directory") => {
            let officers = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1 AND role = 'officer'",
                &[&dept_id],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            let extra: Vec<&String> = got.difference(&officers).collect();
            need(
                extra.is_empty(),
                format!("directory lists outsiders {extra:?}"),
            );
            let d = dept.unwrap();
            need(
                got.contains(&d.o1.id.to_string()) && got.contains(&d.o2.id.to_string()),
                format!("directory misses the department's officers: {got:?}"),
            );
            let fields: BTreeSet<String> = body
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_object())
                .flat_map(|o| o.keys().cloned())
                .collect();
            need(
                fields
                    .iter()
                    .all(|k| ["id", "display_name", "badge", "rank"].contains(&k.as_str())),
                format!("directory shows more than name, badge and rank: {fields:?}"),
            );
        }
        ("post", "/v1/duty-blocks") => need(body["imported"] == 1, format!("import {body}")),
        ("get", "/v1/department") => {
            let own = &dept.unwrap().settings;
            need(
                body["rules"] == own["rules"],
                format!("rules of another department: {}", body["rules"]),
            );
            if role == Some(Role::Coordinator) {
                need(
                    body["pay"] == own["pay"],
                    "pay policy of another department".into(),
                );
            } else {
                need(
                    body.get("pay").is_none(),
                    "pay policy shown to a non-coordinator".into(),
                );
            }
        }
        ("put", "/v1/department") => need(
            body["rules"]["department_id"] == dept_id,
            format!("updated {}", body["rules"]["department_id"]),
        ),
        ("get", "/v1/notifications") => {
            let mine = db_set(
                app,
                "SELECT id FROM notifications WHERE user_id = $1",
                &[&me_id],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(got == mine, format!("notifications {got:?}, own {mine:?}"));
        }
        ("get", "/v1/audit") => {
            let own = db_set(
                app,
                "SELECT hash FROM audit_log WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            let got = strs(body, "hash");
            need(!got.is_empty(), "empty audit log".into());
            let extra = subset(&got, &own);
            need(
                extra.is_empty(),
                format!("audit entries of another department {extra:?}"),
            );
        }
        ("get", "/v1/audit/verify") => {
            let own = db_set(
                app,
                "SELECT hash FROM audit_log WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            need(
                body["first_bad_seq"].is_null(),
                format!("chain broken: {body}"),
            );
            need(
                body["entries"].as_u64() == Some(own.len() as u64),
                format!(
                    "verified {} entries, department has {}",
                    body["entries"],
                    own.len()
                ),
            );
        }
        ("get" | "put", "/v1/preferences") => {
            let stored = stored_prefs(app, &me_id).await;
            need(
                *body == stored,
                format!("preferences {body}, the caller's are {stored}"),
            );
            if op.method == "put" {
                need(
                    body["quiet_hours"] == prefs_body()["quiet_hours"],
                    format!("stored something else: {body}"),
                );
            }
        }
        ("put", "/v1/devices/{id}/push-token") => {
            let kept = db_set(
                app,
                "SELECT token FROM device_push_tokens WHERE device_id = $1",
                &[&record],
            )
            .await;
            need(
                body["device_id"] == record
                    && body["token"].as_str().is_some_and(|t| kept.contains(t)),
                format!("push token of {}, kept {kept:?}", body["device_id"]),
            );
        }
        ("delete", "/v1/devices/{id}/push-token") => {
            let kept = db_set(
                app,
                "SELECT token FROM device_push_tokens WHERE device_id = $1",
                &[&record],
            )
            .await;
            need(kept.is_empty(), format!("push token still kept: {kept:?}"));
        }
        ("get", "/v1/users") => {
            let users = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(
                got == users,
                format!("accounts {got:?}, department's {users:?}"),
            );
        }
        ("post", "/v1/officers") => need(
            body["account"]["department_id"] == dept_id,
            format!("officer created in {}", body["account"]["department_id"]),
        ),
        ("post", "/v1/officers/import") => {
            let users = db_set(
                app,
                "SELECT id FROM users WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            let created = strs(&body["created"], "id");
            need(created.len() == 1, format!("import created {created:?}"));
            let extra = subset(&created, &users);
            need(
                extra.is_empty(),
                format!("imported outside the department {extra:?}"),
            );
            let listed = subset(&strs(&body["not_in_roster"], "id"), &users);
            need(
                listed.is_empty(),
                format!("import lists other departments' officers {listed:?}"),
            );
        }
        (
            "post",
            "/v1/users/{id}/disable" | "/v1/users/{id}/enable" | "/v1/users/{id}/reset-password",
        )
        | ("put", "/v1/users/{id}/role") => {
            let id = if op.path.ends_with("reset-password") {
                &body["user_id"]
            } else {
                &body["account"]["id"]
            };
            need(*id == record, format!("changed account {id}"));
        }
        (
            "post",
            "/v1/auth/logout"
            | "/v1/auth/reset-password"
            | "/v1/devices"
            | "/v1/devices/{id}/revoke",
        ) => {}
        ("get", "/v1/organization") => need(
            body["id"] == my_org && body["department_id"] == dept_id,
            format!("organization {} of {}", body["id"], body["department_id"]),
        ),
        ("get", "/v1/sites") => {
            let own = db_set(
                app,
                "SELECT id FROM sites WHERE organization_id = $1",
                &[&my_org],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(
                got == own,
                format!("sites {got:?}, the organization's {own:?}"),
            );
        }
        ("post", "/v1/sites") => need(
            body["organization_id"] == my_org,
            format!("site added to {}", body["organization_id"]),
        ),
        ("post", "/v1/event-requests/estimate") => {
            let fee = &dept.unwrap().rate_card["admin_fee_cents_per_hour"];
            let admin: Vec<&Value> = body["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|l| l["kind"] == "admin_fee")
                .collect();
            need(
                !admin.is_empty() && admin.iter().all(|l| l["rate_cents"] == *fee),
                format!("estimate not at the department's fee {fee}: {body}"),
            );
        }
        ("get", "/v1/event-requests") => {
            let (sql, key): (&'static str, &str) = if role == Some(Role::Customer) {
                (
                    "SELECT id FROM event_requests WHERE organization_id = $1",
                    &my_org,
                )
            } else {
                (
                    "SELECT id FROM event_requests WHERE department_id = $1",
                    &dept_id,
                )
            };
            let own = db_set(app, sql, &[key]).await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(got == own, format!("requests {got:?}, visible {own:?}"));
            if who == Who::Customer2(dept_d) {
                need(
                    !got.contains(&dept.unwrap().r_view.to_string()),
                    "another organization's request listed".into(),
                );
            } else {
                need(
                    got.contains(&dept.unwrap().r_view.to_string()),
                    "the fixture request is not listed".into(),
                );
            }
        }
        ("post", "/v1/event-requests") => need(
            body["organization_id"] == my_org && body["status"] == "submitted",
            format!(
                "request of {} ({})",
                body["organization_id"], body["status"]
            ),
        ),
        ("get" | "put", "/v1/event-requests/{id}")
        | ("post", "/v1/event-requests/{id}/changes" | "/v1/event-requests/{id}/reject") => {
            let org = dept.unwrap().org1.to_string();
            let status = match op.path {
                "/v1/event-requests/{id}/changes" => "changes_requested",
                "/v1/event-requests/{id}/reject" => "rejected",
                _ => "submitted",
            };
            need(
                body["id"] == record && body["organization_id"] == org && body["status"] == status,
                format!(
                    "request {} of {} ({})",
                    body["id"], body["organization_id"], body["status"]
                ),
            );
        }
        ("get", "/v1/event-requests/{id}/cancellation") => need(
            body["total_cents"] == 0,
            format!("cancelling a submitted request costs {body}"),
        ),
        ("post", "/v1/event-requests/{id}/cancel") => need(
            body["request"]["id"] == record
                && body["request"]["status"] == "cancelled"
                && body["fee"]["total_cents"] == 0,
            format!("cancelled {}", body["request"]),
        ),
        ("post", "/v1/event-requests/{id}/approve") => {
            let jobs = body["jobs"].as_array().cloned().unwrap_or_default();
            need(
                body["request"]["id"] == record && body["request"]["status"] == "approved",
                format!("approved {}", body["request"]),
            );
            need(
                jobs.len() == 1
                    && jobs.iter().all(|j| {
                        j["department_id"] == dept_id && j["rate_cents"] == 6100 && j["slots"] == 1
                    }),
                format!("posted jobs {jobs:?}"),
            );
        }
        ("get", "/v1/organizations") => {
            let own = db_set(
                app,
                "SELECT id FROM organizations WHERE department_id = $1",
                &[&dept_id],
            )
            .await;
            let got: BTreeSet<String> = strs(body, "id").into_iter().collect();
            need(
                got == own,
                format!("organizations {got:?}, department's {own:?}"),
            );
        }
        ("put", "/v1/organizations/{id}/terms") => need(
            body["id"] == record && body["department_id"] == dept_id && body["terms"] == "invoice",
            format!("terms of {} of {}", body["id"], body["department_id"]),
        ),
        ("get" | "put", "/v1/rate-card") => need(
            *body == dept.unwrap().rate_card,
            format!(
                "rate card {body}, the department's {}",
                dept.unwrap().rate_card
            ),
        ),
        ("get", "/v1/me/payout-account") => need(
            body["status"] == "not_needed",
            format!("payout account {body} of a payroll department"),
        ),
        ("get", "/v1/me/history.pdf") => {
            // The caller's own history: a PDF under the caller's department, listing only the
            // caller's shifts (the officer column) — never the other department's.
            let text = body.as_str().unwrap_or("");
            need(text.starts_with("%PDF-"), "not a PDF".into());
            let mine = db_set(
                app,
                "SELECT name FROM departments WHERE id = $1",
                &[&dept_id],
            )
            .await;
            let others = db_set(
                app,
                "SELECT name FROM departments WHERE id <> $1",
                &[&dept_id],
            )
            .await;
            need(
                mine.iter().all(|n| text.contains(n.as_str())),
                format!("the history does not name {mine:?}"),
            );
            need(
                others.iter().all(|n| !text.contains(&format!("({n} - "))),
                "another department's history".into(),
            );
            let colleagues = db_set(
                app,
                "SELECT display_name FROM users WHERE department_id = $1 AND role = 'officer' \
                 AND id <> $2",
                &[&dept_id, &me_id],
            )
            .await;
            need(
                colleagues
                    .iter()
                    .all(|n| !text.contains(&format!("| {n} |"))),
                "another officer's shifts in the history".into(),
            );
        }
        ("put", "/v1/timecards/{id}/rating" | "/v1/me/timecards/{id}/site-rating") => need(
            body["timecard_id"] == record,
            format!("rated {}, asked {record}", body["timecard_id"]),
        ),
        ("get", "/v1/me/reliability") => {
            // The caller's own figures: never more ratings than the caller's own in the store.
            let mine = db_set(
                app,
                "SELECT timecard_id FROM officer_ratings WHERE officer_id = $1",
                &[&me_id],
            )
            .await;
            let n = body["reliability"]["ratings"].as_u64().unwrap_or(u64::MAX);
            need(
                n as usize <= mine.len(),
                format!("{n} ratings reported, {} of the caller's", mine.len()),
            );
        }
        (m, p) => need(false, format!("no scope check for {m} {p}")),
    }
    bad
}

// ---------------------------------------------------------------------------------------------
// Running cells.

#[derive(Default)]
struct Tally {
    cells: usize,
    allowed: usize,
    by_status: BTreeMap<u16, usize>,
    rejected: usize,
    probes: usize,
    failures: Vec<String>,
    /// Every 403 seen: (caller, caller's department, `METHOD /path`).
    forbidden: Vec<(Uuid, D, String)>,
}

struct Cell<'o> {
    op: &'o Op,
    who: Who,
    target: Target,
    expect: Expect,
}

fn all_cells() -> Vec<Cell<'static>> {
    let mut cells = Vec::new();
    for op in OPERATIONS {
        let Some(ts) = targets(op) else {
            panic!(
                "{} {} has no authorization-matrix entry",
                op.method, op.path
            );
        };
        for &target in &ts {
            for &who in &CALLERS {
                cells.push(Cell {
                    op,
                    who,
                    target,
                    expect: expect(op, who, target),
                });
            }
        }
    }
    cells
}

async fn run_cell(app: &TestApp, w: &World, cell: &Cell<'_>, tally: &mut Tally) {
    let Cell {
        op,
        who,
        target,
        expect,
    } = *cell;
    let req = request(app, w, op, who, target).await;
    let (status, body) = match &req.csv {
        Some(csv) => post_csv(app, &req.uri, w.actor(who), csv).await,
        None => {
            app.call(
                req.method.clone(),
                &req.uri,
                w.actor(who),
                req.body.as_ref(),
            )
            .await
        }
    };
    let label = format!(
        "{who} → {} {} [{target:?}]",
        op.method.to_uppercase(),
        req.uri
    );
    tally.cells += 1;
    *tally.by_status.entry(status.as_u16()).or_default() += 1;
    if status == StatusCode::FORBIDDEN
        && let (Some(a), Some(d)) = (w.actor(who), who.dept())
    {
        tally.forbidden.push((a.id, d, req.route()));
    }
    match expect {
        Expect::Refused(code) => {
            if status.as_u16() != code {
                tally
                    .failures
                    .push(format!("{label}: expected {code}, got {status}: {body}"));
            } else if body["status"] != code {
                tally
                    .failures
                    .push(format!("{label}: {code} without a problem body: {body}"));
            }
        }
        Expect::Rejected(code) => {
            tally.rejected += 1;
            let outcome = &body["outcomes"][0]["outcome"];
            if status != StatusCode::OK || outcome["type"] != "rejected" || outcome["code"] != code
            {
                tally.failures.push(format!(
                    "{label}: expected a `{code}` rejection, got {status}: {body}"
                ));
            }
        }
        Expect::Ok(code) => {
            tally.allowed += 1;
            if status.as_u16() != code {
                tally
                    .failures
                    .push(format!("{label}: expected {code}, got {status}: {body}"));
            } else {
                for problem in check_scope(app, w, op, who, target, &body).await {
                    tally.failures.push(format!("{label}: {problem}"));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-department probes beyond the generated cells.

async fn expect_rejection(
    app: &TestApp,
    officer: &Actor,
    action: Value,
    code: &str,
    what: &str,
    tally: &mut Tally,
) {
    tally.probes += 1;
    let out = app.act(officer, action).await;
    if out["type"] != "rejected" || out["code"] != code {
        tally
            .failures
            .push(format!("probe {what}: expected `{code}`, got {out}"));
    }
}

async fn probes(app: &TestApp, w: &mut World, tally: &mut Tally) {
    for me_d in [D::A, D::B] {
        let other_d = me_d.other();
        let (me, other) = (w.dept(me_d), w.dept(other_d));
        let tag = format!("{me_d:?}→{other_d:?}");
        let o1 = me.o1.clone();
        // A withdraw from a foreign job; then the foreign officer sends the very same envelope
        // (same idempotency key and payload): keys are per user, so they must get their own
        // decision, never a replay of this officer's stored outcome.
        tally.probes += 1;
        let batch =
            json!({"actions": [envelope(json!({"type": "withdraw", "job_id": other.j_open}))]});
        let (s, mine) = app.post("/v1/actions", &o1, &batch).await;
        let out = &mine["outcomes"][0]["outcome"];
        if s != StatusCode::OK || out["type"] != "rejected" || out["code"] != "job_not_found" {
            tally.failures.push(format!(
                "probe {tag} withdraw from a foreign job: {s} {mine}"
            ));
        }
        tally.probes += 1;
        let (s, theirs) = app.post("/v1/actions", &other.o1, &batch).await;
        if s != StatusCode::OK || theirs["outcomes"][0]["replayed"] != false {
            tally.failures.push(format!(
                "probe {tag} another officer's idempotency key replays their outcome: {s} {theirs}"
            ));
        }
        // Slots go only to officers: not to the coordinator or a customer.
        for (to, what) in [(&me.coord, "coordinator"), (&me.cust1, "customer")] {
            expect_rejection(
                app,
                &o1,
                json!({"type": "transfer", "job_id": me.j_hold, "to_officer_id": to.id}),
                "transfer_target_invalid",
                &format!("{tag} transfer my slot to the {what}"),
                tally,
            )
            .await;
        }
        expect_rejection(
            app,
            &o1,
            json!({"type": "cancel", "job_id": other.j_hold, "reason": "x"}),
            "job_not_found",
            &format!("{tag} cancel a foreign officer's slot"),
            tally,
        )
        .await;
        expect_rejection(
            app,
            &o1,
            json!({"type": "transfer", "job_id": other.j_hold, "to_officer_id": o1.id}),
            "job_not_found",
            &format!("{tag} transfer a foreign slot to myself"),
            tally,
        )
        .await;
        expect_rejection(
            app,
            &o1,
            json!({"type": "transfer", "job_id": me.j_hold, "to_officer_id": other.o1.id}),
            "transfer_target_invalid",
            &format!("{tag} transfer my slot to a foreign officer"),
            tally,
        )
        .await;
        // A foreign device, signed with my key, for me: not my device.
        let mut forged = TestDevice {
            id: other.dev1.id,
            key: me.dev1.key.clone(),
            seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            boot_id: "boot-1".into(),
        };
        let foreign_job = other.j_work1.clone();
        let ev = forged.punch(
            &o1,
            &me.j_work1,
            PunchKind::In,
            Utc::now(),
            STADIUM.0,
            STADIUM.1,
            8.0,
        );
        expect_rejection(
            app,
            &o1,
            punch_action(PunchKind::In, &ev),
            "unknown_device",
            &format!("{tag} clock in with a foreign device"),
            tally,
        )
        .await;
        // My own device, naming a foreign job.
        for kind in [PunchKind::In, PunchKind::Out] {
            let now = Utc::now();
            let ev = w.dept_mut(me_d).dev1.punch(
                &o1,
                &foreign_job,
                kind,
                now,
                STADIUM.0,
                STADIUM.1,
                8.0,
            );
            expect_rejection(
                app,
                &o1,
                punch_action(kind, &ev),
                "job_not_found",
                &format!("{tag} {kind:?} on a foreign job"),
                tally,
            )
            .await;
        }
        let (me, other) = (w.dept(me_d), w.dept(other_d));
        // Officers never read a colleague's pay.
        for path in ["/v1/timecards", "/v1/earnings"] {
            tally.probes += 1;
            let uri = format!("{path}?officer_id={}", me.o2.id);
            let (s, body) = app.get(&uri, &me.o1).await;
            if s == StatusCode::FORBIDDEN {
                tally
                    .forbidden
                    .push((me.o1.id, me_d, format!("GET {path}")));
            } else {
                tally
                    .failures
                    .push(format!("probe {tag} officer 1 reads {uri}: {s} {body}"));
            }
        }
        // A coordinator cannot link another department's customer or officer.
        tally.probes += 1;
        let mut job = job_body(Utc::now() + Duration::days(14), 1);
        job["customer_id"] = json!(other.cust1.id);
        let (s, p) = app.post("/v1/jobs", &me.coord, &job).await;
        if (s, p["field"].as_str()) != (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id")) {
            tally
                .failures
                .push(format!("probe {tag} job for a foreign customer: {s} {p}"));
        }
        tally.probes += 1;
        let start = Utc::now() + Duration::days(21);
        let (s, p) = app
            .post(
                "/v1/duty-blocks",
                &me.coord,
                &json!({"source": "CAD", "blocks": [{"officer_id": other.o1.id,
                    "starts_at": start, "ends_at": start + Duration::hours(8)}]}),
            )
            .await;
        if (s, p["field"].as_str())
            != (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("blocks[0].officer_id"),
            )
        {
            tally.failures.push(format!(
                "probe {tag} duty hours for a foreign officer: {s} {p}"
            ));
        }
        // A coordinator cannot take over another department's account by its e-mail, one at a
        // time or through a roster.
        tally.probes += 1;
        let (s, p) = app
            .post(
                "/v1/officers",
                &me.coord,
                &json!({"email": other.o1.email, "display_name": "Taken", "badge": "T1"}),
            )
            .await;
        if (s, p["field"].as_str()) != (StatusCode::CONFLICT, Some("email")) {
            tally.failures.push(format!(
                "probe {tag} officer with a foreign e-mail: {s} {p}"
            ));
        }
        tally.probes += 1;
        let csv = format!("email,name,badge\n{},Taken,T2\n", other.o1.email);
        let (s, p) = post_csv(app, "/v1/officers/import", Some(&me.coord), &csv).await;
        if (s, p["field"].as_str()) != (StatusCode::UNPROCESSABLE_ENTITY, Some("rows[2].email")) {
            tally
                .failures
                .push(format!("probe {tag} roster with a foreign e-mail: {s} {p}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Department snapshots.

async fn snapshot(app: &TestApp, d: &Dept) -> Value {
    let c = &d.coord;
    let (s, jobs) = app.get(ALL_JOBS, c).await;
    assert_eq!(s, StatusCode::OK, "{jobs}");
    let mut rosters = serde_json::Map::new();
    for id in strs(&jobs, "id") {
        let (_, r) = app.get(&format!("/v1/jobs/{id}/roster"), c).await;
        rosters.insert(id, r);
    }
    let (_, timecards) = app.get("/v1/timecards", c).await;
    let (_, officers) = app.get("/v1/officers", c).await;
    let (_, department) = app.get("/v1/department", c).await;
    let (s, audit) = app.get("/v1/audit?limit=5000", c).await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    // Denials and refused actions are appended by design (each department logs its own
    // callers' 403s and refusals).
    let audit: Vec<Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] != "denied" && e["action"] != "action_refused")
        .cloned()
        .collect();
    let (_, verify) = app.get("/v1/audit/verify", c).await;
    let dept = d.id.to_string();
    let rows = sqlx::query(
        "SELECT id, user_id, revoked_us FROM devices WHERE department_id = $1 ORDER BY id",
    )
    .bind(dept.clone())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let devices: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!([
                r.try_get::<String, _>("id").unwrap(),
                r.try_get::<String, _>("user_id").unwrap(),
                r.try_get::<Option<i64>, _>("revoked_us").unwrap(),
            ])
        })
        .collect();
    let notifications = db_set(
        app,
        "SELECT id FROM notifications WHERE department_id = $1",
        &[&dept],
    )
    .await;
    let push_tokens = db_set(
        app,
        "SELECT t.device_id || ' ' || t.platform || ' ' || t.token FROM device_push_tokens t \
         JOIN devices d ON d.id = t.device_id WHERE d.department_id = $1",
        &[&dept],
    )
    .await;
    let duty = db_set(
        app,
        "SELECT id FROM duty_blocks WHERE department_id = $1",
        &[&dept],
    )
    .await;
    let events = db_set(
        app,
        "SELECT id FROM clock_events WHERE department_id = $1",
        &[&dept],
    )
    .await;
    let assignments = db_set(
        app,
        "SELECT id FROM assignments WHERE department_id = $1",
        &[&dept],
    )
    .await;
    let prefs: Vec<String> =
        sqlx::query("SELECT id, prefs_json FROM users WHERE department_id = $1 ORDER BY id")
            .bind(dept)
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.try_get::<String, _>(0).unwrap(),
                    r.try_get::<String, _>(1).unwrap()
                )
            })
            .collect();
    let accounts: Vec<String> = sqlx::query(
        "SELECT id, role, disabled, session_epoch, password_hash, email, badge FROM users \
         WHERE department_id = $1 ORDER BY id",
    )
    .bind(d.id.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{} {} {} {} {} {} {}",
            r.try_get::<String, _>(0).unwrap(),
            r.try_get::<String, _>(1).unwrap(),
            r.try_get::<i64, _>(2).unwrap(),
            r.try_get::<i64, _>(3).unwrap(),
            r.try_get::<String, _>(4).unwrap(),
            r.try_get::<String, _>(5).unwrap(),
            r.try_get::<String, _>(6).unwrap(),
        )
    })
    .collect();
    let requests = db_set(
        app,
        "SELECT id || ' ' || status || ' ' || CAST(version AS TEXT) FROM event_requests WHERE department_id = $1",
        &[&d.id.to_string()],
    )
    .await;
    let organizations = db_set(
        app,
        "SELECT id || ' ' || terms FROM organizations WHERE department_id = $1",
        &[&d.id.to_string()],
    )
    .await;
    let sites = db_set(
        app,
        "SELECT id FROM sites WHERE department_id = $1",
        &[&d.id.to_string()],
    )
    .await;
    let (_, card) = app.get("/v1/rate-card", c).await;
    json!({
        "event_requests": requests, "organizations": organizations, "sites": sites,
        "rate_card": card,
        "accounts": accounts,
        "jobs": jobs, "rosters": rosters, "timecards": timecards, "officers": officers,
        "department": department, "audit": audit, "chain_ok": verify["first_bad_seq"].is_null(),
        "devices": devices, "notifications": notifications, "push_tokens": push_tokens, "duty_blocks": duty,
        "clock_events": events, "assignments": assignments, "preferences": prefs,
    })
}

fn compare(before: &Value, after: &Value, what: &str, tally: &mut Tally) {
    if after["chain_ok"] != true {
        tally
            .failures
            .push(format!("{what}: audit chain no longer verifies"));
    }
    for (key, b) in before.as_object().unwrap() {
        if after[key] != *b {
            tally.failures.push(format!(
                "{what}: `{key}` changed\n  before: {b}\n  after:  {}",
                after[key]
            ));
        }
    }
}

/// Every 403 has its `denied` entry in the caller's department's audit log, and no department
/// holds denials of another department's users.
async fn check_denials_logged(app: &TestApp, w: &World, tally: &mut Tally) {
    let mut logged: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in [D::A, D::B] {
        let dept = w.dept(d);
        let users = db_set(
            app,
            "SELECT id FROM users WHERE department_id = $1",
            &[&dept.id.to_string()],
        )
        .await;
        let (_, log) = app.get("/v1/audit?limit=5000", &dept.coord).await;
        for e in log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "denied")
        {
            let actor = e["actor_id"].as_str().unwrap_or("").to_string();
            if !users.contains(&actor) {
                tally.failures.push(format!(
                    "department {d:?}'s audit holds a foreign denial: {e}"
                ));
            }
            let route = e["entity_id"].as_str().unwrap_or("").to_string();
            *logged.entry((actor, route)).or_default() += 1;
        }
    }
    let mut wanted: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (user, _, route) in &tally.forbidden {
        *wanted.entry((user.to_string(), route.clone())).or_default() += 1;
    }
    for ((user, route), n) in wanted {
        let got = logged
            .get(&(user.clone(), route.clone()))
            .copied()
            .unwrap_or(0);
        if got < n {
            tally.failures.push(format!(
                "403 not audited: {n} × {route} by {user}, {got} `denied` entries"
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

async fn authorization_matrix(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut world = World {
        a: build_dept(&app, "Columbus", 48, 500).await,
        b: build_dept(&app, "Dublin", 96, 700).await,
    };
    let cells = all_cells();
    let mut tally = Tally::default();

    // 1. Every refusal, against records still in the state where the action would succeed.
    let before_a = snapshot(&app, &world.a).await;
    let before_b = snapshot(&app, &world.b).await;
    for cell in cells.iter().filter(|c| !matches!(c.expect, Expect::Ok(_))) {
        run_cell(&app, &world, cell, &mut tally).await;
    }
    probes(&app, &mut world, &mut tally).await;
    compare(
        &before_a,
        &snapshot(&app, &world.a).await,
        "A after every refusal",
        &mut tally,
    );
    compare(
        &before_b,
        &snapshot(&app, &world.b).await,
        "B after every refusal",
        &mut tally,
    );
    check_denials_logged(&app, &world, &mut tally).await;

    // 2. What department A (and anyone anonymous) may do: department B is untouched.
    for cell in cells
        .iter()
        .filter(|c| matches!(c.expect, Expect::Ok(_)) && c.who.dept() != Some(D::B))
    {
        run_cell(&app, &world, cell, &mut tally).await;
    }
    compare(
        &before_b,
        &snapshot(&app, &world.b).await,
        "B after department A's permitted calls",
        &mut tally,
    );

    // 3. What department B may do: department A is untouched.
    let mid_a = snapshot(&app, &world.a).await;
    for cell in cells
        .iter()
        .filter(|c| matches!(c.expect, Expect::Ok(_)) && c.who.dept() == Some(D::B))
    {
        run_cell(&app, &world, cell, &mut tally).await;
    }
    compare(
        &mid_a,
        &snapshot(&app, &world.a).await,
        "A after department B's permitted calls",
        &mut tally,
    );

    eprintln!(
        "authz matrix [{backend:?}]: {} cells (operation × actor × target) checked over {} operations \
         and {} actors: {} permitted, statuses {:?}, {} action rejections; {} extra probes; \
         {} 403s audited; {} failures",
        tally.cells,
        OPERATIONS.len(),
        CALLERS.len(),
        tally.allowed,
        tally.by_status,
        tally.rejected,
        tally.probes,
        tally.forbidden.len(),
        tally.failures.len(),
    );
    assert_eq!(tally.cells, cells.len());
    assert!(tally.cells > 150, "only {} cells", tally.cells);
    assert!(
        tally.failures.is_empty(),
        "{} authorization failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

on_both_backends!(authorization_matrix);

#[test]
fn every_operation_has_a_matrix_entry() {
    let missing: Vec<String> = OPERATIONS
        .iter()
        .filter(|op| targets(op).is_none())
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    assert!(missing.is_empty(), "add these to `targets`: {missing:?}");
    for op in OPERATIONS {
        let ts = targets(op).unwrap();
        if op.path.contains("{id}") {
            assert_eq!(
                ts,
                [Target::Record(D::A), Target::Record(D::B)],
                "{} {} names a record: test it on both departments' records",
                op.method,
                op.path
            );
        }
    }
}

/// Every route the router serves is an operation (so it is in the matrix): read from the
/// router's source, so a route added without an OPERATIONS entry cannot slip past the matrix.
#[test]
fn every_routed_path_is_an_operation() {
    let src = include_str!("../src/app.rs");
    let mut routed = BTreeSet::new();
    for chunk in src.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap();
        let mut depth = 1;
        let mut end = chunk.len();
        for (i, c) in chunk.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        for method in ["get", "post", "put", "patch", "delete", "any"] {
            if chunk[..end].contains(&format!("{method}(routes::")) {
                routed.insert((method.to_string(), format!("/v1{path}")));
            }
        }
    }
    let operations: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.method.to_string(), op.path.to_string()))
        .collect();
    assert!(routed.len() >= 20, "could not read the routes: {routed:?}");
    let unlisted: Vec<_> = routed.difference(&operations).collect();
    assert!(
        unlisted.is_empty(),
        "routed but not in OPERATIONS: {unlisted:?}"
    );
}
