//! Notification preferences, edited offline and pushed on the next sync (last writer wins). An
//! edit the server refuses is kept on the device with the server's reason, like a wedged
//! action: the officer fixes it or discards it; it is never dropped silently.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use offduty_domain::prefs::Preferences;
use offduty_domain::protocol::Problem;

use crate::Core;
use crate::error::{CoreError, Result};
use crate::store::meta::{self, keys};

/// Why the server refused the officer's last edit of their preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefsRefusal {
    /// The server's sentence.
    pub reason: String,
    /// The field at fault (`quiet_hours[2].start`), when the server named one.
    pub field: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where the officer's preferences stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PrefsSync {
    /// The server has them.
    Synced,
    /// Edited on this device; sent on the next sync.
    Pending,
    /// The server refused the edit: shown to the officer until they edit again or discard it.
    Refused(PrefsRefusal),
}

impl Core {
    /// The officer's preferences (the defaults until the first sync), with local edits.
    pub fn preferences(&self) -> Result<Preferences> {
        Ok(self
            .store
            .read(|c| meta::get_json(c, keys::PREFERENCES))?
            .unwrap_or_default())
    }

    /// Whether the preferences shown are the server's, waiting to be sent, or refused.
    pub fn preferences_sync(&self) -> Result<PrefsSync> {
        self.store.read(|c| {
            if let Some(refusal) = meta::get_json::<PrefsRefusal>(c, keys::PREFERENCES_REFUSED)? {
                return Ok(PrefsSync::Refused(refusal));
            }
            Ok(match meta::get(c, keys::PREFERENCES_DIRTY)? {
                Some(_) => PrefsSync::Pending,
                None => PrefsSync::Synced,
            })
        })
    }

    /// Changes the preferences locally; they reach the server on the next sync. A new edit
    /// replaces a refused one.
    pub fn set_preferences(&self, prefs: Preferences) -> Result<()> {
        prefs.validate()?;
        self.store.write(|tx| {
            meta::set_json(tx, keys::PREFERENCES, &prefs)?;
            meta::delete(tx, keys::PREFERENCES_REFUSED)?;
            meta::set(tx, keys::PREFERENCES_DIRTY, "1")
        })
    }

    /// Drops an edit not yet accepted by the server (refused or still pending) and goes back
    /// to the server's last copy. Returns whether there was an edit to drop.
    pub fn discard_preferences_edit(&self) -> Result<bool> {
        self.store.write(|tx| {
            let had = meta::get(tx, keys::PREFERENCES_DIRTY)?.is_some();
            let server: Option<Preferences> = meta::get_json(tx, keys::PREFERENCES_SERVER)?;
            match server {
                Some(p) => meta::set_json(tx, keys::PREFERENCES, &p)?,
                None => meta::delete(tx, keys::PREFERENCES)?,
            }
            meta::delete(tx, keys::PREFERENCES_DIRTY)?;
            meta::delete(tx, keys::PREFERENCES_REFUSED)?;
            Ok(had)
        })
    }

    /// Pushes edited preferences (part of `sync`). A refused edit waits for the officer.
    pub(crate) async fn push_preferences(&self) -> Result<()> {
        let (dirty, refused) = self.store.read(|c| {
            Ok((
                meta::get(c, keys::PREFERENCES_DIRTY)?.is_some(),
                meta::get(c, keys::PREFERENCES_REFUSED)?.is_some(),
            ))
        })?;
        if !dirty || refused {
            return Ok(());
        }
        let prefs = self.preferences()?;
        let token = self.access_token().await?;
        match self.api().put_preferences(&token, &prefs).await {
            Ok(saved) => self.store.write(|tx| {
                meta::set_json(tx, keys::PREFERENCES_SERVER, &saved)?;
                // Only clear the flag if nothing changed locally while the request was out.
                let current: Option<Preferences> = meta::get_json(tx, keys::PREFERENCES)?;
                if current.as_ref().map(|c| (&c.channels, &c.quiet_hours))
                    == Some((&prefs.channels, &prefs.quiet_hours))
                {
                    meta::set_json(tx, keys::PREFERENCES, &saved)?;
                    meta::delete(tx, keys::PREFERENCES_DIRTY)?;
                }
                Ok(())
            }),
            Err(CoreError::Offline(_) | CoreError::Server(_)) => Ok(()),
            Err(CoreError::Http(problem)) => {
                let Problem { detail, field, .. } = *problem;
                tracing::warn!(%detail, "the server refused the preferences; kept for the officer");
                let refusal = PrefsRefusal {
                    reason: detail,
                    field,
                    at: self.services.clock.now(),
                };
                self.store
                    .write(|tx| meta::set_json(tx, keys::PREFERENCES_REFUSED, &refusal))
            }
            Err(e) => Err(e),
        }
    }
}
