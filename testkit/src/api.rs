//! The API from a test's side: one request with an optional bearer token, answered with its
//! status and JSON body; and the job every suite posts (first come, four hours, a 250 m fence
//! at Ohio Stadium) with the points and times tests place around it.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends `method base_url+path` (bearer `token`, JSON `body`); returns the status and the JSON
/// body (`Value::Null` when empty, a JSON string when it is not JSON). Panics when the server
/// cannot be reached.
pub async fn call(
    http: &reqwest::Client,
    base_url: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = http.request(method, format!("{base_url}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The job site (lat, lon).
pub const SITE: (f64, f64) = (40.0017, -83.0197);

/// The radius of the fence around [`SITE`], in metres.
pub const FENCE_RADIUS_M: f64 = 250.0;

/// A valid job body starting at `starts_at` (4 h long) with `slots` slots, first come, fenced
/// [`FENCE_RADIUS_M`] around [`SITE`].
pub fn job_body(starts_at: DateTime<Utc>, slots: u32) -> Value {
    json!({
        "title": "Traffic control — Buckeyes home game",
        "customer_name": "Ohio State Athletics",
        "site_name": "Ohio Stadium, Lot 1",
        "address": "411 Woody Hayes Dr, Columbus, OH 43210",
        "location": {"lat": SITE.0, "lon": SITE.1},
        "geofence": {"type": "circle", "center": {"lat": SITE.0, "lon": SITE.1}, "radius_m": FENCE_RADIUS_M},
        "starts_at": starts_at,
        "ends_at": starts_at + chrono::Duration::hours(4),
        "slots": slots,
        "job_type": "traffic",
        "award_rule": {"type": "first_come"},
    })
}

/// The point `metres` north of [`SITE`].
pub fn north_of_site(metres: f64) -> (f64, f64) {
    let m_per_deg = offduty_domain::geofence::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    (SITE.0 + metres / m_per_deg, SITE.1)
}

/// A whole hour at least `hours` from now (job times are easier to read on the hour).
pub fn hours_from_now(hours: i64) -> DateTime<Utc> {
    let t = Utc::now() + chrono::Duration::hours(hours);
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 3600 + 3600, 0).unwrap()
}
