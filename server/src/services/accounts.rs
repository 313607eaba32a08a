//! Department administration of accounts, shared by the API (coordinators) and the
//! `offduty-server admin` command line (the operator): who acts, what an account looks like,
//! creating officers (and a department's first coordinator), their seniority, and one-time
//! password tokens. Disabling, resets and roles are in [`crate::services::access`]; rosters in
//! [`crate::services::roster`]. Each change runs in one transaction under the department lock
//! and is audited. Decision 017.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::{OfficerProfile, Role};

use crate::auth::passwords;
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::db::{Db, DbError, get, get_time, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::fields::{email, names, text};
use crate::services::schedule::{PROFILE_COLUMNS, profile_from_row};
use crate::services::txn::DeptTx;

/// How long a one-time password token stays usable.
pub const SETUP_TOKEN_TTL: Duration = Duration::hours(72);

/// Stored instead of a password hash while only a one-time token can set the password: no
/// password verifies against it.
pub const NO_PASSWORD: &str = "!no-password";

/// Who makes an administrative change: a signed-in coordinator, or the operator at the
/// command line (who has the database URL, hence every department).
#[derive(Debug, Clone)]
pub enum Admin {
    Coordinator(AuthUser),
    /// The operating-system user running `offduty-server admin`, for the audit log.
    Operator(String),
}

impl Admin {
    /// The audit log's actor (none for the operator).
    pub(crate) fn actor_id(&self) -> Option<Uuid> {
        match self {
            Admin::Coordinator(u) => Some(u.user_id),
            Admin::Operator(_) => None,
        }
    }

    /// Recorded with every audit entry of the change.
    pub(crate) fn via(&self) -> serde_json::Value {
        match self {
            Admin::Coordinator(_) => serde_json::json!("api"),
            Admin::Operator(who) => serde_json::json!({"command_line": who}),
        }
    }
}

/// An account as the department manages it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserAccount {
    pub id: Uuid,
    pub department_id: Uuid,
    pub email: String,
    pub role: Role,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// The day seniority counts from, when the department gave one.
    pub seniority_date: Option<NaiveDate>,
    /// Officers: rank, badge, certifications, groups, seniority, permit.
    pub profile: Option<OfficerProfile>,
}

const ACCOUNT_COLUMNS: &str =
    "u.department_id, u.email, u.role, u.disabled, u.created_us, u.seniority_date";

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<UserAccount, DbError> {
    let role: String = get(row, "role")?;
    let role =
        Role::parse(&role).ok_or_else(|| DbError::corrupt("users", format!("role {role:?}")))?;
    let profile = profile_from_row(row)?;
    Ok(UserAccount {
        id: profile.id,
        department_id: get_uuid(row, "department_id")?,
        email: get(row, "email")?,
        role,
        display_name: profile.display_name.clone(),
        disabled: get::<i64>(row, "disabled")? != 0,
        created_at: get_time(row, "created_us")?,
        seniority_date: get::<Option<String>>(row, "seniority_date")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        profile: (role == Role::Officer).then_some(profile),
    })
}

/// One account of the department (None: no such account there).
pub async fn load_account(
    conn: &mut AnyConnection,
    department_id: Uuid,
    user_id: Uuid,
) -> Result<Option<UserAccount>, DbError> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS}, {ACCOUNT_COLUMNS} FROM users u \
         WHERE u.id = $1 AND u.department_id = $2"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(user_id.to_string())
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(account_from_row).transpose()
}

/// Every account of the department: coordinators, officers (by seniority), customers.
pub async fn list(db: &Db, department_id: Uuid) -> ApiResult<Vec<UserAccount>> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS}, {ACCOUNT_COLUMNS} FROM users u WHERE u.department_id = $1 \
         ORDER BY CASE u.role WHEN 'coordinator' THEN 0 WHEN 'officer' THEN 1 ELSE 2 END, \
         u.seniority, u.email"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(account_from_row)
        .collect::<Result<Vec<_>, _>>()?)
}

