//! A console sign-in waiting for its second factor (decision 038). When the password of a
//! coordinator with TOTP is right, no session is made yet: the pre-session cookie is exchanged
//! for a random id in its own cookie, and the database keeps the id's SHA-256 with the user, the
//! session epoch read with the password, and a count of codes tried. The state lives
//! [`TTL`], allows [`MAX_ATTEMPTS`] codes, and is used once; its form's CSRF token is tied to
//! the id like the sign-in form's to the pre-session cookie.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::tokens::TokenKeys;
use crate::console::session::random_id;
use crate::db::{Db, DbError, get, get_uuid, to_us};

/// How long after the password the code may be entered.
pub const TTL: Duration = Duration::minutes(5);
/// Codes that may be tried before the state is locked (the password is then needed again).
pub const MAX_ATTEMPTS: i64 = 5;

const CSRF_PURPOSE: &str = "console second factor";

/// A live sign-in waiting for its code.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user_id: Uuid,
    pub department_id: Uuid,
    /// The user's session epoch when the password was checked.
    pub epoch: i64,
    /// Codes tried so far.
    pub attempts: i64,
}

/// What became of one more code tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted: this is attempt `n` (of [`MAX_ATTEMPTS`]).
    Counted(i64),
    /// Expired, used, locked, or unknown: sign in again.
    Closed,
}

fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The form's CSRF token for the state whose id is `id`.
pub fn csrf_token(keys: &TokenKeys, id: &str) -> String {
    keys.tag(CSRF_PURPOSE, id)
}

/// Whether `token` is the form's token for `id` (constant-time).
pub fn csrf_ok(keys: &TokenKeys, id: &str, token: &str) -> bool {
    keys.verify_tag(CSRF_PURPOSE, id, token)
}

/// Starts a state for a user whose password was right; returns the id the cookie carries.
pub async fn start(
    db: &Db,
    user_id: Uuid,
    department_id: Uuid,
    epoch: i64,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let id = random_id();
    sqlx::query(
        "INSERT INTO console_second_factor (id_hash, user_id, department_id, session_epoch, \
         created_us, expires_us, attempts) VALUES ($1, $2, $3, $4, $5, $6, 0)",
    )
    .bind(hash_id(&id))
    .bind(user_id.to_string())
    .bind(department_id.to_string())
    .bind(epoch)
    .bind(to_us(now))
    .bind(to_us(now + TTL))
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// The live state whose id is `id` (not expired, used or locked), if any.
pub async fn load(db: &Db, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>, DbError> {
    let row = sqlx::query(
        "SELECT user_id, department_id, session_epoch, attempts FROM console_second_factor \
         WHERE id_hash = $1 AND expires_us > $2 AND locked_us IS NULL AND done_us IS NULL",
    )
    .bind(hash_id(id))
    .bind(to_us(now))
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Pending {
            user_id: get_uuid(&r, "user_id")?,
            department_id: get_uuid(&r, "department_id")?,
            epoch: get(&r, "session_epoch")?,
            attempts: get(&r, "attempts")?,
        })
    })
    .transpose()
}

/// Counts one more code tried, if the state is still live and has attempts left (atomic: two
/// requests at once cannot both take the last attempt).
pub async fn attempt(db: &Db, id: &str, now: DateTime<Utc>) -> Result<Attempt, DbError> {
    let counted = sqlx::query(
        "UPDATE console_second_factor SET attempts = attempts + 1 WHERE id_hash = $1 \
         AND expires_us > $2 AND locked_us IS NULL AND done_us IS NULL AND attempts < $3 \
         RETURNING attempts",
    )
    .bind(hash_id(id))
    .bind(to_us(now))
    .bind(MAX_ATTEMPTS)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match counted {
        Some(r) => Attempt::Counted(get(&r, "attempts")?),
        None => Attempt::Closed,
    })
}

/// Locks the state (too many wrong codes); returns whether this call locked it.
pub async fn lock(db: &Db, id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE console_second_factor SET locked_us = $1 WHERE id_hash = $2 AND locked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(hash_id(id))
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks the state used; returns whether this call did (a state makes one session at most).
pub async fn finish(db: &Db, id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE console_second_factor SET done_us = $1 WHERE id_hash = $2 AND done_us IS NULL \
         AND locked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(hash_id(id))
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes states that ended more than a day before `now` (the retention sweep).
pub async fn purge_ended(db: &Db, now: DateTime<Utc>) -> Result<u64, DbError> {
    let r = sqlx::query("DELETE FROM console_second_factor WHERE expires_us < $1")
        .bind(to_us(now - Duration::days(1)))
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}
