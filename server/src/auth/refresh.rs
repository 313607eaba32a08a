//! Refresh-token rotation, in one transaction, that survives a bad network (decision 021).
//!
//! A refresh marks the presented token used and stores its successor in the same transaction,
//! so a failure between the two can never leave a session with no usable token. The successor
//! is derived from the presented token ([`TokenKeys::successor_refresh_token`]), so a refresh
//! retried after its response was lost — the same token again, within [`RETRY_GRACE`], while
//! the successor is still unused — gets the same successor back instead of being taken for a
//! stolen token. Any other reuse of a used token (after the grace window, or once its successor
//! has been used) revokes the whole family and is audited as `refresh_token_reused`.

use chrono::{DateTime, Duration, Utc};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::auth::tokens::{REFRESH_TTL, TokenKeys, hash_refresh_token};
use crate::db::{Db, DbError, Dialect, get, get_uuid, to_us};
use crate::error::ApiError;
use crate::services::audit::{self, AuditEntry};

/// How long after a refresh the same token may be presented again and get the same successor:
/// long enough for a phone to time out and retry on a bad network, short enough that a copied
/// token is still caught when it is used later.
pub const RETRY_GRACE: Duration = Duration::seconds(60);

/// The user a refresh token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub id: Uuid,
    pub department_id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub email: String,
    /// The user's session epoch (decision 017): the access token is issued at it.
    pub session_epoch: i64,
}

/// A successful refresh.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub holder: TokenHolder,
    /// The successor refresh token (the same one again for a retry).
    pub refresh_token: String,
    /// Whether this was a retry of a refresh already made (the lost-response case).
    pub retried: bool,
}

/// Stores a new refresh token of `family` for `user_id` inside the caller's transaction.
pub async fn store_token(
    conn: &mut AnyConnection,
    token: &str,
    family: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_us, expires_us) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_refresh_token(token))
    .bind(family.to_string())
    .bind(user_id.to_string())
    .bind(to_us(now))
    .bind(to_us(now + REFRESH_TTL))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a new refresh token of a new `family` for `user_id` if the user's session epoch is
/// still `epoch` and the account is enabled; returns whether it was stored.
pub async fn store_token_at_epoch(
    conn: &mut AnyConnection,
    token: &str,
    family: Uuid,
    user_id: Uuid,
    epoch: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let stored = sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_us, expires_us) \
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS \
           (SELECT 1 FROM users WHERE id = $3 AND session_epoch = $6 AND disabled = 0)",
    )
    .bind(hash_refresh_token(token))
    .bind(family.to_string())
    .bind(user_id.to_string())
    .bind(to_us(now))
    .bind(to_us(now + REFRESH_TTL))
    .bind(epoch)
    .execute(&mut *conn)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// What the database holds about one refresh token.
struct TokenRow {
    family: String,
    expires_us: i64,
    used_us: Option<i64>,
    revoked_us: Option<i64>,
}

impl TokenRow {
    fn from_row(row: &AnyRow) -> Result<TokenRow, DbError> {
        Ok(TokenRow {
            family: get(row, "family_id")?,
            expires_us: get(row, "expires_us")?,
            used_us: get(row, "used_us")?,
            revoked_us: get(row, "revoked_us")?,
        })
    }

    fn live(&self, now: DateTime<Utc>) -> bool {
        self.used_us.is_none() && self.revoked_us.is_none() && self.expires_us > to_us(now)
    }
}

fn holder(row: &AnyRow) -> Result<TokenHolder, DbError> {
    let role: String = get(row, "role")?;
    Ok(TokenHolder {
        id: get_uuid(row, "id")?,
        department_id: get_uuid(row, "department_id")?,
        role: Role::parse(&role)
            .ok_or_else(|| DbError::corrupt("users", format!("role {role:?}")))?,
        display_name: get(row, "display_name")?,
        email: get(row, "email")?,
        session_epoch: get(row, "session_epoch")?,
    })
}