/// Body of `POST /v1/officers`: one new officer.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficer {
    pub email: String,
    pub display_name: String,
    pub badge: String,
    #[serde(default = "officer_rank")]
    pub rank: Rank,
    /// The day seniority counts from (hire or appointment date). Officers' seniority numbers
    /// (1 = most senior) follow these dates.
    #[serde(default)]
    pub seniority_date: Option<NaiveDate>,
    #[serde(default)]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// When the officer's secondary-employment permit lapses.
    #[serde(default)]
    pub permit_expires_at: Option<DateTime<Utc>>,
    /// The first password (10 to 256 characters). Without one, the response carries a
    /// one-time setup token for `POST /v1/auth/reset-password`.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
}

fn officer_rank() -> Rank {
    Rank::Officer
}

/// An officer's attributes after checking (what is stored).
#[derive(Debug, Clone, PartialEq)]
pub struct OfficerFields {
    pub email: String,
    pub display_name: String,
    pub badge: String,
    pub rank: Rank,
    pub seniority_date: Option<NaiveDate>,
    pub certifications: Vec<String>,
    pub groups: Vec<String>,
    pub permit_expires_at: Option<DateTime<Utc>>,
}

impl OfficerFields {
    /// Checks every field; errors name the field of `NewOfficer`.
    pub fn check(o: &NewOfficer) -> Result<OfficerFields, ApiError> {
        Ok(OfficerFields {
            email: email("email", &o.email)?,
            display_name: text("display_name", &o.display_name, 120)?,
            badge: badge("badge", &o.badge)?,
            rank: o.rank,
            seniority_date: o.seniority_date,
            certifications: names("certifications", &o.certifications)?,
            groups: names("groups", &o.groups)?,
            permit_expires_at: o.permit_expires_at,
        })
    }
}

/// A badge number: 1 to 20 letters, digits, `-` or `/`.
pub fn badge(field: &str, v: &str) -> Result<String, ApiError> {
    let b = text(field, v, 20)?;
    if b.chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '/')
    {
        Ok(b)
    } else {
        Err(ApiError::invalid(
            field,
            "use letters, digits, '-' or '/' (e.g. 4127)",
        ))
    }
}

/// Rank as stored (`sergeant`).
pub fn rank_name(r: Rank) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "officer".to_string())
}

/// Response of creating an account.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    pub account: UserAccount,
    /// Present when no password was given: hand it to the officer, who sets a password with
    /// `POST /v1/auth/reset-password` before `setup_expires_at`. Shown once; stored hashed.
    pub setup_token: Option<String>,
    pub setup_expires_at: Option<DateTime<Utc>>,
}

/// Hashes a password off the async threads (argon2 takes tens of milliseconds).
pub async fn hash_password(field: &str, password: &str) -> ApiResult<String> {
    passwords::check_policy(password).map_err(|e| ApiError::invalid(field, e))?;
    let p = password.to_string();
    tokio::task::spawn_blocking(move || passwords::hash_password(&p))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })
}

/// Stores a new one-time password token for `user_id` (earlier unused ones stop working) and
/// returns it with its expiry.
pub async fn issue_setup_token(
    conn: &mut AnyConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), DbError> {
    sqlx::query("UPDATE password_resets SET used_us = $1 WHERE user_id = $2 AND used_us IS NULL")
        .bind(to_us(now))
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    let token = new_refresh_token().replacen("odr1.", "ods1.", 1);
    let expires = now + SETUP_TOKEN_TTL;
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_us, expires_us) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(hash_refresh_token(&token))
    .bind(user_id.to_string())
    .bind(to_us(now))
    .bind(to_us(expires))
    .execute(&mut *conn)
    .await?;
    Ok((token, expires))
}

