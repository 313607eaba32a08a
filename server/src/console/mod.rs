//! The web console (issue 11, decision 035): server-rendered HTML pages for a department's
//! coordinators, served by this binary at `/` and `/console/…`, outside the JSON API. Cookie
//! sessions with CSRF tokens ([`session`]), pages and forms ([`pages`]), HTML error pages
//! ([`ConsoleError`]), and the security headers every console response carries.

pub mod affiliate_pages;
pub mod alerts_page;
pub mod approvals;
pub mod audit_page;
pub mod deliveries;
pub mod direct_payout_pages;
pub mod forms;
pub mod map;
pub mod money_pages;
pub mod officer_pages;
pub mod pages;
pub mod payout_pages;
pub mod portal;
pub mod rate_card_page;
pub mod ratings_pages;
pub mod reports;
pub mod second_factor;
pub mod session;
pub mod settings_page;
pub mod timecard_pages;
mod two_factor_pages;
mod view;

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::db::DbError;
use crate::error::ApiError;

/// The Content-Security-Policy of every console response: nothing but same-origin styles and
/// images; no script at all; forms post only here; never framed.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// Where a request without a live session is sent.
pub const SIGN_IN: &str = "/console/sign-in";
/// The console's first page for a coordinator.
pub const HOME: &str = "/console/jobs";
/// The portal's first page for a customer.
pub const PORTAL: &str = "/console/portal";

/// Where a signed-in user of `role` starts.
pub fn home_of(role: offduty_domain::protocol::Role) -> &'static str {
    if role == offduty_domain::protocol::Role::Customer {
        PORTAL
    } else {
        HOME
    }
}

/// Where a sign-in waiting for its second factor asks for the code.
pub const SECOND_FACTOR: &str = "/console/sign-in/two-factor";
/// Two-factor enrolment and settings (where a user the department requires it of is sent).
pub const ENROL: &str = "/console/account/two-factor";

