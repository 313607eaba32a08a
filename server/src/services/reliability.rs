//! Officers' reliability, computed from the record (decision 046): the slots they held, their
//! punches, the shift watcher's no-shows, their cancellations inside the late window and the
//! customers' stars over the last 180 days, read in three queries and counted by
//! `offduty_domain::ratings::reliability`. Nothing here is stored: every figure is recomputed.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::policy::CancelWindow;
use offduty_domain::ratings::{self, Record, Reliability, SlotRecord};

use crate::db::rows::Department;
use crate::db::{DbError, from_us, get, get_uuid, to_us};

/// Placeholders `$first, …` for `n` binds.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The reliability of each of `officers` (every one gets an entry; an officer without a record
/// gets [`Reliability::empty`]) over the [`ratings::RELIABILITY_WINDOW_DAYS`] days before `now`,
/// with the department's own thresholds (late tolerance, no-show grace, cancellation windows).
pub async fn of_officers(
    conn: &mut AnyConnection,
    dept: &Department,
    officers: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, Reliability>, DbError> {
    let mut records: HashMap<Uuid, Record> =
        officers.iter().map(|o| (*o, Record::default())).collect();
    if officers.is_empty() {
        return Ok(HashMap::new());
    }
    let from = to_us(now - Duration::days(ratings::RELIABILITY_WINDOW_DAYS));
    let ids = placeholders(4, officers.len());
    // The slots held (or raised as a no-show, even if the slot was handed on since), started
    // in the window, of jobs not called off.
    let sql = format!(
        "SELECT a.officer_id, j.starts_us, t.in_us, t.out_us, \
           (SELECT COUNT(*) FROM alerts al WHERE al.assignment_id = a.id \
              AND al.kind = 'no_show') AS no_show \
         FROM assignments a JOIN jobs j ON j.id = a.job_id \
         LEFT JOIN timecards t ON t.assignment_id = a.id AND t.status <> 'rejected' \
         WHERE a.department_id = $1 AND j.starts_us >= $2 AND j.starts_us <= $3 \
           AND j.status <> 'cancelled' AND a.officer_id IN ({ids}) \
           AND (a.status = 'awarded' OR EXISTS (SELECT 1 FROM alerts al2 \
                WHERE al2.assignment_id = a.id AND al2.kind = 'no_show'))"
    );
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(dept.id.to_string())
        .bind(from)
        .bind(to_us(now));
    for o in officers {
        q = q.bind(o.to_string());
    }
    for r in q.fetch_all(&mut *conn).await? {
        let officer = get_uuid(&r, "officer_id")?;
        if let Some(rec) = records.get_mut(&officer) {
            rec.slots.push(SlotRecord {
                starts_at: from_us(get(&r, "starts_us")?),
                clock_in: get::<Option<i64>>(&r, "in_us")?.map(from_us),
                clocked_out: get::<Option<i64>>(&r, "out_us")?.is_some(),
                no_show_alert: get::<i64>(&r, "no_show")? > 0,
            });
        }
    }
    // Cancellations: a cancelled slot's last update is the cancellation; it was late when the
    // department's policy put that moment outside the free window.
    let sql = format!(
        "SELECT a.officer_id, a.updated_us, j.starts_us FROM assignments a \
         JOIN jobs j ON j.id = a.job_id \
         WHERE a.department_id = $1 AND a.status = 'cancelled' \
           AND j.starts_us >= $2 AND a.updated_us <= $3 AND a.officer_id IN ({ids})"
    );
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(dept.id.to_string())
        .bind(from)
        .bind(to_us(now));
    for o in officers {
        q = q.bind(o.to_string());
    }
    for r in q.fetch_all(&mut *conn).await? {
        let officer = get_uuid(&r, "officer_id")?;
        let window = dept.rules.cancel_policy.window(
            from_us(get(&r, "starts_us")?),
            from_us(get(&r, "updated_us")?),
        );
        if let (Some(rec), true) = (records.get_mut(&officer), window != CancelWindow::Free) {
            rec.late_cancellations += 1;
        }
    }
    // The customers' stars for shifts in the window.
    let sql = format!(
        "SELECT r.officer_id, r.stars FROM officer_ratings r JOIN jobs j ON j.id = r.job_id \
         WHERE r.department_id = $1 AND j.starts_us >= $2 AND j.starts_us <= $3 \
           AND r.officer_id IN ({ids})"
    );
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(dept.id.to_string())
        .bind(from)
        .bind(to_us(now));
    for o in officers {
        q = q.bind(o.to_string());
    }
    for r in q.fetch_all(&mut *conn).await? {
        let officer = get_uuid(&r, "officer_id")?;
        if let Some(rec) = records.get_mut(&officer) {
            rec.stars
                .push(u8::try_from(get::<i64>(&r, "stars")?).unwrap_or(0));
        }
    }
    let alerts = &dept.rules.alerts;
    let late = Duration::minutes(i64::from(alerts.late_tolerance_minutes));
    let grace = Duration::minutes(i64::from(alerts.no_show_grace_minutes));
    Ok(records
        .into_iter()
        .map(|(o, rec)| (o, ratings::reliability(&rec, late, grace, now)))
        .collect())
}

/// One officer's reliability (see [`of_officers`]).
pub async fn of_officer(
    conn: &mut AnyConnection,
    dept: &Department,
    officer: Uuid,
    now: DateTime<Utc>,
) -> Result<Reliability, DbError> {
    Ok(of_officers(conn, dept, &[officer], now)
        .await?
        .remove(&officer)
        .unwrap_or_else(Reliability::empty))
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_from_the_first_bind() {
        assert_eq!(placeholders(4, 3), "$4, $5, $6");
        assert_eq!(placeholders(1, 1), "$1");
    }
}
