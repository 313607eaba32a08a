//! Application state and the router: every `/v1` route (the web console's routes are merged from
//! `console::router`), the middleware stack (metrics,
//! request ids, tracing, panic → 500 problem, request deadline, body limit), and the fallback
//! 404 problem.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use sqlx::Row;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::auth::ratelimit::RateLimiter;
use crate::auth::tokens::TokenKeys;
use crate::db::{Db, DbError};
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::request_id::TrustedProxies;
use crate::routes;
use crate::services::group_commit::{ActionQueues, GroupConfig};

/// Per-process rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Login attempts per account at once, then per minute.
    pub login_burst: u32,
    pub login_per_minute: u32,
    /// Claims per officer at once, then per minute.
    pub claim_burst: u32,
    pub claim_per_minute: u32,
    /// How long a request may take before it is answered with a 503 `timeout` problem.
    pub request_timeout: Duration,
    /// How officers' actions are grouped into transactions (decision 034).
    pub group_commit: GroupConfig,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_burst: 10,
            login_per_minute: 5,
            claim_burst: 20,
            claim_per_minute: 30,
            request_timeout: crate::timeout::DEFAULT,
            group_commit: GroupConfig::default(),
        }
    }
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub login_limiter: Arc<RateLimiter>,
    pub claim_limiter: Arc<RateLimiter>,
    /// Prometheus metrics, served on the metrics listener (decision 014).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The deadline of one request ([`Limits::request_timeout`]).
    pub request_timeout: Duration,
    /// Peers whose `X-Forwarded-For` names the client (the reverse proxy); none by default.
    pub trusted_proxies: TrustedProxies,
    /// Each department's officer actions waiting to be decided together (decision 034).
    pub actions: Arc<ActionQueues>,
    /// Whether the web console's cookies carry `Secure` (on, unless `serve` listens on plain
    /// loopback: `console::session::secure_cookies`).
    pub secure_cookies: bool,
    /// The payment gateway customers save their payment method with and are charged through
    /// (decision 037): Stripe when a key is configured, the simulated gateway for the demo,
    /// none otherwise (customers then need invoice terms).
    pub payments: Option<Arc<dyn crate::payments::PaymentGateway>>,
}

impl AppState {
    /// Builds the state with the default rate limits (see [`Limits`]).
    pub async fn new(db: Db) -> Result<AppState, DbError> {
        Self::with_limits(db, Limits::default()).await
    }

    /// Builds the state, loading (or creating, once) the token key kept in the database so
    /// every server process signs and checks tokens alike.
    pub async fn with_limits(db: Db, limits: Limits) -> Result<AppState, DbError> {
        let fresh = hex::encode(TokenKeys::generate());
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ('token_key', $1) ON CONFLICT DO NOTHING",
        )
        .bind(fresh)
        .execute(&db.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = 'token_key'")
            .fetch_one(&db.pool)
            .await?;
        let hex_key: String = row.try_get("value")?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(hex_key.trim(), &mut key)
            .map_err(|e| DbError::corrupt("server_secrets", e))?;
        Ok(AppState {
            db,
            tokens: TokenKeys::new(key),
            login_limiter: Arc::new(RateLimiter::new(
                limits.login_burst,
                limits.login_per_minute,
            )),
            claim_limiter: Arc::new(RateLimiter::new(
                limits.claim_burst,
                limits.claim_per_minute,
            )),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            request_timeout: limits.request_timeout,
            trusted_proxies: TrustedProxies::default(),
            actions: Arc::new(ActionQueues::new(limits.group_commit)),
            secure_cookies: true,
            payments: None,
        })
    }
}