/// The account (any department) already using `email`, if any: its id, department and role.
pub async fn find_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<(Uuid, Uuid, String)>, DbError> {
    let row = sqlx::query("SELECT id, department_id, role FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok((
            get_uuid(&r, "id")?,
            get_uuid(&r, "department_id")?,
            get(&r, "role")?,
        ))
    })
    .transpose()
}

/// The department's account holding `badge`, if any: its id and role.
pub async fn find_by_badge(
    conn: &mut AnyConnection,
    department_id: Uuid,
    badge: &str,
) -> Result<Option<(Uuid, String)>, DbError> {
    let row = sqlx::query("SELECT id, role FROM users WHERE department_id = $1 AND badge = $2")
        .bind(department_id.to_string())
        .bind(badge)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((get_uuid(&r, "id")?, get(&r, "role")?)))
        .transpose()
}

/// Inserts an officer (seniority is set by [`renumber_seniority`] afterwards) and records the
/// new profile in the change log.
pub async fn insert_officer(
    conn: &mut AnyConnection,
    department_id: Uuid,
    seq: i64,
    f: &OfficerFields,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, department_id, email, password_hash, role, display_name, badge, \
         rank, certifications_json, groups_json, seniority, seniority_date, permit_expires_us, \
         created_us) VALUES ($1, $2, $3, $4, 'officer', $5, $6, $7, $8, $9, \
         (SELECT COALESCE(MAX(seniority), 0) + 1 FROM users WHERE department_id = $2), \
         $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(department_id.to_string())
    .bind(&f.email)
    .bind(password_hash)
    .bind(&f.display_name)
    .bind(&f.badge)
    .bind(rank_name(f.rank))
    .bind(json(&f.certifications))
    .bind(json(&f.groups))
    .bind(f.seniority_date.map(|d| d.to_string()))
    .bind(f.permit_expires_at.map(to_us))
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    changes::record(conn, department_id, seq, Entity::Profile, id, Some(id)).await?;
    Ok(id)
}

/// Gives the department's officers seniority numbers (1 = most senior) from their seniority
/// dates, earliest first, ties by badge number; officers without a date follow in their
/// previous order. Does nothing while no officer has a date. Records each changed profile.
pub async fn renumber_seniority(
    conn: &mut AnyConnection,
    department_id: Uuid,
    seq: i64,
) -> Result<(), DbError> {
    let rows = sqlx::query(
        "SELECT id, seniority_date, seniority, badge FROM users \
         WHERE department_id = $1 AND role = 'officer'",
    )
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut officers = Vec::with_capacity(rows.len());
    for r in &rows {
        officers.push((
            get::<Option<String>>(r, "seniority_date")?,
            get::<i64>(r, "seniority")?,
            get::<String>(r, "badge")?,
            get_uuid(r, "id")?,
        ));
    }
    if officers.iter().all(|o| o.0.is_none()) {
        return Ok(());
    }
    // Dated officers by date (ISO dates sort as text), then badge; undated ones after them,
    // in their previous order.
    officers.sort_by(|a, b| {
        let key = |o: &(Option<String>, i64, String, Uuid)| {
            let previous = if o.0.is_some() { 0 } else { o.1 };
            let (digits, badge) = badge_key(&o.2);
            (
                o.0.is_none(),
                o.0.clone(),
                previous,
                digits,
                badge.to_string(),
                o.3,
            )
        };
        key(a).cmp(&key(b))
    });
    for (i, (_, old, _, id)) in officers.iter().enumerate() {
        let new = i as i64 + 1;
        if *old != new {
            sqlx::query("UPDATE users SET seniority = $1 WHERE id = $2")
                .bind(new)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            changes::record(conn, department_id, seq, Entity::Profile, *id, Some(*id)).await?;
        }
    }
    Ok(())
}

/// Badge numbers compare as numbers when they are numbers ("999" before "1000").
fn badge_key(b: &str) -> (usize, &str) {
    if b.chars().all(|c| c.is_ascii_digit()) {
        (b.trim_start_matches('0').len(), b.trim_start_matches('0'))
    } else {
        (usize::MAX, b)
    }
}

