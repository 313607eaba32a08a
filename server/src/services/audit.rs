//! The audit log: append-only and hash-chained per department, like a Certificate
//! Transparency log. Each entry's hash covers the previous hash and the entry's canonical JSON,
//! so removing, reordering or editing any entry breaks every later hash.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use sqlx::AnyConnection;

use crate::db::{Db, DbError, to_us};

/// Hash of an empty chain.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audited fact.
pub struct AuditEntry<'a> {
    pub actor_id: Option<Uuid>,
    /// e.g. `claim`, `cancel`, `award`, `login_failed`, `denied`.
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub detail: Value,
}

/// The canonical bytes hashed for an entry.
pub fn entry_hash(prev_hash: &str, seq: i64, at_us: i64, e: &AuditEntryRecord) -> String {
    let canonical = serde_json::json!({
        "seq": seq,
        "at_us": at_us,
        "actor_id": e.actor_id,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "detail": e.detail,
    });
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// An entry as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntryRecord {
    pub seq: i64,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: Value,
    pub at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// Appends an entry inside the caller's transaction.
pub async fn append(
    conn: &mut AnyConnection,
    department_id: Uuid,
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let row = sqlx::query(
        "UPDATE departments SET audit_seq = audit_seq + 1 WHERE id = $1 \
         RETURNING audit_seq, audit_head",
    )
    .bind(department_id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = row.try_get("audit_seq")?;
    let prev: String = row.try_get("audit_head")?;
    let at_us = to_us(now);
    let record = AuditEntryRecord {
        seq,
        actor_id: entry.actor_id.map(|a| a.to_string()),
        action: entry.action.to_string(),
        entity: entry.entity.to_string(),
        entity_id: entry.entity_id,
        detail: entry.detail,
        at: now,
        prev_hash: prev.clone(),
        hash: String::new(),
    };
    let hash = entry_hash(&prev, seq, at_us, &record);
    sqlx::query(
        "INSERT INTO audit_log (department_id, seq, actor_id, action, entity, entity_id, \
         detail_json, at_us, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(department_id.to_string())
    .bind(seq)
    .bind(record.actor_id.clone())
    .bind(record.action.clone())
    .bind(record.entity.clone())
    .bind(record.entity_id.clone())
    .bind(record.detail.to_string())
    .bind(at_us)
    .bind(prev)
    .bind(hash.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE departments SET audit_head = $1 WHERE id = $2")
        .bind(hash)
        .bind(department_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends an entry in its own transaction (for denials and failed logins, whose request
/// otherwise writes nothing).
pub async fn append_now(
    db: &Db,
    department_id: Uuid,
    entry: AuditEntry<'_>,
) -> Result<(), DbError> {
    let mut tx = db.write().await?;
    append(tx.conn(), department_id, entry, Utc::now()).await?;
    tx.commit().await
}

/// Reads entries after `after_seq`, oldest first.
pub async fn list(
    db: &Db,
    department_id: Uuid,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditEntryRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT seq, actor_id, action, entity, entity_id, detail_json, at_us, prev_hash, hash \
         FROM audit_log WHERE department_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(department_id.to_string())
    .bind(after_seq)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(record_from_row).collect()
}

fn record_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntryRecord, DbError> {
    let detail: String = r.try_get("detail_json")?;
    Ok(AuditEntryRecord {
        seq: r.try_get("seq")?,
        actor_id: r.try_get("actor_id")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        detail: serde_json::from_str(&detail).map_err(|e| DbError::corrupt("audit_log", e))?,
        at: crate::db::from_us(r.try_get("at_us")?),
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Which entries a reader wants, newest first (the console's audit page).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries before this sequence number (the page cursor).
    pub before_seq: Option<i64>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this actor's.
    pub actor_id: Option<Uuid>,
}

/// Up to `limit` entries matching `filter`, newest first.
pub async fn newest(
    db: &Db,
    department_id: Uuid,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<AuditEntryRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT seq, actor_id, action, entity, entity_id, detail_json, at_us, prev_hash, hash \
         FROM audit_log WHERE department_id = $1 AND seq < $2 AND ($3 = '' OR action = $3) \
         AND ($4 = '' OR actor_id = $4) ORDER BY seq DESC LIMIT $5",
    )
    .bind(department_id.to_string())
    .bind(filter.before_seq.unwrap_or(i64::MAX))
    .bind(filter.action.clone().unwrap_or_default())
    .bind(filter.actor_id.map(|a| a.to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(record_from_row).collect()
}

/// The distinct actions in the department's log, sorted (for a filter's choices).
pub async fn actions(db: &Db, department_id: Uuid) -> Result<Vec<String>, DbError> {
    let rows = sqlx::query(
        "SELECT DISTINCT action FROM audit_log WHERE department_id = $1 ORDER BY action",
    )
    .bind(department_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>("action").map_err(DbError::from))
        .collect()
}

/// Result of re-computing a department's chain.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    pub entries: i64,
    pub head: String,
    /// First sequence whose hash does not recompute, if any.
    pub first_bad_seq: Option<i64>,
}

/// Recomputes every hash of the department's chain.
pub async fn verify_chain(db: &Db, department_id: Uuid) -> Result<ChainReport, DbError> {
    let mut prev = AUDIT_GENESIS.to_string();
    let mut after = 0;
    let mut entries = 0;
    loop {
        let page = list(db, department_id, after, 1000).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            entries += 1;
            let expected = entry_hash(&prev, e.seq, to_us(e.at), e);
            if e.prev_hash != prev || e.hash != expected || e.seq != after + 1 {
                return Ok(ChainReport {
                    entries,
                    head: prev,
                    first_bad_seq: Some(e.seq),
                });
            }
            prev = e.hash.clone();
            after = e.seq;
        }
    }
    Ok(ChainReport {
        entries,
        head: prev,
        first_bad_seq: None,
    })
}
