//! Officers (issue 11, decision 045): the department's roster of officers (name, badge, rank,
//! seniority, whether the account works, hours in the last 90 days, jobs worked) and one
//! officer's page (upcoming and recent assignments, timecards), with what the API lets a
//! coordinator do to an account here: disable and enable it (`services::access::set_disabled`,
//! audited, sessions ended).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use sqlx::Row;
use uuid::Uuid;

use offduty_domain::pay::format_cents;
use offduty_domain::protocol::{AssignmentStatus, Role};

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, department, html, path_id, signed_form};
use crate::console::{ConsoleError, Coordinator, view};
use crate::db::{DbError, get_time, to_us};
use crate::routes::timecards::{TimecardQuery, query_timecards};
use crate::services::access;
use crate::services::accounts::{self, Admin, UserAccount, rank_name};

/// The window of "hours in the last 90 days".
pub const HOURS_WINDOW_DAYS: i64 = 90;

pub struct OfficerRow {
    pub id: Uuid,
    pub name: String,
    pub badge: String,
    pub rank: String,
    pub seniority: u32,
    pub active: bool,
    pub hours: String,
    pub jobs: i64,
}

#[derive(Template)]
#[template(path = "console/officers.html")]
struct OfficersPage {
    chrome: Option<Chrome>,
    officers: Vec<OfficerRow>,
}

pub struct AssignmentRow {
    pub job_id: Uuid,
    pub job: String,
    pub when: String,
    pub status: &'static str,
}

pub struct CardRow {
    pub job: String,
    pub when: String,
    pub worked: String,
    pub pay: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/officer.html")]
struct OfficerPage {
    chrome: Option<Chrome>,
    csrf: String,
    o: OfficerRow,
    email: String,
    certifications: String,
    upcoming: Vec<AssignmentRow>,
    recent: Vec<AssignmentRow>,
    cards: Vec<CardRow>,
    notice: Option<String>,
    error: Option<String>,
}

fn hours(minutes: i64) -> String {
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

/// Minutes worked since `since` and jobs worked (clocked out, not rejected), by officer.
async fn worked(
    state: &AppState,
    dept: Uuid,
    since: chrono::DateTime<Utc>,
) -> Result<HashMap<String, (i64, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT t.officer_id, \
         CAST(COALESCE(SUM(CASE WHEN j.starts_us >= $2 THEN t.worked_minutes ELSE 0 END), 0) \
         AS BIGINT) AS recent_minutes, CAST(COUNT(t.id) AS BIGINT) AS jobs \
         FROM timecards t JOIN jobs j ON j.id = t.job_id \
         WHERE t.department_id = $1 AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
         GROUP BY t.officer_id",
    )
    .bind(dept.to_string())
    .bind(to_us(since))
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| -> Result<(String, (i64, i64)), DbError> {
            Ok((
                r.try_get::<String, _>("officer_id")?,
                (r.try_get("recent_minutes")?, r.try_get("jobs")?),
            ))
        })
        .collect()
}

fn row(a: &UserAccount, stats: &HashMap<String, (i64, i64)>) -> Option<OfficerRow> {
    let p = a.profile.as_ref()?;
    let (minutes, jobs) = stats.get(&a.id.to_string()).copied().unwrap_or((0, 0));
    Some(OfficerRow {
        id: a.id,
        name: a.display_name.clone(),
        badge: p.badge.clone(),
        rank: {
            let mut r = rank_name(p.rank);
            if let Some(f) = r.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            r
        },
        seniority: p.seniority,
        active: !a.disabled,
        hours: hours(minutes),
        jobs,
    })
}

/// `GET /console/officers`: the department's officers by seniority.
pub async fn list(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let dept = s.user.department_id;
    let (name, _) = department(&state, dept).await?;
    let stats = worked(&state, dept, Utc::now() - Duration::days(HOURS_WINDOW_DAYS)).await?;
    let officers = accounts::list(&state.db, dept)
        .await?
        .iter()
        .filter(|a| a.role == Role::Officer)
        .filter_map(|a| row(a, &stats))
        .collect();
    Ok(html(
        StatusCode::OK,
        &OfficersPage {
            chrome: Some(chrome(&s, &name, "officers")),
            officers,
        },
    ))
}