/// The console's routes: `/` and everything under `/console`, with HTML error pages and the
/// security headers. (The JSON API under `/v1` is routed in `app.rs`.)
pub fn router() -> Router<AppState> {
    let console = Router::new()
        .route("/", get(root))
        .route("/static/console.css", get(pages::stylesheet))
        .route("/sign-in", get(pages::sign_in_form).post(pages::sign_in))
        .route(
            "/sign-in/two-factor",
            get(two_factor_pages::code_form).post(two_factor_pages::code),
        )
        .route("/sign-out", post(pages::sign_out))
        .route("/account/two-factor", get(two_factor_pages::account))
        .route(
            "/account/two-factor/confirm",
            post(two_factor_pages::confirm),
        )
        .route(
            "/account/two-factor/disable",
            post(two_factor_pages::disable),
        )
        .route(
            "/account/two-factor/require",
            post(two_factor_pages::require),
        )
        .route("/jobs", get(pages::jobs))
        .route("/jobs/{id}", get(pages::job))
        .route("/sign-up", get(portal::sign_up_form).post(portal::sign_up))
        .route("/portal", get(portal::home))
        .route("/portal/sites/new", get(portal::site_form))
        .route("/portal/payment-method", get(portal::payment_method))
        .route(
            "/portal/payment-method/done",
            get(portal::payment_method_done),
        )
        .route("/portal/sites", post(portal::site_create))
        .route("/portal/events/new", get(portal::event_new))
        .route("/portal/events", post(portal::event_post))
        .route(
            "/portal/events/{id}",
            get(portal::event).post(portal::event_update),
        )
        .route("/portal/events/{id}/edit", get(portal::event_edit))
        .route(
            "/portal/events/{id}/ratings",
            get(ratings_pages::event_ratings),
        )
        .route("/portal/ratings/{id}", post(ratings_pages::rate))
        .route("/ratings", get(ratings_pages::page))
        .route("/ratings/{id}/hide", post(ratings_pages::hide))
        .route(
            "/portal/events/{id}/cancel",
            get(portal::cancel_form).post(portal::cancel),
        )
        .route("/approvals", get(approvals::queue))
        .route("/approvals/next", get(approvals::next))
        .route("/approvals/{id}", get(approvals::request))
        .route("/approvals/{id}/approve", post(approvals::approve))
        .route("/approvals/{id}/changes", post(approvals::changes))
        .route("/approvals/{id}/reject", post(approvals::reject))
        .route("/portal/timecards", get(money_pages::customer_timecards))
        .route("/portal/timecards/{id}", post(money_pages::customer_review))
        .route("/portal/invoices", get(money_pages::customer_invoices))
        .route("/portal/invoices/{id}", get(money_pages::customer_invoice))
        .route("/portal/invoices/{id}/pdf", get(money_pages::customer_pdf))
        .route("/disputes", get(money_pages::disputes))
        .route("/disputes/{id}", post(money_pages::resolve))
        .route("/invoices", get(money_pages::coordinator_invoices))
        .route(
            "/invoices/{id}",
            get(money_pages::coordinator_invoice).post(money_pages::coordinator_action),
        )
        .route("/invoices/{id}/pdf", get(money_pages::coordinator_pdf))
        .route("/customers", get(approvals::customers_page))
        .route("/deliveries", get(deliveries::page))
        .route("/alerts", get(alerts_page::page))
        .route("/alerts/{id}/acknowledge", post(alerts_page::acknowledge))
        .route("/customers/{id}/terms", post(approvals::set_terms))
        .route(
            "/affiliates",
            get(affiliate_pages::list).post(affiliate_pages::invite),
        )
        .route("/affiliates/new", get(affiliate_pages::new_form))
        .route("/affiliates/{id}", get(affiliate_pages::show))
        .route("/affiliates/{id}/suspend", post(affiliate_pages::suspend))
        .route(
            "/affiliates/{id}/reinstate",
            post(affiliate_pages::reinstate),
        )
        .route(
            "/affiliates/{id}/invitation",
            post(affiliate_pages::reinvite),
        )
        .route(
            "/invitation",
            get(affiliate_pages::accept_form).post(affiliate_pages::accept),
        )
        .route("/payouts", get(payout_pages::page).post(payout_pages::make))
        .route(
            "/payouts/settings",
            get(payout_pages::settings_form).post(payout_pages::settings_save),
        )
        .route("/payouts/accounts", get(payout_pages::accounts))
        .route(
            "/payouts/accounts/{id}",
            get(payout_pages::account_form).post(payout_pages::account_save),
        )
        .route("/payouts/{id}/csv", get(payout_pages::csv))
        .route("/payouts/{id}/nacha", get(payout_pages::nacha))
        .route("/payouts/{id}/send", post(direct_payout_pages::send_again))
        .route(
            "/payouts/payout-accounts",
            get(direct_payout_pages::accounts),
        )
        .route("/payouts/1099", get(direct_payout_pages::nec_page))
        .route("/payouts/1099/csv", get(direct_payout_pages::nec_csv))
        .route("/payout-setup/done", get(direct_payout_pages::setup_done))
        .route(
            "/payout-setup/expired",
            get(direct_payout_pages::setup_expired),
        )
        .route(
            "/rate-card",
            get(rate_card_page::show).post(rate_card_page::save),
        )
        .route("/audit", get(audit_page::page))
        .route("/timecards", get(timecard_pages::page))
        .route("/timecards/{id}/approve", post(timecard_pages::approve))
        .route(
            "/timecards/approve-verified",
            post(timecard_pages::approve_verified),
        )
        .route("/timecards/{id}/reject", post(timecard_pages::reject))
        .route("/officers", get(officer_pages::list))
        .route("/officers/{id}", get(officer_pages::show))
        .route("/officers/{id}/disable", post(officer_pages::disable))
        .route("/officers/{id}/enable", post(officer_pages::enable))
        .route(
            "/settings",
            get(settings_page::show).post(settings_page::save),
        )
        .route("/reports", get(reports::index))
        .route("/reports/{id}", get(reports::show))
        .route("/reports/{id}/schedule", post(reports::add_schedule))
        .route("/reports/schedules/{id}/stop", post(reports::stop_schedule))
        .route("/portal/reports", get(reports::portal_index))
        .route("/portal/reports/{id}", get(reports::portal_show))
        .fallback(|| async { ConsoleError::NotFound })
        .method_not_allowed_fallback(|| async { ConsoleError::MethodNotAllowed });
    Router::new()
        .route("/", get(root))
        .nest("/console", console)
        .layer(axum::middleware::from_fn(security_headers))
}

