//! Checking an e-mail and password, shared by the API's `POST /v1/auth/login` and the web
//! console's sign-in form: the bounds on the input, the per-account rate limit, argon2 against the
//! stored hash (or a dummy one, so an unknown e-mail costs the same time as a wrong password), a
//! disabled account refused, and every failed attempt on a real account audited. What each
//! caller then issues (tokens, a console session) is its own.

use sqlx::Row;

use offduty_domain::protocol::{Role, UserInfo};

use crate::app::AppState;
use crate::auth::passwords;
use crate::db::{DbError, get, get_uuid};
use crate::services::audit::{self, AuditEntry};

/// Where a sign-in came from, recorded with a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Api,
    Console,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Api => "api",
            Via::Console => "console",
        }
    }
}

/// Credentials that verified: the account and its session epoch when they were read.
#[derive(Debug, Clone)]
pub struct Verified {
    pub user: UserInfo,
    pub epoch: i64,
}

/// Why a sign-in was refused. A wrong password, an unknown e-mail and a disabled account are
/// all [`Refused::WrongCredentials`]: the caller cannot tell them apart, so neither can a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Empty, not an address, or too long.
    BadEmail,
    /// Empty or too long.
    BadPassword,
    /// Too many attempts on this account; retry after this many seconds.
    RateLimited(u64),
    WrongCredentials,
}

/// Checks `email` and `password`; `Ok(Err(_))` is a refusal, `Err(_)` a storage fault.
pub async fn check(
    state: &AppState,
    email: &str,
    password: &str,
    via: Via,
) -> Result<Result<Verified, Refused>, DbError> {
    let email = crate::services::fields::normalize_email(email);
    if email.is_empty() || !email.contains('@') || email.len() > 254 {
        return Ok(Err(Refused::BadEmail));
    }
    if password.is_empty() || password.len() > 1024 {
        return Ok(Err(Refused::BadPassword));
    }
    if let Err(wait) = state.login_limiter.check(&email) {
        return Ok(Err(Refused::RateLimited(wait.as_secs().max(1))));
    }
    let row = sqlx::query(
        "SELECT id, department_id, role, display_name, email, password_hash, disabled, \
         session_epoch FROM users WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(&state.db.pool)
    .await?;
    let (hash, info, disabled, epoch) = match &row {
        Some(r) => (
            r.try_get::<String, _>("password_hash")?,
            Some(user_info(r)?),
            r.try_get::<i64, _>("disabled")? != 0,
            r.try_get::<i64, _>("session_epoch")?,
        ),
        None => (passwords::dummy_hash().to_string(), None, false, 0),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || passwords::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match info {
        Some(user) if ok && !disabled => Ok(Ok(Verified { user, epoch })),
        Some(user) => {
            let mut detail = serde_json::json!({"disabled": disabled});
            if via != Via::Api {
                detail["via"] = serde_json::json!(via.as_str());
            }
            audit::append_now(
                &state.db,
                user.department_id,
                AuditEntry {
                    actor_id: Some(user.id),
                    action: "login_failed",
                    entity: "user",
                    entity_id: user.id.to_string(),
                    detail,
                },
            )
            .await?;
            Ok(Err(Refused::WrongCredentials))
        }
        None => Ok(Err(Refused::WrongCredentials)),
    }
}

/// The account as a signed-in client sees it, from a `users` row.
pub(crate) fn user_info(row: &sqlx::any::AnyRow) -> Result<UserInfo, DbError> {
    let role: String = get(row, "role")?;
    Ok(UserInfo {
        id: get_uuid(row, "id")?,
        department_id: get_uuid(row, "department_id")?,
        role: Role::parse(&role)
            .ok_or_else(|| DbError::corrupt("users", format!("role {role:?}")))?,
        display_name: get(row, "display_name")?,
        email: get(row, "email")?,
    })
}
