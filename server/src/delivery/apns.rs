//! iOS push through the Apple Push Notification service, written from Apple's published
//! contract ("Sending notification requests to APNs"): HTTP/2 only, `POST /3/device/{token}`
//! with `authorization: bearer <provider token>`, `apns-topic` (the app's bundle id),
//! `apns-push-type: alert`, `apns-priority` (10 now, 5 when power allows), `apns-collapse-id`;
//! body `{"aps": {"alert": {"title", "body"}, "sound"}, …custom keys}`. The provider token is an
//! ES256 JWT (`kid` = the key id, `iss` = the team id, `iat`), reused for 50 minutes: Apple
//! refuses tokens older than an hour and refreshes more often than every 20 minutes
//! (`TooManyProviderTokenUpdates`). Answers: 200 with `apns-id`; errors are `{"reason": …}`:
//! 410 `Unregistered` and 400 `BadDeviceToken` mean the token is gone; 429 and 5xx are retried;
//! 403 `ExpiredProviderToken` drops the cached token and is retried.
//!
//! The client speaks HTTP/2 with prior knowledge: over TLS (production) that is ALPN `h2`, which
//! is all APNs speaks; over plain `http://` (the tests' local server) it is h2c.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::jwt::{Es256Key, KeyError};
use super::{Message, SendOutcome, Sender, by_status, clip, network};
use crate::payments::SecretString;

/// Apple's production endpoint (`https://api.sandbox.push.apple.com` for development builds).
pub const DEFAULT_API_BASE: &str = "https://api.push.apple.com";
/// How long a provider token is reused.
pub const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::minutes(50);

/// How to reach APNs (the signing key never prints).
#[derive(Debug, Clone)]
pub struct ApnsConfig {
    pub api_base: String,
    /// The 10-character key id of the `.p8` key.
    pub key_id: String,
    /// The 10-character team id.
    pub team_id: String,
    /// The app's bundle id: the `apns-topic`.
    pub topic: String,
    pub private_key: SecretString,
}

/// The APNs adapter.
pub struct ApnsSender {
    cfg: ApnsConfig,
    key: Es256Key,
    http: reqwest::Client,
    token: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl std::fmt::Debug for ApnsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsSender")
            .field("cfg", &self.cfg)
            .finish()
    }
}

impl ApnsSender {
    pub fn new(cfg: ApnsConfig) -> Result<ApnsSender, KeyError> {
        let key = Es256Key::from_pem(cfg.private_key.expose())?;
        let http = reqwest::Client::builder()
            .http2_prior_knowledge()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|_| KeyError::Sign)?;
        Ok(ApnsSender {
            cfg,
            key,
            http,
            token: Mutex::new(None),
        })
    }

    async fn provider_token(&self) -> Result<String, SendOutcome> {
        let now = Utc::now();
        let mut cached = self.token.lock().await;
        if let Some((t, made)) = cached.as_ref()
            && now - *made < TOKEN_LIFETIME
        {
            return Ok(t.clone());
        }
        let t = self
            .key
            .sign(
                &self.cfg.key_id,
                &json!({"iss": self.cfg.team_id, "iat": now.timestamp()}),
            )
            .map_err(|e| SendOutcome::failed("apns_key", e.to_string()))?;
        *cached = Some((t.clone(), now));
        Ok(t)
    }
}

#[async_trait::async_trait]
impl Sender for ApnsSender {
    fn name(&self) -> &'static str {
        "apns"
    }

    async fn send(&self, destination: &str, message: &Message) -> SendOutcome {
        let token = match self.provider_token().await {
            Ok(t) => t,
            Err(o) => return o,
        };
        let mut body = json!({
            "aps": {
                "alert": {"title": message.title, "body": message.body},
                "sound": "default",
            }
        });
        for (k, v) in &message.data {
            body[k.as_str()] = Value::String(v.clone());
        }
        let collapse: String = message.id.chars().take(64).collect();
        let resp = match self
            .http
            .post(format!("{}/3/device/{destination}", self.cfg.api_base))
            .header("authorization", format!("bearer {token}"))
            .header("apns-topic", &self.cfg.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", if message.urgent { "10" } else { "5" })
            .header("apns-collapse-id", collapse)
            .json(&body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return network(&e),
        };
        let status = resp.status().as_u16();
        let apns_id = resp
            .headers()
            .get("apns-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if status == 200 {
            return SendOutcome::Delivered { code: apns_id };
        }
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        let reason = answer["reason"].as_str().unwrap_or("").to_string();
        let code = if reason.is_empty() {
            status.to_string()
        } else {
            reason.clone()
        };
        let detail = clip(&format!("{status} {reason}"));
        match (status, reason.as_str()) {
            (410, _) | (400, "BadDeviceToken") => SendOutcome::Gone { code, detail },
            (403, "ExpiredProviderToken") | (403, "InvalidProviderToken") => {
                *self.token.lock().await = None;
                SendOutcome::retry(code, detail)
            }
            _ => by_status(status, code, detail),
        }
    }
}
