//! The sync read model: what an officer may see that changed since a cursor, read from one
//! consistent snapshot (decision 002). A cursor the change log no longer covers — 0, one from
//! before the last compaction (decision 020), or one ahead of the head (a restored database) —
//! gets a full snapshot instead of a delta.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::protocol::{
    API_VERSION, Assignment, DutyBlock, DutyKind, Job, SyncResponse, Timecard,
};

use crate::db::rows::{
    ASSIGNMENT_COLUMNS, DEPARTMENT_COLUMNS, JOB_COLUMNS, TIMECARD_COLUMNS, TIMECARD_FROM,
    assignment_from_row, department_from_row, job_from_row, timecard_from_row, to_u64,
};
use crate::db::{Db, DbError, get, to_us};
use crate::error::ApiError;
use crate::services::schedule::{PROFILE_COLUMNS, profile_from_row};

/// How far back a full snapshot reaches for jobs the officer has no part in.
const BOARD_HISTORY: Duration = Duration::days(30);

/// Whether a sync from `cursor` must be a full snapshot: the phone has nothing yet (0), its
/// cursor is ahead of the department's head (the database was restored from a backup), or the
/// change log no longer holds every change after it (compacted through `compacted`).
pub fn needs_full_snapshot(cursor: u64, head: u64, compacted: u64) -> bool {
    cursor == 0 || cursor > head || cursor < compacted
}

/// What `officer` of `department_id` may see that changed since `cursor`.
pub async fn read(
    db: &Db,
    department_id: Uuid,
    officer: Uuid,
    cursor: u64,
) -> Result<SyncResponse, ApiError> {
    let mut tx = db.read().await?;
    let conn: &mut AnyConnection = &mut tx;
    // The compaction watermark comes in the same statement (and snapshot) as the head: a
    // compaction commits its deletions and its watermark together, so this sees both or
    // neither of any compaction the change rows below reflect.
    let dept_sql = format!(
        "SELECT {DEPARTMENT_COLUMNS}, change_seq, \
           COALESCE((SELECT compacted_seq FROM change_log_compaction c \
             WHERE c.department_id = departments.id), 0) AS compacted_seq \
         FROM departments WHERE id = $1"
    );
    let dept_row = sqlx::query::<Any>(sqlx::AssertSqlSafe(dept_sql))
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    let head = to_u64(get(&dept_row, "change_seq")?);
    let dept = department_from_row(&dept_row)?;
    let compacted = to_u64(get(&dept_row, "compacted_seq")?);
    let me = officer;

    let full = needs_full_snapshot(cursor, head, compacted);
    let response = if full {
        let now = Utc::now();
        let job_sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j JOIN departments d ON d.id = j.department_id \
             WHERE j.department_id = $1 AND (j.ends_us > $2 OR j.id IN \
               (SELECT job_id FROM assignments WHERE officer_id = $3)) ORDER BY j.starts_us"
        );
        let jobs = sqlx::query::<Any>(sqlx::AssertSqlSafe(job_sql))
            .bind(department_id.to_string())
            .bind(to_us(now - BOARD_HISTORY))
            .bind(me.to_string())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(job_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        SyncResponse {
            api_version: API_VERSION,
            cursor: head,
            full: true,
            jobs,
            assignments: assignments_where(conn, "a.officer_id = $1", &[me.to_string()]).await?,
            timecards: timecards_where(conn, "t.officer_id = $1", &[me.to_string()]).await?,
            duty_blocks: Some(duty_blocks(conn, me).await?),
            rules: Some(dept.wire_rules()),
            profile: profile(conn, me).await?,
            preferences: crate::routes::prefs::load(conn, me).await?,
        }
    } else {
        let rows = sqlx::query(
            "SELECT DISTINCT entity, entity_id FROM change_log WHERE department_id = $1 \
             AND seq > $2 AND seq <= $3 AND (audience IS NULL OR audience = $4)",
        )
        .bind(department_id.to_string())
        .bind(i64::try_from(cursor).unwrap_or(i64::MAX))
        .bind(i64::try_from(head).unwrap_or(i64::MAX))
        .bind(me.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut ids: [BTreeSet<String>; 3] = Default::default();
        let (mut duty, mut prof, mut rules, mut prefs) = (false, false, false, false);
        for r in &rows {
            let entity: String = get(r, "entity")?;
            let id: String = get(r, "entity_id")?;
            match entity.as_str() {
                "job" => {
                    ids[0].insert(id);
                }
                "assignment" => {
                    ids[1].insert(id);
                }
                "timecard" => {
                    ids[2].insert(id);
                }
                "duty" => duty = true,
                "profile" => prof = true,
                "rules" => rules = true,
                "prefs" => prefs = true,
                _ => {}
            }
        }
        let [job_ids, assignment_ids, timecard_ids] = ids;
        SyncResponse {
            api_version: API_VERSION,
            cursor: head,
            full: false,
            jobs: jobs_by_id(conn, department_id, job_ids).await?,
            assignments: by_ids(conn, assignment_ids, me, "a", |c, w, b| {
                Box::pin(assignments_where(c, w, b))
            })
            .await?,
            timecards: by_ids(conn, timecard_ids, me, "t", |c, w, b| {
                Box::pin(timecards_where(c, w, b))
            })
            .await?,
            duty_blocks: if duty {
                Some(duty_blocks(conn, me).await?)
            } else {
                None
            },
            rules: rules.then(|| dept.wire_rules()),
            profile: if prof { profile(conn, me).await? } else { None },
            preferences: if prefs {
                crate::routes::prefs::load(conn, me).await?
            } else {
                None
            },
        }
    };
    Ok(response)
}

/// `$2, $3, …` placeholders for `n` values after `first - 1` fixed parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

type Loader<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<T>, DbError>> + Send + 'c>>;

/// Loads owned rows by id, 500 at a time, always scoped to the officer (`$1`).
async fn by_ids<T, F>(
    conn: &mut AnyConnection,
    ids: BTreeSet<String>,
    me: Uuid,
    alias: &str,
    load: F,
) -> Result<Vec<T>, DbError>
where
    F: for<'c> Fn(&'c mut AnyConnection, &'c str, &'c [String]) -> Loader<'c, T>,
{
    let ids: Vec<String> = ids.into_iter().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut binds = vec![me.to_string()];
        binds.extend(chunk.iter().cloned());
        let clause = format!(
            "{alias}.officer_id = $1 AND {alias}.id IN ({})",
            placeholders(2, chunk.len())
        );
        out.extend(load(conn, &clause, &binds).await?);
    }
    Ok(out)
}

