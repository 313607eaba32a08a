//! `GET /console/alerts`: the shift watcher's alerts (decision 043) — the open ones first
//! (escalated before the rest), each with its kind, officer, job, shift time in the department's
//! zone and since when, and an Acknowledge button; then the acknowledged history.
//! `POST /console/alerts/{id}/acknowledge` (CSRF, audited) stops an alert's escalation.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, html, path_id, signed_form};
use crate::console::view;
use crate::console::{ConsoleError, Coordinator};
use crate::db::DbError;
use crate::services::alerts::{self, Acknowledged, AlertView};

const PAGE: &str = "/console/alerts";

/// One alert, ready to draw.
pub struct AlertRow {
    pub id: Uuid,
    pub kind: &'static str,
    pub officer: String,
    pub job_id: Uuid,
    pub job: String,
    pub shift: String,
    pub raised: String,
    pub escalated: Option<String>,
    pub acknowledged: Option<String>,
}

#[derive(Template)]
#[template(path = "console/alerts.html")]
struct AlertsPage {
    chrome: Option<Chrome>,
    open: Vec<AlertRow>,
    history: Vec<AlertRow>,
    notice: Option<String>,
}

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %b %-d, %H:%M").to_string()
}

fn row(a: &AlertView, tz: Tz) -> AlertRow {
    AlertRow {
        id: a.id,
        kind: a.kind.label(),
        officer: a.officer.clone(),
        job_id: a.job_id,
        job: a.job_title.clone(),
        shift: view::shift(a.starts_at, a.ends_at, tz),
        raised: when(a.raised_at, tz),
        escalated: a.escalated_at.map(|t| when(t, tz)),
        acknowledged: a.acknowledged_at.map(|t| match &a.acknowledged_by {
            Some(by) => format!("{} by {by}", when(t, tz)),
            None => when(t, tz),
        }),
    }
}

/// What the page says after an acknowledgement (`?did=`).
#[derive(serde::Deserialize)]
pub struct Did {
    did: Option<String>,
}

/// `GET /console/alerts`.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    did: Result<Query<Did>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    drop(conn);
    let (open, history) = alerts::list(&state.db, s.user.department_id).await?;
    let notice = match did.ok().and_then(|Query(d)| d.did).as_deref() {
        Some("acknowledged") => Some("Alert acknowledged: it will not be escalated.".to_string()),
        Some("already") => Some("Someone had already acknowledged that alert.".to_string()),
        _ => None,
    };
    let page = AlertsPage {
        chrome: Some(chrome(&s, &d.name, "alerts")),
        open: open.iter().map(|a| row(a, d.tz)).collect(),
        history: history.iter().map(|a| row(a, d.tz)).collect(),
        notice,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/alerts/{id}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    signed_form(&state, &s, &headers, body)?;
    match alerts::acknowledge(&state.db, s.user, id, Utc::now()).await? {
        Acknowledged::Now => Ok(Redirect::to(&format!("{PAGE}?did=acknowledged")).into_response()),
        Acknowledged::Already => Ok(Redirect::to(&format!("{PAGE}?did=already")).into_response()),
        Acknowledged::NotFound => Err(ConsoleError::NotFound),
    }
}