/// The full HTTP application.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/health", get(routes::meta::health))
        .route("/ready", get(routes::meta::ready))
        .route("/openapi.json", get(routes::meta::openapi))
        .route("/auth/login", post(routes::auth::login))
        .route("/auth/refresh", post(routes::auth::refresh))
        .route("/auth/logout", post(routes::auth::logout))
        .route("/auth/reset-password", post(routes::accounts::set_password))
        .route("/me", get(routes::auth::me))
        .route(
            "/devices",
            post(routes::devices::register).get(routes::devices::list),
        )
        .route("/devices/{id}/revoke", post(routes::devices::revoke))
        .route(
            "/devices/{id}/push-token",
            put(routes::push_tokens::put_token).delete(routes::push_tokens::delete_token),
        )
        .route("/jobs", get(routes::jobs::list).post(routes::jobs::create))
        .route(
            "/jobs/{id}",
            get(routes::jobs::get_one).patch(routes::jobs::update),
        )
        .route("/jobs/{id}/cancel", post(routes::jobs::cancel))
        .route("/jobs/{id}/award", post(routes::jobs::award))
        .route("/jobs/{id}/roster", get(routes::jobs::roster))
        .route("/actions", post(routes::actions::submit))
        .route("/sync", get(routes::sync::sync))
        .route("/timecards", get(routes::timecards::list))
        .route("/timecards/{id}/approve", post(routes::timecards::approve))
        .route("/timecards/{id}/reject", post(routes::timecards::reject))
        .route("/timecards/{id}/paid", post(routes::timecards::mark_paid))
        .route("/earnings", get(routes::timecards::earnings))
        .route("/me/history.pdf", get(routes::reports::my_history_pdf))
        .route("/me/payout-account", get(routes::payouts::my_account))
        .route("/me/payout-account/link", post(routes::payouts::setup_link))
        .route("/webhooks/stripe", post(routes::payouts::stripe))
        .route("/me/reliability", get(routes::ratings::my_reliability))
        .route(
            "/me/timecards/{id}/site-rating",
            put(routes::ratings::put_site_rating),
        )
        .route("/timecards/{id}/rating", put(routes::ratings::put_rating))
        .route(
            "/officers",
            get(routes::admin::officers).post(routes::accounts::create_officer),
        )
        .route("/officers/import", post(routes::accounts::import_roster))
        .route("/users", get(routes::accounts::list_users))
        .route("/users/{id}/disable", post(routes::accounts::disable))
        .route("/users/{id}/enable", post(routes::accounts::enable))
        .route(
            "/users/{id}/reset-password",
            post(routes::accounts::reset_password),
        )
        .route("/users/{id}/role", put(routes::accounts::set_role))
        .route("/duty-blocks", post(routes::admin::import_duty_blocks))
        .route(
            "/department",
            get(routes::admin::department).put(routes::admin::update_department),
        )
        .route("/notifications", get(routes::admin::notifications))
        .route(
            "/preferences",
            get(routes::prefs::get_prefs).put(routes::prefs::put_prefs),
        )
        .route("/audit", get(routes::admin::audit))
        .route("/audit/verify", get(routes::admin::audit_verify))
        .route("/directory", get(routes::directory::search))
        .route("/organization", get(routes::marketplace::organization))
        .route(
            "/sites",
            get(routes::marketplace::sites).post(routes::marketplace::add_site),
        )
        .route(
            "/event-requests",
            get(routes::marketplace::list).post(routes::marketplace::submit),
        )
        .route(
            "/event-requests/estimate",
            post(routes::marketplace::estimate),
        )
        .route(
            "/event-requests/{id}",
            get(routes::marketplace::get_one).put(routes::marketplace::change),
        )
        .route(
            "/event-requests/{id}/cancellation",
            get(routes::marketplace::cancellation),
        )
        .route(
            "/event-requests/{id}/cancel",
            post(routes::marketplace::cancel),
        )
        .route(
            "/event-requests/{id}/approve",
            post(routes::marketplace::approve),
        )
        .route(
            "/event-requests/{id}/changes",
            post(routes::marketplace::request_changes),
        )
        .route(
            "/event-requests/{id}/reject",
            post(routes::marketplace::reject),
        )
        .route("/organizations", get(routes::marketplace::organizations))
        .route(
            "/organizations/{id}/terms",
            put(routes::marketplace::set_terms),
        )
        .route(
            "/rate-card",
            get(routes::marketplace::get_rate_card).put(routes::marketplace::put_rate_card),
        );
    let trusted = state.trusted_proxies.clone();
    let metrics = state.metrics.clone();
    let timeout = state.request_timeout;
    // Layers listed inner first; a request passes them bottom-up.
    Router::new()
        .nest("/v1", v1)
        .merge(crate::console::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_denials,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            timeout,
            crate::timeout::middleware,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            ApiError::internal().into_response()
        }))
        // A body left unread by an early refusal is discarded so the connection stays usable.
        .layer(axum::middleware::from_fn(crate::drain::middleware))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(move |req: &Request| crate::request_id::span(req, &trusted)),
        )
        .layer(axum::middleware::from_fn(crate::request_id::middleware))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        // Sync snapshots are large and repetitive JSON: gzip shrinks them ~10× (docs/benchmarks.md).
        .layer(tower_http::compression::CompressionLayer::new())
}

async fn method_not_allowed() -> impl IntoResponse {
    let mut e = ApiError::not_found("route");
    e.status = StatusCode::METHOD_NOT_ALLOWED;
    e.kind = offduty_domain::protocol::ProblemType::MethodNotAllowed;
    e.title = "Method not allowed";
    e.detail = "this route does not accept that method; see /v1/openapi.json".into();
    e
}

/// Writes every 403 to the department's audit log (who, what route), so refused attempts are
/// visible to the department, not only to the server's operator.
async fn log_denials(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = format!("{} {}", req.method(), req.uri().path());
    let claims = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .and_then(|t| {
            state
                .tokens
                .verify_access(t.trim(), chrono::Utc::now())
                .ok()
        });
    let resp = next.run(req).await;
    if resp.status() == StatusCode::FORBIDDEN
        && let Some(c) = claims
    {
        tracing::warn!(user = %c.sub, role = c.role.as_str(), %route, "denied");
        let entry = crate::services::audit::AuditEntry {
            actor_id: Some(c.sub),
            action: "denied",
            entity: "route",
            entity_id: route,
            detail: serde_json::json!({ "role": c.role }),
        };
        if let Err(e) = crate::services::audit::append_now(&state.db, c.dept, entry).await {
            tracing::error!(error = %e, "could not audit a denial");
        }
    }
    resp
}

async fn fallback() -> impl IntoResponse {
    let mut e = ApiError::not_found("route");
    e.detail = "no such route; see /v1/openapi.json".into();
    e.status = StatusCode::NOT_FOUND;
    e
}
