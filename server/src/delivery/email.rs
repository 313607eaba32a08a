//! E-mail over SMTP with lettre (RFC 5321 submission): STARTTLS on port 587 by default
//! (`smtps` = implicit TLS on 465; `plain` only for a relay on loopback), rustls, optional
//! AUTH. The message is plain text (multipart/mixed when it carries attachments: a scheduled
//! report's CSV), `Message-ID` derived from the notification, so a resend
//! after a crash is recognisably the same mail. A transient SMTP reply (4xx) or a connection
//! failure is retried; a permanent one (5xx) fails with its code.

use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{Message, SendOutcome, Sender, clip};
use crate::payments::SecretString;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS, required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No TLS: only for a relay on the same host or in tests.
    Plain,
}

/// How to reach the SMTP server (the password never prints).
#[derive(Debug, Clone)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// `Offduty <no-reply@example.gov>`.
    pub from: String,
}

/// The e-mail adapter.
pub struct EmailSender {
    cfg: EmailConfig,
    from: lettre::message::Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSender")
            .field("cfg", &self.cfg)
            .finish()
    }
}

/// An e-mail configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EmailConfigError {
    #[error("the sender address {0:?} is not a mailbox")]
    BadFrom(String),
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

impl EmailSender {
    pub fn new(cfg: EmailConfig) -> Result<EmailSender, EmailConfigError> {
        let from = cfg
            .from
            .parse()
            .map_err(|_| EmailConfigError::BadFrom(cfg.from.clone()))?;
        let tls = || {
            TlsParameters::new(cfg.host.clone()).map_err(|e| EmailConfigError::Tls(e.to_string()))
        };
        let tls = match cfg.security {
            SmtpSecurity::StartTls => Tls::Required(tls()?),
            SmtpSecurity::Implicit => Tls::Wrapper(tls()?),
            SmtpSecurity::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.expose().to_string()));
        }
        Ok(EmailSender {
            transport: builder.build(),
            from,
            cfg,
        })
    }
}

#[async_trait::async_trait]
impl Sender for EmailSender {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, destination: &str, message: &Message) -> SendOutcome {
        let Ok(to) = destination.parse::<lettre::message::Mailbox>() else {
            return SendOutcome::failed("bad_address", "not an e-mail address");
        };
        let domain = self.from.email.domain().to_string();
        let mut text = format!("{}\n", message.body);
        if let Some(job) = message.data.get("job_id") {
            text.push_str(&format!("\nJob: {job}\n"));
        }
        if message.attachments.is_empty() {
            text.push_str("\nOpen the Offduty app for details.\n");
        }
        let builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.title.clone())
            .message_id(Some(format!("<{}@{domain}>", message.id)));
        let email = if message.attachments.is_empty() {
            builder.header(ContentType::TEXT_PLAIN).body(text)
        } else {
            // multipart/mixed: the text, then each file (RFC 2046, base64 by lettre).
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text));
            for a in &message.attachments {
                let Ok(kind) = ContentType::parse(&a.content_type) else {
                    return SendOutcome::failed("bad_message", "bad attachment content type");
                };
                parts = parts.singlepart(
                    LettreAttachment::new(a.filename.clone()).body(a.body.clone(), kind),
                );
            }
            builder.multipart(parts)
        };
        let email = match email {
            Ok(e) => e,
            Err(e) => return SendOutcome::failed("bad_message", clip(&e.to_string())),
        };
        match self.transport.send(email).await {
            Ok(resp) => SendOutcome::Delivered {
                code: resp.code().to_string(),
            },
            Err(e) => {
                let code = e
                    .status()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "smtp".to_string());
                if e.is_permanent() {
                    SendOutcome::failed(code, clip(&e.to_string()))
                } else {
                    SendOutcome::retry(code, clip(&e.to_string()))
                }
            }
        }
    }
}
