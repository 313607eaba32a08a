//! The affiliates' pages (decision 047): a coordinator lists the department's affiliates,
//! invites a security firm (the invitation e-mail goes through the outbox; the link is shown
//! once on the page that confirms it), opens one affiliate (its accounts, invitations, events
//! and the officers' work for it) and suspends or reinstates it. The firm's contact opens the
//! link on a public page, sets a password and lands in the portal. Every decision is
//! `services::affiliates`'; these pages only parse forms and show results.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::pay::format_cents;

use crate::app::AppState;
use crate::console::forms::FieldError;
use crate::console::pages::{
    Chrome, chrome, department_row, html, path_id, read_form, signed_form,
};
use crate::console::portal::{RequestRow, sentence};
use crate::console::session::{self, PRE_COOKIE};
use crate::console::{ConsoleError, Coordinator};
use crate::error::ApiError;
use crate::services::affiliates::{self, Invite, Invited, Member};
use crate::services::customers::{Organization, Terms};
use crate::services::event_requests;
use crate::services::review;

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// One affiliate in the list.
struct AffiliateRow {
    id: Uuid,
    name: String,
    billing_address: String,
    terms: &'static str,
    suspended: bool,
}

fn affiliate_row(o: &Organization) -> AffiliateRow {
    AffiliateRow {
        id: o.id,
        name: o.name.clone(),
        billing_address: o.billing_address.clone(),
        terms: terms_label(o.terms),
        suspended: o.suspended_at.is_some(),
    }
}

fn terms_label(t: Terms) -> &'static str {
    match t {
        Terms::Invoice => "Invoice",
        Terms::Card => "Saved payment method",
    }
}

#[derive(Template)]
#[template(path = "console/affiliates.html")]
struct ListPage {
    chrome: Option<Chrome>,
    affiliates: Vec<AffiliateRow>,
}

#[derive(Template)]
#[template(path = "console/affiliate_new.html")]
struct InvitePage {
    chrome: Option<Chrome>,
    csrf: String,
    name: String,
    billing_address: String,
    contact_name: String,
    email: String,
    invoice: bool,
    error: Option<FieldError>,
}

impl InvitePage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

#[derive(Template)]
#[template(path = "console/affiliate_sent.html")]
struct SentPage {
    chrome: Option<Chrome>,
    id: Uuid,
    name: String,
    email: String,
    link: String,
    expires: String,
}

struct InvitationRow {
    email: String,
    sent: String,
    expires: String,
    state: &'static str,
}

struct WorkRow {
    officer: String,
    job: String,
    clock_in: String,
    clock_out: String,
    hours: String,
    pay: String,
}

