//! The local SQLite store: opening (WAL, `synchronous=FULL`, `quick_check`), numbered migrations
//! on `user_version`, and read / write-transaction helpers. A corrupt file is set aside and
//! rebuilt; its unsent actions are exported first and carried over, never silently lost.

pub mod meta;
mod rescue;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{CoreError, Result};
use crate::job_cache::JobCache;

pub use rescue::RescueReport;

/// The migrations, in order; `user_version` is the number of the last one applied.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_outcome_seen.sql"),
    include_str!("../../migrations/0003_notifications.sql"),
    include_str!("../../migrations/0004_board_index.sql"),
    include_str!("../../migrations/0005_job_rev.sql"),
];

/// What happened when the store was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Schema version before opening (0: a new file).
    pub from_version: u32,
    /// Set when the file was corrupt and has been rebuilt.
    pub rescue: Option<RescueReport>,
}

/// The officer's local database.
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    jobs: JobCache,
}

impl Store {
    /// Opens (creating or upgrading) the database at `path`.
    pub fn open(path: &Path) -> Result<(Store, OpenReport)> {
        match Self::open_checked(path) {
            Ok((conn, from_version)) => Ok((
                Store {
                    conn: Mutex::new(conn),
                    path: Some(path.to_path_buf()),
                    jobs: JobCache::new(),
                },
                OpenReport {
                    from_version,
                    rescue: None,
                },
            )),
            Err(OpenError::Corrupt(why)) => {
                tracing::error!(path = %path.display(), %why, "local database is corrupt; rebuilding");
                let report = rescue::rebuild(path, &why)?;
                let (conn, _) = Self::open_checked(path).map_err(|e| match e {
                    OpenError::Corrupt(w) => CoreError::Corrupt(w),
                    OpenError::Other(e) => e,
                })?;
                let store = Store {
                    conn: Mutex::new(conn),
                    path: Some(path.to_path_buf()),
                    jobs: JobCache::new(),
                };
                rescue::restore(&store, &report)?;
                Ok((
                    store,
                    OpenReport {
                        from_version: 0,
                        rescue: Some(report),
                    },
                ))
            }
            Err(OpenError::Other(e)) => Err(e),
        }
    }

    /// An in-memory store (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: None,
            jobs: JobCache::new(),
        })
    }

    fn open_checked(path: &Path) -> std::result::Result<(Connection, u32), OpenError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(classify)?;
        configure(&conn).map_err(|e| match e {
            CoreError::Storage(e) => classify(e),
            other => OpenError::Other(other),
        })?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(classify)?;
        if check != "ok" {
            return Err(OpenError::Corrupt(format!("quick_check: {check}")));
        }
        let from: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(classify)?;
        migrate(&mut conn).map_err(OpenError::Other)?;
        Ok((conn, from))
    }

    /// Where the database lives (None in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            // A panic while holding the lock cannot leave a transaction open (rusqlite rolls
            // back on drop), so the connection is still usable.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Runs `f` with the connection (reads; autocommit).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// The decoded jobs the board keeps between listings (decision 033).
    pub fn job_cache(&self) -> &JobCache {
        &self.jobs
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only if `f` returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

enum OpenError {
    Corrupt(String),
    Other(CoreError),
}

fn classify(e: rusqlite::Error) -> OpenError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            OpenError::Corrupt(e.to_string())
        }
        _ => OpenError::Other(e.into()),
    }
}

/// Pragmas for durability: the outbox and punches must survive power loss.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Applies pending migrations, each in its own transaction with its `user_version` bump.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(CoreError::Internal(format!(
            "the local database is version {current}, newer than this app ({}); update the app",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Microseconds since the epoch.
pub fn to_us(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// The inverse of [`to_us`].
pub fn from_us(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_store_is_at_the_latest_version() {
        let s = Store::open_in_memory().unwrap();
        let v: i64 = s
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_failed_write_rolls_back() {
        let s = Store::open_in_memory().unwrap();
        let r: Result<()> = s.write(|tx| {
            tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')", [])?;
            Err(CoreError::Internal("boom".into()))
        });
        assert!(r.is_err());
        let n: i64 = s
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM meta", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }
}
