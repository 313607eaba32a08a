//! The coordinators' approval queue (issue 11, decision 039), built to be cleared from the
//! keyboard: the queue opens on its oldest request with the Approve button focused; Enter
//! approves as is and opens the next one. Approving with edits (rate, award rule, signup close,
//! officers per shift), asking for changes and rejecting (each with a reason) are on the same
//! page. Also the department's customers, where a coordinator grants invoice terms.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::award::AwardRule;
use offduty_domain::pay::format_cents;

use crate::app::AppState;
use crate::console::forms::{local, shift_line};
use crate::console::pages::{Chrome, chrome, html, path_id, signed_form};
use crate::console::portal::{BillView, RequestRow, sentence};
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator};
use crate::db::DbError;
use crate::error::ApiError;
use crate::services::customers::{self, Organization, Terms};
use crate::services::event_requests::{self, Approval};

const QUEUE: &str = "/console/approvals";

#[derive(Template)]
#[template(path = "console/approvals.html")]
struct QueuePage {
    chrome: Option<Chrome>,
    requests: Vec<RequestRow>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/approval.html")]
struct RequestPage {
    chrome: Option<Chrome>,
    csrf: String,
    r: RequestRow,
    address: String,
    job_type: String,
    vehicle: bool,
    contact: String,
    instructions: String,
    shifts: Vec<String>,
    estimate: BillView,
    payment: String,
    waiting: usize,
    notice: Option<String>,
    error: Option<String>,
    rate_hint: String,
}

#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage {
    chrome: Option<Chrome>,
    csrf: String,
    orgs: Vec<Organization>,
    notice: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct Done {
    /// The request just decided, and how.
    #[serde(default)]
    last: Option<String>,
    #[serde(default)]
    did: Option<String>,
}

async fn place(
    state: &AppState,
    s: &ConsoleSession,
) -> Result<(String, Tz, String, crate::db::rows::Department), ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok((d.name.clone(), d.tz, d.currency.clone(), d))
}

/// What was just done, in words, for the next page.
async fn done_notice(state: &AppState, s: &ConsoleSession, q: Option<Done>) -> Option<String> {
    let q = q?;
    let id = Uuid::parse_str(q.last.as_deref()?).ok()?;
    let r = event_requests::visible(&state.db, s.user, id).await.ok()?;
    let jobs = event_requests::jobs_of(&state.db, s.user.department_id, id)
        .await
        .ok()?;
    Some(match q.did.as_deref()? {
        "approved" => format!(
            "Approved “{}” for {}: {} job{} posted to officers' phones.",
            r.title,
            r.organization,
            jobs.len(),
            if jobs.len() == 1 { "" } else { "s" }
        ),
        "changes" => format!("Sent “{}” back to {} for changes.", r.title, r.organization),
        "rejected" => format!("Declined “{}” from {}.", r.title, r.organization),
        _ => return None,
    })
}