/// Trades `presented` for its successor, in one transaction. Refusals are 401 problems; a
/// reuse is committed (family revoked, audit entry) before it is refused.
pub async fn rotate(
    db: &Db,
    keys: &TokenKeys,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<Rotated, ApiError> {
    let presented = presented.trim();
    let hash = hash_refresh_token(presented);
    let mut tx = db.write().await?;
    // On PostgreSQL the token's row lock makes concurrent refreshes of one token take turns:
    // the second sees the first's rotation and is answered as a retry. (On SQLite the write
    // transaction already serializes them.) Only the token row is locked, not the user's.
    let lock = match db.dialect {
        Dialect::Postgres => " FOR UPDATE OF r",
        Dialect::Sqlite => "",
    };
    let sql = format!(
        "SELECT r.family_id, r.expires_us, r.used_us, r.revoked_us, u.id, u.department_id, \
         u.role, u.display_name, u.email, u.disabled, u.session_epoch \
         FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1{lock}"
    );
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&hash)
        .fetch_optional(&mut *tx.conn())
        .await?
    else {
        return Err(ApiError::unauthorized(
            "unknown refresh token; sign in again",
        ));
    };
    let token = TokenRow::from_row(&row)?;
    let user = holder(&row)?;
    if get::<i64>(&row, "disabled")? != 0 {
        return Err(ApiError::unauthorized(
            "this session has ended; sign in again",
        ));
    }
    let successor = keys.successor_refresh_token(presented);

    if let Some(used_us) = token.used_us {
        let successor_row = sqlx::query(
            "SELECT family_id, expires_us, used_us, revoked_us FROM refresh_tokens \
             WHERE token_hash = $1",
        )
        .bind(hash_refresh_token(&successor))
        .fetch_optional(&mut *tx.conn())
        .await?
        .map(|r| TokenRow::from_row(&r))
        .transpose()?;
        let within_grace = to_us(now) - used_us <= RETRY_GRACE.num_microseconds().unwrap_or(0);
        let successor_live = successor_row.as_ref().is_some_and(|s| s.live(now));
        if within_grace && successor_live && token.revoked_us.is_none() {
            tx.commit().await?;
            tracing::info!(user = %user.id, "refresh retried within the grace window");
            return Ok(Rotated {
                holder: user,
                refresh_token: successor,
                retried: true,
            });
        }
        let reason = if !within_grace {
            "used_before"
        } else if successor_row.as_ref().is_some_and(|s| s.used_us.is_some()) {
            "successor_already_used"
        } else {
            "session_ended"
        };
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_us = $1 WHERE family_id = $2 AND revoked_us IS NULL",
        )
        .bind(to_us(now))
        .bind(&token.family)
        .execute(&mut *tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            user.department_id,
            AuditEntry {
                actor_id: Some(user.id),
                action: "refresh_token_reused",
                entity: "user",
                entity_id: user.id.to_string(),
                detail: serde_json::json!({
                    "family": token.family,
                    "reason": reason,
                    "used_seconds_ago": (to_us(now) - used_us) / 1_000_000,
                }),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::unauthorized(
            "this refresh token was already used; every session of this sign-in is revoked — sign in again",
        ));
    }
    if !token.live(now) {
        return Err(ApiError::unauthorized(
            "this session has ended; sign in again",
        ));
    }
    sqlx::query("UPDATE refresh_tokens SET used_us = $1 WHERE token_hash = $2")
        .bind(to_us(now))
        .bind(&hash)
        .execute(&mut *tx.conn())
        .await?;
    let family =
        Uuid::parse_str(&token.family).map_err(|e| DbError::corrupt("refresh_tokens", e))?;
    store_token(tx.conn(), &successor, family, user.id, now).await?;
    tx.commit().await?;
    Ok(Rotated {
        holder: user,
        refresh_token: successor,
        retried: false,
    })
}
