//! Verifying Stripe's signed webhooks, as Stripe documents the scheme: the `Stripe-Signature`
//! header carries `t=<unix seconds>` and one or more `v1=<hex HMAC-SHA256>` over
//! `"{t}.{raw body}"` keyed by the endpoint's signing secret. Any matching `v1` is enough (Stripe
//! sends two while a secret is being rolled); the comparison is constant-time; a timestamp
//! further than the tolerance from now, in either direction, is refused (replays).
//! A pure function: the route passes the raw body, the header, the secret and the time.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's libraries' default tolerance.
pub const DEFAULT_TOLERANCE: std::time::Duration = std::time::Duration::from_secs(300);

/// A verified event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// `evt_…`; the same event may be delivered more than once: deduplicate on it.
    pub id: String,
    /// `checkout.session.completed`, `payment_intent.succeeded`, …
    pub type_: String,
    /// Unix seconds when the event happened.
    pub created: i64,
    /// `data.object`: the object the event is about, as the provider sent it.
    pub object: serde_json::Value,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the Stripe-Signature header is malformed or has no timestamp")]
    MalformedHeader,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error("no v1 signature matches the payload")]
    SignatureMismatch,
    #[error("the signature's timestamp is outside the tolerance")]
    OutsideTolerance,
    #[error("the payload is not an event: {0}")]
    InvalidPayload(String),
}

/// Checks `signature_header` over `payload` with `secret` at `now`, then parses the event.
pub fn verify_webhook(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
    now: DateTime<Utc>,
    tolerance: std::time::Duration,
) -> Result<WebhookEvent, WebhookError> {
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in signature_header.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k {
            "t" => {
                timestamp = Some(v.parse().map_err(|_| WebhookError::MalformedHeader)?);
            }
            // A value that is not hex cannot match; skip it like any other unknown scheme.
            "v1" => {
                if let Ok(sig) = hex::decode(v) {
                    signatures.push(sig);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or(WebhookError::MalformedHeader)?;
    if signatures.is_empty() {
        return Err(WebhookError::NoSignature);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::NoSignature)?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    // verify_slice compares in constant time; each candidate needs its own copy of the state.
    if !signatures
        .iter()
        .any(|sig| mac.clone().verify_slice(sig).is_ok())
    {
        return Err(WebhookError::SignatureMismatch);
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.timestamp().saturating_sub(t).saturating_abs() > tolerance {
        return Err(WebhookError::OutsideTolerance);
    }
    let v: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| WebhookError::InvalidPayload(e.to_string()))?;
    let text = |field: &str| {
        v.get(field)
            .and_then(|x| x.as_str())
            .map(str::to_string)
            .ok_or_else(|| WebhookError::InvalidPayload(format!("no {field}")))
    };
    Ok(WebhookEvent {
        id: text("id")?,
        type_: text("type")?,
        created: v.get("created").and_then(|x| x.as_i64()).unwrap_or(t),
        object: v
            .get("data")
            .and_then(|d| d.get("object"))
            .cloned()
            .ok_or_else(|| WebhookError::InvalidPayload("no data.object".into()))?,
    })
}

/// The header Stripe would send for `payload` at `t` (for tests and the simulated gateway).
pub fn sign_webhook(payload: &[u8], secret: &str, t: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return format!("t={t}"),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}
