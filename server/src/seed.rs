//! Creating departments and users directly (no HTTP): used by the demo seed, by tests, and by
//! operators bootstrapping a department's first coordinator.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_domain::eligibility::{Rank, parse_time_zone};
use offduty_domain::pay::PayPolicy;
use offduty_domain::protocol::Role;

use crate::db::rows::RulesJson;
use crate::db::{Db, DbError, json, to_us};
use crate::services::audit::AUDIT_GENESIS;

/// A department to create.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub currency: String,
    pub rules: RulesJson,
    pub pay: PayPolicy,
}

impl NewDepartment {
    /// A department with default rules.
    pub fn new(name: &str, time_zone: &str) -> Self {
        NewDepartment {
            id: Uuid::now_v7(),
            name: name.to_string(),
            time_zone: time_zone.to_string(),
            currency: "USD".to_string(),
            rules: RulesJson::default(),
            pay: PayPolicy::default(),
        }
    }
}

/// Inserts a department.
pub async fn create_department(db: &Db, d: &NewDepartment) -> Result<Uuid, DbError> {
    parse_time_zone(&d.time_zone).map_err(|e| DbError::corrupt("departments", e))?;
    sqlx::query(
        "INSERT INTO departments (id, name, time_zone, currency, rules_json, pay_json, audit_head, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(d.id.to_string())
    .bind(&d.name)
    .bind(&d.time_zone)
    .bind(&d.currency)
    .bind(json(&d.rules))
    .bind(json(&d.pay))
    .bind(AUDIT_GENESIS)
    .bind(to_us(Utc::now()))
    .execute(&db.pool)
    .await?;
    Ok(d.id)
}

/// A user to create. `password_hash` is an argon2 PHC string (hash once, reuse for fixtures).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub department_id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub display_name: String,
    pub badge: String,
    pub rank: Rank,
    pub certifications: Vec<String>,
    pub groups: Vec<String>,
    /// 1 = most senior.
    pub seniority: u32,
    pub permit_expires_at: Option<DateTime<Utc>>,
}

impl NewUser {
    /// A user with the given role and no officer attributes.
    pub fn new(department_id: Uuid, role: Role, email: &str, password_hash: &str) -> Self {
        NewUser {
            id: Uuid::now_v7(),
            department_id,
            email: email.trim().to_lowercase(),
            password_hash: password_hash.to_string(),
            role,
            display_name: email.split('@').next().unwrap_or(email).to_string(),
            badge: String::new(),
            rank: Rank::Officer,
            certifications: Vec::new(),
            groups: Vec::new(),
            seniority: 0,
            permit_expires_at: None,
        }
    }
}

/// Inserts a user.
pub async fn create_user(db: &Db, u: &NewUser) -> Result<Uuid, DbError> {
    let rank = serde_json::to_value(u.rank)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "officer".to_string());
    sqlx::query(
        "INSERT INTO users (id, department_id, email, password_hash, role, display_name, badge, \
         rank, certifications_json, groups_json, seniority, permit_expires_us, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(u.id.to_string())
    .bind(u.department_id.to_string())
    .bind(&u.email)
    .bind(&u.password_hash)
    .bind(u.role.as_str())
    .bind(&u.display_name)
    .bind(&u.badge)
    .bind(rank)
    .bind(json(&u.certifications))
    .bind(json(&u.groups))
    .bind(i64::from(u.seniority))
    .bind(u.permit_expires_at.map(to_us))
    .bind(to_us(Utc::now()))
    .execute(&db.pool)
    .await?;
    Ok(u.id)
}
