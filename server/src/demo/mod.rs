//! The demo department seeded by `serve --demo`: the Columbus Division of Police (demo), with a
//! coordinator, 200 officers, two customer accounts, four weeks of on-duty shifts and completed
//! details (timecards approved or paid), and about sixty upcoming jobs at real Columbus sites.
//!
//! The content comes from fixed-seed generators (SplitMix64), so it is the same on every machine;
//! times are relative to the moment of seeding (history over the past 28 days, jobs over the
//! next 14), computed as local times in America/New_York and stored as UTC microseconds.
//! Seeding is idempotent: once the department exists, a second call changes nothing.

pub mod affiliates;
pub mod arrival;
mod data;
mod market;
pub mod money;
mod plan;
mod ratings;
mod rng;
mod roster;
mod write;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::eligibility::{Rank, parse_time_zone};
use offduty_domain::pay::PayPolicy;
use offduty_domain::protocol::Role;

use crate::db::rows::RulesJson;
use crate::db::{Db, DbError, get, to_us};
use crate::seed::{NewDepartment, NewUser, create_department, create_user};
use crate::services::audit::{self, AuditEntry};
use crate::services::award::load_department;
use crate::services::schedule::{PROFILE_COLUMNS, profile_from_row};

pub use plan::{BOARD_DAYS, HISTORY_DAYS};
pub use roster::{OFFICERS, officer_email};

/// The demo department's id (fixed, so seeding can tell it is already there).
pub const DEMO_DEPARTMENT_ID: Uuid = Uuid::from_u128(0x0ffd_de30_c01a_4b05_8000_0000_0000_0001);
/// The demo department's name.
pub const DEMO_DEPARTMENT_NAME: &str = "Columbus Division of Police (demo)";
/// The demo department's time zone.
pub const DEMO_TIME_ZONE: &str = "America/New_York";
/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "offduty-demo-2026";
/// The coordinator's e-mail.
pub const COORDINATOR_EMAIL: &str = "coordinator@columbus.demo";
/// The Ohio Stadium customer's e-mail.
pub const STADIUM_EMAIL: &str = "events@ohiostadium.demo";
/// The Easton Town Center customer's e-mail.
pub const EASTON_EMAIL: &str = "security@eastontowncenter.demo";

/// What the seed created (or found).
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// True when this call seeded the department; false when it already existed.
    pub created: bool,
    /// The demo department.
    pub department_id: Uuid,
    /// Officer accounts.
    pub officers: u64,
    /// Jobs starting after the moment of seeding (or of the check, when it already existed).
    pub upcoming_jobs: u64,
    /// Completed details.
    pub past_jobs: u64,
    /// Worked shifts with a timecard.
    pub past_shifts: u64,
    /// On-duty shifts imported.
    pub duty_blocks: u64,
    /// Customers' event requests waiting in the coordinators' approval queue.
    pub requests_waiting: u64,
    /// How long seeding took.
    pub elapsed: StdDuration,
}

