//! Android push through Firebase Cloud Messaging's HTTP v1 API, written from Google's published
//! contract: `POST {api}/v1/projects/{project}/messages:send` with `{"message": {"token",
//! "notification", "data", "android"}}` and a bearer access token; the token comes from the
//! service account by the OAuth2 JWT bearer grant (RFC 7523: an RS256 JWT with `iss` = the
//! account's e-mail, `scope` = `…/auth/firebase.messaging`, `aud` = the token URI, one hour)
//! and is cached until shortly before it expires. Errors are `google.rpc.Status` JSON whose
//! details carry an `FcmError` `errorCode`: `UNREGISTERED` (404) means the token is gone;
//! `QUOTA_EXCEEDED` (429), `UNAVAILABLE` (503) and `INTERNAL` (500) are retried; a 401 drops the
//! cached access token and is retried.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::jwt::{KeyError, Rs256Key};
use super::{Message, SendOutcome, Sender, by_status, clip, network};
use crate::payments::SecretString;

/// Where FCM and Google's token endpoint are.
pub const DEFAULT_API_BASE: &str = "https://fcm.googleapis.com";
/// The scope an FCM access token needs.
pub const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// How to reach FCM: the project and the service account (its key never prints).
#[derive(Debug, Clone)]
pub struct FcmConfig {
    pub api_base: String,
    pub project_id: String,
    pub client_email: String,
    /// `https://oauth2.googleapis.com/token`, or a test server.
    pub token_uri: String,
    pub private_key: SecretString,
}

impl FcmConfig {
    /// From a service account JSON file's contents (`project_id`, `client_email`,
    /// `private_key`, `token_uri`).
    pub fn from_service_account(json: &str, api_base: Option<String>) -> Option<FcmConfig> {
        let v: Value = serde_json::from_str(json).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(FcmConfig {
            api_base: api_base
                .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
                .trim_end_matches('/')
                .to_string(),
            project_id: s("project_id")?,
            client_email: s("client_email")?,
            token_uri: s("token_uri")
                .unwrap_or_else(|| "https://oauth2.googleapis.com/token".to_string()),
            private_key: SecretString::new(s("private_key")?),
        })
    }
}

struct AccessToken {
    token: SecretString,
    expires: DateTime<Utc>,
}

/// The FCM adapter.
pub struct FcmSender {
    cfg: FcmConfig,
    key: Rs256Key,
    http: reqwest::Client,
    token: Mutex<Option<AccessToken>>,
}

impl std::fmt::Debug for FcmSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FcmSender").field("cfg", &self.cfg).finish()
    }
}

impl FcmSender {
    pub fn new(cfg: FcmConfig) -> Result<FcmSender, KeyError> {
        let key = Rs256Key::from_pem(cfg.private_key.expose())?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|_| KeyError::Sign)?;
        Ok(FcmSender {
            cfg,
            key,
            http,
            token: Mutex::new(None),
        })
    }

    /// A cached access token, or a new one from the token endpoint.
    async fn access_token(&self) -> Result<SecretString, SendOutcome> {
        let now = Utc::now();
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && t.expires > now + chrono::Duration::seconds(60)
        {
            return Ok(t.token.clone());
        }
        let iat = now.timestamp();
        let assertion = self
            .key
            .sign(&json!({
                "iss": self.cfg.client_email,
                "scope": SCOPE,
                "aud": self.cfg.token_uri,
                "iat": iat,
                "exp": iat + 3600,
            }))
            .map_err(|e| SendOutcome::failed("oauth_key", e.to_string()))?;
        let resp = self
            .http
            .post(&self.cfg.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| network(&e))?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let token = body.get("access_token").and_then(Value::as_str);
        match token {
            Some(t) if status == 200 => {
                let expires_in = body
                    .get("expires_in")
                    .and_then(Value::as_i64)
                    .unwrap_or(3600);
                let token = SecretString::new(t);
                *cached = Some(AccessToken {
                    token: token.clone(),
                    expires: now + chrono::Duration::seconds(expires_in),
                });
                Ok(token)
            }
            _ => {
                let code = body
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("oauth_error");
                Err(by_status(
                    status,
                    format!("oauth_{code}"),
                    clip(&body.to_string()),
                ))
            }
        }
    }
}

/// The `errorCode` in an FCM error's details, else its `status`.
fn fcm_error_code(body: &Value) -> String {
    let err = &body["error"];
    err["details"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|d| d["errorCode"].as_str())
        .or_else(|| err["status"].as_str())
        .unwrap_or("")
        .to_string()
}

#[async_trait::async_trait]
impl Sender for FcmSender {
    fn name(&self) -> &'static str {
        "fcm"
    }

    async fn send(&self, destination: &str, message: &Message) -> SendOutcome {
        let token = match self.access_token().await {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let body = json!({
            "message": {
                "token": destination,
                "notification": {"title": message.title, "body": message.body},
                "data": message.data,
                "android": {
                    "priority": if message.urgent { "HIGH" } else { "NORMAL" },
                    "collapse_key": message.id,
                },
            }
        });
        let url = format!(
            "{}/v1/projects/{}/messages:send",
            self.cfg.api_base, self.cfg.project_id
        );
        let resp = match self
            .http
            .post(url)
            .bearer_auth(token.expose())
            .json(&body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return network(&e),
        };
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 200 {
            let name = body["name"].as_str().unwrap_or("").to_string();
            return SendOutcome::Delivered { code: name };
        }
        let code = fcm_error_code(&body);
        let detail = clip(body["error"]["message"].as_str().unwrap_or(""));
        match (status, code.as_str()) {
            // Only FCM's own word deletes a token: a bare 404 (a wrong project id) must not
            // wipe every officer's tokens.
            (_, "UNREGISTERED") => SendOutcome::Gone { code, detail },
            (401, _) => {
                *self.token.lock().await = None;
                SendOutcome::retry(if code.is_empty() { "401".into() } else { code }, detail)
            }
            _ => by_status(
                status,
                if code.is_empty() {
                    status.to_string()
                } else {
                    code
                },
                detail,
            ),
        }
    }
}
