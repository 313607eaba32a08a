//! Prometheus metrics (decision 014): HTTP requests by route template and status class,
//! actions decided by kind and outcome, how far behind the department's head pulled cursors
//! were, and the database pool. One registry per [`AppState`](crate::app::AppState), served as
//! OpenMetrics text at `GET /metrics` on its own listener (`--metrics-listen`), never on the
//! public API's.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use serde::Serialize;

use offduty_domain::protocol::{Action, ActionOutcome, Outcome};

use crate::app::AppState;
use crate::error::ApiError;

/// The OpenMetrics content type Prometheus asks for.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Request latency buckets, seconds: 1 ms … 60 s (the request timeout's default is 30 s).
const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Sync lag buckets, in changes of the department's log between a pulled cursor and the head.
const LAG_BUCKETS: [f64; 14] = [
    0.0, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0, 2500.0, 10_000.0, 25_000.0,
    100_000.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    /// The route template (`/v1/jobs/{id}`), never the raw path; `unmatched` for a 404.
    route: String,
    /// `2xx`, `4xx`, …
    status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    kind: &'static str,
    outcome: String,
    replayed: bool,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectLabels {
    kind: &'static str,
    code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SyncLabels {
    /// `delta` (the changes since the cursor) or `full` (a snapshot: cursor 0, one from
    /// elsewhere, or one older than the compacted change log).
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every metric the server keeps.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: HistogramFamily<HttpLabels>,
    http_in_flight: Gauge,
    actions: Family<ActionLabels, Counter>,
    rejections: Family<RejectLabels, Counter>,
    sync_pulls: Family<SyncLabels, Counter>,
    sync_lag: Histogram,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered (and at zero).
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "offduty_http_requests",
            "HTTP requests answered, by method, route template and status class",
            http_requests.clone(),
        );
        let http_duration: HistogramFamily<HttpLabels> =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "offduty_http_request_duration",
            "Time to answer an HTTP request (to the response head), by method, route template and status class",
            Unit::Seconds,
            http_duration.clone(),
        );
        let http_in_flight = Gauge::default();
        registry.register(
            "offduty_http_requests_in_flight",
            "HTTP requests being handled now",
            http_in_flight.clone(),
        );
        let actions = Family::<ActionLabels, Counter>::default();
        registry.register(
            "offduty_actions_decided",
            "Officer actions decided (POST /v1/actions), by kind, outcome and whether the outcome was a replay of a stored one",
            actions.clone(),
        );
        let rejections = Family::<RejectLabels, Counter>::default();
        registry.register(
            "offduty_actions_rejected",
            "Officer actions refused when first decided (replays not counted), by kind and reject code",
            rejections.clone(),
        );
        let sync_pulls = Family::<SyncLabels, Counter>::default();
        registry.register(
            "offduty_sync_pulls",
            "GET /v1/sync answered, full snapshots and deltas",
            sync_pulls.clone(),
        );
        let sync_lag = Histogram::new(LAG_BUCKETS);
        registry.register(
            "offduty_sync_lag_changes",
            "How far behind the department's head a pulled cursor was, in change-log entries (delta pulls only)",
            sync_lag.clone(),
        );
        let pool_size = Gauge::default();
        registry.register(
            "offduty_db_pool_connections",
            "Database connections open in the pool (idle and in use)",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "offduty_db_pool_idle_connections",
            "Database connections open and idle in the pool",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "offduty_db_pool_max_connections",
            "The pool's size limit (--max-connections)",
            pool_max.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register("offduty_build_info", "The server's version", build);
        Metrics {
            registry,
            http_requests,
            http_duration,
            http_in_flight,
            actions,
            rejections,
            sync_pulls,
            sync_lag,
            pool_size,
            pool_idle,
            pool_max,
        }
    }

    /// One action decided by `POST /v1/actions` (called once per action, fresh or replayed).
    pub fn action_decided(&self, action: &Action, decided: &ActionOutcome) {
        let kind = action.kind().as_str();
        self.actions
            .get_or_create(&ActionLabels {
                kind,
                outcome: outcome_label(&decided.outcome),
                replayed: decided.replayed,
            })
            .inc();
        if let Outcome::Rejected { code, .. } = &decided.outcome
            && !decided.replayed
        {
            self.rejections
                .get_or_create(&RejectLabels {
                    kind,
                    code: serde_name(code),
                })
                .inc();
        }
    }

    /// One `GET /v1/sync` answered from `cursor` with the department's change log at `head`,
    /// as a full snapshot or as the changes since the cursor.
    pub fn sync_pulled(&self, cursor: u64, head: u64, full: bool) {
        let kind = if full { "full" } else { "delta" };
        self.sync_pulls.get_or_create(&SyncLabels { kind }).inc();
        if !full {
            self.sync_lag.observe(head.saturating_sub(cursor) as f64);
        }
    }

    /// The registry as OpenMetrics text, after reading the pool's gauges.
    pub fn render(&self, pool: &sqlx::AnyPool) -> String {
        self.pool_size.set(i64::from(pool.size()));
        self.pool_idle
            .set(i64::try_from(pool.num_idle()).unwrap_or(i64::MAX));
        self.pool_max
            .set(i64::from(pool.options().get_max_connections()));
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "could not encode the metrics");
        }
        out
    }
}

