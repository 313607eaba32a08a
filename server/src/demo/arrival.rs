//! The demo's running-late report (decision 048): the officer holding the detail that starts
//! within two hours (`plan::about_to_start`) says they are 20 minutes late, through the same
//! action service a phone's `POST /v1/actions` uses. Runs at start-up after the seed; its mark
//! is the report itself, so it happens once.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use offduty_domain::actions::REPORT_LEAD_HOURS;
use offduty_domain::protocol::{Action, ActionBatch, ActionEnvelope, Outcome, Role};

use crate::app::AppState;
use crate::db::{get_uuid, to_us};
use crate::extract::AuthUser;
use crate::services::actions;

use super::DEMO_DEPARTMENT_ID;

/// Minutes the demo officer reports.
const MINUTES_LATE: u16 = 20;

/// Reports the demo officer running late unless the department has a report already.
/// `Ok(false)`: nothing to do (already reported, or no detail about to start).
pub async fn seed_running_late(state: &AppState, now: DateTime<Utc>) -> Result<bool, String> {
    let e = |e: crate::db::DbError| format!("demo running late: {e}");
    let row = {
        let mut conn = state.db.pool.acquire().await.map_err(|x| e(x.into()))?;
        let reported =
            sqlx::query("SELECT assignment_id FROM late_reports WHERE department_id = $1")
                .bind(DEMO_DEPARTMENT_ID.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(|x| e(x.into()))?;
        if reported.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "SELECT a.officer_id, a.job_id FROM assignments a JOIN jobs j ON j.id = a.job_id \
             WHERE a.department_id = $1 AND a.status = 'awarded' AND j.status <> 'cancelled' \
             AND j.starts_us > $2 AND j.starts_us <= $3 ORDER BY j.starts_us, a.id LIMIT 1",
        )
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .bind(to_us(now))
        .bind(to_us(now + Duration::hours(REPORT_LEAD_HOURS)))
        .fetch_optional(&mut *conn)
        .await
        .map_err(|x| e(x.into()))?
    };
    let Some(row) = row else { return Ok(false) };
    let officer: Uuid = get_uuid(&row, "officer_id").map_err(e)?;
    let job_id: Uuid = get_uuid(&row, "job_id").map_err(e)?;
    let user = AuthUser {
        user_id: officer,
        department_id: DEMO_DEPARTMENT_ID,
        role: Role::Officer,
    };
    let batch = ActionBatch {
        actions: vec![ActionEnvelope {
            idempotency_key: Uuid::now_v7(),
            created_at: now,
            action: Action::ReportLate {
                job_id,
                minutes_late: MINUTES_LATE,
            },
        }],
        device_clock: None,
    };
    let results = actions::submit(state, user, batch)
        .await
        .map_err(|x| format!("demo running late: {}", x.detail))?;
    match results.outcomes.first().map(|o| &o.outcome) {
        Some(Outcome::LateReported { .. }) => Ok(true),
        other => Err(format!("demo running late: refused: {other:?}")),
    }
}