async fn jobs_by_id(
    conn: &mut AnyConnection,
    department_id: Uuid,
    ids: BTreeSet<String>,
) -> Result<Vec<Job>, DbError> {
    let ids: Vec<String> = ids.into_iter().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j JOIN departments d ON d.id = j.department_id \
             WHERE j.department_id = $1 AND j.id IN ({}) ORDER BY j.starts_us",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql)).bind(department_id.to_string());
        for id in chunk {
            q = q.bind(id.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(job_from_row(&r)?);
        }
    }
    Ok(out)
}

async fn assignments_where(
    conn: &mut AnyConnection,
    clause: &str,
    binds: &[String],
) -> Result<Vec<Assignment>, DbError> {
    let sql =
        format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignments a WHERE {clause} ORDER BY a.id");
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(assignment_from_row)
        .collect()
}

async fn timecards_where(
    conn: &mut AnyConnection,
    clause: &str,
    binds: &[String],
) -> Result<Vec<Timecard>, DbError> {
    let sql =
        format!("SELECT {TIMECARD_COLUMNS} FROM {TIMECARD_FROM} WHERE {clause} ORDER BY t.id");
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(timecard_from_row)
        .collect()
}

async fn duty_blocks(conn: &mut AnyConnection, me: Uuid) -> Result<Vec<DutyBlock>, DbError> {
    let since = to_us(Utc::now() - Duration::days(35));
    let rows = sqlx::query(
        "SELECT starts_us, ends_us FROM duty_blocks WHERE officer_id = $1 AND ends_us > $2 \
         ORDER BY starts_us",
    )
    .bind(me.to_string())
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DutyBlock {
                starts_at: crate::db::get_time(r, "starts_us")?,
                ends_at: crate::db::get_time(r, "ends_us")?,
                kind: DutyKind::OnDuty,
            })
        })
        .collect()
}

async fn profile(
    conn: &mut AnyConnection,
    me: Uuid,
) -> Result<Option<offduty_domain::protocol::OfficerProfile>, DbError> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(me.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(profile_from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::needs_full_snapshot;

    #[test]
    fn cursors_the_log_no_longer_covers_get_a_full_snapshot() {
        // (cursor, head, watermark)
        assert!(needs_full_snapshot(0, 10, 0), "a new phone");
        assert!(
            needs_full_snapshot(11, 10, 0),
            "ahead of a restored database"
        );
        assert!(needs_full_snapshot(4, 10, 5), "behind the compaction");
        assert!(
            !needs_full_snapshot(5, 10, 5),
            "at the watermark: every later change is kept"
        );
        assert!(!needs_full_snapshot(10, 10, 5), "up to date");
        assert!(!needs_full_snapshot(3, 10, 0), "never compacted");
    }
}
