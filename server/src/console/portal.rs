//! The customer portal (issue 11, decision 039): a business signs up, adds its sites, requests
//! an event with the estimate shown before it submits, follows the request, changes it while it
//! waits or after the department sent it back, and cancels it with the cost shown first. Every
//! page reads and writes through `services::customers` and `services::event_requests`, the
//! same rules the API would apply.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::billing::Bill;
use offduty_domain::geofence::GeoPoint;
use offduty_domain::pay::format_cents;
use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::auth::signin::{self, Via};
use crate::console::forms::{EventValues, FieldError, field_in_form, shift_line};
use crate::console::pages::{Chrome, chrome, html, path_id, read_form, signed_form};
use crate::console::session::{self, COOKIE, PRE_COOKIE};
use crate::console::{ConsoleError, Customer, PORTAL, view};
use crate::db::DbError;
use crate::error::ApiError;
use crate::services::customers::{self, NewSite, Organization, SignUp, Site};
use crate::services::event_requests::{self, EventRequest, RequestStatus};

/// A bill as the pages show it.
pub struct BillView {
    /// Every line but the event fee: (description, amount).
    pub lines: Vec<(String, String)>,
    /// The event fee line's description, when the bill has one.
    pub event_fee_label: Option<String>,
    pub subtotal: String,
    pub event_fee: String,
    pub total: String,
    pub is_zero: bool,
}

impl BillView {
    pub fn of(b: &Bill, currency: &str) -> Self {
        BillView {
            // The event fee has its own row under the subtotal.
            lines: b
                .lines
                .iter()
                .filter(|l| l.kind != offduty_domain::billing::LineKind::EventFee)
                .map(|l| {
                    (
                        l.description.clone(),
                        format_cents(l.amount_cents, currency),
                    )
                })
                .collect(),
            event_fee_label: b
                .lines
                .iter()
                .find(|l| l.kind == offduty_domain::billing::LineKind::EventFee)
                .map(|l| l.description.clone()),
            subtotal: format_cents(b.subtotal_cents, currency),
            event_fee: format_cents(b.event_fee_cents, currency),
            total: format_cents(b.total_cents, currency),
            is_zero: b.total_cents == 0,
        }
    }
}

/// One request in a list.
pub struct RequestRow {
    pub id: Uuid,
    pub title: String,
    pub organization: String,
    /// The requester is an affiliate (decision 047), labelled so in the queue.
    pub affiliate: bool,
    pub site: String,
    pub first: String,
    pub shifts: usize,
    pub officers: u32,
    pub total: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub submitted: String,
}

impl RequestRow {
    pub fn of(r: &EventRequest, tz: Tz, currency: &str) -> Self {
        let first = r
            .shifts
            .iter()
            .min_by_key(|s| s.starts_at)
            .map(|s| view::shift(s.starts_at, s.ends_at, tz))
            .unwrap_or_default();
        RequestRow {
            id: r.id,
            title: r.title.clone(),
            organization: r.organization.clone(),
            affiliate: r.organization_kind == customers::OrganizationKind::Affiliate,
            site: r.site.clone(),
            first,
            shifts: r.shifts.len(),
            officers: r.shifts.iter().map(|s| s.officers).sum(),
            total: format_cents(r.estimate.total_cents, currency),
            status: request_status(r.status),
            status_class: r.status.as_str(),
            submitted: r
                .submitted_at
                .with_timezone(&tz)
                .format("%a %-d %b %Y, %H:%M")
                .to_string(),
        }
    }
}

/// A request's status as a badge.
pub fn request_status(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Submitted => "Waiting for approval",
        RequestStatus::ChangesRequested => "Changes asked for",
        RequestStatus::Approved => "Approved",
        RequestStatus::Rejected => "Declined",
        RequestStatus::Cancelled => "Cancelled",
    }
}

#[derive(Template)]
#[template(path = "console/portal.html")]
struct PortalPage {
    chrome: Option<Chrome>,
    org: Organization,
    sites: Vec<Site>,
    requests: Vec<RequestRow>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/site_new.html")]
struct SitePage {
    chrome: Option<Chrome>,
    csrf: String,
    name: String,
    address: String,
    lat: String,
    lon: String,
    radius: String,
    error: Option<FieldError>,
}

#[derive(Template)]
#[template(path = "console/event_form.html")]
struct EventFormPage {
    chrome: Option<Chrome>,
    csrf: String,
    /// Set when changing a stored request.
    editing: Option<Uuid>,
    values: EventValues,
    sites: Vec<Site>,
    job_types: Vec<String>,
    time_zone: String,
    error: Option<FieldError>,
    estimate: Option<BillView>,
    may_request: bool,
}

impl EventFormPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }

    fn bad_row(&self, name: &str, row: &usize) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.field == format!("{name}{row}"))
    }
}

