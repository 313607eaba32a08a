//! The device's push token: the shell hands over what the platform's push service (FCM, APNs)
//! issued; the core keeps it and sends it to the server for this device on the next sync —
//! when it changes, and again after every sign-in. Offline it waits; a token the server
//! refuses is kept with the reason and not resent until it changes. Signing out clears it on
//! the server, so the phone stops receiving the officer's notices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::push::PushToken;

use crate::Core;
use crate::error::{CoreError, Result};
use crate::store::meta::{self, keys};

/// What the server has been sent: the token and the device it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Sent {
    device_id: Uuid,
    token: PushToken,
}

/// Why the server refused the push token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushTokenRefusal {
    /// The server's sentence.
    pub reason: String,
    pub status: u16,
    pub at: DateTime<Utc>,
}

/// Where the device's push token stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PushTokenState {
    /// The shell has not handed one over.
    None,
    /// Waiting for the next sync (or for a connection).
    Pending,
    /// The server has it for this device.
    Sent,
    /// The server refused it; a new token is sent again.
    Refused(PushTokenRefusal),
}

impl Core {
    /// Keeps the platform's push token for this device; it reaches the server on the next sync.
    /// Returns whether it changed (a sync is then worth running).
    pub fn set_push_token(&self, token: PushToken) -> Result<bool> {
        token.validate().map_err(|e| e.within("push_token"))?;
        self.store.write(|tx| {
            let old: Option<PushToken> = meta::get_json(tx, keys::PUSH_TOKEN)?;
            if old.as_ref() == Some(&token) {
                return Ok(false);
            }
            meta::set_json(tx, keys::PUSH_TOKEN, &token)?;
            meta::delete(tx, keys::PUSH_TOKEN_REFUSED)?;
            Ok(true)
        })
    }

    /// Where the push token stands.
    pub fn push_token_state(&self) -> Result<PushTokenState> {
        self.store.read(|c| {
            if meta::get_json::<PushToken>(c, keys::PUSH_TOKEN)?.is_none() {
                return Ok(PushTokenState::None);
            }
            if let Some(r) = meta::get_json::<PushTokenRefusal>(c, keys::PUSH_TOKEN_REFUSED)? {
                return Ok(PushTokenState::Refused(r));
            }
            Ok(match self.push_token_due(c)? {
                Some(_) => PushTokenState::Pending,
                None => PushTokenState::Sent,
            })
        })
    }

    /// The token to send, if the server does not have it for this device yet.
    fn push_token_due(&self, c: &rusqlite::Connection) -> Result<Option<Sent>> {
        let token: Option<PushToken> = meta::get_json(c, keys::PUSH_TOKEN)?;
        let device: Option<Uuid> = meta::get(c, keys::DEVICE_ID)?.and_then(|s| s.parse().ok());
        let sent: Option<Sent> = meta::get_json(c, keys::PUSH_TOKEN_SENT)?;
        let refused = meta::get(c, keys::PUSH_TOKEN_REFUSED)?.is_some();
        Ok(match (token, device) {
            (Some(token), Some(device_id)) if !refused => {
                let due = Sent { device_id, token };
                (sent.as_ref() != Some(&due)).then_some(due)
            }
            _ => None,
        })
    }

    /// Sends the push token if the server does not have it (part of `sync`).
    pub(crate) async fn push_push_token(&self) -> Result<()> {
        let Some(due) = self.store.read(|c| self.push_token_due(c))? else {
            return Ok(());
        };
        let result = self
            .authed(|access| {
                let (api, due) = (self.api(), due.clone());
                async move { api.put_push_token(&access, due.device_id, &due.token).await }
            })
            .await;
        match result {
            Ok(()) => self.store.write(|tx| {
                // Only if the token did not change while the request was out.
                let now: Option<PushToken> = meta::get_json(tx, keys::PUSH_TOKEN)?;
                if now.as_ref() == Some(&due.token) {
                    meta::set_json(tx, keys::PUSH_TOKEN_SENT, &due)?;
                }
                Ok(())
            }),
            Err(CoreError::Offline(_) | CoreError::Server(_)) => Ok(()),
            Err(CoreError::Http(problem)) => {
                tracing::warn!(detail = %problem.detail, "the server refused the push token");
                let refusal = PushTokenRefusal {
                    reason: problem.detail.clone(),
                    status: problem.status,
                    at: self.services.clock.now(),
                };
                self.store
                    .write(|tx| meta::set_json(tx, keys::PUSH_TOKEN_REFUSED, &refusal))
            }
            Err(e) => Err(e),
        }
    }

    /// After a sign-in: the token is sent again (the server may have dropped it at sign-out,
    /// or this is another officer's session on this phone).
    pub(crate) fn push_token_after_sign_in(&self) -> Result<()> {
        self.store.write(|tx| {
            meta::delete(tx, keys::PUSH_TOKEN_SENT)?;
            meta::delete(tx, keys::PUSH_TOKEN_REFUSED)
        })
    }

    /// At sign-out: asks the server to stop pushing to this device (best effort: offline, the
    /// server keeps it until the next sign-in moves or replaces it).
    pub(crate) async fn push_token_at_sign_out(&self, access_token: &str) {
        let sent: Option<Sent> = self
            .store
            .read(|c| meta::get_json(c, keys::PUSH_TOKEN_SENT))
            .ok()
            .flatten();
        let Some(sent) = sent else { return };
        match self
            .api()
            .delete_push_token(access_token, sent.device_id)
            .await
        {
            Ok(()) => {
                if let Err(e) = self
                    .store
                    .write(|tx| meta::delete(tx, keys::PUSH_TOKEN_SENT))
                {
                    tracing::warn!(error = %e, "could not note the cleared push token");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not clear the push token on the server"),
        }
    }
}
