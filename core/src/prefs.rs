//! Notification preferences, edited offline and pushed on the next sync (last writer wins).

use offduty_domain::prefs::Preferences;

use crate::Core;
use crate::error::{CoreError, Result};
use crate::store::meta::{self, keys};

impl Core {
    /// The officer's preferences (the defaults until the first sync).
    pub fn preferences(&self) -> Result<Preferences> {
        Ok(self
            .store
            .read(|c| meta::get_json(c, keys::PREFERENCES))?
            .unwrap_or_default())
    }

    /// Changes the preferences locally; they reach the server on the next sync.
    pub fn set_preferences(&self, prefs: Preferences) -> Result<()> {
        prefs.validate().map_err(|e| {
            let field = e.split(':').next().unwrap_or("preferences").to_string();
            CoreError::Invalid { field, detail: e }
        })?;
        self.store.write(|tx| {
            meta::set_json(tx, keys::PREFERENCES, &prefs)?;
            meta::set(tx, keys::PREFERENCES_DIRTY, "1")
        })
    }

    /// Pushes edited preferences (part of `sync`).
    pub(crate) async fn push_preferences(&self) -> Result<()> {
        let dirty = self.store.read(|c| meta::get(c, keys::PREFERENCES_DIRTY))?;
        if dirty.is_none() {
            return Ok(());
        }
        let prefs = self.preferences()?;
        let token = self.access_token().await?;
        match self.api.put_preferences(&token, &prefs).await {
            Ok(saved) => self.store.write(|tx| {
                // Only clear the flag if nothing changed locally while the request was out.
                let current: Option<offduty_domain::prefs::Preferences> =
                    meta::get_json(tx, keys::PREFERENCES)?;
                if current.as_ref().map(|c| (&c.channels, &c.quiet_hours))
                    == Some((&prefs.channels, &prefs.quiet_hours))
                {
                    meta::set_json(tx, keys::PREFERENCES, &saved)?;
                    meta::delete(tx, keys::PREFERENCES_DIRTY)?;
                }
                Ok(())
            }),
            Err(CoreError::Offline(_) | CoreError::Server(_)) => Ok(()),
            Err(CoreError::Http { detail, .. }) => {
                tracing::warn!(%detail, "server refused the preferences; keeping the server's");
                self.store
                    .write(|tx| meta::delete(tx, keys::PREFERENCES_DIRTY))
            }
            Err(e) => Err(e),
        }
    }
}
