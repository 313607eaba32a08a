//! Where tokens and the device's signing key live: the OS keyring when a keyring service
//! answers (checked with a set/get/delete probe), else a 0600 file in the data directory.
//! `OFFDUTY_SECRETS=file|keyring` forces one. The signing key is loaded only when first used,
//! so read-only commands never create one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use offduty_core::platform::{
    FileSecretStore, KeyringSecretStore, PlatformError, SecretStore, Signer, SoftwareSigner,
};

use crate::error::{CliError, Result};

/// The keyring service name.
pub const SERVICE: &str = "offduty";
/// How long the keyring probe may take before the keyring counts as unavailable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The chosen store and how to describe it.
pub struct Selected {
    pub store: Arc<dyn SecretStore>,
    /// `OS keyring` or `file ~/.local/share/offduty/secrets.json (0600) — no keyring service`.
    pub description: String,
    /// `keyring` or `file`.
    pub kind: &'static str,
}

/// Picks the secret store for `data_dir` (see the module docs).
pub fn select(data_dir: &Path) -> Result<Selected> {
    let forced = std::env::var("OFFDUTY_SECRETS").unwrap_or_default();
    match forced.trim().to_ascii_lowercase().as_str() {
        "file" => Ok(file_store(data_dir, "OFFDUTY_SECRETS=file")),
        "keyring" => keyring_store().map_err(|why| {
            CliError::failure(format!(
                "OFFDUTY_SECRETS=keyring, but the OS keyring is unavailable: {why}"
            ))
        }),
        "" | "auto" => {
            Ok(keyring_store().unwrap_or_else(|_| file_store(data_dir, "no keyring service")))
        }
        other => Err(CliError::bad_input(format!(
            "OFFDUTY_SECRETS={other:?}: use `file` or `keyring` (or leave it unset)"
        ))),
    }
}

fn file_store(data_dir: &Path, why: &str) -> Selected {
    let path = data_dir.join("secrets.json");
    Selected {
        description: format!("file {} (0600) — {why}", tilde(&path)),
        store: Arc::new(FileSecretStore::new(path)),
        kind: "file",
    }
}

/// The OS keyring, if it works: the store initialises, and a probe secret can be written,
/// read back and deleted (on a headless Linux the Secret Service is not running).
fn keyring_store() -> Result<Selected, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    // The probe runs on its own thread: a keyring service that never answers must not hang
    // the command (the thread is abandoned; the process exits without waiting for it).
    std::thread::spawn(move || {
        let _ = tx.send(probe());
    });
    let store = rx
        .recv_timeout(PROBE_TIMEOUT)
        .map_err(|_| "the keyring service did not answer".to_string())??;
    Ok(Selected {
        store,
        description: "OS keyring".into(),
        kind: "keyring",
    })
}

fn probe() -> Result<Arc<dyn SecretStore>, String> {
    // Sets keyring-core's default store to the platform's (Secret Service, Keychain, …).
    if let Err(e) = keyring::Entry::store_status() {
        return Err(e.to_string());
    }
    let store = KeyringSecretStore::new(SERVICE).map_err(|e| e.0)?;
    let name = format!("probe-{}", uuid::Uuid::new_v4().simple());
    store.set(&name, "ok").map_err(|e| e.0)?;
    let back = store.get(&name).map_err(|e| e.0);
    let _ = store.delete(&name);
    match back? {
        Some(v) if v == "ok" => Ok(Arc::new(store)),
        _ => Err("the keyring did not return what was stored".into()),
    }
}

/// `~/…` for paths under the home directory.
pub fn tilde(path: &Path) -> String {
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && !home.as_os_str().is_empty()
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// The name the device's signing key is stored under: one key per data directory (a data
/// directory is one "device" with its own event chain).
pub fn signing_key_name(data_dir: &Path) -> String {
    format!("device-key:{}", data_dir.display())
}

/// A software P-256 key from the secret store, loaded (or created) on first use.
pub struct LazySigner {
    store: Arc<dyn SecretStore>,
    name: String,
    key: OnceLock<SoftwareSigner>,
    init: Mutex<()>,
}

impl LazySigner {
    pub fn new(store: Arc<dyn SecretStore>, name: String) -> LazySigner {
        LazySigner {
            store,
            name,
            key: OnceLock::new(),
            init: Mutex::new(()),
        }
    }

    fn key(&self) -> Result<&SoftwareSigner, PlatformError> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        // One creator at a time, so two first uses cannot store two different keys.
        let _guard = match self.init.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let loaded = SoftwareSigner::load_or_create(&self.store, &self.name)?;
        Ok(self.key.get_or_init(|| loaded))
    }
}

impl Signer for LazySigner {
    fn public_key(&self) -> Result<String, PlatformError> {
        self.key()?.public_key()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PlatformError> {
        self.key()?.sign(message)
    }
}