impl DemoSummary {
    /// How to sign in, printed at start-up: the department, what is in it, the accounts and
    /// their password, and a curl line to try. `listen` is the address the server binds;
    /// an unspecified address (0.0.0.0, ::) is shown as loopback.
    pub fn banner(&self, listen: SocketAddr) -> String {
        let host = match listen.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv4Addr::LOCALHOST.into(), listen.port())
            }
            IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv6Addr::LOCALHOST.into(), listen.port())
            }
            _ => listen,
        };
        let url = format!("http://{host}");
        let mut b = String::new();
        let _ = writeln!(
            b,
            "──── offduty demo ────────────────────────────────────────────────"
        );
        if self.created {
            let _ = writeln!(
                b,
                "Seeded \"{DEMO_DEPARTMENT_NAME}\" ({DEMO_TIME_ZONE}) in {:.1} s:",
                self.elapsed.as_secs_f64()
            );
        } else {
            let _ = writeln!(
                b,
                "The demo department \"{DEMO_DEPARTMENT_NAME}\" already existed; left as it was:"
            );
        }
        let _ = writeln!(
            b,
            "  {} officers, {} upcoming jobs, {} past details ({} shifts with timecards), {} on-duty shifts",
            self.officers, self.upcoming_jobs, self.past_jobs, self.past_shifts, self.duty_blocks
        );
        let _ = writeln!(
            b,
            "Sign in at {url} — the web console for coordinators, the server address for the \
             apps; every demo account's password is {DEMO_PASSWORD}"
        );
        let _ = writeln!(b, "  coordinator  {COORDINATOR_EMAIL}");
        let _ = writeln!(
            b,
            "  officer      officer001@columbus.demo  (Sgt. Marcus Holloway; officer002 … officer200 too)"
        );
        let _ = writeln!(
            b,
            "  customers    {STADIUM_EMAIL} (Ohio State Athletics), {EASTON_EMAIL} (Easton Town Center)"
        );
        let _ = writeln!(
            b,
            "  {} customer requests wait in the approval queue ({url}/console/approvals)",
            self.requests_waiting
        );
        let _ = writeln!(b, "Try:");
        let _ = write!(
            b,
            "  curl -s {url}/v1/auth/login -H 'content-type: application/json' \
             -d '{{\"email\":\"officer001@columbus.demo\",\"password\":\"{DEMO_PASSWORD}\"}}'"
        );
        b
    }
}

/// Seeds the demo department if it is absent and returns what it holds.
///
/// Idempotent: when the department is already fully seeded nothing is written and
/// `created` is false. The department and users go in first (through [`crate::seed`]); the
/// schedules, jobs, claims, timecards and change log then go in one write transaction, whose
/// commit marks the seed complete (`change_seq > 0`). A seed interrupted before that commit is
/// resumed by the next call.
pub async fn seed(db: &Db) -> Result<DemoSummary, String> {
    let now = Utc::now();
    let summary = seed_at(db, now)
        .await
        .map_err(|e| format!("seeding the demo department: {e}"))?;
    // Ratings go through the services, once the shifts they rate exist (decision 046).
    ratings::seed_ratings(db, now).await?;
    Ok(summary)
}

#[derive(Debug, thiserror::Error)]
enum SeedError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Other(String),
}

impl From<sqlx::Error> for SeedError {
    fn from(e: sqlx::Error) -> Self {
        SeedError::Db(DbError::from(e))
    }
}

async fn change_seq(db: &Db) -> Result<Option<i64>, SeedError> {
    let row = sqlx::query("SELECT change_seq FROM departments WHERE id = $1")
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| get::<i64>(&r, "change_seq")).transpose()?)
}

