//! What the rules need to know about an officer, read from the database: profile, other
//! commitments (awarded details and imported on-duty shifts), and award statistics.

use chrono::{DateTime, Duration, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::award::Candidate;
use offduty_domain::eligibility::{self, EligibilityCheck, IneligibleReason, Rank, WorkBlock};
use offduty_domain::protocol::{DutyKind, Job, OfficerProfile, Role};

use crate::db::rows::{Department, to_u32};
use crate::db::{DbError, from_us, get, get_json, get_opt_time, get_opt_uuid, get_uuid, to_us};

/// Columns of `users` (aliased `u`) read by [`profile_from_row`].
pub const PROFILE_COLUMNS: &str = "u.id, u.display_name, u.badge, u.rank, u.certifications_json, \
     u.groups_json, u.seniority, u.permit_expires_us";

/// Decodes an officer profile selected with [`PROFILE_COLUMNS`].
pub fn profile_from_row(row: &sqlx::any::AnyRow) -> Result<OfficerProfile, DbError> {
    let rank: String = get(row, "rank")?;
    Ok(OfficerProfile {
        id: get_uuid(row, "id")?,
        display_name: get(row, "display_name")?,
        badge: get(row, "badge")?,
        rank: serde_json::from_value::<Rank>(serde_json::Value::String(rank.clone()))
            .map_err(|_| DbError::corrupt("users", format!("rank {rank:?}")))?,
        certifications: get_json(row, "certifications_json")?,
        groups: get_json(row, "groups_json")?,
        seniority: to_u32(get(row, "seniority")?),
        permit_expires_at: get_opt_time(row, "permit_expires_us")?,
    })
}

/// The officer's profile if `officer_id` is an active officer of the department.
pub async fn load_officer(
    conn: &mut AnyConnection,
    department_id: Uuid,
    officer_id: Uuid,
) -> Result<Option<OfficerProfile>, DbError> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM users u \
         WHERE u.id = $1 AND u.department_id = $2 AND u.role = $3 AND u.disabled = 0"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(officer_id.to_string())
        .bind(department_id.to_string())
        .bind(Role::Officer.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(profile_from_row).transpose()
}

/// The officer's commitments overlapping `[from, to)`: awarded details and on-duty shifts.
pub async fn load_schedule(
    conn: &mut AnyConnection,
    officer_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<WorkBlock>, DbError> {
    let rows = sqlx::query(
        "SELECT j.id AS job_id, j.starts_us, j.ends_us, 'off' AS kind FROM assignments a \
           JOIN jobs j ON j.id = a.job_id \
           WHERE a.officer_id = $1 AND a.status = 'awarded' AND j.status <> 'cancelled' \
             AND j.ends_us > $2 AND j.starts_us < $3 \
         UNION ALL \
         SELECT NULL AS job_id, b.starts_us, b.ends_us, 'on' AS kind FROM duty_blocks b \
           WHERE b.officer_id = $1 AND b.ends_us > $2 AND b.starts_us < $3",
    )
    .bind(officer_id.to_string())
    .bind(to_us(from))
    .bind(to_us(to))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            Ok(WorkBlock {
                job_id: get_opt_uuid(r, "job_id")?,
                starts_at: from_us(get(r, "starts_us")?),
                ends_at: from_us(get(r, "ends_us")?),
                kind: if kind == "on" {
                    DutyKind::OnDuty
                } else {
                    DutyKind::OffDuty
                },
            })
        })
        .collect()
}

/// How far around a job other commitments can matter (a week for weekly caps, plus rest).
const SCHEDULE_MARGIN: Duration = Duration::days(8);

/// Every reason `officer` may not work `job` (empty: eligible).
pub async fn check_eligibility(
    conn: &mut AnyConnection,
    dept: &Department,
    job: &Job,
    officer: &OfficerProfile,
) -> Result<Vec<IneligibleReason>, DbError> {
    let schedule = load_schedule(
        conn,
        officer.id,
        job.starts_at - SCHEDULE_MARGIN,
        job.ends_at + SCHEDULE_MARGIN,
    )
    .await?;
    Ok(eligibility::check(&EligibilityCheck {
        job_id: job.id,
        starts_at: job.starts_at,
        ends_at: job.ends_at,
        requirements: &job.requirements,
        officer,
        schedule: &schedule,
        limits: &dept.rules.limits,
        tz: dept.tz,
    }))
}

/// The officers asking for or waiting on `job`, with what the award rules rank them by.
pub async fn load_candidates(
    conn: &mut AnyConnection,
    job: &Job,
    window_days: u32,
) -> Result<Vec<Candidate>, DbError> {
    let start = to_us(job.starts_at);
    let window_start = to_us(job.starts_at - Duration::days(i64::from(window_days)));
    let rows = sqlx::query(
        "SELECT x.officer_id, x.receipt_seq, u.seniority, \
           (SELECT COALESCE(CAST(SUM(j.ends_us - j.starts_us) AS BIGINT), 0) FROM assignments a \
              JOIN jobs j ON j.id = a.job_id \
              WHERE a.officer_id = x.officer_id AND a.status = 'awarded' \
                AND j.status <> 'cancelled' AND j.ends_us <= $2 AND j.ends_us > $3) AS recent_us, \
           (SELECT MAX(j.ends_us) FROM assignments a JOIN jobs j ON j.id = a.job_id \
              WHERE a.officer_id = x.officer_id AND a.status = 'awarded' \
                AND j.status <> 'cancelled' AND j.ends_us <= $2) AS last_end_us \
         FROM assignments x JOIN users u ON u.id = x.officer_id \
         WHERE x.job_id = $1 AND x.status IN ('requested', 'waitlisted')",
    )
    .bind(job.id.to_string())
    .bind(start)
    .bind(window_start)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                officer_id: get_uuid(r, "officer_id")?,
                receipt_seq: crate::db::rows::to_u64(get(r, "receipt_seq")?),
                seniority: to_u32(get(r, "seniority")?),
                recent_minutes: get::<i64>(r, "recent_us")? / 60_000_000,
                last_detail_end: get::<Option<i64>>(r, "last_end_us")?.map(from_us),
            })
        })
        .collect()
}