/// `GET /console/approvals`: requests waiting, oldest first.
pub async fn queue(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let (name, tz, currency, _) = place(&state, &s).await?;
    let waiting = event_requests::queue(&state.db, s.user.department_id).await?;
    let page = QueuePage {
        chrome: Some(chrome(&s, &name, "approvals")),
        requests: waiting
            .iter()
            .map(|r| RequestRow::of(r, tz, &currency))
            .collect(),
        notice: done_notice(&state, &s, q.ok().map(|Query(d)| d)).await,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/approvals/next`: the oldest waiting request, or the (empty) queue.
pub async fn next(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let waiting = event_requests::queue(&state.db, s.user.department_id).await?;
    let tail = match q.ok() {
        Some(Query(Done {
            last: Some(l),
            did: Some(d),
        })) if Uuid::parse_str(&l).is_ok() && d.chars().all(|c| c.is_ascii_lowercase()) => {
            format!("?last={l}&did={d}")
        }
        _ => String::new(),
    };
    Ok(match waiting.first() {
        Some(r) => Redirect::to(&format!("{QUEUE}/{}{tail}", r.id)),
        None => Redirect::to(&format!("{QUEUE}{tail}")),
    }
    .into_response())
}

async fn request_page(
    state: &AppState,
    s: &ConsoleSession,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> Result<RequestPage, ConsoleError> {
    let r = event_requests::visible(&state.db, s.user, id).await?;
    let (name, tz, currency, dept) = place(state, s).await?;
    let org = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        customers::load(&mut conn, s.user.department_id, r.organization_id)
            .await?
            .ok_or(ConsoleError::NotFound)?
    };
    let payment = match (org.terms, &org.payment_method_label) {
        (Terms::Invoice, _) => "Invoice terms (pays by transfer)".to_string(),
        (Terms::Card, Some(label)) => format!("{label}, validated"),
        (Terms::Card, None) => "No validated payment method".to_string(),
    };
    let waiting = event_requests::queue(&state.db, s.user.department_id)
        .await?
        .len();
    Ok(RequestPage {
        chrome: Some(chrome(s, &name, "approvals")),
        csrf: s.csrf.clone(),
        address: r.address.clone(),
        job_type: r.job_type.clone(),
        vehicle: r.vehicle,
        contact: format!("{} · {}", r.contact_name, r.contact_phone),
        instructions: r.instructions.clone(),
        shifts: r
            .shifts
            .iter()
            .map(|x| shift_line(x.starts_at, x.ends_at, x.officers, tz))
            .collect(),
        estimate: BillView::of(&r.estimate, &currency),
        payment,
        waiting,
        notice,
        error,
        rate_hint: format!(
            "the rate card's {} for {}",
            format_cents(dept.pay.rate_for(&r.job_type), &currency),
            r.job_type
        ),
        r: RequestRow::of(&r, tz, &currency),
    })
}

/// `GET /console/approvals/{id}`: one request with its decisions; Approve has the focus.
pub async fn request(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let notice = done_notice(&state, &s, q.ok().map(|Query(d)| d)).await;
    let page = request_page(&state, &s, id, notice, None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// The approval's edits from the form; blank fields keep what was asked.
fn edits(form: &std::collections::HashMap<String, String>, tz: Tz) -> Result<Approval, String> {
    let f = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    let award_rule = match f("award_rule") {
        "" | "first_come" => None,
        "seniority" => Some(AwardRule::Seniority),
        "rotation" => Some(AwardRule::Rotation),
        "fewest_hours" => Some(AwardRule::FewestHours { window_days: 28 }),
        "lottery" => Some(AwardRule::Lottery {
            seed: Uuid::now_v7().as_u128() as u64,
        }),
        _ => return Err("Choose an award rule from the list.".into()),
    };
    let rate_cents = match f("rate") {
        "" => None,
        v => Some(
            parse_money(v).ok_or("Enter the hourly rate as dollars and cents, such as 65.00.")?,
        ),
    };
    let officers = match f("officers") {
        "" => None,
        v => Some(
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or("Officers per shift must be a whole number from 1 to 50.")?,
        ),
    };
    let signup_closes_at = match f("closes") {
        "" => None,
        v => {
            let t = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
                .map_err(|_| "Enter when signups close as a date and time.".to_string())?;
            Some(
                local(tz, t.date(), t.time())
                    .ok_or("That time does not exist on that day (the clocks change).")?,
            )
        }
    };
    Ok(Approval {
        award_rule,
        rate_cents,
        signup_closes_at,
        officers,
    })
}

/// `65`, `65.5` or `65.50` dollars as cents; nothing else.
pub(crate) fn parse_money(v: &str) -> Option<i64> {
    let v = v.trim().trim_start_matches('$');
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 7 {
        return None;
    }
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// A refusal shown on the request's page (a 409 or 422), or the error page for anything else.
async fn refused(
    state: &AppState,
    s: &ConsoleSession,
    id: Uuid,
    e: ApiError,
) -> Result<Response, ConsoleError> {
    if e.status == StatusCode::CONFLICT || e.status == StatusCode::UNPROCESSABLE_ENTITY {
        let status = e.status;
        let page = request_page(state, s, id, None, Some(sentence(&e.detail))).await?;
        Ok(html(status, &page))
    } else {
        Err(e.into())
    }
}

/// `POST /console/approvals/{id}/approve`: posts the jobs, then opens the next request.
pub async fn approve(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let (_, tz, _, _) = place(&state, &s).await?;
    let edits = match edits(&form, tz) {
        Ok(e) => e,
        Err(msg) => {
            let page = request_page(&state, &s, id, None, Some(msg)).await?;
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match event_requests::approve(&state.db, s.user, id, &edits, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{QUEUE}/next?last={id}&did=approved")).into_response()),
        Err(e) => refused(&state, &s, id, e).await,
    }
}

/// `POST /console/approvals/{id}/changes` and `/reject`: sends it back, or declines it.
async fn refuse(
    state: AppState,
    s: ConsoleSession,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    reject: bool,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let reason = form.get("reason").map(String::as_str).unwrap_or("");
    let now = Utc::now();
    let result = if reject {
        event_requests::reject(&state.db, s.user, id, reason, now).await
    } else {
        event_requests::request_changes(&state.db, s.user, id, reason, now).await
    };
    let did = if reject { "rejected" } else { "changes" };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{QUEUE}/next?last={id}&did={did}")).into_response()),
        Err(e) if e.field.as_deref() == Some("reason") => {
            let msg = if reject {
                "Say why the request is declined; the customer reads it."
            } else {
                "Say what the customer should change."
            };
            let page = request_page(&state, &s, id, None, Some(msg.into())).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => refused(&state, &s, id, e).await,
    }
}

/// `POST /console/approvals/{id}/changes`.
pub async fn changes(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    refuse(state, s, id, headers, body, false).await
}

/// `POST /console/approvals/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    refuse(state, s, id, headers, body, true).await
}

#[derive(serde::Deserialize)]
pub struct TermsDone {
    #[serde(default)]
    granted: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

/// `GET /console/customers`: the department's customers and how each pays.
pub async fn customers_page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<TermsDone>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let (name, _, _, _) = place(&state, &s).await?;
    // Affiliates have their own page (decision 047).
    let orgs: Vec<Organization> = customers::list(&state.db, s.user.department_id)
        .await?
        .into_iter()
        .filter(|o| o.kind == customers::OrganizationKind::Customer)
        .collect();
    let done = q.ok().map(|Query(d)| d);
    let named = |id: Option<&String>| {
        let id = Uuid::parse_str(id?).ok()?;
        orgs.iter().find(|o| o.id == id).map(|o| o.name.clone())
    };
    let notice = done.and_then(|d| {
        named(d.granted.as_ref())
            .map(|n| format!("{n} may now be billed by invoice."))
            .or_else(|| {
                named(d.withdrawn.as_ref())
                    .map(|n| format!("{n} now pays by saved payment method."))
            })
    });
    let page = CustomersPage {
        chrome: Some(chrome(&s, &name, "customers")),
        csrf: s.csrf.clone(),
        orgs,
        notice,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/customers/{id}/terms`: grants or withdraws invoice terms.
pub async fn set_terms(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let terms = match form.get("terms").map(String::as_str) {
        Some("invoice") => Terms::Invoice,
        Some("card") => Terms::Card,
        _ => {
            return Err(ConsoleError::BadRequest(
                "Choose card or invoice terms.".into(),
            ));
        }
    };
    customers::set_terms(&state.db, s.user, id, terms, Utc::now()).await?;
    // Post, redirect, get: a reload does not send the form again.
    let did = match terms {
        Terms::Invoice => "granted",
        Terms::Card => "withdrawn",
    };
    Ok(Redirect::to(&format!("/console/customers?{did}={id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_typed_as_dollars_and_cents() {
        assert_eq!(parse_money("65"), Some(6500));
        assert_eq!(parse_money("65.5"), Some(6550));
        assert_eq!(parse_money("$65.05"), Some(6505));
        assert_eq!(parse_money("65.055"), None);
        assert_eq!(parse_money("-5"), None);
        assert_eq!(parse_money("6e3"), None);
        assert_eq!(parse_money(""), None);
    }
}
