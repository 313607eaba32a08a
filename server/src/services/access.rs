//! Who may sign in, and as what: disabling and enabling accounts, resetting passwords (and
//! redeeming the one-time tokens), changing roles. Each change ends the user's sessions at once
//! where it should (`auth::sessions`), runs under the department lock so the department always
//! keeps an active coordinator, and is audited. Decision 017.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::auth::sessions::end_sessions;
use crate::auth::tokens::hash_refresh_token;
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::services::accounts::{
    Admin, NO_PASSWORD, UserAccount, hash_password, issue_setup_token, load_account,
};
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::txn::DeptTx;

/// The result of disabling an account or changing its role.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountChange {
    pub account: UserAccount,
    /// Upcoming jobs on which the user still holds a slot: a coordinator should reassign them
    /// (the slots are not released automatically; decision 017).
    pub upcoming_shifts: Vec<Uuid>,
}

async fn upcoming_shifts(
    conn: &mut AnyConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbError> {
    let rows = sqlx::query(
        "SELECT j.id FROM assignments a JOIN jobs j ON j.id = a.job_id \
         WHERE a.officer_id = $1 AND a.status = 'awarded' AND j.status IN ('open', 'filled') \
         AND j.ends_us > $2 ORDER BY j.starts_us, j.id",
    )
    .bind(user_id.to_string())
    .bind(to_us(now))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| get_uuid(r, "id")).collect()
}

async fn active_coordinators(
    conn: &mut AnyConnection,
    department_id: Uuid,
) -> Result<i64, DbError> {
    get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE department_id = $1 AND role = 'coordinator' \
             AND disabled = 0",
        )
        .bind(department_id.to_string())
        .fetch_one(&mut *conn)
        .await?,
        "n",
    )
}

/// Refuses a change that would lock the department out: a coordinator acting on their own
/// account, or the last active coordinator losing the role or access.
async fn keep_a_coordinator(
    conn: &mut AnyConnection,
    admin: &Admin,
    target: &UserAccount,
    what: &str,
) -> ApiResult<()> {
    if let Admin::Coordinator(u) = admin
        && u.user_id == target.id
    {
        return Err(ApiError::conflict(format!(
            "you cannot {what} your own account: ask another coordinator"
        )));
    }
    if target.role == Role::Coordinator
        && !target.disabled
        && active_coordinators(conn, target.department_id).await? <= 1
    {
        return Err(ApiError::conflict(format!(
            "this is the department's last active coordinator: make someone else a \
             coordinator before you {what} this account"
        )));
    }
    Ok(())
}

/// Disables (`disabled = true`) or enables an account. Disabling ends its sessions at once.
pub async fn set_disabled(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    user_id: Uuid,
    disabled: bool,
    now: DateTime<Utc>,
) -> ApiResult<AccountChange> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let (seq, dept) = (t.seq, t.dept.id);
    let conn = t.conn();
    let target = load_account(conn, dept, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let upcoming = upcoming_shifts(conn, user_id, now).await?;
    if target.disabled == disabled {
        // Already so: nothing to write (the transaction rolls back).
        return Ok(AccountChange {
            account: target,
            upcoming_shifts: upcoming,
        });
    }
    if disabled {
        keep_a_coordinator(conn, admin, &target, "disable").await?;
    }
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    if disabled {
        end_sessions(conn, user_id, now).await?;
    }
    changes::record(conn, dept, seq, Entity::Profile, user_id, Some(user_id)).await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: if disabled {
                "user_disabled"
            } else {
                "user_enabled"
            },
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({"upcoming_shifts": upcoming, "via": admin.via()}),
        },
        now,
    )
    .await?;
    let account = load_account(conn, dept, user_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(AccountChange {
        account,
        upcoming_shifts: upcoming,
    })
}

/// Response of a password reset.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub user_id: Uuid,
    /// Present when no new password was given: the old password no longer works, and this
    /// one-time token sets a new one (`POST /v1/auth/reset-password`). Shown once.
    pub setup_token: Option<String>,
    pub setup_expires_at: Option<DateTime<Utc>>,
}

