//! Timecards needing review (issue 11, decision 045): the cards whose punches the classifier
//! flagged (status `needs_review`), each with the classifier's reasons in words, the punch on a
//! map ([`map`]) and its distance from the fence, and the coordinator's two steps: approve (with
//! what was checked) or reject (with the reason the officer reads). Below them, the verified
//! timecards waiting for the coordinator's approval (status `pending`: both punches verified),
//! approved together with one button. The steps are `services::timecards::take_step`, the API's
//! state machine, audited there.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use chrono_tz::Tz;
use sqlx::Row;
use uuid::Uuid;

use offduty_domain::pay::format_cents;
use offduty_domain::protocol::{PunchRecord, Timecard, TimecardStatus};

use crate::app::AppState;
use crate::console::map::{self, Fix, MapView};
use crate::console::pages::{Chrome, chrome, department, html, path_id, signed_form};
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator, view};
use crate::db::DbError;
use crate::error::ApiError;
use crate::routes::timecards::{TimecardQuery, query_timecards};
use crate::services::job_reads;
use crate::services::timecards::{Step, take_step};

const PAGE: &str = "/console/timecards";

/// One punch as the page shows it.
pub struct PunchView {
    pub label: &'static str,
    pub at: String,
    pub verdict: String,
    pub reasons: Vec<String>,
}

/// One flagged timecard.
pub struct CardView {
    pub id: Uuid,
    pub officer: String,
    pub job: String,
    pub job_id: Uuid,
    pub shift: String,
    pub worked: String,
    pub pay: String,
    pub punches: Vec<PunchView>,
    pub map: Option<MapView>,
    pub no_map: String,
    pub error: Option<String>,
}

/// A verified timecard waiting for approval.
pub struct VerifiedView {
    pub id: Uuid,
    pub officer: String,
    pub job: String,
    pub job_id: Uuid,
    pub shift: String,
    pub worked: String,
    pub pay: String,
}

#[derive(Template)]
#[template(path = "console/timecards.html")]
struct TimecardsPage {
    chrome: Option<Chrome>,
    csrf: String,
    cards: Vec<CardView>,
    verified: Vec<VerifiedView>,
    verified_error: Option<String>,
    notice: Option<String>,
    time_zone: String,
}

fn punch_view(label: &'static str, p: &PunchRecord, tz: Tz) -> PunchView {
    PunchView {
        label,
        at: p
            .at
            .with_timezone(&tz)
            .format("%a %-d %b %Y, %H:%M:%S %Z")
            .to_string(),
        verdict: match p.verdict.as_str() {
            "verified" => "Verified".into(),
            "needs_review" => "Needs review".into(),
            other => {
                let mut s = other.replace('_', " ");
                if let Some(f) = s.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                s
            }
        },
        reasons: p.reasons.iter().map(|r| r.explain()).collect(),
    }
}

/// The officers' names by id.
async fn names(state: &AppState, dept: Uuid) -> Result<HashMap<Uuid, String>, DbError> {
    let rows = sqlx::query("SELECT id, display_name, badge FROM users WHERE department_id = $1")
        .bind(dept.to_string())
        .fetch_all(&state.db.pool)
        .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let (name, badge): (String, String) = (r.try_get("display_name")?, r.try_get("badge")?);
        if let Ok(id) = Uuid::parse_str(&id) {
            let who = if badge.is_empty() {
                name
            } else {
                format!("{name} (badge {badge})")
            };
            out.insert(id, who);
        }
    }
    Ok(out)
}

async fn card_view(
    state: &AppState,
    dept: Uuid,
    tz: Tz,
    who: &HashMap<Uuid, String>,
    card: &Timecard,
) -> Result<CardView, ConsoleError> {
    let job = job_reads::department_job(&state.db, dept, card.job_id).await?;
    let mut punches = Vec::new();
    let mut fixes = Vec::new();
    for (label, class, p) in [
        ("Clock-in", "punch-in", card.clock_in.as_ref()),
        ("Clock-out", "punch-out", card.clock_out.as_ref()),
    ] {
        let Some(p) = p else { continue };
        punches.push(punch_view(label, p, tz));
        if let Some(f) = &p.fix {
            let f = f.to_fix();
            fixes.push(Fix {
                label,
                class,
                point: f.point(),
                accuracy_m: f.accuracy_m,
            });
        }
    }
    let drawable = job.geofence.validate().is_ok() && !fixes.is_empty();
    let worked = card.worked_minutes.unwrap_or(0);
    Ok(CardView {
        id: card.id,
        officer: who
            .get(&card.officer_id)
            .cloned()
            .unwrap_or_else(|| "An officer no longer listed".into()),
        job: job.title.clone(),
        job_id: job.id,
        shift: view::shift(job.starts_at, job.ends_at, tz),
        worked: format!("{} h {:02} min", worked / 60, worked % 60),
        pay: card
            .gross_cents
            .map(|c| format_cents(c, &card.currency))
            .unwrap_or_else(|| "—".into()),
        punches,
        map: drawable.then(|| map::draw(&job.geofence, &fixes)),
        no_map: if fixes.is_empty() {
            "The punches carry no location fix to draw.".into()
        } else {
            "The job's fence cannot be drawn (it is not a valid fence).".into()
        },
        error: None,
    })
}