/// The outcome's wire name (`awarded`, `waitlisted`, …); a punch adds its verdict
/// (`punched_verified`, `punched_needs_review`, `punched_rejected`).
fn outcome_label(outcome: &Outcome) -> String {
    let name = serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string());
    match outcome {
        Outcome::Punched { verdict, .. } => format!("{name}_{}", serde_name(verdict)),
        _ => name,
    }
}

/// The serde name of a unit enum value (`not_eligible`).
fn serde_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// A label value from a fixed set: a client cannot grow the series with made-up methods.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(s: StatusCode) -> &'static str {
    match s.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Lowers the in-flight gauge when the request ends, answered or cancelled.
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware: counts and times every request by route template and status class. It sits
/// outside the timeout and panic layers, so their 503 and 500 answers are counted too.
pub async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    m.http_in_flight.inc();
    let _in_flight = InFlight(m.http_in_flight.clone());
    let started = Instant::now();
    let resp = next.run(req).await;
    let labels = HttpLabels {
        method,
        route,
        status: status_class(resp.status()),
    };
    m.http_requests.get_or_create(&labels).inc();
    m.http_duration
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`, for the metrics listener.
async fn scrape(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.render(&state.db.pool),
    )
        .into_response()
}

/// The router of the metrics listener: `GET /metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .fallback(|| async {
            let mut e = ApiError::not_found("route");
            e.detail = "this listener serves GET /metrics only".into();
            e
        })
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_fixed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(status_class(StatusCode::CREATED), "2xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
        assert_eq!(
            outcome_label(&Outcome::Withdrawn {
                assignment_id: uuid::Uuid::nil()
            }),
            "withdrawn"
        );
        assert_eq!(
            serde_name(&offduty_domain::protocol::RejectCode::NotEligible),
            "not_eligible"
        );
    }

    #[test]
    fn sync_lag_is_observed_for_deltas_only() {
        let m = Metrics::new();
        m.sync_pulled(0, 40, true);
        m.sync_pulled(35, 40, false);
        m.sync_pulled(40, 40, false);
        m.sync_pulled(99, 40, true);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry).unwrap();
        assert!(
            out.contains("offduty_sync_pulls_total{kind=\"full\"} 2"),
            "{out}"
        );
        assert!(
            out.contains("offduty_sync_pulls_total{kind=\"delta\"} 2"),
            "{out}"
        );
        assert!(out.contains("offduty_sync_lag_changes_count 2"), "{out}");
        assert!(out.contains("offduty_sync_lag_changes_sum 5.0"), "{out}");
    }
}