/// `/` and `/console/`: the signed-in user's first page (the jobs for a coordinator, the portal
/// for a customer), or the sign-in page.
async fn root(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> Redirect {
    if let Some(id) = session::cookie(&headers, session::COOKIE)
        && let Ok(Some(s)) = session::load(&state, id, chrono::Utc::now()).await
    {
        return Redirect::to(home_of(s.user.role));
    }
    Redirect::to(SIGN_IN)
}

/// Adds the console's security headers; pages (not the stylesheet) are never cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/console/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// A console request that cannot be served, as an HTML page (or, when not signed in, a
/// redirect to the sign-in page). Never JSON: the API's problems stay the API's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleError {
    /// No live session: 303 to the sign-in page.
    SignIn,
    /// The department requires a second factor this user has not set up: 303 to enrolment.
    Enrol,
    /// 400: a form could not be read.
    BadRequest(String),
    /// 403, with what the user is told.
    Forbidden(String),
    NotFound,
    MethodNotAllowed,
    /// 503: the database is unavailable or busy.
    Unavailable,
    /// 500: a bug; the cause is in the log.
    Internal,
}

impl ConsoleError {
    /// The refusal of a form whose CSRF token is missing or wrong.
    pub fn csrf() -> Self {
        ConsoleError::Forbidden(
            "This form has expired or did not come from this console. Go back, reload the page \
             and try again."
                .into(),
        )
    }
}

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::UNAUTHORIZED => ConsoleError::SignIn,
            StatusCode::FORBIDDEN => ConsoleError::Forbidden(e.detail),
            StatusCode::NOT_FOUND => ConsoleError::NotFound,
            StatusCode::SERVICE_UNAVAILABLE => ConsoleError::Unavailable,
            s if s.is_client_error() => ConsoleError::BadRequest(e.detail),
            _ => ConsoleError::Internal,
        }
    }
}

impl From<DbError> for ConsoleError {
    fn from(e: DbError) -> Self {
        ConsoleError::from(ApiError::from(e))
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, title, detail) = match self {
            ConsoleError::SignIn => return Redirect::to(SIGN_IN).into_response(),
            ConsoleError::Enrol => return Redirect::to(ENROL).into_response(),
            ConsoleError::BadRequest(d) => (StatusCode::BAD_REQUEST, "Bad request", d),
            ConsoleError::Forbidden(d) => (StatusCode::FORBIDDEN, "Not allowed", d),
            ConsoleError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such page, or it belongs to another department.".into(),
            ),
            ConsoleError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Not allowed",
                "This page does not accept that kind of request.".into(),
            ),
            ConsoleError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "The database is busy or unreachable. Try again in a moment.".into(),
            ),
            ConsoleError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The server could not show this page; the fault has been logged.".into(),
            ),
        };
        pages::error_page(status, title, &detail)
    }
}

/// A signed-in console user (a coordinator or a customer with a live session); anyone else is
/// sent to the sign-in page, and a user who must first set up a second factor to enrolment.
pub struct Signed(pub session::ConsoleSession);

/// A signed-in coordinator; a customer is refused with a page saying where to go.
pub struct Coordinator(pub session::ConsoleSession);

/// A signed-in customer; a coordinator is refused with a page saying where to go.
pub struct Customer(pub session::ConsoleSession);

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Signed(s) = Signed::from_request_parts(parts, state).await?;
        if s.user.role == offduty_domain::protocol::Role::Coordinator {
            Ok(Coordinator(s))
        } else {
            Err(ConsoleError::Forbidden(
                "This page is for the department's coordinators. Your organization's pages are \
                 in the portal."
                    .into(),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Signed(s) = Signed::from_request_parts(parts, state).await?;
        if s.user.role == offduty_domain::protocol::Role::Customer {
            Ok(Customer(s))
        } else {
            Err(ConsoleError::Forbidden(
                "This page is the customer portal; coordinators work in the console.".into(),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedEnrolling(s) = SignedEnrolling::from_request_parts(parts, state).await?;
        if s.must_enrol {
            return Err(ConsoleError::Enrol);
        }
        Ok(Signed(s))
    }
}

/// A signed-in console user who may still have to set up a second factor: what the enrolment
/// pages and sign-out take.
pub struct SignedEnrolling(pub session::ConsoleSession);

impl FromRequestParts<AppState> for SignedEnrolling {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = session::cookie(&parts.headers, session::COOKIE).ok_or(ConsoleError::SignIn)?;
        session::load(state, id, chrono::Utc::now())
            .await?
            .map(SignedEnrolling)
            .ok_or(ConsoleError::SignIn)
    }
}