impl SitePage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

impl SignUpPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

#[derive(Template)]
#[template(path = "console/event.html")]
struct EventPage {
    chrome: Option<Chrome>,
    r: RequestRow,
    reason: Option<String>,
    editable: bool,
    cancellable: bool,
    address: String,
    job_type: String,
    vehicle: bool,
    contact: String,
    instructions: String,
    shifts: Vec<String>,
    estimate: BillView,
    jobs: Vec<(String, String, &'static str)>,
    filled: (u32, u32),
    cancelled_fee: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/event_cancel.html")]
struct CancelPage {
    chrome: Option<Chrome>,
    csrf: String,
    r: RequestRow,
    cost: BillView,
    cost_cents: i64,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/sign_up.html")]
struct SignUpPage {
    chrome: Option<Chrome>,
    csrf: String,
    department: String,
    department_id: String,
    organization: String,
    billing_address: String,
    contact_name: String,
    email: String,
    phone: String,
    error: Option<FieldError>,
}

/// The session's department name, zone and currency.
async fn place(
    state: &AppState,
    s: &session::ConsoleSession,
) -> Result<(String, Tz, String), ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok((d.name, d.tz, d.currency))
}

async fn organization(
    state: &AppState,
    s: &session::ConsoleSession,
) -> Result<Organization, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    Ok(customers::of_customer(&mut conn, s.user).await?)
}

async fn sites(state: &AppState, org: &Organization) -> Result<Vec<Site>, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    Ok(customers::sites(&mut conn, org.id).await?)
}

/// A field error from a service's refusal, or the refusal as a page when it is not about a field.
fn field_error(e: ApiError, values: Option<&EventValues>) -> Result<FieldError, ConsoleError> {
    if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT {
        let field = e.field.clone().unwrap_or_default();
        let field = match values {
            Some(v) => field_in_form(v, &field),
            None => field,
        };
        Ok(FieldError {
            field,
            message: sentence(&e.detail),
        })
    } else {
        Err(ConsoleError::from(e))
    }
}