#[derive(Template)]
#[template(path = "console/affiliate.html")]
struct AffiliatePage {
    chrome: Option<Chrome>,
    csrf: String,
    a: AffiliateRow,
    suspended_since: String,
    members: Vec<Member>,
    invitations: Vec<InvitationRow>,
    may_reinvite: bool,
    events: Vec<RequestRow>,
    work: Vec<WorkRow>,
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /console/affiliates`: the department's affiliates.
pub async fn list(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let d = department_row(&state, s.user.department_id).await?;
    let affiliates = affiliates::list(&state.db, d.id)
        .await?
        .iter()
        .map(affiliate_row)
        .collect();
    Ok(html(
        StatusCode::OK,
        &ListPage {
            chrome: Some(chrome(&s, &d.name, "affiliates")),
            affiliates,
        },
    ))
}

/// `GET /console/affiliates/new`: the invitation form.
pub async fn new_form(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let d = department_row(&state, s.user.department_id).await?;
    Ok(html(
        StatusCode::OK,
        &InvitePage {
            chrome: Some(chrome(&s, &d.name, "affiliates")),
            csrf: s.csrf.clone(),
            name: String::new(),
            billing_address: String::new(),
            contact_name: String::new(),
            email: String::new(),
            invoice: true,
            error: None,
        },
    ))
}

/// A refusal a form shows on its field (422, 409); anything else is the error page.
fn field_error(e: ApiError) -> Result<FieldError, ConsoleError> {
    if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT {
        Ok(FieldError {
            field: e.field.clone().unwrap_or_default(),
            message: sentence(&e.detail),
        })
    } else {
        Err(ConsoleError::from(e))
    }
}

/// `POST /console/affiliates`: invites the firm and shows the link once.
pub async fn invite(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let terms = match f("terms").as_str() {
        "invoice" => Terms::Invoice,
        "card" => Terms::Card,
        _ => {
            return Err(ConsoleError::BadRequest(
                "Choose invoice terms or a saved payment method.".into(),
            ));
        }
    };
    let req = Invite {
        name: f("name"),
        billing_address: f("billing_address"),
        contact_name: f("contact_name"),
        email: f("email"),
        terms,
    };
    let d = department_row(&state, s.user.department_id).await?;
    let base = crate::console::portal::here(&state, &headers)?;
    match affiliates::invite(&state.db, s.user, &req, &base, Utc::now()).await {
        Ok(invited) => Ok(sent_page(&s, &d, &req.email, invited)),
        Err(e) => {
            let error = Some(field_error(e)?);
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &InvitePage {
                    chrome: Some(chrome(&s, &d.name, "affiliates")),
                    csrf: s.csrf.clone(),
                    name: req.name,
                    billing_address: req.billing_address,
                    contact_name: req.contact_name,
                    email: req.email,
                    invoice: terms == Terms::Invoice,
                    error,
                },
            ))
        }
    }
}

fn sent_page(
    s: &session::ConsoleSession,
    d: &crate::db::rows::Department,
    email: &str,
    invited: Invited,
) -> Response {
    html(
        StatusCode::CREATED,
        &SentPage {
            chrome: Some(chrome(s, &d.name, "affiliates")),
            id: invited.organization.id,
            name: invited.organization.name,
            email: email.trim().to_string(),
            link: invited.link,
            expires: when(invited.expires_at, d.tz),
        },
    )
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /console/affiliates/{id}`: one affiliate.
pub async fn show(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Done>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let notice = match q.ok().and_then(|Query(d)| d.done).as_deref() {
        Some("suspended") => Some("The affiliate is suspended: its accounts are signed out."),
        Some("reinstated") => Some("The affiliate is reinstated: its accounts may sign in again."),
        _ => None,
    };
    affiliate_page(
        &state,
        &s,
        id,
        notice.map(String::from),
        None,
        StatusCode::OK,
    )
    .await
}

async fn affiliate_page(
    state: &AppState,
    s: &session::ConsoleSession,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let d = department_row(state, s.user.department_id).await?;
    let (org, members, invitations) = affiliates::detail(&state.db, d.id, id).await?;
    let now = Utc::now();
    let may_reinvite = org.suspended_at.is_none()
        && !invitations.is_empty()
        && invitations.iter().all(|i| i.accepted_at.is_none());
    let events = event_requests::of_organization(&state.db, id)
        .await?
        .iter()
        .map(|r| RequestRow::of(r, d.tz, &d.currency))
        .collect();
    let work = review::of_organization(&state.db, d.id, id)
        .await?
        .iter()
        .map(|i| WorkRow {
            officer: i.officer_name.clone(),
            job: i.job_title.clone(),
            clock_in: i.clock_in.map(|t| when(t, d.tz)).unwrap_or_default(),
            clock_out: when(i.clock_out, d.tz),
            hours: crate::console::view::worked(i.worked_minutes),
            pay: format_cents(i.gross_cents, &d.currency),
        })
        .collect();
    let page = AffiliatePage {
        chrome: Some(chrome(s, &d.name, "affiliates")),
        csrf: s.csrf.clone(),
        suspended_since: org.suspended_at.map(|t| when(t, d.tz)).unwrap_or_default(),
        a: affiliate_row(&org),
        members,
        invitations: invitations
            .iter()
            .map(|i| InvitationRow {
                email: i.email.clone(),
                sent: when(i.created_at, d.tz),
                expires: when(i.expires_at, d.tz),
                state: match i.state(now) {
                    "accepted" => "Accepted",
                    "revoked" => "Replaced by a newer invitation",
                    "expired" => "Expired",
                    _ => "Waiting",
                },
            })
            .collect(),
        may_reinvite,
        events,
        work,
        notice,
        error,
    };
    Ok(html(status, &page))
}

/// `POST /console/affiliates/{id}/suspend` and `/reinstate`.
async fn set_suspended(
    state: AppState,
    s: session::ConsoleSession,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    suspend: bool,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let reason = form.get("reason").cloned().unwrap_or_default();
    match affiliates::set_suspended(&state.db, s.user, id, suspend, &reason, Utc::now()).await {
        Ok(_) => {
            let done = if suspend { "suspended" } else { "reinstated" };
            Ok(Redirect::to(&format!("/console/affiliates/{id}?done={done}")).into_response())
        }
        Err(e) => {
            let fe = field_error(e)?;
            affiliate_page(
                &state,
                &s,
                id,
                None,
                Some(fe.message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /console/affiliates/{id}/suspend`.
pub async fn suspend(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    set_suspended(state, s, id, headers, body, true).await
}

/// `POST /console/affiliates/{id}/reinstate`.
pub async fn reinstate(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    set_suspended(state, s, id, headers, body, false).await
}

/// `POST /console/affiliates/{id}/invitation`: a new link for a contact who has not accepted.
pub async fn reinvite(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    signed_form(&state, &s, &headers, body)?;
    let d = department_row(&state, s.user.department_id).await?;
    let base = crate::console::portal::here(&state, &headers)?;
    match affiliates::reinvite(&state.db, s.user, id, &base, Utc::now()).await {
        Ok(invited) => {
            let email = affiliates::detail(&state.db, d.id, id)
                .await?
                .2
                .first()
                .map(|i| i.email.clone())
                .unwrap_or_default();
            Ok(sent_page(&s, &d, &email, invited))
        }
        Err(e) => {
            let fe = field_error(e)?;
            affiliate_page(
                &state,
                &s,
                id,
                None,
                Some(fe.message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "console/invitation.html")]
struct AcceptPage {
    chrome: Option<Chrome>,
    csrf: String,
    token: String,
    /// What the link is for, when it can still be accepted.
    pending: Option<PendingView>,
    error: Option<FieldError>,
}

/// What an invitation link is for, as the acceptance page says it.
struct PendingView {
    organization: String,
    department: String,
    email: String,
    expires: String,
}

#[derive(serde::Deserialize)]
pub struct Token {
    token: Option<String>,
}

/// The acceptance page with a fresh pre-session cookie (the sign-in form's CSRF protection).
async fn accept_page(
    state: &AppState,
    token: &str,
    error: Option<FieldError>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let now = Utc::now();
    let (pending, error) = match affiliates::pending(&state.db, token, now).await {
        Ok(p) => (
            Some(PendingView {
                expires: when(p.expires_at, p.tz),
                organization: p.organization,
                department: p.department,
                email: p.email,
            }),
            error,
        ),
        Err(e) => (None, Some(field_error(e)?)),
    };
    let status = if pending.is_none() && status == StatusCode::OK {
        StatusCode::GONE
    } else {
        status
    };
    let pre = session::random_id();
    let page = AcceptPage {
        chrome: None,
        csrf: session::sign_in_token(&state.tokens, &pre),
        token: token.trim().to_string(),
        pending,
        error,
    };
    let mut resp = html(status, &page);
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(PRE_COOKIE, &pre, 3600, state.secure_cookies),
    );
    Ok(resp)
}

/// `GET /console/invitation?token=…`: the page where an affiliate's contact sets a password.
pub async fn accept_form(
    State(state): State<AppState>,
    q: Result<Query<Token>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let token = q.ok().and_then(|Query(t)| t.token).unwrap_or_default();
    accept_page(&state, &token, None, StatusCode::OK).await
}

/// `POST /console/invitation`: accepts, signs the contact in and opens the portal.
pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = read_form(&headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let token = f("token");
    let pre = session::cookie(&headers, PRE_COOKIE).unwrap_or("");
    if pre.is_empty() || !session::sign_in_token_ok(&state.tokens, pre, &f("csrf")) {
        let e = FieldError {
            field: "password".into(),
            message: "This form had expired. Enter your password again and send it.".into(),
        };
        return accept_page(&state, &token, Some(e), StatusCode::FORBIDDEN).await;
    }
    let password = f("password");
    if password != f("confirm") {
        let e = FieldError {
            field: "confirm".into(),
            message: "The two passwords differ. Type the same password twice.".into(),
        };
        return accept_page(&state, &token, Some(e), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let now = Utc::now();
    match affiliates::accept(&state.db, &token, &password, now).await {
        Ok(email) => {
            crate::console::portal::sign_in_new_account(&state, &email, &password, now).await
        }
        Err(e) => {
            let status = e.status;
            let fe = field_error(e)?;
            accept_page(&state, &token, Some(fe), status).await
        }
    }
}
