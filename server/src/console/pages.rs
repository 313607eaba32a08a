//! The console's pages and forms: sign-in (its second step is `two_factor_pages`) and sign-out, the department's jobs and one job with
//! its roster, the stylesheet, and the HTML error page. Handlers read through the same services
//! the API uses (`auth::signin`, `services::job_reads`); templates are in `server/templates/console/`
//! (askama: compiled in, HTML-escaped).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use uuid::Uuid;

use offduty_domain::protocol::{Job, Role};

use crate::app::AppState;
use crate::auth::signin::{self, Refused, Verified, Via};
use crate::console::session::{self, COOKIE, PRE_COOKIE, SECOND_FACTOR_COOKIE};
use crate::console::{
    ConsoleError, Coordinator, ENROL, SECOND_FACTOR, SIGN_IN, SignedEnrolling, home_of,
    second_factor, view,
};
use crate::db::DbError;
use crate::services::audit::{self, AuditEntry};
use crate::services::award::load_department;
use crate::services::job_reads::{self, JobWindow};
use crate::services::two_factor::{self, Accepted};

/// The stylesheet, compiled into the binary.
const CSS: &str = include_str!("../../static/console.css");

/// The largest form the console accepts.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The header of a signed-in page: who, which department, the sign-out form's token.
pub struct Chrome {
    /// A customer's portal (its own navigation) rather than a coordinator's console.
    pub customer: bool,
    pub user_name: String,
    pub department: String,
    pub csrf: String,
    /// Which navigation entry is current.
    pub section: &'static str,
    /// The department's open alerts (a coordinator's "Alerts" link shows the count).
    pub open_alerts: i64,
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    chrome: Option<Chrome>,
    csrf: String,
    email: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    chrome: Option<Chrome>,
    title: &'a str,
    detail: &'a str,
}

/// One job as the pages show it.
struct JobRow {
    id: Uuid,
    title: String,
    site: String,
    when: String,
    filled: u32,
    slots: u32,
    status: &'static str,
    status_class: &'static str,
    rule: String,
}

#[derive(Template)]
#[template(path = "console/jobs.html")]
struct JobsPage {
    chrome: Option<Chrome>,
    department: String,
    time_zone: String,
    jobs: Vec<JobRow>,
}

/// One line of a roster as the job page shows it.
struct RosterRow {
    name: String,
    badge: String,
    status: &'static str,
    offered: bool,
    place: String,
    /// Reliability computed from the record (decision 046).
    reliability: offduty_domain::ratings::Reliability,
}

#[derive(Template)]
#[template(path = "console/job.html")]
struct JobPage {
    chrome: Option<Chrome>,
    job: JobRow,
    customer: String,
    address: String,
    rate: String,
    roster: Vec<RosterRow>,
    /// The department breaks the award rule's ties by reliability (decision 046).
    tie_break: bool,
}

/// A file to download: 200 with its type and `Content-Disposition: attachment` under `name`.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(content_type),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// Renders `page` as an HTML response.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "The server could not show this page; the fault has been logged.",
            )
                .into_response()
        }
    }
}

/// The HTML error page.
pub(crate) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    html(
        status,
        &ErrorPage {
            chrome: None,
            title,
            detail,
        },
    )
}

/// `GET /console/static/console.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// The fields of a posted form (`application/x-www-form-urlencoded`).
pub(crate) fn read_form(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<HashMap<String, String>, ConsoleError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let bad = || ConsoleError::BadRequest("This form could not be read. Try again.".into());
    if !is_form {
        return Err(bad());
    }
    let body = body.map_err(|_| bad())?;
    if body.len() > MAX_FORM_BYTES {
        return Err(bad());
    }
    Ok(crate::extract::form_pairs(&String::from_utf8_lossy(&body))
        .into_iter()
        .collect())
}

/// A signed-in form's fields, once its CSRF token is checked.
pub(crate) fn signed_form(
    state: &AppState,
    s: &session::ConsoleSession,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<std::collections::HashMap<String, String>, ConsoleError> {
    let form = read_form(headers, body)?;
    let token = form.get("csrf").map(String::as_str).unwrap_or("");
    if !s.csrf_ok(&state.tokens, token) {
        return Err(ConsoleError::csrf());
    }
    Ok(form)
}

/// The id in a page's path; a malformed one is "not found", like another department's.
pub(crate) fn path_id(
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Uuid, ConsoleError> {
    id.ok()
        .and_then(|Path(raw)| Uuid::parse_str(&raw).ok())
        .ok_or(ConsoleError::NotFound)
}

/// The sign-in page with a fresh pre-session cookie and its CSRF token.
pub(crate) fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    email: &str,
    message: Option<String>,
) -> Response {
    let pre = session::random_id();
    let page = SignInPage {
        chrome: None,
        csrf: session::sign_in_token(&state.tokens, &pre),
        email: email.to_string(),
        message,
    };
    let mut resp = html(status, &page);
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(PRE_COOKIE, &pre, 3600, state.secure_cookies),
    );
    resp
}

