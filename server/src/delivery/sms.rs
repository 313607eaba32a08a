//! Text messages through an HTTP provider with Twilio's Messages API shape, written from
//! Twilio's published contract: `POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! form-encoded `To`, `From`, `Body`, HTTP Basic auth (account SID : auth token). Answers: 201
//! with the message resource (`sid`, `status`); errors are `{"code", "message", "more_info",
//! "status"}` — 429 and 5xx are retried, others fail with Twilio's error code (21211 invalid
//! number, 21610 the recipient replied STOP, 20003 bad credentials).

use std::time::Duration;

use serde_json::Value;

use super::{Message, SendOutcome, Sender, by_status, clip, network};
use crate::payments::SecretString;

/// Twilio's API.
pub const DEFAULT_API_BASE: &str = "https://api.twilio.com";
/// The longest text sent: the title and body are cut to fit a few SMS segments.
pub const MAX_BODY: usize = 480;

/// How to reach the SMS provider (the auth token never prints).
#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub api_base: String,
    pub account_sid: String,
    pub auth_token: SecretString,
    /// The sending number (E.164) or messaging service.
    pub from: String,
}

/// The SMS adapter.
#[derive(Debug)]
pub struct SmsSender {
    cfg: SmsConfig,
    http: reqwest::Client,
}

impl SmsSender {
    pub fn new(cfg: SmsConfig) -> Result<SmsSender, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(SmsSender { cfg, http })
    }
}

/// The text of a message: title, then body, cut at [`MAX_BODY`] characters.
pub fn text(message: &Message) -> String {
    let full = format!("{}: {}", message.title, message.body);
    if full.chars().count() <= MAX_BODY {
        return full;
    }
    let mut cut: String = full.chars().take(MAX_BODY - 1).collect();
    cut.push('…');
    cut
}

#[async_trait::async_trait]
impl Sender for SmsSender {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn send(&self, destination: &str, message: &Message) -> SendOutcome {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.cfg.api_base, self.cfg.account_sid
        );
        let body = text(message);
        let resp = match self
            .http
            .post(url)
            .basic_auth(&self.cfg.account_sid, Some(self.cfg.auth_token.expose()))
            .form(&[
                ("To", destination),
                ("From", self.cfg.from.as_str()),
                ("Body", body.as_str()),
            ])
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return network(&e),
        };
        let status = resp.status().as_u16();
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 200 || status == 201 {
            return SendOutcome::Delivered {
                code: answer["sid"].as_str().unwrap_or("").to_string(),
            };
        }
        let code = answer["code"]
            .as_i64()
            .map(|c| c.to_string())
            .unwrap_or_else(|| status.to_string());
        by_status(status, code, clip(answer["message"].as_str().unwrap_or("")))
    }
}
