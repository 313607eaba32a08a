//! The department's ledger in the database (`ledger_entries`): entries appended in order, each
//! written by an event of `offduty_domain::ledger::Ledger` after its checks. Loading replays
//! every stored entry through the same checks, so a tampered or impossible row is refused
//! rather than believed. Call inside the department's write transaction (`DeptTx`): the ledger
//! read and the entry appended are then one decision.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::ledger::{Entry, Ledger, LedgerError};

use crate::db::{DbError, get, json, to_us};
use crate::error::ApiError;

/// The department's ledger, rebuilt from its entries (oldest first).
pub async fn load(conn: &mut AnyConnection, department_id: Uuid) -> Result<Ledger, ApiError> {
    let rows =
        sqlx::query("SELECT entry_json FROM ledger_entries WHERE department_id = $1 ORDER BY seq")
            .bind(department_id.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(DbError::from)?;
    let mut entries = Vec::with_capacity(rows.len());
    for r in &rows {
        let text: String = get(r, "entry_json")?;
        let entry: Entry = serde_json::from_str(&text)
            .map_err(|e| ApiError::from(DbError::corrupt("ledger_entries", e)))?;
        entries.push(entry);
    }
    Ledger::replay(entries).map_err(|e| {
        tracing::error!(error = %e, department = %department_id, "the stored ledger does not replay");
        ApiError::from(DbError::corrupt("ledger_entries", e))
    })
}

/// Stores the ledger's newest entry (the one the caller's event just wrote) as entry number
/// `ledger.entries().len()`.
pub async fn store_last(
    conn: &mut AnyConnection,
    department_id: Uuid,
    ledger: &Ledger,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(entry) = ledger.entries().last() else {
        return Ok(());
    };
    let seq = i64::try_from(ledger.entries().len()).unwrap_or(i64::MAX);
    let kind = serde_json::to_value(entry.kind())
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO ledger_entries (department_id, seq, kind, invoice_id, entry_json, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(department_id.to_string())
    .bind(seq)
    .bind(kind)
    .bind(entry.invoice().map(|i| i.to_string()))
    .bind(json(entry))
    .bind(to_us(now))
    .execute(&mut *conn)
    .await
    .map_err(DbError::from)?;
    Ok(())
}

/// A ledger refusal as the coordinator sees it: the money is not there.
pub fn refused(e: LedgerError) -> ApiError {
    ApiError::conflict(e.to_string())
}
