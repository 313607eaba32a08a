//! Timecards and earnings: officers read their own; coordinators review (approve or reject)
//! and mark paid. The review steps are the state machine in `services::timecards`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::earnings::EarningsTotals;
use offduty_domain::protocol::{Role, Timecard, TimecardStatus};

use crate::app::AppState;
use crate::db::rows::{TIMECARD_COLUMNS, TIMECARD_FROM, timecard_from_row};
use crate::db::{DbError, get, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser, PathId};
use crate::services::timecards::{Step, take_step};

/// Query of `GET /v1/timecards` and `GET /v1/earnings`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TimecardQuery {
    /// Coordinators: one officer's. Officers always get their own.
    pub officer_id: Option<Uuid>,
    pub status: Option<TimecardStatus>,
    /// Shifts starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Shifts starting before this time.
    pub to: Option<DateTime<Utc>>,
}

/// Which officer a query is about, enforcing that officers only see themselves.
fn subject(user: &AuthUser, requested: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    match user.role {
        Role::Officer => match requested {
            Some(o) if o != user.user_id => Err(ApiError::forbidden(
                "officers can only see their own timecards",
            )),
            _ => Ok(Some(user.user_id)),
        },
        Role::Coordinator => Ok(requested),
        Role::Customer => Err(ApiError::forbidden(
            "customers do not see officers' timecards",
        )),
    }
}

pub(crate) async fn query_timecards(
    state: &AppState,
    user: &AuthUser,
    q: &TimecardQuery,
) -> Result<Vec<(Timecard, String, DateTime<Utc>)>, ApiError> {
    let officer = subject(user, q.officer_id)?;
    let sql = format!(
        "SELECT {TIMECARD_COLUMNS}, j.title AS job_title, j.starts_us AS job_starts_us \
         FROM {TIMECARD_FROM} JOIN jobs j ON j.id = t.job_id \
         WHERE t.department_id = $1 AND ($2 = '' OR t.officer_id = $2) \
         AND ($3 = '' OR t.status = $3) AND j.starts_us >= $4 AND j.starts_us < $5 \
         ORDER BY j.starts_us, t.id LIMIT 5000"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(user.department_id.to_string())
        .bind(officer.map(|o| o.to_string()).unwrap_or_default())
        .bind(q.status.map(|s| s.as_str()).unwrap_or(""))
        .bind(q.from.map(to_us).unwrap_or(i64::MIN))
        .bind(q.to.map(to_us).unwrap_or(i64::MAX))
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                timecard_from_row(r)?,
                get::<String>(r, "job_title")?,
                crate::db::get_time(r, "job_starts_us")?,
            ))
        })
        .collect::<Result<Vec<_>, DbError>>()
        .map_err(ApiError::from)
}

/// `GET /v1/timecards`.
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<TimecardQuery>,
) -> ApiResult<Json<Vec<Timecard>>> {
    let cards = query_timecards(&state, &user, &q).await?;
    Ok(Json(cards.into_iter().map(|(t, _, _)| t).collect()))
}

/// Body of approve.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ApproveRequest {
    /// Required to approve a timecard that needs review or was rejected: what the coordinator
    /// checked.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `POST /v1/timecards/{id}/reject`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RejectRequest {
    /// Why the timecard is rejected (required, 1 to 1000 characters; a missing or blank one is a
    /// 422 naming `reason`). The officer sees it.
    #[serde(default)]
    pub reason: String,
}

/// `POST /v1/timecards/{id}/approve` (coordinator).
pub async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    body: axum::body::Bytes,
) -> ApiResult<Json<Timecard>> {
    user.require(Step::Approve.rule().by)?;
    // The body is optional: `{"note": "…"}` is needed only for a timecard under review.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        crate::extract::parse_json::<ApproveRequest>(&body)?.note
    };
    let card = take_step(&state.db, user, id, Step::Approve, note, Utc::now()).await?;
    Ok(Json(card))
}

/// `POST /v1/timecards/{id}/reject` (coordinator): nothing is owed for this shift; the officer
/// sees the reason on their next sync and is notified.
pub async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<Json<Timecard>> {
    user.require(Step::Reject.rule().by)?;
    let card = take_step(
        &state.db,
        user,
        id,
        Step::Reject,
        Some(req.reason),
        Utc::now(),
    )
    .await?;
    Ok(Json(card))
}

/// `POST /v1/timecards/{id}/paid` (coordinator): the officer has been paid for this shift. Time a
/// customer was invoiced for is refused (409): the payroll pays it (decision 042).
pub async fn mark_paid(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Timecard>> {
    user.require(Step::MarkPaid.rule().by)?;
    let card = take_step(&state.db, user, id, Step::MarkPaid, None, Utc::now()).await?;
    Ok(Json(card))
}

/// One shift in an earnings statement.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EarningsLine {
    pub timecard_id: Uuid,
    pub job_id: Uuid,
    pub job_title: String,
    pub shift_starts_at: DateTime<Utc>,
    pub worked_minutes: Option<i64>,
    pub billable_minutes: Option<i64>,
    pub rate_cents: i64,
    pub multiplier_bp: u32,
    pub gross_cents: Option<i64>,
    pub status: TimecardStatus,
    pub paid_at: Option<DateTime<Utc>>,
    /// When the customer was invoiced for it, once invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoiced_at: Option<DateTime<Utc>>,
    /// Why a coordinator rejected it (then nothing on it counts in the totals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

/// Response of `GET /v1/earnings`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Earnings {
    pub currency: String,
    pub lines: Vec<EarningsLine>,
    pub totals: EarningsTotals,
}

/// `GET /v1/earnings`: shifts, hours, gross, paid and unpaid.
pub async fn earnings(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<TimecardQuery>,
) -> ApiResult<Json<Earnings>> {
    let cards = query_timecards(&state, &user, &q).await?;
    let mut totals = EarningsTotals::default();
    let mut currency = String::new();
    let mut lines = Vec::with_capacity(cards.len());
    for (t, title, starts) in cards {
        currency.clone_from(&t.currency);
        totals.add(t.gross_cents, t.billable_minutes, t.status);
        lines.push(EarningsLine {
            timecard_id: t.id,
            job_id: t.job_id,
            job_title: title,
            shift_starts_at: starts,
            worked_minutes: t.worked_minutes,
            billable_minutes: t.billable_minutes,
            rate_cents: t.rate_cents,
            multiplier_bp: t.multiplier_bp,
            gross_cents: t.gross_cents,
            status: t.status,
            paid_at: t.paid_at,
            invoiced_at: t.invoiced_at,
            rejection_reason: t.rejection_reason,
        });
    }
    if currency.is_empty() {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        currency = get(
            &sqlx::query("SELECT currency FROM departments WHERE id = $1")
                .bind(user.department_id.to_string())
                .fetch_one(&mut *conn)
                .await?,
            "currency",
        )?;
    }
    Ok(Json(Earnings {
        currency,
        lines,
        totals,
    }))
}