/// `GET /console/sign-in`: the form (or the jobs page, when already signed in).
pub async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    if let Some(id) = session::cookie(&headers, COOKIE)
        && let Some(s) = session::load(&state, id, Utc::now()).await?
    {
        return Ok(Redirect::to(home_of(s.user.role)).into_response());
    }
    Ok(sign_in_page(&state, StatusCode::OK, "", None))
}

/// `POST /console/sign-in`: checks the form's token, then the credentials exactly as
/// `POST /v1/auth/login` does; starts a session for a coordinator. An unknown e-mail, a wrong
/// password and a disabled account get the same page.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = read_form(&headers, body)?;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let email = field("email").trim().chars().take(254).collect::<String>();
    let pre = session::cookie(&headers, PRE_COOKIE).unwrap_or("");
    if pre.is_empty() || !session::sign_in_token_ok(&state.tokens, pre, field("csrf")) {
        return Ok(sign_in_page(
            &state,
            StatusCode::FORBIDDEN,
            &email,
            Some("This form had expired. Enter your password again.".into()),
        ));
    }
    let refused = |status, message: String| Ok(sign_in_page(&state, status, &email, Some(message)));
    let verified = match signin::check(&state, &email, field("password"), Via::Console).await? {
        Ok(v) => v,
        Err(Refused::BadEmail) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Enter the e-mail address you sign in with.".into(),
            );
        }
        Err(Refused::BadPassword) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Enter your password.".into(),
            );
        }
        Err(Refused::RateLimited(wait_s)) => {
            return refused(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many attempts for this account. Try again in {wait_s} seconds."),
            );
        }
        Err(Refused::WrongCredentials) => {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, WRONG.into());
        }
    };
    let Verified { user, .. } = &verified;
    if !session::may_use_console(user.role) {
        audit_sign_in(&state, &verified, "console_sign_in_refused").await?;
        let message = match user.role {
            Role::Officer => {
                "The console is for coordinators and customers. Officers sign in with the \
                 offduty app on their phone."
            }
            _ => "This account cannot use the console.",
        };
        return refused(StatusCode::FORBIDDEN, message.into());
    }
    let now = Utc::now();
    if two_factor::enabled(&state.db, user.id).await? {
        // The password was right; the session waits for the second factor (decision 038).
        let id = second_factor::start(&state.db, user.id, user.department_id, verified.epoch, now)
            .await?;
        let mut resp = Redirect::to(SECOND_FACTOR).into_response();
        let h = resp.headers_mut();
        h.append(
            header::SET_COOKIE,
            session::set_cookie(
                SECOND_FACTOR_COOKIE,
                &id,
                second_factor::TTL.num_seconds(),
                state.secure_cookies,
            ),
        );
        h.append(
            header::SET_COOKIE,
            session::set_cookie(PRE_COOKIE, "", 0, state.secure_cookies),
        );
        return Ok(resp);
    }
    match start_session(&state, &verified, None, now).await? {
        Some(resp) => Ok(resp),
        // Disabled or reset between the password check and now.
        None => refused(StatusCode::UNPROCESSABLE_ENTITY, WRONG.into()),
    }
}

/// Starts a session for credentials that verified (and their second factor, when the user has
/// one): the session cookie, the sign-in cookies cleared, audited as `console_sign_in`, and a
/// redirect to the first page — or to enrolment when the department requires a second factor
/// the user does not have. None when the account was disabled or its sessions ended since.
pub(crate) async fn start_session(
    state: &AppState,
    verified: &Verified,
    second: Option<Accepted>,
    now: chrono::DateTime<Utc>,
) -> Result<Option<Response>, ConsoleError> {
    let Some(id) = session::create(&state.db, verified, now).await? else {
        return Ok(None);
    };
    let user = &verified.user;
    let mut detail = serde_json::json!({"via": "console", "role": user.role});
    if let Some(second) = second {
        detail["second_factor"] = serde_json::json!(second.as_str());
    }
    audit::append_now(
        &state.db,
        user.department_id,
        AuditEntry {
            actor_id: Some(user.id),
            action: "console_sign_in",
            entity: "user",
            entity_id: user.id.to_string(),
            detail,
        },
    )
    .await?;
    // The department's requirement is for coordinators; customers are not asked (decision 038).
    let must_enrol = second.is_none()
        && user.role == Role::Coordinator
        && two_factor::required(&state.db, user.department_id).await?;
    let mut resp = Redirect::to(if must_enrol {
        ENROL
    } else {
        home_of(user.role)
    })
    .into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        session::set_cookie(
            COOKIE,
            &id,
            session::ABSOLUTE.num_seconds(),
            state.secure_cookies,
        ),
    );
    for cookie in [PRE_COOKIE, SECOND_FACTOR_COOKIE] {
        h.append(
            header::SET_COOKIE,
            session::set_cookie(cookie, "", 0, state.secure_cookies),
        );
    }
    Ok(Some(resp))
}

