//! Which delivery adapters this server has, read at start-up from the environment (or any
//! source of named values). A provider is configured by its first variable; a half-configured
//! provider is an error that stops the server, not a channel that silently never sends. Keys,
//! tokens and passwords sit in [`SecretString`]s (never printed, never stored).
//!
//! | provider | variables |
//! |---|---|
//! | FCM | `OFFDUTY_FCM_SERVICE_ACCOUNT_FILE` (the service account JSON), `OFFDUTY_FCM_API_BASE` |
//! | APNs | `OFFDUTY_APNS_KEY_FILE` (`.p8`), `OFFDUTY_APNS_KEY_ID`, `OFFDUTY_APNS_TEAM_ID`, `OFFDUTY_APNS_TOPIC`, `OFFDUTY_APNS_API_BASE` |
//! | SMTP | `OFFDUTY_SMTP_HOST`, `OFFDUTY_SMTP_PORT`, `OFFDUTY_SMTP_SECURITY` (`starttls`/`tls`/`plain`), `OFFDUTY_SMTP_USERNAME`, `OFFDUTY_SMTP_PASSWORD`, `OFFDUTY_SMTP_FROM` |
//! | SMS | `OFFDUTY_SMS_ACCOUNT_SID`, `OFFDUTY_SMS_AUTH_TOKEN`, `OFFDUTY_SMS_FROM`, `OFFDUTY_SMS_API_BASE` |

use std::sync::Arc;

use super::apns::{ApnsConfig, ApnsSender};
use super::email::{EmailConfig, EmailSender, SmtpSecurity};
use super::fcm::{FcmConfig, FcmSender};
use super::sms::{SmsConfig, SmsSender};
use super::{Channel, SharedSender};
use crate::payments::SecretString;

/// A delivery configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required when {1} is set")]
    Missing(&'static str, &'static str),
    #[error("{0}: {1}")]
    Bad(&'static str, String),
}

/// The adapters, one per channel at most; a channel without one records `no_provider`.
#[derive(Debug, Clone, Default)]
pub struct Adapters {
    pub fcm: Option<SharedSender>,
    pub apns: Option<SharedSender>,
    pub email: Option<SharedSender>,
    pub sms: Option<SharedSender>,
}

impl Adapters {
    /// The adapter for `channel`.
    pub fn get(&self, channel: Channel) -> Option<&SharedSender> {
        match channel {
            Channel::Fcm => self.fcm.as_ref(),
            Channel::Apns => self.apns.as_ref(),
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
        }
    }

