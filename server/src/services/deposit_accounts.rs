//! Officers' deposit accounts for payroll (decision 040): set by a coordinator; the routing
//! number checked (9 digits, ABA check digit), the account number sealed with
//! `SecretSeal::for_purpose(…, SEAL_PURPOSE)` under the officer's id (never stored in clear),
//! and only its last four digits shown again. Audited without the number.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::auth::tokens::TokenKeys;
use crate::auth::totp::SecretSeal;
use crate::db::{Db, DbError, get, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::money::nacha::routing_is_valid;
use crate::services::audit::{self, AuditEntry};
use crate::services::txn::DeptTx;

/// What the seal's key is derived for.
pub const SEAL_PURPOSE: &str = "deposit account seal v1";

/// The seal for account numbers.
pub fn seal(keys: &TokenKeys) -> SecretSeal {
    SecretSeal::for_purpose(keys, SEAL_PURPOSE)
}

/// An account as shown again: never the full number.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Shown {
    pub officer_id: Uuid,
    pub routing: String,
    pub last4: String,
    /// checking or savings
    pub kind: String,
}

/// An account as the coordinator types it.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub routing: &'a str,
    pub account: &'a str,
    /// checking or savings
    pub kind: &'a str,
}

/// A coordinator sets an officer's deposit account.
pub async fn set(
    db: &Db,
    keys: &TokenKeys,
    coordinator: AuthUser,
    officer_id: Uuid,
    new: NewAccount<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Shown> {
    coordinator.require(Role::Coordinator)?;
    let NewAccount {
        routing,
        account,
        kind,
    } = new;
    let routing = routing.trim().to_string();
    if !routing_is_valid(&routing) {
        return Err(ApiError::invalid(
            "routing",
            "Give the bank's 9-digit routing number (this one's check digit does not match).",
        ));
    }
    let account: String = account.chars().filter(|c| !c.is_whitespace()).collect();
    if account.is_empty()
        || account.len() > 17
        || !account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ApiError::invalid(
            "account",
            "The account number is 1 to 17 letters, digits or hyphens.",
        ));
    }
    if kind != "checking" && kind != "savings" {
        return Err(ApiError::invalid("kind", "Choose checking or savings."));
    }
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    let n: i64 = get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND department_id = $2 \
             AND role = 'officer'",
        )
        .bind(officer_id.to_string())
        .bind(dept.to_string())
        .fetch_one(&mut *t.conn())
        .await
        .map_err(DbError::from)?,
        "n",
    )?;
    if n == 0 {
        return Err(ApiError::not_found("officer"));
    }
    let last4: String = account
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let sealed = seal(keys).seal(officer_id, account.as_bytes());
    sqlx::query("DELETE FROM deposit_accounts WHERE officer_id = $1")
        .bind(officer_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    sqlx::query(
        "INSERT INTO deposit_accounts (officer_id, department_id, routing, account_sealed, \
         account_last4, kind, updated_by, updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(officer_id.to_string())
    .bind(dept.to_string())
    .bind(routing.clone())
    .bind(sealed)
    .bind(last4.clone())
    .bind(kind)
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "deposit_account_set",
            entity: "user",
            entity_id: officer_id.to_string(),
            detail: serde_json::json!({"routing": routing, "last4": last4, "kind": kind}),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(Shown {
        officer_id,
        routing,
        last4,
        kind: kind.to_string(),
    })
}

/// The officer's account as shown (last four digits only), if set.
pub async fn shown(db: &Db, department_id: Uuid, officer_id: Uuid) -> ApiResult<Option<Shown>> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT routing, account_last4, kind FROM deposit_accounts \
         WHERE officer_id = $1 AND department_id = $2",
    )
    .bind(officer_id.to_string())
    .bind(department_id.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(DbError::from)?;
    row.map(|r| {
        Ok(Shown {
            officer_id,
            routing: get(&r, "routing")?,
            last4: get(&r, "account_last4")?,
            kind: get(&r, "kind")?,
        })
    })
    .transpose()
}

/// The full account number, opened for a payroll file; `None` when unset or when it does not
/// open (another key, or the row moved to another officer).
pub async fn account_number(
    db: &Db,
    keys: &TokenKeys,
    department_id: Uuid,
    officer_id: Uuid,
) -> ApiResult<Option<String>> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT account_sealed FROM deposit_accounts WHERE officer_id = $1 AND department_id = $2",
    )
    .bind(officer_id.to_string())
    .bind(department_id.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let Some(r) = row else { return Ok(None) };
    let stored: String = get(&r, "account_sealed")?;
    Ok(seal(keys)
        .open(officer_id, &stored)
        .and_then(|b| String::from_utf8(b).ok()))
}

/// An officer of the department and their account as shown, if set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OfficerAccount {
    pub officer_id: Uuid,
    pub name: String,
    pub badge: String,
    pub account: Option<Shown>,
}

/// The department's officers (enabled ones) with their accounts: those without one first, then
/// by name.
pub async fn of_department(db: &Db, department_id: Uuid) -> ApiResult<Vec<OfficerAccount>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.badge, d.routing, d.account_last4, d.kind \
         FROM users u LEFT JOIN deposit_accounts d ON d.officer_id = u.id \
           AND d.department_id = u.department_id \
         WHERE u.department_id = $1 AND u.role = 'officer' AND u.disabled = 0 \
         ORDER BY CASE WHEN d.routing IS NULL THEN 0 ELSE 1 END, u.display_name, u.id",
    )
    .bind(department_id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    rows.iter()
        .map(|r| {
            let officer_id = crate::db::get_uuid(r, "id")?;
            let routing: Option<String> = get(r, "routing")?;
            Ok(OfficerAccount {
                officer_id,
                name: get(r, "display_name")?,
                badge: get(r, "badge")?,
                account: match routing {
                    Some(routing) => Some(Shown {
                        officer_id,
                        routing,
                        last4: get(r, "account_last4")?,
                        kind: get(r, "kind")?,
                    }),
                    None => None,
                },
            })
        })
        .collect()
}
