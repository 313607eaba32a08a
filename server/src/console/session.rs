//! The web console's cookie sessions (decision 035). Signing in stores a session whose id is 32
//! random bytes; the browser keeps the id in an `HttpOnly`, `SameSite=Strict` cookie and the
//! database keeps only its SHA-256. A session ends at sign-out, after [`IDLE`] without a request,
//! [`ABSOLUTE`] after sign-in, and — through `auth::sessions`, exactly like an access token — when
//! the user is disabled, their password reset or their role changed. Every form that changes
//! something carries a CSRF token: an HMAC of the session id under the server's key, checked in
//! constant time (the sign-in form, before any session, is tied the same way to a random
//! pre-session cookie).

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::auth::signin::Verified;
use crate::auth::tokens::{AccessClaims, TokenKeys};
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::extract::AuthUser;

/// The session cookie.
pub const COOKIE: &str = "offduty_console";
/// The sign-in form's pre-session cookie (its CSRF token is tied to it).
pub const PRE_COOKIE: &str = "offduty_console_pre";
/// The cookie of a sign-in waiting for its second factor (`console::second_factor`).
pub const SECOND_FACTOR_COOKIE: &str = "offduty_console_2fa";
/// A session unused this long has ended.
pub const IDLE: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_us` is written at most this often (a page view is then usually a read only).
const TOUCH_EVERY: Duration = Duration::seconds(60);

const CSRF_PURPOSE: &str = "console csrf";
const SIGN_IN_PURPOSE: &str = "console sign-in";

/// Who may hold a console session. Coordinators administer their department and customers use
/// the portal; officers use the app.
pub fn may_use_console(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::Customer)
}

/// A signed-in console user.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub user: AuthUser,
    pub display_name: String,
    pub email: String,
    /// The department requires a second factor and this user has none yet: every page but
    /// enrolment and sign-out sends them to enrolment (decision 038).
    pub must_enrol: bool,
    /// What the session's forms carry.
    pub csrf: String,
    /// The department's open (unacknowledged) alerts, for the navigation (decision 043).
    pub open_alerts: i64,
    /// The id the cookie carries (never logged, never stored).
    id: String,
}

impl ConsoleSession {
    /// Whether `token` is this session's CSRF token (constant-time).
    pub fn csrf_ok(&self, keys: &TokenKeys, token: &str) -> bool {
        keys.verify_tag(CSRF_PURPOSE, &self.id, token)
    }

    /// Ends this session (sign-out).
    pub async fn revoke(&self, db: &Db, now: DateTime<Utc>) -> Result<(), DbError> {
        revoke_hash(db, &hash_id(&self.id), now).await
    }
}

/// What the database keeps of a session id.
fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// 32 random bytes, base64url.
pub fn random_id() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The sign-in form's CSRF token for the pre-session cookie `pre`.
pub fn sign_in_token(keys: &TokenKeys, pre: &str) -> String {
    keys.tag(SIGN_IN_PURPOSE, pre)
}

/// Whether `token` is the sign-in form's token for `pre` (constant-time).
pub fn sign_in_token_ok(keys: &TokenKeys, pre: &str, token: &str) -> bool {
    keys.verify_tag(SIGN_IN_PURPOSE, pre, token)
}

/// Starts a session for credentials that verified; returns the id the cookie carries, or None
/// when the account was disabled or its sessions ended since the credentials were read.
pub async fn create(
    db: &Db,
    verified: &Verified,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let id = random_id();
    let stored = sqlx::query(
        "INSERT INTO console_sessions (id_hash, user_id, department_id, role, session_epoch, \
         created_us, last_seen_us, expires_us) \
         SELECT $1, $2, $3, $4, $5, $6, $6, $7 WHERE EXISTS (SELECT 1 FROM users \
           WHERE id = $2 AND department_id = $3 AND session_epoch = $5 AND disabled = 0)",
    )
    .bind(hash_id(&id))
    .bind(verified.user.id.to_string())
    .bind(verified.user.department_id.to_string())
    .bind(verified.user.role.as_str())
    .bind(verified.epoch)
    .bind(to_us(now))
    .bind(to_us(now + ABSOLUTE))
    .execute(&db.pool)
    .await?;
    Ok((stored.rows_affected() == 1).then_some(id))
}

/// The live session whose id is `id`, or None (unknown, revoked, idle, expired, or the user's
/// sessions ended). A session found ended is revoked, so it never comes back.
pub async fn load(
    state: &AppState,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<ConsoleSession>, DbError> {
    let id_hash = hash_id(id);
    let row = sqlx::query(
        "SELECT s.user_id, s.department_id, s.role, s.session_epoch, s.last_seen_us, \
         s.expires_us, s.revoked_us, u.display_name, u.email, d.require_totp, \
         (SELECT COUNT(*) FROM user_totp t WHERE t.user_id = s.user_id \
           AND t.confirmed_us IS NOT NULL) AS totp_on, \
         (SELECT COUNT(*) FROM alerts a WHERE a.department_id = s.department_id \
           AND a.acknowledged_us IS NULL) AS open_alerts \
         FROM console_sessions s JOIN users u ON u.id = s.user_id \
         JOIN departments d ON d.id = s.department_id WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if get::<Option<i64>>(&row, "revoked_us")?.is_some() {
        return Ok(None);
    }
    let now_us = to_us(now);
    let last_seen: i64 = get(&row, "last_seen_us")?;
    let live = now_us < get::<i64>(&row, "expires_us")?
        && now_us < last_seen.saturating_add(IDLE.num_microseconds().unwrap_or(i64::MAX));
    let role: String = get(&row, "role")?;
    let role = Role::parse(&role)
        .ok_or_else(|| DbError::corrupt("console_sessions", format!("role {role:?}")))?;
    let claims = AccessClaims {
        sub: get_uuid(&row, "user_id")?,
        dept: get_uuid(&row, "department_id")?,
        role,
        exp: 0,
        epoch: get(&row, "session_epoch")?,
    };
    // The same rule as every access token: disabled, reset or re-roled ends the session.
    let current = live
        && may_use_console(role)
        && crate::auth::sessions::check(&state.db.pool, &claims)
            .await?
            .is_ok();
    if !current {
        revoke_hash(&state.db, &id_hash, now).await?;
        return Ok(None);
    }
    if now_us - last_seen >= TOUCH_EVERY.num_microseconds().unwrap_or(0) {
        sqlx::query("UPDATE console_sessions SET last_seen_us = $1 WHERE id_hash = $2")
            .bind(now_us)
            .bind(&id_hash)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(Some(ConsoleSession {
        user: AuthUser {
            user_id: claims.sub,
            department_id: claims.dept,
            role,
        },
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        // The department's two-factor requirement is for its coordinators (decision 038).
        must_enrol: role == Role::Coordinator
            && get::<i64>(&row, "require_totp")? != 0
            && get::<i64>(&row, "totp_on")? == 0,
        csrf: state.tokens.tag(CSRF_PURPOSE, id),
        open_alerts: get(&row, "open_alerts")?,
        id: id.to_string(),
    }))
}

async fn revoke_hash(db: &Db, id_hash: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE console_sessions SET revoked_us = $1 WHERE id_hash = $2 AND revoked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(id_hash)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Deletes sessions that ended (revoked, idle or expired) more than a day before `now`; the
/// retention sweep runs it. Sign-in and sign-out stay in the audit log.
pub async fn purge_ended(db: &Db, now: DateTime<Utc>) -> Result<u64, DbError> {
    let cutoff = now - Duration::days(1);
    let r = sqlx::query(
        "DELETE FROM console_sessions WHERE revoked_us < $1 OR expires_us < $1 \
         OR last_seen_us < $2",
    )
    .bind(to_us(cutoff))
    .bind(to_us(cutoff - IDLE))
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected())
}

/// The value of cookie `name` in the request, if sent (the first one).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Whether console cookies carry `Secure`: always, unless the server listens on a loopback
/// address with no reverse proxy in front (a developer's plain-HTTP `http://127.0.0.1`), where a
/// browser would otherwise drop them. The server has no TLS of its own (decision 016): outside
/// loopback it is reached through an HTTPS proxy.
pub fn secure_cookies(listen: std::net::SocketAddr, behind_proxy: bool) -> bool {
    behind_proxy || !listen.ip().is_loopback()
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` when `secure`.
/// An empty `value` with `max_age_s` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}");
    // Names are constants and values base64url: always a valid header value.
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_except_on_plain_loopback() {
        let lo: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let any: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!secure_cookies(lo, false));
        assert!(secure_cookies(lo, true));
        assert!(secure_cookies(any, false));
        let c = set_cookie(COOKIE, "abc", 60, true);
        assert_eq!(
            c.to_str().ok(),
            Some("offduty_console=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure")
        );
    }

    #[test]
    fn the_cookie_is_read_among_others_and_oversized_ones_are_ignored() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; offduty_console=xyz"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, PRE_COOKIE), None);
        let long = format!("offduty_console={}", "x".repeat(200));
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_str(&long).unwrap());
        assert_eq!(cookie(&h, COOKIE), None);
    }
}
