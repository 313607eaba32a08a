//! Two-factor sign-in (decision 038): enrolling an authenticator (a sealed secret that takes
//! effect once a code confirms it, and ten single-use recovery codes kept as hashes), checking a
//! code or a recovery code — each TOTP step accepted at most once per user, so a code seen over
//! a shoulder or replayed from a log is refused —, turning it off with a code, and the
//! department's requirement. Every change and every refused code is audited in the transaction
//! that makes it: `totp_enabled`, `totp_disabled`, `totp_failed`, `recovery_code_used`,
//! `totp_requirement_changed`. The clock is passed in.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::auth::totp::{self, SecretSeal};
use crate::db::{Db, DbError, get, to_us};
use crate::services::audit::{self, AuditEntry};

/// Whose second factor, and in which department (for the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub user_id: Uuid,
    pub department_id: Uuid,
}

/// A code that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// A TOTP code of a step not used before.
    Totp,
    /// A recovery code, now used; this many are left.
    RecoveryCode { left: i64 },
}

impl Accepted {
    /// How the audit log names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Accepted::Totp => "totp",
            Accepted::RecoveryCode { .. } => "recovery_code",
        }
    }
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a current code, nor an unused recovery code.
    Wrong,
    /// A correct code of a step already used.
    Replayed,
    /// The user has no confirmed second factor (or, for a confirmation, no enrolment).
    NotEnrolled,
}

/// Where a code was entered, recorded with the audit entries.
pub type Via = &'static str;

/// The user's second factor as the account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
}

/// Whether `user_id` has a confirmed second factor.
pub async fn enabled(db: &Db, user_id: Uuid) -> Result<bool, DbError> {
    Ok(
        sqlx::query("SELECT 1 AS x FROM user_totp WHERE user_id = $1 AND confirmed_us IS NOT NULL")
            .bind(user_id.to_string())
            .fetch_optional(&db.pool)
            .await?
            .is_some(),
    )
}

/// The user's second factor and recovery codes left.
pub async fn status(db: &Db, user_id: Uuid) -> Result<Status, DbError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM user_totp WHERE user_id = $1 AND confirmed_us IS NOT NULL) \
         AS enabled, (SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = $1 \
         AND used_us IS NULL) AS left_codes",
    )
    .bind(user_id.to_string())
    .fetch_one(&db.pool)
    .await?;
    Ok(Status {
        enabled: get::<i64>(&row, "enabled")? > 0,
        recovery_codes_left: get(&row, "left_codes")?,
    })
}

/// Whether the department requires a second factor of every coordinator.
pub async fn required(db: &Db, department_id: Uuid) -> Result<bool, DbError> {
    let row = sqlx::query("SELECT require_totp FROM departments WHERE id = $1")
        .bind(department_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        Some(r) => get::<i64>(&r, "require_totp")? != 0,
        None => false,
    })
}

