//! Rebuilding a corrupt cache: read what can still be read of the unsent actions and the
//! identity/chain keys, export them to a JSON file beside the database, move the corrupt file
//! aside, and carry the actions into the fresh database. The job board, shifts and timecards
//! come back from the server on the next sync.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use super::{Store, meta};
use crate::error::Result;

/// An unsent action read out of a corrupt database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescuedAction {
    pub idempotency_key: String,
    pub kind: String,
    pub job_id: String,
    pub envelope_json: String,
    pub created_us: i64,
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescueReport {
    /// Why the file was considered corrupt.
    pub reason: String,
    /// Where the corrupt file was moved.
    pub corrupt_path: PathBuf,
    /// The JSON export of everything rescued.
    pub export_path: PathBuf,
    pub actions: Vec<RescuedAction>,
    pub meta: Vec<(String, String)>,
    /// Set when the unsent actions could not be read at all (the export says so too).
    pub unreadable: Option<String>,
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn read_rescue(path: &Path) -> (Vec<RescuedAction>, Vec<(String, String)>, Option<String>) {
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => return (Vec::new(), Vec::new(), Some(e.to_string())),
    };
    let actions = conn
        .prepare(
            "SELECT idempotency_key, kind, job_id, envelope_json, created_us FROM outbox ORDER BY seq",
        )
        .and_then(|mut st| {
            st.query_map([], |r| {
                Ok(RescuedAction {
                    idempotency_key: r.get(0)?,
                    kind: r.get(1)?,
                    job_id: r.get(2)?,
                    envelope_json: r.get(3)?,
                    created_us: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        });
    let metas = conn
        .prepare("SELECT key, value FROM meta")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map(|v| {
            v.into_iter()
                .filter(|(k, _)| meta::keys::PRESERVED.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    match actions {
        Ok(a) => (a, metas, None),
        Err(e) => (Vec::new(), metas, Some(e.to_string())),
    }
}

/// Exports what can be read from the corrupt file and moves it (and its WAL) aside.
pub(super) fn rebuild(path: &Path, reason: &str) -> Result<RescueReport> {
    let (actions, metas, unreadable) = read_rescue(path);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let corrupt_path = suffixed(path, &format!(".corrupt-{stamp}"));
    let export_path = suffixed(path, &format!(".rescued-{stamp}.json"));
    let report = RescueReport {
        reason: reason.to_string(),
        corrupt_path: corrupt_path.clone(),
        export_path: export_path.clone(),
        actions,
        meta: metas,
        unreadable,
    };
    // The export is written (and synced) before anything is moved.
    let json = serde_json::to_vec_pretty(&report)?;
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&export_path)?;
        f.write_all(&json)?;
        f.sync_all()?;
    }
    std::fs::rename(path, &corrupt_path)?;
    for ext in ["-wal", "-shm"] {
        let side = suffixed(path, ext);
        if side.exists() {
            std::fs::rename(&side, suffixed(&corrupt_path, ext))?;
        }
    }
    Ok(report)
}

/// Puts the rescued actions and identity back into the fresh store.
pub(super) fn restore(store: &Store, report: &RescueReport) -> Result<()> {
    store.write(|tx| {
        for (k, v) in &report.meta {
            meta::set(tx, k, v)?;
        }
        for a in &report.actions {
            tx.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, kind, job_id, envelope_json, created_us) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![a.idempotency_key, a.kind, a.job_id, a.envelope_json, a.created_us],
            )?;
        }
        Ok(())
    })
}
