//! Money fixtures for the billing and payroll tests: a department with officers, customer
//! businesses, worked timecards written straight into the tables, and the stored ledger
//! replayed by the domain.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use offduty_domain::ledger::{Entry, Ledger};
use offduty_domain::pay::{PayPolicy, gross_cents};
use offduty_domain::protocol::Role;
use offduty_server::extract::AuthUser;

use super::{Actor, TestApp};

pub fn auth(a: &Actor) -> AuthUser {
    AuthUser {
        user_id: a.id,
        department_id: a.department_id,
        role: a.role,
    }
}

/// A customer business of the department: its organization and one customer account.
pub struct Business {
    pub org: Uuid,
    pub customer: Actor,
}

pub struct World {
    pub dept: Uuid,
    pub coord: Actor,
    pub officers: Vec<Actor>,
}

pub async fn world(app: &TestApp, officers: usize) -> World {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let (dept, coord) = app.department("Columbus PD").await;
    let officers = app.officers(dept, officers).await;
    World {
        dept,
        coord,
        officers,
    }
}

pub async fn business(app: &TestApp, w: &World, name: &str, terms: &str) -> Business {
    let org = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO organizations (id, department_id, name, billing_address, terms, created_us) \
         VALUES ($1, $2, $3, '1 Main St, Columbus, OH', $4, 0)",
    )
    .bind(org.to_string())
    .bind(w.dept.to_string())
    .bind(name)
    .bind(terms)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let email = format!(
        "ap-{}@{}.test",
        Uuid::new_v4().simple(),
        name.to_lowercase()
    );
    let customer = app.user(w.dept, Role::Customer, &email).await;
    sqlx::query("UPDATE users SET organization_id = $1 WHERE id = $2")
        .bind(org.to_string())
        .bind(customer.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    Business { org, customer }
}

/// A worked timecard of `officer` on a job of `b`'s customer, clocked out at `out` after
/// `worked` minutes, in `status`; its pay worked out by the default pay policy.
pub async fn timecard(
    app: &TestApp,
    w: &World,
    b: &Business,
    officer: &Actor,
    out: DateTime<Utc>,
    worked: i64,
    status: &str,
) -> Uuid {
    let job = app
        .job(&w.coord, |j| {
            j["customer_id"] = json!(b.customer.id);
            j["job_type"] = json!("security");
        })
        .await;
    let job_id = job["id"].as_str().unwrap().to_string();
    let rate = job["rate_cents"].as_i64().unwrap();
    let mult = job["multiplier_bp"].as_i64().unwrap();
    let assignment = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO assignments (id, job_id, department_id, officer_id, status, receipt_seq, \
         created_us, updated_us, version) VALUES ($1, $2, $3, $4, 'awarded', 1, 0, 0, 1)",
    )
    .bind(assignment.to_string())
    .bind(job_id.clone())
    .bind(w.dept.to_string())
    .bind(officer.id.to_string())
    .execute(&app.db.pool)
    .await
    .unwrap();
    let billable = PayPolicy::default().billable_minutes(worked);
    let gross = gross_cents(rate, billable, mult as u32);
    let id = Uuid::now_v7();
    let out_us = out.timestamp_micros();
    sqlx::query(
        "INSERT INTO timecards (id, assignment_id, department_id, job_id, officer_id, in_us, \
         out_us, worked_minutes, billable_minutes, rate_cents, multiplier_bp, gross_cents, \
         status, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)",
    )
    .bind(id.to_string())
    .bind(assignment.to_string())
    .bind(w.dept.to_string())
    .bind(job_id)
    .bind(officer.id.to_string())
    .bind(out_us - worked * 60_000_000)
    .bind(out_us)
    .bind(worked)
    .bind(billable)
    .bind(rate)
    .bind(mult)
    .bind(gross)
    .bind(status)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

pub async fn column(app: &TestApp, sql: &str, id: Uuid) -> Option<String> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<Option<String>, _>(0)
        .unwrap()
}

pub async fn review_of(app: &TestApp, id: Uuid) -> Option<String> {
    column(
        app,
        "SELECT customer_review FROM timecards WHERE id = $1",
        id,
    )
    .await
}

/// The department's stored ledger, replayed by the domain.
pub async fn stored_ledger(app: &TestApp, dept: Uuid) -> Ledger {
    let rows =
        sqlx::query("SELECT entry_json FROM ledger_entries WHERE department_id = $1 ORDER BY seq")
            .bind(dept.to_string())
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    let entries: Vec<Entry> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.try_get::<String, _>("entry_json").unwrap()).unwrap())
        .collect();
    let ledger = Ledger::replay(entries).expect("the stored ledger replays");
    let sum: i64 = ledger.balances().values().sum();
    assert_eq!(sum, 0, "balances sum to zero");
    ledger
}

/// Local noon `days` after `anchor` in New York.
pub fn noon(anchor: chrono::NaiveDate, days: i64) -> DateTime<Utc> {
    use chrono::TimeZone;
    chrono_tz::America::New_York
        .from_local_datetime(
            &(anchor + chrono::Duration::days(days))
                .and_time(chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
        )
        .unwrap()
        .to_utc()
}

/// A timecard's status and the payout batch it is in.
pub async fn status_of(app: &TestApp, id: Uuid) -> (String, Option<String>) {
    let r = sqlx::query("SELECT status, payout_batch_id FROM timecards WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (
        r.try_get("status").unwrap(),
        r.try_get("payout_batch_id").unwrap(),
    )
}