/// Sets the department's requirement; audited as `totp_requirement_changed`.
pub async fn set_required(
    db: &Db,
    actor: Holder,
    require: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE departments SET require_totp = $1 WHERE id = $2")
        .bind(i64::from(require))
        .bind(actor.department_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    audit::append(
        tx.conn(),
        actor.department_id,
        AuditEntry {
            actor_id: Some(actor.user_id),
            action: "totp_requirement_changed",
            entity: "department",
            entity_id: actor.department_id.to_string(),
            detail: serde_json::json!({"via": "console", "require_totp": require}),
        },
        now,
    )
    .await?;
    tx.commit().await
}

/// The secret of the user's enrolment in progress, starting one when there is none; None when
/// a second factor is already on.
pub async fn begin(
    db: &Db,
    seal: &SecretSeal,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>, DbError> {
    let mut tx = db.write().await?;
    let row = sqlx::query("SELECT secret_sealed, confirmed_us FROM user_totp WHERE user_id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    if let Some(row) = &row {
        if get::<Option<i64>>(row, "confirmed_us")?.is_some() {
            return Ok(None);
        }
        if let Some(secret) = seal.open(user_id, &get::<String>(row, "secret_sealed")?) {
            return Ok(Some(secret));
        }
        // Sealed under a key this server no longer has: start again.
        tracing::warn!(user = %user_id, "an enrolment in progress did not open; starting again");
    }
    let secret = totp::new_secret();
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1 AND confirmed_us IS NULL")
        .bind(user_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    let stored = sqlx::query(
        "INSERT INTO user_totp (user_id, secret_sealed, created_us, last_step) \
         VALUES ($1, $2, $3, 0) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id.to_string())
    .bind(seal.seal(user_id, &secret))
    .bind(to_us(now))
    .execute(&mut *tx.conn())
    .await?;
    tx.commit().await?;
    if stored.rows_affected() == 1 {
        return Ok(Some(secret));
    }
    // Another request (the same page opened twice at once) started one first: show that one.
    let row = sqlx::query("SELECT secret_sealed, confirmed_us FROM user_totp WHERE user_id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(r) if get::<Option<i64>>(&r, "confirmed_us")?.is_none() => {
            Ok(seal.open(user_id, &get::<String>(&r, "secret_sealed")?))
        }
        _ => Ok(None),
    }
}

/// Confirms the enrolment in progress with a code of its secret: the second factor takes
/// effect, and ten new recovery codes are returned (to be shown once; only their hashes are
/// kept). Audited as `totp_enabled`, or `totp_failed` for a wrong code.
pub async fn confirm(
    db: &Db,
    seal: &SecretSeal,
    who: Holder,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Result<Vec<String>, Refused>, DbError> {
    let mut tx = db.write().await?;
    let row = sqlx::query(
        "SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND confirmed_us IS NULL",
    )
    .bind(who.user_id.to_string())
    .fetch_optional(&mut *tx.conn())
    .await?;
    let Some(secret) = row
        .map(|r| get::<String>(&r, "secret_sealed"))
        .transpose()?
        .and_then(|s| seal.open(who.user_id, &s))
    else {
        return Ok(Err(Refused::NotEnrolled));
    };
    let Some(step) = totp::matching_step(&secret, code, now) else {
        audit_failed(tx.conn(), who, "console", "wrong", Some("enrolment"), now).await?;
        tx.commit().await?;
        return Ok(Err(Refused::Wrong));
    };
    sqlx::query(
        "UPDATE user_totp SET confirmed_us = $1, last_step = $2 WHERE user_id = $3 \
         AND confirmed_us IS NULL",
    )
    .bind(to_us(now))
    .bind(step)
    .bind(who.user_id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(who.user_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    let codes = totp::new_recovery_codes();
    for code in &codes {
        let normalized = totp::normalize_recovery_code(code).unwrap_or_default();
        sqlx::query(
            "INSERT INTO totp_recovery_codes (code_hash, user_id, created_us) VALUES ($1, $2, $3)",
        )
        .bind(totp::recovery_code_hash(who.user_id, &normalized))
        .bind(who.user_id.to_string())
        .bind(to_us(now))
        .execute(&mut *tx.conn())
        .await?;
    }
    audit::append(
        tx.conn(),
        who.department_id,
        AuditEntry {
            actor_id: Some(who.user_id),
            action: "totp_enabled",
            entity: "user",
            entity_id: who.user_id.to_string(),
            detail: serde_json::json!({"via": "console", "recovery_codes": codes.len()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(codes))
}

/// Checks `input` — a current TOTP code whose step was not used before, or an unused recovery
/// code — for a user whose second factor is on, and uses it up. A refusal is audited as
/// `totp_failed`, a recovery code as `recovery_code_used`.
pub async fn check(
    db: &Db,
    seal: &SecretSeal,
    who: Holder,
    input: &str,
    via: Via,
    now: DateTime<Utc>,
) -> Result<Result<Accepted, Refused>, DbError> {
    let mut tx = db.write().await?;
    let outcome = check_in(tx.conn(), seal, who, input, via, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Turns the second factor off, with a current code or a recovery code; audited as
/// `totp_disabled` (or `totp_failed`).
pub async fn disable(
    db: &Db,
    seal: &SecretSeal,
    who: Holder,
    input: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), Refused>, DbError> {
    let mut tx = db.write().await?;
    let accepted = match check_in(tx.conn(), seal, who, input, "console", now).await? {
        Ok(a) => a,
        Err(refused) => {
            tx.commit().await?;
            return Ok(Err(refused));
        }
    };
    for sql in [
        "DELETE FROM totp_recovery_codes WHERE user_id = $1",
        "DELETE FROM user_totp WHERE user_id = $1",
    ] {
        sqlx::query(sql)
            .bind(who.user_id.to_string())
            .execute(&mut *tx.conn())
            .await?;
    }
    audit::append(
        tx.conn(),
        who.department_id,
        AuditEntry {
            actor_id: Some(who.user_id),
            action: "totp_disabled",
            entity: "user",
            entity_id: who.user_id.to_string(),
            detail: serde_json::json!({"via": "console", "with": accepted.as_str()}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes a user's second factor for them (a lost phone and lost recovery codes), by an
/// administrator; audited as `totp_reset`. Returns whether there was one. The user signs in
/// with the password alone next time (and is sent to enrolment if the department requires it).
pub async fn reset(
    db: &Db,
    department_id: Uuid,
    admin: &crate::services::accounts::Admin,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    let removed = sqlx::query(
        "DELETE FROM user_totp WHERE user_id = $1 AND EXISTS \
         (SELECT 1 FROM users WHERE id = $1 AND department_id = $2)",
    )
    .bind(user_id.to_string())
    .bind(department_id.to_string())
    .execute(&mut *tx.conn())
    .await?
    .rows_affected()
        > 0;
    audit::append(
        tx.conn(),
        department_id,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "totp_reset",
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({"via": admin.via(), "had_second_factor": removed}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(removed)
}

async fn check_in(
    conn: &mut AnyConnection,
    seal: &SecretSeal,
    who: Holder,
    input: &str,
    via: Via,
    now: DateTime<Utc>,
) -> Result<Result<Accepted, Refused>, DbError> {
    let row = sqlx::query(
        "SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND confirmed_us IS NOT NULL",
    )
    .bind(who.user_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Err(Refused::NotEnrolled));
    };
    let secret = seal
        .open(who.user_id, &get::<String>(&row, "secret_sealed")?)
        .ok_or_else(|| DbError::corrupt("user_totp", "a sealed secret does not open"))?;
    if totp::normalize_code(input).is_some() {
        let Some(step) = totp::matching_step(&secret, input, now) else {
            audit_failed(conn, who, via, "wrong", None, now).await?;
            return Ok(Err(Refused::Wrong));
        };
        // Only a step after the last one used: a code is good once (RFC 6238 §5.2).
        let used = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1 \
             AND confirmed_us IS NOT NULL",
        )
        .bind(step)
        .bind(who.user_id.to_string())
        .execute(&mut *conn)
        .await?;
        if used.rows_affected() != 1 {
            audit_failed(conn, who, via, "replayed", None, now).await?;
            return Ok(Err(Refused::Replayed));
        }
        return Ok(Ok(Accepted::Totp));
    }
    if let Some(code) = totp::normalize_recovery_code(input) {
        let used = sqlx::query(
            "UPDATE totp_recovery_codes SET used_us = $1 WHERE code_hash = $2 AND user_id = $3 \
             AND used_us IS NULL",
        )
        .bind(to_us(now))
        .bind(totp::recovery_code_hash(who.user_id, &code))
        .bind(who.user_id.to_string())
        .execute(&mut *conn)
        .await?;
        if used.rows_affected() == 1 {
            let left: i64 = get(
                &sqlx::query(
                    "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1 \
                     AND used_us IS NULL",
                )
                .bind(who.user_id.to_string())
                .fetch_one(&mut *conn)
                .await?,
                "n",
            )?;
            audit::append(
                conn,
                who.department_id,
                AuditEntry {
                    actor_id: Some(who.user_id),
                    action: "recovery_code_used",
                    entity: "user",
                    entity_id: who.user_id.to_string(),
                    detail: serde_json::json!({"via": via, "left": left}),
                },
                now,
            )
            .await?;
            return Ok(Ok(Accepted::RecoveryCode { left }));
        }
    }
    audit_failed(conn, who, via, "wrong", None, now).await?;
    Ok(Err(Refused::Wrong))
}

async fn audit_failed(
    conn: &mut AnyConnection,
    who: Holder,
    via: Via,
    reason: &str,
    stage: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut detail = serde_json::json!({"via": via, "reason": reason});
    if let Some(stage) = stage {
        detail["stage"] = serde_json::json!(stage);
    }
    audit::append(
        conn,
        who.department_id,
        AuditEntry {
            actor_id: Some(who.user_id),
            action: "totp_failed",
            entity: "user",
            entity_id: who.user_id.to_string(),
            detail,
        },
        now,
    )
    .await
}
