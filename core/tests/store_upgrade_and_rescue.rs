//! The local database: an old schema upgrades to exactly the fresh one, and a corrupt file is
//! set aside and rebuilt with its unsent actions carried over (and exported first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::Utc;
use rusqlite::Connection;
use uuid::Uuid;

use offduty_core::outbox;
use offduty_core::store::{MIGRATIONS, Store};
use offduty_domain::protocol::Action;
use offduty_testkit::TempDir;

/// `sqlite_master` as comparable text: (type, name, normalized sql), sorted.
fn schema(conn: &Connection) -> Vec<(String, String, String)> {
    let mut st = conn
        .prepare("SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| {
        let sql: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn columns(conn: &Connection, table: &str) -> Vec<(String, String, i64, Option<String>)> {
    let mut st = conn
        .prepare(&format!("PRAGMA table_info({table})"))
        .unwrap();
    st.query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn frozen_v1_database_upgrades_to_the_fresh_schema_and_keeps_its_data() {
    let dir = TempDir::new("store");
    let old = dir.join("v1.db");
    {
        let c = Connection::open(&old).unwrap();
        c.execute_batch(include_str!("fixtures/schema_v1.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute(
            "INSERT INTO outbox (idempotency_key, kind, job_id, envelope_json, created_us) VALUES ('k1', 'claim', 'j1', '{}', 1)",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO outcomes (idempotency_key, kind, job_id, outcome_json, decided_us) VALUES ('k0', 'claim', 'j0', '{}', 1)",
            [],
        )
        .unwrap();
    }
    let (upgraded, report) = Store::open(&old).unwrap();
    assert_eq!(report.from_version, 1);
    assert!(report.rescue.is_none());
    let (fresh, _) = Store::open(&dir.join("fresh.db")).unwrap();
    let up = upgraded.read(|c| Ok(schema(c))).unwrap();
    let new = fresh.read(|c| Ok(schema(c))).unwrap();
    // ALTER TABLE keeps the original CREATE text plus the added column, so compare tables by
    // their columns and everything else (indexes) by definition.
    let names = |s: &[(String, String, String)]| {
        s.iter()
            .map(|(t, n, _)| (t.clone(), n.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&up), names(&new));
    for (kind, name, sql) in &new {
        if kind == "table" {
            let a = upgraded.read(|c| Ok(columns(c, name))).unwrap();
            let b = fresh.read(|c| Ok(columns(c, name))).unwrap();
            assert_eq!(a, b, "columns of {name}");
        } else {
            let old_sql = &up
                .iter()
                .find(|(k, n, _)| k == kind && n == name)
                .unwrap()
                .2;
            assert_eq!(old_sql, sql, "{kind} {name}");
        }
    }
    let version: i64 = upgraded
        .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(version as usize, MIGRATIONS.len());
    let seen: i64 = upgraded
        .read(|c| {
            Ok(c.query_row(
                "SELECT seen FROM outcomes WHERE idempotency_key = 'k0'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(seen, 0, "old rows get the new column's default");
    assert_eq!(upgraded.read(outbox::count_pending).unwrap(), 1);
    // Migration 3: the inbox cache exists, empty, and takes rows.
    let inbox: i64 = upgraded
        .write(|tx| {
            tx.execute(
                "INSERT INTO notifications (id, kind, payload_json, created_us) VALUES ('n1', 'awarded', '{}', 1)",
                [],
            )?;
            Ok(tx.query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0))?)
        })
        .unwrap();
    assert_eq!(inbox, 1, "the inbox cache (migration 3) is there and empty");
}

fn page_of(path: &Path, name: &str) -> (u64, u64) {
    let c = Connection::open(path).unwrap();
    let page_size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let root: i64 = c
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap();
    (page_size as u64, root as u64)
}

#[test]
fn a_corrupt_cache_is_rebuilt_and_its_unsent_actions_survive() {
    let dir = TempDir::new("store");
    let path = dir.join("phone.db");
    let keys: Vec<Uuid> = {
        let (store, _) = Store::open(&path).unwrap();
        let now = Utc::now();
        let keys = (0..5)
            .map(|_| {
                store
                    .write(|tx| {
                        outbox::enqueue(
                            tx,
                            Action::Claim {
                                job_id: Uuid::now_v7(),
                            },
                            now,
                        )
                    })
                    .unwrap()
            })
            .collect();
        store
            .write(|tx| {
                offduty_core::store::meta::set(tx, offduty_core::store::meta::keys::DEVICE_SEQ, "41")?;
                for i in 0..300 {
                    tx.execute(
                        "INSERT INTO jobs (id, starts_us, ends_us, lat, lon, hourly_cents, job_type, status, version, json) \
                         VALUES (?1, ?2, ?2, 40.0, -83.0, 6500, 'traffic', 'open', 1, '{}')",
                        rusqlite::params![format!("job-{i}"), i],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        // Fold the WAL into the main file so the damage below hits real pages.
        store
            .read(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?))
            .unwrap();
        keys
    };
    // Overwrite the root page of the jobs index with garbage: quick_check fails, the outbox
    // table's pages are intact.
    let (page_size, root) = page_of(&path, "jobs_starts");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
        f.write_all(&vec![0xA5; page_size as usize]).unwrap();
        f.sync_all().unwrap();
    }
    let (store, report) = Store::open(&path).unwrap();
    let rescue = report.rescue.expect("the corrupt file was detected");
    assert!(
        rescue.corrupt_path.exists(),
        "the corrupt file is kept aside"
    );
    assert!(
        rescue.export_path.exists(),
        "the rescued actions are exported"
    );
    assert_eq!(rescue.actions.len(), 5);
    let exported = std::fs::read_to_string(&rescue.export_path).unwrap();
    for k in &keys {
        assert!(exported.contains(&k.to_string()), "export holds {k}");
    }
    let pending: Vec<Uuid> = store
        .read(outbox::list)
        .unwrap()
        .iter()
        .map(|p| p.idempotency_key)
        .collect();
    assert_eq!(pending, keys, "same actions, same keys, same order");
    let seq = store
        .read(|c| {
            offduty_core::store::meta::get_i64(c, offduty_core::store::meta::keys::DEVICE_SEQ)
        })
        .unwrap();
    assert_eq!(seq, 41, "the signing chain position is carried over");
    let jobs: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(
        jobs, 0,
        "the cache is rebuilt from the server on the next sync"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_set_aside_with_an_honest_report() {
    let dir = TempDir::new("store");
    let path = dir.join("phone.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let (store, report) = Store::open(&path).unwrap();
    let rescue = report.rescue.expect("detected");
    assert!(rescue.actions.is_empty());
    assert!(
        rescue.unreadable.is_some(),
        "says the queue could not be read: {rescue:?}"
    );
    assert_eq!(store.read(outbox::count_pending).unwrap(), 0);
}
