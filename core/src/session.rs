//! Signing in and out: tokens live in the platform's secret store (never in SQLite), access
//! tokens are refreshed before they expire, and the device's signing key is registered once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_domain::validation::InvalidCode;

use crate::Core;
use crate::error::{Confirmation, CoreError, Result};
use crate::store::meta::{self, keys};
use offduty_domain::protocol::TokenResponse as Tokens;

/// The signed-in officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub officer_id: Uuid,
    pub department_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub server_url: String,
    pub device_id: Option<Uuid>,
}

/// What is kept in the secret store.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredTokens {
    access_token: String,
    access_expires_at: DateTime<Utc>,
    refresh_token: String,
}

/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::seconds(60);

impl Core {
    fn token_name(&self) -> String {
        format!("{}tokens", self.secret_prefix())
    }

    fn save_tokens(&self, t: &Tokens) -> Result<()> {
        let stored = StoredTokens {
            access_token: t.access_token.clone(),
            access_expires_at: self.services.clock.now() + Duration::seconds(t.expires_in),
            refresh_token: t.refresh_token.clone(),
        };
        self.services
            .secrets
            .set(&self.token_name(), &serde_json::to_string(&stored)?)
            .map_err(|e| CoreError::Platform(e.0))
    }

    fn load_tokens(&self) -> Result<Option<StoredTokens>> {
        let raw = self
            .services
            .secrets
            .get(&self.token_name())
            .map_err(|e| CoreError::Platform(e.0))?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// The signed-in officer, if any (from the local cache; works offline).
    pub fn session(&self) -> Result<Option<Session>> {
        let has_tokens = self.load_tokens()?.is_some();
        self.store.read(|c| {
            let officer = meta::get(c, keys::OFFICER_ID)?;
            let dept = meta::get(c, keys::DEPARTMENT_ID)?;
            match (officer, dept, has_tokens) {
                (Some(o), Some(d), true) => Ok(Some(Session {
                    officer_id: o
                        .parse()
                        .map_err(|_| CoreError::Internal("officer id".into()))?,
                    department_id: d
                        .parse()
                        .map_err(|_| CoreError::Internal("department id".into()))?,
                    email: meta::get(c, keys::EMAIL)?.unwrap_or_default(),
                    display_name: meta::get(c, keys::DISPLAY_NAME)?.unwrap_or_default(),
                    server_url: self.api().base_url().to_string(),
                    device_id: meta::get(c, keys::DEVICE_ID)?.and_then(|s| s.parse().ok()),
                })),
                _ => Ok(None),
            }
        })
    }

    /// Signs in with e-mail and password, registers this device's signing key if needed, and
    /// returns the session. A different officer cannot sign in while the previous one still
    /// has unsent actions on this device.
    pub async fn login(&self, email: &str, password: &str, device_label: &str) -> Result<Session> {
        let email = email.trim();
        if email.is_empty() || !email.contains('@') {
            return Err(CoreError::invalid(
                "email",
                InvalidCode::Required,
                "enter the e-mail address you sign in with",
            ));
        }
        if password.is_empty() {
            return Err(CoreError::invalid(
                "password",
                InvalidCode::Required,
                "enter your password",
            ));
        }
        // Check the platform signer before anything is stored: a broken key must not leave a
        // half-signed-in device behind.
        let public_key = self
            .services
            .signer
            .public_key()
            .map_err(|e| CoreError::Platform(e.0))?;
        offduty_domain::timecard::parse_public_key(&public_key)
            .map_err(|e| CoreError::Platform(format!("the signer's public key: {e}")))?;
        // One server for the whole sign-in, even if another is chosen meanwhile.
        let api = self.api();
        let tokens = api.login(email, password).await?;
        if tokens.user.role != Role::Officer {
            return Err(CoreError::invalid(
                "email",
                InvalidCode::Inconsistent,
                "this app is for officers; coordinators use the department console",
            ));
        }
        let previous: Option<String> = self.store.read(|c| meta::get(c, keys::OFFICER_ID))?;
        let same_officer = previous.as_deref() == Some(tokens.user.id.to_string().as_str());
        if previous.is_some() && !same_officer {
            let pending = self.store.read(crate::outbox::count_pending)?;
            if pending > 0 {
                return Err(CoreError::invalid(
                    "email",
                    InvalidCode::Inconsistent,
                    format!(
                        "{pending} unsent action(s) of the previous officer are still on this device; \
                         sign in as them and sync first"
                    ),
                ));
            }
            self.store.write(|tx| crate::apply::forget_officer(tx))?;
        }
        self.save_tokens(&tokens)?;
        self.store.write(|tx| {
            meta::set(tx, keys::OFFICER_ID, &tokens.user.id.to_string())?;
            meta::set(
                tx,
                keys::DEPARTMENT_ID,
                &tokens.user.department_id.to_string(),
            )?;
            meta::set(tx, keys::EMAIL, &tokens.user.email)?;
            meta::set(tx, keys::DISPLAY_NAME, &tokens.user.display_name)?;
            meta::set(tx, keys::SERVER_URL, api.base_url())?;
            Ok(())
        })?;
        if let Err(e) = self.ensure_device(&tokens.access_token, device_label).await {
            // Not signed in after all: end the session on the server and forget it here.
            let _ = api.logout(&tokens.refresh_token).await;
            let _ = self.services.secrets.delete(&self.token_name());
            return Err(e);
        }
        self.push_token_after_sign_in()?;
        self.session()?
            .ok_or_else(|| CoreError::Internal("session missing right after login".into()))
    }

    /// Registers this device's public key unless the server already knows it.
    async fn ensure_device(&self, access_token: &str, label: &str) -> Result<()> {
        let known: Option<String> = self.store.read(|c| meta::get(c, keys::DEVICE_ID))?;
        let public_key = self
            .services
            .signer
            .public_key()
            .map_err(|e| CoreError::Platform(e.0))?;
        let ours = offduty_domain::timecard::parse_public_key(&public_key)
            .map(|k| offduty_domain::timecard::encode_public_key(&k))
            .map_err(|e| CoreError::Platform(format!("the signer's public key: {e}")))?;
        if let Some(id) = known {
            let devices = self.api().devices(access_token).await?;
            if let Some(d) = devices
                .iter()
                .find(|d| d.id.to_string() == id && d.public_key == ours)
            {
                // Resume the chain where the server has it if this cache lost its place.
                let server_seq = d.last_seq;
                let local_seq = self.store.read(|c| meta::get_i64(c, keys::DEVICE_SEQ))?;
                if (local_seq as u64) < server_seq {
                    self.store.write(|tx| {
                        meta::set(tx, keys::DEVICE_SEQ, &server_seq.to_string())?;
                        if let Some(h) = &d.last_hash {
                            meta::set(tx, keys::DEVICE_LAST_HASH, h)?;
                        }
                        Ok(())
                    })?;
                }
                return Ok(());
            }
        }
        let label = if label.trim().is_empty() {
            "offduty device"
        } else {
            label.trim()
        };
        let device = self
            .api()
            .register_device(access_token, &public_key, label)
            .await?;
        self.store.write(|tx| {
            meta::set(tx, keys::DEVICE_ID, &device.id.to_string())?;
            meta::set(tx, keys::DEVICE_SEQ, "0")?;
            meta::set(
                tx,
                keys::DEVICE_LAST_HASH,
                offduty_domain::timecard::GENESIS_HASH,
            )?;
            Ok(())
        })
    }

    /// A valid access token, refreshed when (nearly) expired.
    pub(crate) async fn access_token(&self) -> Result<String> {
        let stored = self
            .load_tokens()?
            .ok_or_else(|| CoreError::Unauthorized("not signed in".into()))?;
        if stored.access_expires_at - REFRESH_MARGIN > self.services.clock.now() {
            return Ok(stored.access_token);
        }
        self.refresh_tokens(&stored.refresh_token).await
    }

    /// Forces a refresh (after a 401).
    pub(crate) async fn refreshed_access_token(&self) -> Result<String> {
        let stored = self
            .load_tokens()?
            .ok_or_else(|| CoreError::Unauthorized("not signed in".into()))?;
        self.refresh_tokens(&stored.refresh_token).await
    }

    async fn refresh_tokens(&self, refresh_token: &str) -> Result<String> {
        match self.api().refresh(refresh_token).await {
            Ok(t) => {
                self.save_tokens(&t)?;
                Ok(t.access_token)
            }
            Err(CoreError::Unauthorized(why)) => {
                // The session is over (expired, revoked, or the token was reused elsewhere).
                let _ = self.services.secrets.delete(&self.token_name());
                Err(CoreError::Unauthorized(why))
            }
            Err(e) => Err(e),
        }
    }

    /// Signs out: ends the session on the server (if reachable) and forgets the tokens. Unsent
    /// actions stay queued for when this officer signs in again; refuse unless `force` when
    /// some are pending.
    pub async fn logout(&self, force: bool) -> Result<()> {
        let pending = self.store.read(crate::outbox::count_pending)?;
        if pending > 0 && !force {
            return Err(CoreError::NeedsConfirmation {
                what: Confirmation::UnsentActions {
                    count: u32::try_from(pending).unwrap_or(u32::MAX),
                },
                message: format!(
                    "{pending} action(s) are not sent yet: signing out keeps them on this device \
                     until you sign in again. Sync first, or sign out anyway."
                ),
            });
        }
        // Stop pushes to this phone first, while the session still authorizes it.
        if let Ok(access) = self.access_token().await {
            self.push_token_at_sign_out(&access).await;
        }
        if let Some(t) = self.load_tokens()? {
            match self.api().logout(&t.refresh_token).await {
                Ok(()) | Err(CoreError::Offline(_) | CoreError::Unauthorized(_)) => {}
                Err(e) => tracing::warn!(error = %e, "logout on the server failed"),
            }
        }
        self.services
            .secrets
            .delete(&self.token_name())
            .map_err(|e| CoreError::Platform(e.0))
    }
}
