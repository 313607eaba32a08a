//! Notification delivery (decision 041): a worker drains the outbox (`notifications`, written by
//! `services::notify` in the same transaction as the change it announces) to the officer's
//! phones, mailbox and phone number, honouring quiet hours, retrying with backoff and recording
//! every attempt in `delivery_attempts`.
//!
//! - [`worker`]: claims due notices (leases; `FOR UPDATE SKIP LOCKED` on PostgreSQL), decides,
//!   sends outside any transaction, records, retries, gives up;
//! - [`message`]: what a notice says (title, body, data for the phone's deep link);
//! - [`fcm`], [`apns`], [`sms`], [`email`]: one adapter per provider, each written from the
//!   provider's published contract, behind [`Sender`];
//! - [`jwt`]: the signed tokens FCM (RS256, OAuth2 JWT bearer grant) and APNs (ES256) want;
//! - [`config`]: which adapters this server has, from the environment (secrets never print).
//!
//! Without a configured provider a channel records `no_provider` instead of pretending to send.

pub mod apns;
pub mod config;
pub mod email;
pub mod fcm;
pub mod jwt;
pub mod message;
pub mod sms;
pub mod worker;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use config::{Adapters, ConfigError};
pub use worker::{RetryPolicy, StepReport, run, step};

/// A delivery channel: where a destination comes from and which adapter serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// Android push (Firebase Cloud Messaging), to a token in `device_push_tokens`.
    Fcm,
    /// iOS push (Apple Push Notification service), to a token in `device_push_tokens`.
    Apns,
    /// E-mail, to `users.email`.
    Email,
    /// Text message, to `users.phone`.
    Sms,
}

impl Channel {
    /// The name stored in `delivery_attempts.channel`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Fcm => "fcm",
            Channel::Apns => "apns",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    /// Every channel, in the order the console shows them.
    pub const ALL: [Channel; 4] = [Channel::Fcm, Channel::Apns, Channel::Email, Channel::Sms];
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is sent: the same words on every channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The notification's id (also the e-mail's Message-ID and the push's collapse key).
    pub id: String,
    pub title: String,
    pub body: String,
    /// Urgent notices go out with high priority (FCM `HIGH`, APNs 10).
    pub urgent: bool,
    /// String pairs for the phone (`kind`, `job_id`, `notification_id`): its deep link.
    pub data: BTreeMap<String, String>,
    /// Files sent with an e-mail (a scheduled report's CSV); other channels ignore them.
    pub attachments: Vec<Attachment>,
}

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// `text/csv; charset=utf-8`.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// What a provider answered, already sorted into what the worker does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted; `code` is the provider's id or status for the record (FCM message name,
    /// `apns-id`, Twilio `sid`, the SMTP reply).
    Delivered { code: String },
    /// Try again later (rate limited, unavailable, timeout, network).
    Retry { code: String, detail: String },
    /// The destination no longer exists (FCM `UNREGISTERED`, APNs 410 / `BadDeviceToken`):
    /// a push token is deleted.
    Gone { code: String, detail: String },
    /// Refused for good (bad request, bad credentials the operator must fix, invalid number).
    Failed { code: String, detail: String },
}

impl SendOutcome {
    /// A retryable failure.
    pub fn retry(code: impl Into<String>, detail: impl Into<String>) -> SendOutcome {
        SendOutcome::Retry {
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// A failure retrying will not fix.
    pub fn failed(code: impl Into<String>, detail: impl Into<String>) -> SendOutcome {
        SendOutcome::Failed {
            code: code.into(),
            detail: detail.into(),
        }
    }
}

/// One provider adapter. Never panics; a network error is a [`SendOutcome::Retry`].
#[async_trait::async_trait]
pub trait Sender: Send + Sync + fmt::Debug {
    /// The provider's name for logs and the record (`fcm`, `apns`, `smtp`, `twilio`).
    fn name(&self) -> &'static str;
    /// Sends `message` to `destination` (a push token, an e-mail address, a phone number).
    async fn send(&self, destination: &str, message: &Message) -> SendOutcome;
}

/// A shared adapter.
pub type SharedSender = Arc<dyn Sender>;

/// Shortens a provider's answer for the record (no provider answer is kept whole).
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Sorts an HTTP status with no more specific meaning: 429 and 5xx retry, other 4xx fail.
pub(crate) fn by_status(status: u16, code: String, detail: String) -> SendOutcome {
    if status == 429 || status >= 500 {
        SendOutcome::Retry { code, detail }
    } else {
        SendOutcome::Failed { code, detail }
    }
}

/// A network error talking to a provider: retry (the request may or may not have arrived; a
/// push or a message sent twice is the price of never losing one).
pub(crate) fn network(e: &reqwest::Error) -> SendOutcome {
    let code = if e.is_timeout() { "timeout" } else { "network" };
    SendOutcome::retry(code, clip(&e.to_string()))
}