#[derive(serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn officer_page(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> Result<OfficerPage, ConsoleError> {
    let dept = s.user.department_id;
    let (name, tz) = department(state, dept).await?;
    let account = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        accounts::load_account(&mut conn, dept, id).await?
    };
    let account = account
        .filter(|a| a.role == Role::Officer)
        .ok_or(ConsoleError::NotFound)?;
    let now = Utc::now();
    let stats = worked(state, dept, now - Duration::days(HOURS_WINDOW_DAYS)).await?;
    let o = row(&account, &stats).ok_or(ConsoleError::NotFound)?;
    let rows = sqlx::query(
        "SELECT a.status, j.id AS job_id, j.title, j.starts_us, j.ends_us FROM assignments a \
         JOIN jobs j ON j.id = a.job_id WHERE a.officer_id = $1 AND a.department_id = $2 \
         ORDER BY j.starts_us DESC, j.id LIMIT 200",
    )
    .bind(id.to_string())
    .bind(dept.to_string())
    .fetch_all(&state.db.pool)
    .await
    .map_err(DbError::from)?;
    let (mut upcoming, mut recent) = (Vec::new(), Vec::new());
    for r in &rows {
        let status: String = r.try_get("status").map_err(DbError::from)?;
        let status = AssignmentStatus::parse(&status)
            .ok_or_else(|| DbError::corrupt("assignments", status.clone()))?;
        let (starts, ends) = (get_time(r, "starts_us")?, get_time(r, "ends_us")?);
        let job_id: String = r.try_get("job_id").map_err(DbError::from)?;
        let a = AssignmentRow {
            job_id: Uuid::parse_str(&job_id).map_err(|e| DbError::corrupt("jobs", e))?,
            job: r.try_get("title").map_err(DbError::from)?,
            when: view::shift(starts, ends, tz),
            status: view::assignment_status(status),
        };
        if ends >= now {
            upcoming.push(a);
        } else if recent.len() < 20 {
            recent.push(a);
        }
    }
    upcoming.reverse();
    let q = TimecardQuery {
        officer_id: Some(id),
        status: None,
        from: None,
        to: None,
    };
    let mut cards: Vec<CardRow> = query_timecards(state, &s.user, &q)
        .await?
        .iter()
        .map(|(t, title, starts)| CardRow {
            job: title.clone(),
            when: starts
                .with_timezone(&tz)
                .format("%a %-d %b %Y, %H:%M")
                .to_string(),
            worked: t
                .worked_minutes
                .map(hours)
                .unwrap_or_else(|| "Still on the clock".into()),
            pay: t
                .gross_cents
                .map(|c| format_cents(c, &t.currency))
                .unwrap_or_else(|| "—".into()),
            status: t.status.as_str().replace('_', " "),
        })
        .collect();
    cards.reverse();
    cards.truncate(50);
    let certifications = account
        .profile
        .as_ref()
        .map(|p| p.certifications.join(", "))
        .unwrap_or_default();
    Ok(OfficerPage {
        chrome: Some(chrome(s, &name, "officers")),
        csrf: s.csrf.clone(),
        o,
        email: account.email.clone(),
        certifications,
        upcoming,
        recent,
        cards,
        notice,
        error,
    })
}

/// `GET /console/officers/{id}`: one officer of the department.
pub async fn show(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let notice = match q.ok().and_then(|Query(d)| d.done).as_deref() {
        Some("disabled") => {
            Some("Account disabled: the officer is signed out everywhere.".to_string())
        }
        Some("enabled") => Some("Account enabled: the officer can sign in again.".to_string()),
        _ => None,
    };
    let page = officer_page(&state, &s, id, notice, None).await?;
    Ok(html(StatusCode::OK, &page))
}

async fn set_disabled(
    state: AppState,
    s: crate::console::session::ConsoleSession,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    disabled: bool,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    signed_form(&state, &s, &headers, body)?;
    let dept = s.user.department_id;
    // Only officers are managed on these pages.
    {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        accounts::load_account(&mut conn, dept, id)
            .await?
            .filter(|a| a.role == Role::Officer)
            .ok_or(ConsoleError::NotFound)?;
    }
    match access::set_disabled(
        &state.db,
        dept,
        &Admin::Coordinator(s.user),
        id,
        disabled,
        Utc::now(),
    )
    .await
    {
        Ok(_) => {
            let done = if disabled { "disabled" } else { "enabled" };
            Ok(Redirect::to(&format!("/console/officers/{id}?done={done}")).into_response())
        }
        Err(e)
            if e.status == StatusCode::CONFLICT || e.status == StatusCode::UNPROCESSABLE_ENTITY =>
        {
            let status = e.status;
            let page = officer_page(&state, &s, id, None, Some(e.detail)).await?;
            Ok(html(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/officers/{id}/disable`.
pub async fn disable(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    set_disabled(state, s, id, headers, body, true).await
}

/// `POST /console/officers/{id}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    set_disabled(state, s, id, headers, body, false).await
}
