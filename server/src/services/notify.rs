//! The notification outbox: rows a delivery worker (push, SMS, e-mail) sends later. Written in
//! the same transaction as the change it announces, so a notice is never sent for a change that
//! rolled back, nor lost for one that committed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sqlx::AnyConnection;

use crate::db::{DbError, json, to_us};

pub use offduty_domain::notice::{AwardedHow, Notice};

/// Queues a notice for `user_id`.
pub async fn enqueue(
    conn: &mut AnyConnection,
    department_id: Uuid,
    user_id: Uuid,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO notifications (id, department_id, user_id, kind, payload_json, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(department_id.to_string())
    .bind(user_id.to_string())
    .bind(notice.kind())
    .bind(json(notice))
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Queues `notice` for every active coordinator of the department (a shift alert, a late
/// cancellation). Returns how many were queued.
pub async fn enqueue_coordinators(
    conn: &mut AnyConnection,
    department_id: Uuid,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "SELECT id FROM users WHERE department_id = $1 AND role = 'coordinator' \
         AND disabled = 0 ORDER BY id",
    )
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in &rows {
        ids.push(crate::db::get_uuid(r, "id")?);
    }
    for id in &ids {
        enqueue(conn, department_id, *id, notice, now).await?;
    }
    Ok(ids.len())
}
