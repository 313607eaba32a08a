//! The per-department change log. Each write transaction takes the next sequence number by
//! bumping `departments.change_seq` (a row lock on PostgreSQL, the write lock on SQLite), so
//! sequences commit in order and a client holding cursor N never misses a change below N.
//! Old rows are compacted away by [`crate::services::retention`]; the watermark read here tells
//! the sync which cursors the log still covers (decision 020).

use sqlx::Row;
use uuid::Uuid;

use sqlx::AnyConnection;

use crate::db::DbError;

/// What changed, and who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Visible to everyone in the department.
    Job,
    /// Visible to the officer it belongs to.
    Assignment,
    Timecard,
    /// The officer's duty blocks (hour-cap history).
    Duty,
    /// The officer's own profile.
    Profile,
    /// The department's rules (everyone).
    Rules,
    /// The officer's notification preferences.
    Prefs,
}

impl Entity {
    /// Name stored in `change_log.entity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Job => "job",
            Entity::Assignment => "assignment",
            Entity::Timecard => "timecard",
            Entity::Duty => "duty",
            Entity::Profile => "profile",
            Entity::Rules => "rules",
            Entity::Prefs => "prefs",
        }
    }
}

/// Locks the department for this transaction without taking a sequence number: a row lock on
/// PostgreSQL; nothing on SQLite, where the write transaction (`BEGIN IMMEDIATE`) already holds
/// the database's write lock. For a transaction that may decide nothing (an action replayed
/// from its idempotency key) and so must not advance the change log.
pub async fn lock_department(
    conn: &mut AnyConnection,
    dialect: crate::db::Dialect,
    department_id: Uuid,
) -> Result<(), DbError> {
    if dialect == crate::db::Dialect::Postgres {
        sqlx::query("SELECT id FROM departments WHERE id = $1 FOR UPDATE")
            .bind(department_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes the department's next sequence number, locking the department for this transaction.
pub async fn next_seq(conn: &mut AnyConnection, department_id: Uuid) -> Result<i64, DbError> {
    let row = sqlx::query(
        "UPDATE departments SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq",
    )
    .bind(department_id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<i64, _>("change_seq")?)
}

/// Records that `entity_id` changed at `seq`, visible to `audience` (None = whole department).
pub async fn record(
    conn: &mut AnyConnection,
    department_id: Uuid,
    seq: i64,
    entity: Entity,
    entity_id: Uuid,
    audience: Option<Uuid>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO change_log (department_id, seq, entity, entity_id, audience) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(department_id.to_string())
    .bind(seq)
    .bind(entity.as_str())
    .bind(entity_id.to_string())
    .bind(audience.map(|a| a.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The department's compaction watermark: every change with `seq <=` it is gone from the log
/// (0 when nothing was compacted). Read it in the same snapshot as the change rows.
pub async fn compacted_through(
    conn: &mut AnyConnection,
    department_id: Uuid,
) -> Result<i64, DbError> {
    let row =
        sqlx::query("SELECT compacted_seq FROM change_log_compaction WHERE department_id = $1")
            .bind(department_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(r) => Ok(r.try_get::<i64, _>("compacted_seq")?),
        None => Ok(0),
    }
}
