//! Which department server the core talks to. It is opened with one (`CoreConfig::server_url`:
//! the shell's default, or the one the officer last signed in to) and may be pointed at another
//! before anyone signs in — the sign-in screen's address field, or a department's sign-in link
//! (docs/decisions/028-sign-in-and-the-server-address.md).

use std::sync::{PoisonError, RwLock};

use sha2::{Digest, Sha256};

use offduty_domain::validation::InvalidCode;

use crate::api::Api;
use crate::error::{CoreError, Result};
use crate::{Core, CoreConfig, apply, outbox};

/// The prefix of this installation's secrets: database file and server together, so secrets of
/// different installations (database files, servers) never collide.
pub(crate) fn secret_prefix(config: &CoreConfig, api: &Api) -> String {
    let digest = Sha256::digest(format!("{}|{}", config.db_path.display(), api.base_url()));
    format!("offduty:{}:", &hex::encode(digest)[..16])
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn write<T>(lock: &RwLock<T>, value: T) {
    *lock.write().unwrap_or_else(PoisonError::into_inner) = value;
}

/// The address an officer typed or a link gave, as the core would use it: trimmed, `https://`
/// added when no scheme is given, no trailing slash, and refused (field `server_url`) unless
/// https — or http to this machine, or with the development setting (see `Api::new`).
pub fn normalize_server_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(CoreError::invalid(
            "server_url",
            InvalidCode::Required,
            "enter your department's server address",
        ));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let api = Api::new(
        &with_scheme,
        std::time::Duration::from_secs(1),
        allow_insecure_http,
    )?;
    Ok(api.base_url().to_string())
}

impl Core {
    /// The server's API (a cheap clone: the HTTP client is shared).
    pub(crate) fn api(&self) -> Api {
        read(&self.api)
    }

    /// The prefix of this installation's secret names.
    pub(crate) fn secret_prefix(&self) -> String {
        read(&self.secret_prefix)
    }

    /// The address as [`Core::use_server`] would take it (see [`normalize_server_url`]), without
    /// switching: a form can show a bad address before the officer submits.
    pub fn check_server_url(&self, raw: &str) -> Result<String> {
        normalize_server_url(raw, self.config.allow_insecure_http)
    }

    /// Points the core at another department server, before anyone signs in. Returns whether
    /// the server changed (the same address, normalized, is no change). Refused (field
    /// `server_url`) while an officer is signed in, while actions wait to be sent (they are
    /// the current server's), during a sync, or for an address `Api::new` refuses. A new server
    /// starts from an empty cache: everything the phone held came from the other one.
    pub fn use_server(&self, url: &str) -> Result<bool> {
        let url = normalize_server_url(url, self.config.allow_insecure_http)?;
        if url == self.api().base_url() {
            return Ok(false);
        }
        let refuse = |why: &str| {
            Err(CoreError::invalid(
                "server_url",
                InvalidCode::Inconsistent,
                why,
            ))
        };
        let Ok(_no_sync) = self.sync_lock.try_lock() else {
            return refuse("a sync is running; try again in a moment");
        };
        if self.session()?.is_some() {
            return refuse("sign out before changing the server");
        }
        let pending = self.store.read(outbox::count_pending)?;
        if pending > 0 {
            return refuse(&format!(
                "{pending} unsent action(s) on this device belong to the current server; \
                 sign in there and sync first"
            ));
        }
        let api = Api::new(
            &url,
            self.config.http_timeout,
            self.config.allow_insecure_http,
        )?;
        self.store.write(|tx| apply::forget_officer(tx))?;
        write(&self.secret_prefix, secret_prefix(&self.config, &api));
        write(&self.api, api);
        tracing::info!(server = %url, "now talking to another department server");
        Ok(true)
    }
}