async fn render(
    state: &AppState,
    s: &ConsoleSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<(Uuid, String)>,
) -> Result<Response, ConsoleError> {
    render_with(state, s, status, notice, error, None).await
}

async fn render_with(
    state: &AppState,
    s: &ConsoleSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<(Uuid, String)>,
    verified_error: Option<String>,
) -> Result<Response, ConsoleError> {
    let dept = s.user.department_id;
    let (name, tz) = department(state, dept).await?;
    let q = TimecardQuery {
        officer_id: None,
        status: Some(TimecardStatus::NeedsReview),
        from: None,
        to: None,
    };
    let rows = query_timecards(state, &s.user, &q).await?;
    let who = names(state, dept).await?;
    let mut cards = Vec::with_capacity(rows.len());
    for (card, _, _) in &rows {
        let mut v = card_view(state, dept, tz, &who, card).await?;
        if let Some((id, msg)) = &error
            && *id == card.id
        {
            v.error = Some(msg.clone());
        }
        cards.push(v);
    }
    let q = TimecardQuery {
        officer_id: None,
        status: Some(TimecardStatus::Pending),
        from: None,
        to: None,
    };
    let mut verified = Vec::new();
    for (card, _, _) in &query_timecards(state, &s.user, &q).await? {
        let job = job_reads::department_job(&state.db, dept, card.job_id).await?;
        let worked = card.worked_minutes.unwrap_or(0);
        verified.push(VerifiedView {
            id: card.id,
            officer: who
                .get(&card.officer_id)
                .cloned()
                .unwrap_or_else(|| "An officer no longer listed".into()),
            job: job.title.clone(),
            job_id: job.id,
            shift: view::shift(job.starts_at, job.ends_at, tz),
            worked: format!("{} h {:02} min", worked / 60, worked % 60),
            pay: card
                .gross_cents
                .map(|c| format_cents(c, &card.currency))
                .unwrap_or_else(|| "—".into()),
        });
    }
    let page = TimecardsPage {
        chrome: Some(chrome(s, &name, "timecards")),
        csrf: s.csrf.clone(),
        cards,
        verified,
        verified_error,
        notice,
        time_zone: tz.name().to_string(),
    };
    Ok(html(status, &page))
}

#[derive(serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/timecards`: the flagged timecards, oldest shift first.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let notice = match q.ok().and_then(|Query(d)| d.done).as_deref() {
        Some("approved") => Some("Timecard approved: the officer is owed the pay.".to_string()),
        Some("rejected") => Some("Timecard rejected: the officer is told why.".to_string()),
        Some("verified") => Some(
            "The selected timecards are approved: the officers are owed the pay, and each \
             customer is billed once its review is done."
                .to_string(),
        ),
        _ => None,
    };
    render(&state, &s, StatusCode::OK, notice, None).await
}

async fn step(
    state: AppState,
    s: ConsoleSession,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    step: Step,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let note = form.get(step.rule().note_field).cloned();
    match take_step(&state.db, s.user, id, step, note, Utc::now()).await {
        Ok(_) => {
            let done = if step == Step::Reject {
                "rejected"
            } else {
                "approved"
            };
            Ok(Redirect::to(&format!("{PAGE}?done={done}")).into_response())
        }
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let status = e.status;
            render(&state, &s, status, None, Some((id, refusal(&e)))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The service's refusal as a sentence for the page.
fn refusal(e: &ApiError) -> String {
    let mut d = e.detail.clone();
    if let Some(f) = d.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    if !d.ends_with('.') {
        d.push('.');
    }
    d
}

/// `POST /console/timecards/{id}/approve` (`note`: what was checked).
pub async fn approve(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    step(state, s, id, headers, body, Step::Approve).await
}

/// `POST /console/timecards/{id}/reject` (`reason`: what the officer reads).
pub async fn reject(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    step(state, s, id, headers, body, Step::Reject).await
}

/// `POST /console/timecards/approve-verified` (`timecard`: the ids, repeated): approves the
/// selected verified timecards, each through the same step as the API. Stops at the first
/// refusal and says which; those approved before it stay approved.
pub async fn approve_verified(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let bytes = body.map_err(|_| ConsoleError::BadRequest("The form could not be read.".into()))?;
    // The ids repeat under one name; the CSRF check reads the same bytes.
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ConsoleError::BadRequest("The form could not be read.".into()))?;
    let ids: Vec<Uuid> = crate::extract::form_pairs(text)
        .into_iter()
        .filter(|(k, _)| k == "timecard")
        .map(|(_, v)| Uuid::parse_str(v.trim()))
        .collect::<Result<_, _>>()
        .map_err(|_| ConsoleError::BadRequest("A timecard id is not valid.".into()))?;
    signed_form(&state, &s, &headers, Ok(bytes))?;
    if ids.is_empty() {
        return render_with(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            None,
            Some("Select the timecards to approve.".into()),
        )
        .await;
    }
    for id in ids {
        match take_step(&state.db, s.user, id, Step::Approve, None, Utc::now()).await {
            Ok(_) => {}
            Err(e)
                if e.status == StatusCode::UNPROCESSABLE_ENTITY
                    || e.status == StatusCode::CONFLICT =>
            {
                let status = e.status;
                return render_with(&state, &s, status, None, None, Some(refusal(&e))).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Redirect::to(&format!("{PAGE}?done=verified")).into_response())
}