/// A service's message as a sentence: capital first letter, final full stop.
pub fn sentence(s: &str) -> String {
    let mut c = s.trim().chars();
    let mut out = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[derive(serde::Deserialize)]
pub struct Notice {
    #[serde(default)]
    done: Option<String>,
}

fn notice_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "submitted" => {
                "Your request was sent to the department. You will see here when it is approved."
            }
            "site" => "The site was added. You can now request officers there.",
            "cancelled" => "The request was cancelled.",
            "method" => "Your payment method is saved and validated.",
            "method-cancelled" => "No payment method was saved.",
            "no-gateway" => {
                "The department takes no cards or bank accounts online; ask it for invoice terms."
            }
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET /console/portal`: the organization, its payment method, sites and requests.
pub async fn home(
    State(state): State<AppState>,
    Customer(s): Customer,
    q: Result<Query<Notice>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let (name, tz, currency) = place(&state, &s).await?;
    let org = organization(&state, &s).await?;
    let sites = sites(&state, &org).await?;
    let requests = event_requests::of_organization(&state.db, org.id).await?;
    let done = q.ok().and_then(|Query(n)| n.done);
    let page = PortalPage {
        chrome: Some(chrome(&s, &name, "portal")),
        requests: requests
            .iter()
            .map(|r| RequestRow::of(r, tz, &currency))
            .collect(),
        org,
        sites,
        notice: notice_text(done.as_deref()),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/portal/sites/new`.
pub async fn site_form(
    State(state): State<AppState>,
    Customer(s): Customer,
) -> Result<Response, ConsoleError> {
    let (name, _, _) = place(&state, &s).await?;
    let page = SitePage {
        chrome: Some(chrome(&s, &name, "portal")),
        csrf: s.csrf.clone(),
        name: String::new(),
        address: String::new(),
        lat: String::new(),
        lon: String::new(),
        radius: format!("{}", customers::DEFAULT_RADIUS_M),
        error: None,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/portal/sites`: adds a site (a typed pin and a circle around it).
pub async fn site_create(
    State(state): State<AppState>,
    Customer(s): Customer,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (dept, _, _) = place(&state, &s).await?;
    let mut page = SitePage {
        chrome: Some(chrome(&s, &dept, "portal")),
        csrf: s.csrf.clone(),
        name: f("name"),
        address: f("address"),
        lat: f("lat"),
        lon: f("lon"),
        radius: f("radius"),
        error: None,
    };
    let number = |field: &str, v: &str, what: &str| {
        v.trim().parse::<f64>().map_err(|_| FieldError {
            field: field.into(),
            message: format!(
                "Enter the {what} as a number, such as {}.",
                match field {
                    "lat" => "39.9612",
                    "lon" => "-82.9988",
                    _ => "150",
                }
            ),
        })
    };
    let parsed = (|| {
        let lat = number("lat", &page.lat, "latitude")?;
        let lon = number("lon", &page.lon, "longitude")?;
        let radius = if page.radius.trim().is_empty() {
            None
        } else {
            Some(number("radius", &page.radius, "radius in metres")?)
        };
        Ok::<_, FieldError>(NewSite {
            name: page.name.clone(),
            address: page.address.clone(),
            location: GeoPoint { lat, lon },
            radius_m: radius,
        })
    })();
    let req = match parsed {
        Ok(r) => r,
        Err(e) => {
            page.error = Some(e);
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match customers::add_site(&state.db, s.user, &req, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{PORTAL}?done=site")).into_response()),
        Err(e) => {
            let mut fe = field_error(e, None)?;
            fe.field = match fe.field.as_str() {
                "location" => "lat".into(),
                "radius_m" => "radius".into(),
                other => other.into(),
            };
            page.error = Some(fe);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// The rate card's job types, for the form's list.
async fn job_types(
    state: &AppState,
    s: &session::ConsoleSession,
) -> Result<Vec<String>, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok(d.pay.rates_cents.keys().cloned().collect())
}

async fn event_form_page(
    state: &AppState,
    s: &session::ConsoleSession,
    editing: Option<Uuid>,
    values: EventValues,
) -> Result<EventFormPage, ConsoleError> {
    let (name, tz, _) = place(state, s).await?;
    let org = organization(state, s).await?;
    Ok(EventFormPage {
        chrome: Some(chrome(s, &name, "request")),
        csrf: s.csrf.clone(),
        editing,
        values,
        sites: sites(state, &org).await?,
        job_types: job_types(state, s).await?,
        time_zone: tz.name().to_string(),
        error: None,
        estimate: None,
        may_request: org.may_request(),
    })
}

/// `GET /console/portal/events/new`: the request form.
pub async fn event_new(
    State(state): State<AppState>,
    Customer(s): Customer,
) -> Result<Response, ConsoleError> {
    let mut values = EventValues::blank();
    values.job_type = "security".into();
    let page = event_form_page(&state, &s, None, values).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/portal/events/{id}/edit`: a waiting or sent-back request, to change.
pub async fn event_edit(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let r = event_requests::visible(&state.db, s.user, id).await?;
    if !r.status.editable() {
        return Ok(Redirect::to(&format!("{PORTAL}/events/{id}")).into_response());
    }
    let (_, tz, _) = place(&state, &s).await?;
    let page = event_form_page(&state, &s, Some(id), EventValues::from_request(&r, tz)).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/portal/events` (new) and `POST /console/portal/events/{id}` (change):
/// `intent=estimate` shows the estimate under the form; `intent=submit` sends it.
pub async fn event_post(
    state: State<AppState>,
    customer: Customer,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    event_save(state, customer, None, headers, body).await
}

/// `POST /console/portal/events/{id}`.
pub async fn event_update(
    state: State<AppState>,
    customer: Customer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    event_save(state, customer, Some(id), headers, body).await
}

async fn event_save(
    State(state): State<AppState>,
    Customer(s): Customer,
    editing: Option<Uuid>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let values = EventValues::from_form(&form);
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    let (_, tz, currency) = place(&state, &s).await?;
    let mut page = event_form_page(&state, &s, editing, values.clone()).await?;
    let checked = match values.to_form(tz) {
        Ok(f) => f,
        Err(e) => {
            page.error = Some(e);
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let now = Utc::now();
    if submit {
        match event_requests::submit(&state.db, s.user, editing, &checked, now).await {
            Ok(_) => Ok(Redirect::to(&format!("{PORTAL}?done=submitted")).into_response()),
            Err(e) if e.status == StatusCode::FORBIDDEN => {
                page.error = Some(FieldError {
                    field: "payment".into(),
                    message: sentence(&e.detail),
                });
                Ok(html(StatusCode::FORBIDDEN, &page))
            }
            Err(e) => {
                page.error = Some(field_error(e, Some(&values))?);
                Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
        }
    } else {
        match event_requests::estimate(&state.db, s.user, &checked, now).await {
            Ok(bill) => {
                page.estimate = Some(BillView::of(&bill, &currency));
                Ok(html(StatusCode::OK, &page))
            }
            Err(e) => {
                page.error = Some(field_error(e, Some(&values))?);
                Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
        }
    }
}

/// `GET /console/portal/events/{id}`: one request, its estimate, and its jobs once approved.
pub async fn event(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Notice>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let r = event_requests::visible(&state.db, s.user, id).await?;
    let (name, tz, currency) = place(&state, &s).await?;
    let jobs = event_requests::jobs_of(&state.db, s.user.department_id, id).await?;
    let done = q.ok().and_then(|Query(n)| n.done);
    let page = EventPage {
        chrome: Some(chrome(&s, &name, "portal")),
        reason: r.reason.clone(),
        editable: r.status.editable(),
        cancellable: !matches!(r.status, RequestStatus::Cancelled | RequestStatus::Rejected),
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
        filled: event_requests::filled(&jobs),
        jobs: jobs
            .iter()
            .map(|j| {
                (
                    view::shift(j.starts_at, j.ends_at, tz),
                    format!("{} of {}", j.slots_filled, j.slots),
                    view::job_status(j.status),
                )
            })
            .collect(),
        cancelled_fee: r.cancellation_fee_cents.map(|c| format_cents(c, &currency)),
        r: RequestRow::of(&r, tz, &currency),
        notice: notice_text(done.as_deref()),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/portal/events/{id}/cancel`: what cancelling costs now, before confirming.
pub async fn cancel_form(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    cancel_page(&state, &s, id, None, StatusCode::OK).await
}

async fn cancel_page(
    state: &AppState,
    s: &session::ConsoleSession,
    id: Uuid,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let r = event_requests::visible(&state.db, s.user, id).await?;
    let (name, tz, currency) = place(state, s).await?;
    let cost = event_requests::cancellation_cost(&state.db, s.user, id, Utc::now()).await?;
    let page = CancelPage {
        chrome: Some(chrome(s, &name, "portal")),
        csrf: s.csrf.clone(),
        r: RequestRow::of(&r, tz, &currency),
        cost: BillView::of(&cost, &currency),
        cost_cents: cost.total_cents,
        error,
    };
    Ok(html(status, &page))
}

/// `POST /console/portal/events/{id}/cancel`: cancels at the cost the customer was shown.
pub async fn cancel(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let expected: i64 = form
        .get("expected_fee_cents")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            ConsoleError::BadRequest("This form could not be read. Try again.".into())
        })?;
    match event_requests::cancel(&state.db, s.user, id, expected, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{PORTAL}/events/{id}?done=cancelled")).into_response()),
        Err(e) if e.status == StatusCode::CONFLICT => {
            cancel_page(
                &state,
                &s,
                id,
                Some(sentence(&e.detail)),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct Dept {
    #[serde(default)]
    department: Option<String>,
}

/// The department a sign-up is for: the link's, or the only one this server holds.
async fn sign_up_department(
    state: &AppState,
    q: Option<&str>,
) -> Result<crate::db::rows::Department, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let id = match q.and_then(|d| Uuid::parse_str(d.trim()).ok()) {
        Some(id) => id,
        None => {
            let rows = sqlx::query("SELECT id FROM departments ORDER BY id LIMIT 2")
                .fetch_all(&mut *conn)
                .await
                .map_err(DbError::from)?;
            if rows.len() != 1 {
                return Err(ConsoleError::BadRequest(
                    "Sign up with the link your police department gave you: this server \
                     serves several departments."
                        .into(),
                ));
            }
            crate::db::get_uuid(&rows[0], "id")?
        }
    };
    crate::services::award::load_department(&mut conn, id)
        .await?
        .ok_or(ConsoleError::NotFound)
}

fn sign_up_page(
    state: &AppState,
    dept: &crate::db::rows::Department,
    fill: impl FnOnce(&mut SignUpPage),
    status: StatusCode,
) -> Response {
    let pre = session::random_id();
    let mut page = SignUpPage {
        chrome: None,
        csrf: session::sign_in_token(&state.tokens, &pre),
        department: dept.name.clone(),
        department_id: dept.id.to_string(),
        organization: String::new(),
        billing_address: String::new(),
        contact_name: String::new(),
        email: String::new(),
        phone: String::new(),
        error: None,
    };
    fill(&mut page);
    let mut resp = html(status, &page);
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(PRE_COOKIE, &pre, 3600, state.secure_cookies),
    );
    resp
}

/// `GET /console/sign-up`: a business asks to work with the department.
pub async fn sign_up_form(
    State(state): State<AppState>,
    q: Result<Query<Dept>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let d = q.ok().and_then(|Query(d)| d.department);
    let dept = sign_up_department(&state, d.as_deref()).await?;
    Ok(sign_up_page(&state, &dept, |_| {}, StatusCode::OK))
}

/// `POST /console/sign-up`: creates the organization and its first account, then signs in.
pub async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = read_form(&headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let dept = sign_up_department(&state, Some(&f("department"))).await?;
    let req = SignUp {
        organization: f("organization"),
        billing_address: f("billing_address"),
        contact_name: f("contact_name"),
        email: f("email"),
        phone: f("phone"),
        password: f("password"),
    };
    let keep = |p: &mut SignUpPage, error: FieldError| {
        p.organization = req.organization.clone();
        p.billing_address = req.billing_address.clone();
        p.contact_name = req.contact_name.clone();
        p.email = req.email.clone();
        p.phone = req.phone.clone();
        p.error = Some(error);
    };
    let pre = session::cookie(&headers, PRE_COOKIE).unwrap_or("");
    if pre.is_empty() || !session::sign_in_token_ok(&state.tokens, pre, &f("csrf")) {
        let e = FieldError {
            field: "organization".into(),
            message: "This form had expired. Enter your password again and send it.".into(),
        };
        return Ok(sign_up_page(
            &state,
            &dept,
            |p| keep(p, e),
            StatusCode::FORBIDDEN,
        ));
    }
    let now = Utc::now();
    if let Err(e) = customers::sign_up(&state.db, dept.id, &req, now).await {
        let fe = field_error(e, None)?;
        return Ok(sign_up_page(
            &state,
            &dept,
            |p| keep(p, fe),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    sign_in_new_account(&state, &req.email, &req.password, now).await
}

/// Signs in a customer account just made (signed up, or an affiliate's accepted invitation)
/// with the same check as the sign-in page (rate limit, audit) and opens the portal.
pub(crate) async fn sign_in_new_account(
    state: &AppState,
    email: &str,
    password: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Response, ConsoleError> {
    let verified = match signin::check(state, email, password, Via::Console).await? {
        Ok(v) if v.user.role == Role::Customer => v,
        // Made a moment ago: only a race (disabled at once, a rate limit) lands here.
        Ok(_) | Err(_) => return Ok(Redirect::to(crate::console::SIGN_IN).into_response()),
    };
    let Some(id) = session::create(&state.db, &verified, now).await? else {
        return Ok(Redirect::to(crate::console::SIGN_IN).into_response());
    };
    let mut resp = Redirect::to(PORTAL).into_response();
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
    h.append(
        header::SET_COOKIE,
        session::set_cookie(PRE_COOKIE, "", 0, state.secure_cookies),
    );
    Ok(resp)
}

/// The address the gateway sends the customer back to: this server as the browser reached it
/// (`https` behind the TLS proxy, where cookies are `Secure`; plain `http` on loopback).
pub(crate) fn here(state: &AppState, headers: &HeaderMap) -> Result<String, ConsoleError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .ok_or_else(|| ConsoleError::BadRequest("This request has no usable Host.".into()))?;
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

/// What the customer is told when the gateway cannot be reached or refuses.
fn gateway_trouble(e: &crate::payments::GatewayError) -> String {
    use crate::payments::GatewayError;
    match e {
        GatewayError::Declined { message, .. } => {
            format!("The payment method was refused: {message}")
        }
        GatewayError::Unavailable { .. } => {
            "The payment provider cannot be reached just now. Try again in a few minutes.".into()
        }
        _ => "The payment provider refused the request; the department has been told.".into(),
    }
}

/// `GET /console/portal/payment-method`: sends the customer to the gateway's hosted page to
/// save a card or a US bank account (a link, not a form: the console's CSP lets forms post only
/// here). The gateway's customer is made once per organization, under a key that makes a retry
/// harmless.
pub async fn payment_method(
    State(state): State<AppState>,
    Customer(s): Customer,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let Some(gateway) = state.payments.clone() else {
        return Ok(Redirect::to(&format!("{PORTAL}?done=no-gateway")).into_response());
    };
    let org = organization(&state, &s).await?;
    let (_, _, currency) = place(&state, &s).await?;
    let base = here(&state, &headers)?;
    let customer = match &org.gateway_customer {
        Some(c) => crate::payments::GatewayCustomerId(c.clone()),
        None => {
            let email: String = {
                let row = sqlx::query("SELECT email FROM users WHERE id = $1")
                    .bind(s.user.user_id.to_string())
                    .fetch_one(&state.db.pool)
                    .await
                    .map_err(DbError::from)?;
                crate::db::get(&row, "email")?
            };
            let key = crate::payments::IdempotencyKey::new(format!("org-{}-customer", org.id))
                .ok_or(ConsoleError::Internal)?;
            let made = match gateway.create_customer(&org.name, &email, &key).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, org = %org.id, "gateway customer not made");
                    return trouble_page(&state, &s, gateway_trouble(&e)).await;
                }
            };
            customers::set_gateway_customer(&state.db, s.user, made.as_str()).await?;
            made
        }
    };
    let request = crate::payments::SetupSessionRequest {
        customer,
        currency: crate::payments::Currency::new(&currency)
            .unwrap_or_else(crate::payments::Currency::usd),
        success_url: format!(
            "{base}{PORTAL}/payment-method/done?session_id={{CHECKOUT_SESSION_ID}}"
        ),
        cancel_url: format!("{base}{PORTAL}?done=method-cancelled"),
    };
    match gateway.create_setup_session(&request).await {
        Ok(session) => Ok(Redirect::to(&session.url).into_response()),
        Err(e) => {
            tracing::warn!(error = %e, org = %org.id, "setup session not made");
            trouble_page(&state, &s, gateway_trouble(&e)).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SessionBack {
    #[serde(default)]
    session_id: Option<String>,
}

/// `GET /console/portal/payment-method/done`: the customer is back from the hosted page; the
/// gateway says what was saved, and the organization keeps it (its id and how it is shown).
pub async fn payment_method_done(
    State(state): State<AppState>,
    Customer(s): Customer,
    q: Result<Query<SessionBack>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Some(gateway) = state.payments.clone() else {
        return Ok(Redirect::to(&format!("{PORTAL}?done=no-gateway")).into_response());
    };
    let session = q
        .ok()
        .and_then(|Query(b)| b.session_id)
        .filter(|id| !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ConsoleError::BadRequest(
                "This link is incomplete. Start again from your organization's page.".into(),
            )
        })?;
    let outcome = match gateway
        .setup_result(&crate::payments::CheckoutSessionId(session))
        .await
    {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "setup result not read");
            return trouble_page(&state, &s, gateway_trouble(&e)).await;
        }
    };
    match outcome.payment_method {
        Some(m) if outcome.status == crate::payments::SetupStatus::Complete => {
            customers::set_payment_method(&state.db, s.user, m.id.as_str(), &m.display, Utc::now())
                .await?;
            Ok(Redirect::to(&format!("{PORTAL}?done=method")).into_response())
        }
        _ => Ok(Redirect::to(&format!("{PORTAL}?done=method-cancelled")).into_response()),
    }
}

/// The portal's home with a message about the payment provider.
async fn trouble_page(
    state: &AppState,
    s: &session::ConsoleSession,
    message: String,
) -> Result<Response, ConsoleError> {
    let (name, tz, currency) = place(state, s).await?;
    let org = organization(state, s).await?;
    let sites = sites(state, &org).await?;
    let requests = event_requests::of_organization(&state.db, org.id).await?;
    let page = PortalPage {
        chrome: Some(chrome(s, &name, "portal")),
        requests: requests
            .iter()
            .map(|r| RequestRow::of(r, tz, &currency))
            .collect(),
        org,
        sites,
        notice: Some(message),
    };
    Ok(html(StatusCode::BAD_GATEWAY, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_messages_become_sentences() {
        assert_eq!(sentence("must not be empty"), "Must not be empty.");
        assert_eq!(sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(sentence("  "), "");
    }
}