    /// The names of the configured providers, for the start-up log.
    pub fn names(&self) -> Vec<&'static str> {
        Channel::ALL
            .iter()
            .filter_map(|c| self.get(*c).map(|s| s.name()))
            .collect()
    }

    /// From the environment.
    pub fn from_env() -> Result<Adapters, ConfigError> {
        Adapters::from_values(|n| std::env::var(n).ok())
    }

    /// From any source of named values; files named by `…_FILE` variables are read.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> Result<Adapters, ConfigError> {
        let val = |n: &str| {
            get(n)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let need = |n: &'static str, by: &'static str| val(n).ok_or(ConfigError::Missing(n, by));
        let file = |n: &'static str, path: String| {
            std::fs::read_to_string(&path).map_err(|e| ConfigError::Bad(n, format!("{path}: {e}")))
        };
        let mut a = Adapters::default();

        const FCM: &str = "OFFDUTY_FCM_SERVICE_ACCOUNT_FILE";
        if let Some(path) = val(FCM) {
            let json = file(FCM, path)?;
            let cfg = FcmConfig::from_service_account(&json, val("OFFDUTY_FCM_API_BASE"))
                .ok_or_else(|| {
                    ConfigError::Bad(
                        FCM,
                        "not a service account JSON (project_id, client_email, private_key)".into(),
                    )
                })?;
            let s = FcmSender::new(cfg).map_err(|e| ConfigError::Bad(FCM, e.to_string()))?;
            a.fcm = Some(Arc::new(s));
        }

        const APNS: &str = "OFFDUTY_APNS_KEY_FILE";
        if let Some(path) = val(APNS) {
            let cfg = ApnsConfig {
                api_base: val("OFFDUTY_APNS_API_BASE")
                    .unwrap_or_else(|| super::apns::DEFAULT_API_BASE.to_string())
                    .trim_end_matches('/')
                    .to_string(),
                key_id: need("OFFDUTY_APNS_KEY_ID", APNS)?,
                team_id: need("OFFDUTY_APNS_TEAM_ID", APNS)?,
                topic: need("OFFDUTY_APNS_TOPIC", APNS)?,
                private_key: SecretString::new(file(APNS, path)?),
            };
            let s = ApnsSender::new(cfg).map_err(|e| ConfigError::Bad(APNS, e.to_string()))?;
            a.apns = Some(Arc::new(s));
        }

        const SMTP: &str = "OFFDUTY_SMTP_HOST";
        if let Some(host) = val(SMTP) {
            let security = match val("OFFDUTY_SMTP_SECURITY").as_deref() {
                None | Some("starttls") => SmtpSecurity::StartTls,
                Some("tls") => SmtpSecurity::Implicit,
                Some("plain") => SmtpSecurity::Plain,
                Some(other) => {
                    return Err(ConfigError::Bad(
                        "OFFDUTY_SMTP_SECURITY",
                        format!("{other:?} is not starttls, tls or plain"),
                    ));
                }
            };
            let default_port = match security {
                SmtpSecurity::Implicit => 465,
                _ => 587,
            };
            let port = match val("OFFDUTY_SMTP_PORT") {
                Some(p) => p
                    .parse()
                    .map_err(|_| ConfigError::Bad("OFFDUTY_SMTP_PORT", format!("{p:?}")))?,
                None => default_port,
            };
            let cfg = EmailConfig {
                host,
                port,
                security,
                username: val("OFFDUTY_SMTP_USERNAME"),
                password: val("OFFDUTY_SMTP_PASSWORD").map(SecretString::new),
                from: need("OFFDUTY_SMTP_FROM", SMTP)?,
            };
            let s = EmailSender::new(cfg).map_err(|e| ConfigError::Bad(SMTP, e.to_string()))?;
            a.email = Some(Arc::new(s));
        }

        const SMS: &str = "OFFDUTY_SMS_ACCOUNT_SID";
        if let Some(sid) = val(SMS) {
            let cfg = SmsConfig {
                api_base: val("OFFDUTY_SMS_API_BASE")
                    .unwrap_or_else(|| super::sms::DEFAULT_API_BASE.to_string())
                    .trim_end_matches('/')
                    .to_string(),
                account_sid: sid,
                auth_token: SecretString::new(need("OFFDUTY_SMS_AUTH_TOKEN", SMS)?),
                from: need("OFFDUTY_SMS_FROM", SMS)?,
            };
            let s = SmsSender::new(cfg).map_err(|e| ConfigError::Bad(SMS, e.to_string()))?;
            a.sms = Some(Arc::new(s));
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_configured_means_no_adapters_and_half_a_provider_is_an_error() {
        let a = Adapters::from_values(|_| None).unwrap();
        assert!(a.names().is_empty());
        let e = Adapters::from_values(|n| (n == "OFFDUTY_SMS_ACCOUNT_SID").then(|| "AC1".into()))
            .unwrap_err();
        assert!(e.to_string().contains("OFFDUTY_SMS_AUTH_TOKEN"), "{e}");
        let sms = Adapters::from_values(|n| match n {
            "OFFDUTY_SMS_ACCOUNT_SID" => Some("AC1".into()),
            "OFFDUTY_SMS_AUTH_TOKEN" => Some("supersecret".into()),
            "OFFDUTY_SMS_FROM" => Some("+15550001111".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(sms.names(), vec!["twilio"]);
        assert!(!format!("{sms:?}").contains("supersecret"));
    }
}