/// Resets an account's password: to `password` when given, otherwise to "none" with a
/// one-time setup token. Either way the account's sessions end at once.
pub async fn reset_password(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    user_id: Uuid,
    password: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<PasswordReset> {
    let hash = match password {
        Some(p) => Some(hash_password("password", p).await?),
        None => None,
    };
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.id;
    let conn = t.conn();
    load_account(conn, dept, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash.as_deref().unwrap_or(NO_PASSWORD))
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    end_sessions(conn, user_id, now).await?;
    let setup = match hash {
        Some(_) => {
            sqlx::query(
                "UPDATE password_resets SET used_us = $1 WHERE user_id = $2 AND used_us IS NULL",
            )
            .bind(to_us(now))
            .bind(user_id.to_string())
            .execute(&mut *conn)
            .await?;
            None
        }
        None => Some(issue_setup_token(conn, user_id, now).await?),
    };
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "password_reset",
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({
                "method": if setup.is_some() { "setup token" } else { "new password" },
                "via": admin.via(),
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(PasswordReset {
        user_id,
        setup_expires_at: setup.as_ref().map(|s| s.1),
        setup_token: setup.map(|s| s.0),
    })
}

/// Changes an account's role between officer and coordinator; its sessions end at once (their
/// tokens carry the old role).
pub async fn set_role(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    user_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> ApiResult<AccountChange> {
    if role == Role::Customer {
        return Err(ApiError::invalid(
            "role",
            "a user can be made an officer or a coordinator",
        ));
    }
    let mut t = DeptTx::begin(db, department_id).await?;
    let (seq, dept) = (t.seq, t.dept.id);
    let conn = t.conn();
    let target = load_account(conn, dept, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let upcoming = upcoming_shifts(conn, user_id, now).await?;
    if target.role == role {
        return Ok(AccountChange {
            account: target,
            upcoming_shifts: upcoming,
        });
    }
    if target.role == Role::Customer {
        return Err(ApiError::conflict(
            "a customer account keeps its role: create an officer or coordinator account instead",
        ));
    }
    keep_a_coordinator(conn, admin, &target, "change the role of").await?;
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    end_sessions(conn, user_id, now).await?;
    changes::record(conn, dept, seq, Entity::Profile, user_id, Some(user_id)).await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "role_changed",
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({
                "from": target.role, "to": role, "upcoming_shifts": upcoming, "via": admin.via(),
            }),
        },
        now,
    )
    .await?;
    let account = load_account(conn, dept, user_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(AccountChange {
        account,
        upcoming_shifts: upcoming,
    })
}

/// Body of `POST /v1/auth/reset-password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetPassword {
    /// The one-time token from account creation or a coordinator's reset.
    pub token: String,
    /// The new password (10 to 256 characters).
    pub password: String,
}

/// Sets a password with a one-time token. Ends any session of the account.
pub async fn redeem_setup_token(db: &Db, req: &SetPassword, now: DateTime<Utc>) -> ApiResult<()> {
    let hash = hash_password("password", &req.password).await?;
    let token_hash = hash_refresh_token(req.token.trim());
    let mut tx = db.write().await?;
    let row = sqlx::query(
        "SELECT r.user_id, r.expires_us, r.used_us, u.department_id, u.disabled \
         FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(&mut *tx.conn())
    .await?;
    let refused = || {
        ApiError::unauthorized(
            "this password token is unknown, already used or expired: ask your coordinator for a new one",
        )
    };
    let Some(row) = row else {
        return Err(refused());
    };
    let usable = get::<Option<i64>>(&row, "used_us")?.is_none()
        && get::<i64>(&row, "expires_us")? > to_us(now)
        && get::<i64>(&row, "disabled")? == 0;
    if !usable {
        return Err(refused());
    }
    let user_id = get_uuid(&row, "user_id")?;
    let dept = get_uuid(&row, "department_id")?;
    let conn = tx.conn();
    sqlx::query("UPDATE password_resets SET used_us = $1 WHERE token_hash = $2")
        .bind(to_us(now))
        .bind(&token_hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    end_sessions(conn, user_id, now).await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(user_id),
            action: "password_set",
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({"with": "setup token"}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