const WRONG: &str = "Wrong e-mail or password.";

async fn audit_sign_in(
    state: &AppState,
    verified: &Verified,
    action: &'static str,
) -> Result<(), DbError> {
    let user = &verified.user;
    audit::append_now(
        &state.db,
        user.department_id,
        AuditEntry {
            actor_id: Some(user.id),
            action,
            entity: "user",
            entity_id: user.id.to_string(),
            detail: serde_json::json!({"via": "console", "role": user.role}),
        },
    )
    .await
}

/// `POST /console/sign-out`: ends the session (server-side) and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    SignedEnrolling(s): SignedEnrolling,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    signed_form(&state, &s, &headers, body)?;
    s.revoke(&state.db, Utc::now()).await?;
    audit::append_now(
        &state.db,
        s.user.department_id,
        AuditEntry {
            actor_id: Some(s.user.user_id),
            action: "console_sign_out",
            entity: "user",
            entity_id: s.user.user_id.to_string(),
            detail: serde_json::json!({"via": "console"}),
        },
    )
    .await?;
    let mut resp = Redirect::to(SIGN_IN).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(COOKIE, "", 0, state.secure_cookies),
    );
    Ok(resp)
}

/// The department's row (name, zone, currency, rules), for a page.
pub(crate) async fn department_row(
    state: &AppState,
    id: Uuid,
) -> Result<crate::db::rows::Department, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    load_department(&mut conn, id)
        .await?
        .ok_or(ConsoleError::NotFound)
}

/// The department's name and zone, for a page's header.
pub(crate) async fn department(
    state: &AppState,
    id: Uuid,
) -> Result<(String, chrono_tz::Tz), ConsoleError> {
    let d = department_row(state, id).await?;
    Ok((d.name, d.tz))
}

pub(crate) fn chrome(
    s: &session::ConsoleSession,
    department: &str,
    section: &'static str,
) -> Chrome {
    Chrome {
        customer: s.user.role == Role::Customer,
        user_name: s.display_name.clone(),
        department: department.to_string(),
        csrf: s.csrf.clone(),
        section,
        open_alerts: s.open_alerts,
    }
}

fn job_row(j: &Job, tz: chrono_tz::Tz) -> JobRow {
    JobRow {
        id: j.id,
        title: j.title.clone(),
        site: j.site_name.clone(),
        when: view::shift(j.starts_at, j.ends_at, tz),
        filled: j.slots_filled,
        slots: j.slots,
        status: view::job_status(j.status),
        status_class: j.status.as_str(),
        rule: view::award_rule(&j.award_rule),
    }
}

/// `GET /console/jobs`: the department's jobs ending after yesterday.
pub async fn jobs(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let (name, tz) = department(&state, s.user.department_id).await?;
    let window = JobWindow {
        from: Utc::now() - Duration::days(1),
        to: None,
        status: None,
        limit: 500,
    };
    let jobs = job_reads::list(&state.db, s.user, window).await?;
    let page = JobsPage {
        chrome: Some(chrome(&s, &name, "jobs")),
        department: name,
        time_zone: tz.name().to_string(),
        jobs: jobs.iter().map(|j| job_row(j, tz)).collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/jobs/{id}`: one job of the department and its roster (404 for another
/// department's job or a malformed id).
pub async fn job(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let dept = department_row(&state, s.user.department_id).await?;
    let (name, tz) = (dept.name.clone(), dept.tz);
    let job = job_reads::department_job(&state.db, s.user.department_id, id).await?;
    let roster = job_reads::roster(&state.db, s.user.department_id, id).await?;
    let ids: Vec<Uuid> = roster.iter().map(|r| r.officer_id).collect();
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let figures =
        crate::services::reliability::of_officers(&mut conn, &dept, &ids, Utc::now()).await?;
    drop(conn);
    let roster = roster
        .iter()
        .map(|r| RosterRow {
            reliability: figures
                .get(&r.officer_id)
                .cloned()
                .unwrap_or_else(offduty_domain::ratings::Reliability::empty),
            name: r.display_name.clone(),
            badge: r.badge.clone(),
            status: view::assignment_status(r.status),
            offered: r.offered,
            place: r
                .position
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let page = JobPage {
        chrome: Some(chrome(&s, &name, "jobs")),
        customer: job.customer_name.clone(),
        address: job.address.clone(),
        rate: view::rate(job.rate_cents, job.multiplier_bp, &job.currency),
        job: job_row(&job, tz),
        roster,
        tie_break: dept.rules.reliability_tie_break,
    };
    Ok(html(StatusCode::OK, &page))
}