/// Creates one officer.
pub async fn create_officer(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    req: &NewOfficer,
    now: DateTime<Utc>,
) -> ApiResult<CreatedAccount> {
    let fields = OfficerFields::check(req)?;
    let hash = match &req.password {
        Some(p) => Some(hash_password("password", p).await?),
        None => None,
    };
    let mut t = DeptTx::begin(db, department_id).await?;
    let (seq, dept) = (t.seq, t.dept.id);
    let conn = t.conn();
    if find_by_email(conn, &fields.email).await?.is_some() {
        let mut e = ApiError::conflict("an account with this e-mail address already exists");
        e.field = Some("email".into());
        return Err(e);
    }
    if find_by_badge(conn, dept, &fields.badge).await?.is_some() {
        let mut e = ApiError::conflict("another account of the department has this badge");
        e.field = Some("badge".into());
        return Err(e);
    }
    let id = insert_officer(
        conn,
        dept,
        seq,
        &fields,
        hash.as_deref().unwrap_or(NO_PASSWORD),
        now,
    )
    .await?;
    renumber_seniority(conn, dept, seq).await?;
    let setup = match hash {
        Some(_) => None,
        None => Some(issue_setup_token(conn, id, now).await?),
    };
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "officer_created",
            entity: "user",
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "email": fields.email, "badge": fields.badge, "rank": fields.rank,
                "password": if setup.is_some() { "setup token" } else { "set" },
                "via": admin.via(),
            }),
        },
        now,
    )
    .await?;
    let account = load_account(conn, dept, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(CreatedAccount {
        account,
        setup_expires_at: setup.as_ref().map(|s| s.1),
        setup_token: setup.map(|s| s.0),
    })
}

/// Creates a coordinator account (the command line's way to give a new department its first
/// coordinator; in the API, a coordinator promotes an officer with `PUT /v1/users/{id}/role`).
pub async fn create_coordinator(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    email_address: &str,
    display_name: &str,
    password: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<CreatedAccount> {
    let address = email("email", email_address)?;
    let name = text("display_name", display_name, 120)?;
    let hash = match password {
        Some(p) => Some(hash_password("password", p).await?),
        None => None,
    };
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.id;
    let conn = t.conn();
    if find_by_email(conn, &address).await?.is_some() {
        let mut e = ApiError::conflict("an account with this e-mail address already exists");
        e.field = Some("email".into());
        return Err(e);
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, department_id, email, password_hash, role, display_name, \
         created_us) VALUES ($1, $2, $3, $4, 'coordinator', $5, $6)",
    )
    .bind(id.to_string())
    .bind(dept.to_string())
    .bind(&address)
    .bind(hash.as_deref().unwrap_or(NO_PASSWORD))
    .bind(&name)
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    let setup = match hash {
        Some(_) => None,
        None => Some(issue_setup_token(conn, id, now).await?),
    };
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "coordinator_created",
            entity: "user",
            entity_id: id.to_string(),
            detail: serde_json::json!({"email": address, "via": admin.via()}),
        },
        now,
    )
    .await?;
    let account = load_account(conn, dept, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(CreatedAccount {
        account,
        setup_expires_at: setup.as_ref().map(|s| s.1),
        setup_token: setup.map(|s| s.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_badges_order_as_numbers() {
        let mut b = vec!["1000", "999", "0042", "A-7", "12"];
        b.sort_by_key(|x| badge_key(x));
        assert_eq!(b, ["12", "0042", "999", "1000", "A-7"]);
    }

    #[test]
    fn badges_are_short_and_plain() {
        assert_eq!(badge("badge", " 4127 ").unwrap(), "4127");
        assert_eq!(badge("badge", "K9/12").unwrap(), "K9/12");
        assert!(badge("badge", "41 27").is_err());
        assert!(badge("badge", "").is_err());
    }
}
