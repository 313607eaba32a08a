//! Ending a user's sessions at once, on every server process (decision 017). Each user has a
//! session epoch; access tokens carry the epoch they were issued at. Disabling the user,
//! resetting their password or changing their role bumps the epoch and revokes their refresh
//! tokens, in the transaction that makes the change; every request then reads the user's row
//! (one primary-key lookup) and refuses a token whose epoch, role or account is no longer
//! current. Access tokens stay signed, so a forged one never reaches the database.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::auth::tokens::AccessClaims;
use crate::db::{DbError, get, to_us};

/// Ends every session of `user_id`: bumps the session epoch (access tokens already issued are
/// refused on their next request) and revokes the refresh tokens and web console sessions. Inside the caller's
/// transaction, so the sessions end exactly when the change that ends them commits.
pub async fn end_sessions(
    conn: &mut AnyConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_us = $1 WHERE user_id = $2 AND revoked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(user_id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE console_sessions SET revoked_us = $1 WHERE user_id = $2 AND revoked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(user_id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why a correctly signed access token is no longer accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The account is gone (or moved to another department).
    NoAccount,
    Disabled,
    /// The password was reset or the role changed since the token was issued.
    Superseded,
}

impl Ended {
    /// What the client is told (401).
    pub fn explain(self) -> &'static str {
        match self {
            Ended::NoAccount => "this account no longer exists",
            Ended::Disabled => "this account is disabled; ask your department",
            Ended::Superseded => {
                "this session was ended (password reset or role change); sign in again"
            }
        }
    }
}

/// Whether the session a verified token belongs to is still current.
pub async fn check(pool: &AnyPool, claims: &AccessClaims) -> Result<Result<(), Ended>, DbError> {
    let row = sqlx::query(
        "SELECT role, disabled, session_epoch FROM users WHERE id = $1 AND department_id = $2",
    )
    .bind(claims.sub.to_string())
    .bind(claims.dept.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(Err(Ended::NoAccount));
    };
    if get::<i64>(&row, "disabled")? != 0 {
        return Ok(Err(Ended::Disabled));
    }
    let role: String = get(&row, "role")?;
    if get::<i64>(&row, "session_epoch")? != claims.epoch || Role::parse(&role) != Some(claims.role)
    {
        return Ok(Err(Ended::Superseded));
    }
    Ok(Ok(()))
}
