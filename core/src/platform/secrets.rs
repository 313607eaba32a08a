//! Secret storage for tokens and (on desktop) the signing key — never the SQLite file. Phones
//! pass their Keychain / Keystore-backed store; desktop clients use the OS keyring through
//! `keyring-core` where a keyring service runs, else a file readable only by the user.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::PlatformError;

/// Named secrets.
pub trait SecretStore: Send + Sync {
    /// The secret stored under `name`, if any.
    fn get(&self, name: &str) -> Result<Option<String>, PlatformError>;
    /// Stores (replaces) a secret.
    fn set(&self, name: &str, value: &str) -> Result<(), PlatformError>;
    /// Removes a secret (absent is fine).
    fn delete(&self, name: &str) -> Result<(), PlatformError>;
    /// Where secrets go, for the user ("OS keyring", "file ~/.config/offduty/secrets.json (0600)").
    fn describe(&self) -> String;
}

/// Secrets in memory (tests; nothing persists).
#[derive(Default)]
pub struct MemorySecretStore {
    map: Mutex<BTreeMap<String, String>>,
}

impl MemorySecretStore {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        match self.map.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, name: &str) -> Result<Option<String>, PlatformError> {
        Ok(self.map().get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), PlatformError> {
        self.map().insert(name.to_string(), value.to_string());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), PlatformError> {
        self.map().remove(name);
        Ok(())
    }
    fn describe(&self) -> String {
        "memory (not persisted)".into()
    }
}

/// Secrets in a JSON file created with mode 0600 (owner only), replaced atomically.
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    /// A store in `path` (created on first write; its directory is created with mode 0700).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSecretStore {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn read_all(&self) -> Result<BTreeMap<String, String>, PlatformError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| PlatformError(format!("{} is unreadable: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(PlatformError(format!("{}: {e}", self.path.display()))),
        }
    }

    fn write_all(&self, map: &BTreeMap<String, String>) -> Result<(), PlatformError> {
        let io = |e: std::io::Error| PlatformError(format!("{}: {e}", self.path.display()));
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir).map_err(io)?;
        }
        let tmp = self.path.with_extension("tmp");
        let bytes = serde_json::to_vec_pretty(map).map_err(|e| PlatformError(e.to_string()))?;
        write_private(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        Ok(())
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        match self.lock.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // A leftover file would keep its own mode: start from a fresh one, created 0600.
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

impl SecretStore for FileSecretStore {
    fn get(&self, name: &str) -> Result<Option<String>, PlatformError> {
        let _g = self.guard();
        Ok(self.read_all()?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), PlatformError> {
        let _g = self.guard();
        let mut map = self.read_all()?;
        map.insert(name.to_string(), value.to_string());
        self.write_all(&map)
    }
    fn delete(&self, name: &str) -> Result<(), PlatformError> {
        let _g = self.guard();
        let mut map = self.read_all()?;
        if map.remove(name).is_some() {
            self.write_all(&map)?;
        }
        Ok(())
    }
    fn describe(&self) -> String {
        format!("file {} (mode 0600)", self.path.display())
    }
}

/// Secrets in the credential store `keyring-core` is configured with (the OS keyring on a
/// desktop; the mock store in tests), under one service name.
pub struct KeyringSecretStore {
    service: String,
}

impl KeyringSecretStore {
    /// A store under `service` (e.g. `offduty`). Fails when no credential store is configured.
    pub fn new(service: &str) -> Result<Self, PlatformError> {
        if keyring_core::get_default_store().is_none() {
            return Err(PlatformError(
                "no keyring credential store is configured".into(),
            ));
        }
        Ok(KeyringSecretStore {
            service: service.to_string(),
        })
    }

    fn entry(&self, name: &str) -> Result<keyring_core::Entry, PlatformError> {
        keyring_core::Entry::new(&self.service, name)
            .map_err(|e| PlatformError(format!("keyring: {e}")))
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, name: &str) -> Result<Option<String>, PlatformError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(PlatformError(format!("keyring: {e}"))),
        }
    }
    fn set(&self, name: &str, value: &str) -> Result<(), PlatformError> {
        self.entry(name)?
            .set_password(value)
            .map_err(|e| PlatformError(format!("keyring: {e}")))
    }
    fn delete(&self, name: &str) -> Result<(), PlatformError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(PlatformError(format!("keyring: {e}"))),
        }
    }
    fn describe(&self) -> String {
        format!("OS keyring (service {:?})", self.service)
    }
}
