//! `GET /v1/me/history.pdf`: the signed-in officer's own history — the jobs they signed up
//! for, the shifts they worked with hours and pay, and pay per month — as one PDF, made by the
//! report engine (decision 044) from the officer reports with the officer forced to the caller.
//! The same figures as JSON are `GET /v1/earnings`.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Days, Utc};
use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::db::DbError;
use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::reports::{self, ReportError, params, render};

/// The reports in the history, in order.
const SECTIONS: [&str; 3] = ["officer-pay-by-month", "officer-shifts", "officer-jobs"];

fn api(e: ReportError) -> ApiError {
    match e {
        ReportError::Params(p) => ApiError::invalid(p.field, p.message),
        ReportError::Unknown(_) => ApiError::internal(),
        ReportError::Db(d) => ApiError::from(d),
    }
}

/// `GET /v1/me/history.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 365 days).
pub async fn my_history_pdf(
    State(state): State<AppState>,
    user: AuthUser,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    if user.role != Role::Officer {
        return Err(ApiError::forbidden(
            "the history is an officer's own; coordinators use the console's reports",
        ));
    }
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, user.department_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
    drop(conn);
    let now = Utc::now();
    let mut form: HashMap<String, String> = crate::extract::form_pairs(q.as_deref().unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| k == "from" || k == "to")
        .collect();
    if !form.contains_key("from") && !form.contains_key("to") {
        let today = now.with_timezone(&d.tz).date_naive();
        form.insert(
            "from".into(),
            today
                .checked_sub_days(Days::new(365))
                .unwrap_or(today)
                .to_string(),
        );
        form.insert("to".into(), today.to_string());
    }
    let mut p =
        params::parse(&form, &[params::Filter::Officer], now, d.tz).map_err(|e| api(e.into()))?;
    p.officer = Some(user.user_id);
    let mut tables = Vec::with_capacity(SECTIONS.len());
    for id in SECTIONS {
        let r = reports::find(id).ok_or_else(ApiError::internal)?;
        let t = reports::run(&state.db, r, user.department_id, d.tz, &p, now)
            .await
            .map_err(api)?;
        tables.push((r, t));
    }
    let sections: Vec<(&reports::Report, &reports::Table)> =
        tables.iter().map(|(r, t)| (*r, t)).collect();
    let bytes = render::pdf_sections(
        "My off-duty history",
        &sections,
        &d.name,
        &p,
        d.tz,
        &d.currency,
    );
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"history-{}-{}.pdf\"",
        p.from, p.to
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
