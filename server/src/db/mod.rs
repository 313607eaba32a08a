//! Database access: one pool over SQLite (default, a file) or PostgreSQL (by URL), the dialect
//! differences in one place, and write transactions that are safe across server processes.

pub mod migrate;
pub mod rows;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// The two databases the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `FOR UPDATE` on PostgreSQL (row lock until commit); nothing on SQLite, where a write
    /// transaction already holds the database's single write lock.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    #[error("migration {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
}

impl DbError {
    /// A row that does not decode into its domain type (a bug or manual tampering, never input).
    pub fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> DbError {
        DbError::Corrupt {
            table,
            detail: detail.to_string(),
        }
    }

    /// Whether retrying the whole transaction may succeed (PostgreSQL serialization failure or
    /// deadlock, SQLite busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517")
                )
            }
            _ => false,
        }
    }

    /// Whether the error is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                e.kind() == sqlx::error::ErrorKind::UniqueViolation
            }
            _ => false,
        }
    }
}

/// A write transaction. On SQLite it also holds the process-wide write gate, so writers queue
/// in memory instead of spinning on `SQLITE_BUSY`.
pub struct WriteTx {
    pub tx: Transaction<'static, Any>,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// The connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), DbError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The connection pool and what kind of database is behind it.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
    gate: Option<Arc<Mutex<()>>>,
}

impl Db {
    /// Connects to `url` (`sqlite://path/to/file.db`, `sqlite::memory:` or `postgres://…`).
    /// A SQLite file is created when missing and opened in WAL mode.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        };
        let url = match dialect {
            Dialect::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30));
        let pool = match dialect {
            Dialect::Sqlite => {
                options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Dialect::Postgres => options.connect(&url).await?,
        };
        let gate = match dialect {
            Dialect::Sqlite => Some(Arc::new(Mutex::new(()))),
            Dialect::Postgres => None,
        };
        Ok(Db {
            pool,
            dialect,
            gate,
        })
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn write(&self) -> Result<WriteTx, DbError> {
        let gate = match &self.gate {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _gate: gate })
    }

    /// Begins a read transaction: one consistent snapshot for multi-query reads.
    pub async fn read(&self) -> Result<Transaction<'static, Any>, DbError> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin().await?,
            Dialect::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        Ok(tx)
    }
}

/// Microseconds since the Unix epoch, the storage form of every time.
pub fn to_us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The inverse of [`to_us`]; out-of-range values (never written by the server) clamp to the epoch.
pub fn from_us(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// Reads a column, mapping errors to [`DbError`].
pub fn get<T>(row: &AnyRow, col: &str) -> Result<T, DbError>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    Ok(row.try_get::<T, _>(col)?)
}

/// Reads a UUID stored as TEXT.
pub fn get_uuid(row: &AnyRow, col: &str) -> Result<Uuid, DbError> {
    let s: String = get(row, col)?;
    Uuid::from_str(&s).map_err(|e| DbError::corrupt("uuid column", format!("{col}: {e}")))
}

/// Reads a nullable UUID stored as TEXT.
pub fn get_opt_uuid(row: &AnyRow, col: &str) -> Result<Option<Uuid>, DbError> {
    let s: Option<String> = get(row, col)?;
    s.map(|s| {
        Uuid::from_str(&s).map_err(|e| DbError::corrupt("uuid column", format!("{col}: {e}")))
    })
    .transpose()
}

/// Reads a JSON value stored as TEXT.
pub fn get_json<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T, DbError> {
    let s: String = get(row, col)?;
    serde_json::from_str(&s).map_err(|e| DbError::corrupt("json column", format!("{col}: {e}")))
}

/// Reads a time stored as microseconds.
pub fn get_time(row: &AnyRow, col: &str) -> Result<DateTime<Utc>, DbError> {
    Ok(from_us(get::<i64>(row, col)?))
}

/// Reads a nullable time stored as microseconds.
pub fn get_opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(get::<Option<i64>>(row, col)?.map(from_us))
}

/// Serializes a value for a JSON TEXT column. Serializing our own plain types cannot fail.
pub fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}