async fn seed_at(db: &Db, now: DateTime<Utc>) -> Result<DemoSummary, SeedError> {
    let started = Instant::now();
    let tz = parse_time_zone(DEMO_TIME_ZONE).map_err(|e| SeedError::Other(e.to_string()))?;
    match change_seq(db).await? {
        Some(seq) if seq > 0 => return existing(db, now, started).await,
        Some(_) => {
            tracing::warn!("the demo department's seeding did not finish last time; resuming")
        }
        None => {
            let today = now.with_timezone(&tz).date_naive();
            let holidays = roster::us_holidays(
                roster::shift_date(today, -HISTORY_DAYS),
                roster::shift_date(today, 365),
            );
            create_department(
                db,
                &NewDepartment {
                    id: DEMO_DEPARTMENT_ID,
                    name: DEMO_DEPARTMENT_NAME.to_string(),
                    time_zone: DEMO_TIME_ZONE.to_string(),
                    currency: "USD".to_string(),
                    rules: RulesJson::default(),
                    pay: PayPolicy {
                        holidays: holidays.iter().map(|(d, _)| *d).collect(),
                        ..PayPolicy::default()
                    },
                },
            )
            .await?;
        }
    }
    let users = ensure_users(db, now, tz).await?;

    let mut tx = db.write().await?;
    let dept = load_department(tx.conn(), DEMO_DEPARTMENT_ID)
        .await?
        .ok_or_else(|| SeedError::Other("the demo department vanished".to_string()))?;
    // Another process may have finished the seed meanwhile (PostgreSQL); the row lock decides.
    let sql = format!(
        "SELECT change_seq FROM departments WHERE id = $1{}",
        db.dialect.for_update()
    );
    let seq: i64 = get(
        &sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
            .bind(DEMO_DEPARTMENT_ID.to_string())
            .fetch_one(&mut *tx.conn())
            .await?,
        "change_seq",
    )?;
    if seq > 0 {
        drop(tx);
        return existing(db, now, started).await;
    }
    let today = now.with_timezone(&dept.tz).date_naive();
    let holidays = roster::us_holidays(today, roster::shift_date(today, BOARD_DAYS))
        .into_iter()
        .filter(|(d, _)| dept.pay.holidays.contains(d))
        .collect::<Vec<_>>();
    let plan = plan::build(&plan::Inputs {
        now,
        tz: dept.tz,
        pay: &dept.pay,
        limits: &dept.rules.limits,
        officers: &users.officers,
        stadium: users.stadium,
        easton: users.easton,
        holidays: &holidays,
    });
    write::write_plan(tx.conn(), &plan, DEMO_DEPARTMENT_ID, users.coordinator).await?;
    let market = market::write_market(
        tx.conn(),
        &dept,
        users.coordinator,
        users.stadium,
        users.easton,
        now,
    )
    .await?;
    audit::append(
        tx.conn(),
        DEMO_DEPARTMENT_ID,
        AuditEntry {
            actor_id: None,
            action: "demo_seeded",
            entity: "department",
            entity_id: DEMO_DEPARTMENT_ID.to_string(),
            detail: serde_json::json!({
                "officers": users.officers.len(),
                "jobs": plan.jobs.len(),
                "assignments": plan.assignments.len(),
                "timecards": plan.timecards.len(),
                "duty_blocks": plan.duty.len(),
                "organizations": market.organizations,
                "requests_waiting": market.waiting,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;

    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(DemoSummary {
        created: true,
        department_id: DEMO_DEPARTMENT_ID,
        officers: count(users.officers.len()),
        upcoming_jobs: count(plan.jobs.iter().filter(|j| j.starts > now).count()),
        past_jobs: count(plan.jobs.iter().filter(|j| j.ends <= now).count()),
        past_shifts: count(plan.timecards.len()),
        duty_blocks: count(plan.duty.len()),
        requests_waiting: market.waiting,
        elapsed: started.elapsed(),
    })
}

/// The summary of a department seeded earlier, counted from the database.
async fn existing(db: &Db, now: DateTime<Utc>, started: Instant) -> Result<DemoSummary, SeedError> {
    let dept = DEMO_DEPARTMENT_ID.to_string();
    let mut counts = BTreeMap::new();
    for (name, sql) in [
        (
            "officers",
            "SELECT COUNT(*) AS n FROM users WHERE department_id = $1 AND role = 'officer'",
        ),
        (
            "upcoming",
            "SELECT COUNT(*) AS n FROM jobs WHERE department_id = $1 AND starts_us > $2",
        ),
        (
            "past",
            "SELECT COUNT(*) AS n FROM jobs WHERE department_id = $1 AND status = 'completed'",
        ),
        (
            "shifts",
            "SELECT COUNT(*) AS n FROM timecards WHERE department_id = $1",
        ),
        (
            "duty",
            "SELECT COUNT(*) AS n FROM duty_blocks WHERE department_id = $1",
        ),
        (
            "waiting",
            "SELECT COUNT(*) AS n FROM event_requests WHERE department_id = $1 \
             AND status = 'submitted'",
        ),
    ] {
        let mut q = sqlx::query(sql).bind(&dept);
        if sql.contains("$2") {
            q = q.bind(to_us(now));
        }
        let row = q.fetch_one(&db.pool).await?;
        counts.insert(name, u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0));
    }
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    Ok(DemoSummary {
        created: false,
        department_id: DEMO_DEPARTMENT_ID,
        officers: n("officers"),
        upcoming_jobs: n("upcoming"),
        past_jobs: n("past"),
        past_shifts: n("shifts"),
        duty_blocks: n("duty"),
        requests_waiting: n("waiting"),
        elapsed: started.elapsed(),
    })
}

/// The demo's accounts, as stored.
struct Users {
    officers: Vec<offduty_domain::protocol::OfficerProfile>,
    coordinator: Uuid,
    stadium: Option<Uuid>,
    easton: Option<Uuid>,
}

/// Creates whichever demo accounts are missing and loads them all.
async fn ensure_users(db: &Db, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<Users, SeedError> {
    let rows = sqlx::query("SELECT email FROM users WHERE department_id = $1")
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .fetch_all(&db.pool)
        .await?;
    let mut existing = std::collections::BTreeSet::new();
    for r in &rows {
        existing.insert(get::<String>(r, "email")?);
    }

    let mut wanted: Vec<NewUser> = Vec::new();
    let mut coordinator =
        NewUser::new(DEMO_DEPARTMENT_ID, Role::Coordinator, COORDINATOR_EMAIL, "");
    coordinator.display_name = "Sgt. Dana Whitfield".to_string();
    coordinator.badge = "1007".to_string();
    coordinator.rank = Rank::Sergeant;
    wanted.push(coordinator);
    for (email, name) in [
        (STADIUM_EMAIL, "Ohio Stadium Event Operations"),
        (EASTON_EMAIL, "Easton Town Center Security"),
    ] {
        let mut c = NewUser::new(DEMO_DEPARTMENT_ID, Role::Customer, email, "");
        c.display_name = name.to_string();
        wanted.push(c);
    }
    for o in roster::roster(now, tz) {
        let mut u = NewUser::new(DEMO_DEPARTMENT_ID, Role::Officer, &o.email, "");
        u.display_name = o.display_name;
        u.badge = o.badge;
        u.rank = o.rank;
        u.certifications = o.certifications;
        u.groups = o.groups;
        u.seniority = o.number;
        u.permit_expires_at = o.permit_expires_at;
        wanted.push(u);
    }
    wanted.retain(|u| !existing.contains(&u.email));
    if !wanted.is_empty() {
        // argon2 is deliberately slow (~0.1 s a hash): hash the shared password once and give
        // every demo account the same PHC string.
        let hash =
            tokio::task::spawn_blocking(|| crate::auth::passwords::hash_password(DEMO_PASSWORD))
                .await
                .map_err(|e| SeedError::Other(e.to_string()))?
                .map_err(SeedError::Other)?;
        for mut u in wanted {
            u.password_hash = hash.clone();
            create_user(db, &u).await?;
        }
    }

    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM users u WHERE u.department_id = $1 AND u.role = 'officer' \
         ORDER BY u.seniority"
    );
    let officers = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(profile_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let id_of = |email: &'static str| async move {
        let row = sqlx::query("SELECT id FROM users WHERE email = $1 AND department_id = $2")
            .bind(email)
            .bind(DEMO_DEPARTMENT_ID.to_string())
            .fetch_optional(&db.pool)
            .await?;
        row.map(|r| crate::db::get_uuid(&r, "id"))
            .transpose()
            .map_err(SeedError::from)
    };
    let coordinator = id_of(COORDINATOR_EMAIL)
        .await?
        .ok_or_else(|| SeedError::Other("the demo coordinator is missing".to_string()))?;
    Ok(Users {
        officers,
        coordinator,
        stadium: id_of(STADIUM_EMAIL).await?,
        easton: id_of(EASTON_EMAIL).await?,
    })
}
