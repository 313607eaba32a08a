//! Foreign traits the platform implements, and their adapters to the core's traits. A foreign
//! implementation that throws becomes a `PlatformError` (or is logged, for the observer) —
//! never a crash of the core.

use std::sync::Arc;

use offduty_core::platform as core_platform;

use crate::error::PlatformError;
use crate::types::{SyncChange, SyncProgress};

/// The device's P-256 signing key (Android Keystore / StrongBox, iOS Secure Enclave). The
/// private key never leaves the platform.
#[uniffi::export(foreign)]
pub trait Signer: Send + Sync {
    /// The public key: base64 SubjectPublicKeyInfo DER (`PublicKey.getEncoded()` on Android),
    /// base64 SEC1 point (`SecKeyCopyExternalRepresentation` on iOS), or PEM.
    fn public_key(&self) -> Result<String, PlatformError>;
    /// ECDSA P-256 / SHA-256 signature over `message` (`SHA256withECDSA`): DER or raw r‖s.
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// Secret storage for session tokens (Android Keystore-encrypted preferences, iOS Keychain).
#[uniffi::export(foreign)]
pub trait SecretStore: Send + Sync {
    /// The secret stored under `name`, or `null`.
    fn get(&self, name: String) -> Result<Option<String>, PlatformError>;
    /// Stores (replaces) a secret.
    fn set(&self, name: String, value: String) -> Result<(), PlatformError>;
    /// Removes a secret; absent is fine.
    fn delete(&self, name: String) -> Result<(), PlatformError>;
}

/// The device's clocks (Android `System.currentTimeMillis` / `SystemClock.elapsedRealtime`;
/// iOS `Date()` / `clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW)`, which keeps counting while the
/// phone sleeps — `ProcessInfo.systemUptime` does not). Optional: without it the host's are
/// used. A method that throws falls back to the host's clock for that reading.
#[uniffi::export(foreign)]
pub trait DeviceClock: Send + Sync {
    /// Wall-clock time, milliseconds since the Unix epoch.
    fn now_ms(&self) -> Result<i64, PlatformError>;
    /// Milliseconds since boot, including sleep.
    fn monotonic_ms(&self) -> Result<u64, PlatformError>;
    /// Identifies the current boot.
    fn boot_id(&self) -> Result<String, PlatformError>;
}

/// Receives sync progress and changes, on a background thread (hop to the UI thread).
#[uniffi::export(foreign)]
pub trait SyncObserver: Send + Sync {
    /// Progress of the running sync.
    fn on_progress(&self, progress: SyncProgress) -> Result<(), PlatformError>;
    /// Something changed locally after a pull: re-read what is on screen.
    fn on_change(&self, change: SyncChange) -> Result<(), PlatformError>;
}

fn core_err(e: PlatformError) -> core_platform::PlatformError {
    match e {
        PlatformError::Failed { detail } => core_platform::PlatformError(detail),
    }
}

/// Adapts a foreign signer to the core.
pub(crate) struct SignerAdapter(pub Arc<dyn Signer>);

impl core_platform::Signer for SignerAdapter {
    fn public_key(&self) -> Result<String, core_platform::PlatformError> {
        self.0.public_key().map_err(core_err)
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, core_platform::PlatformError> {
        self.0.sign(message.to_vec()).map_err(core_err)
    }
}

/// Adapts a foreign secret store to the core.
pub(crate) struct SecretsAdapter(pub Arc<dyn SecretStore>);

impl core_platform::SecretStore for SecretsAdapter {
    fn get(&self, name: &str) -> Result<Option<String>, core_platform::PlatformError> {
        self.0.get(name.to_string()).map_err(core_err)
    }
    fn set(&self, name: &str, value: &str) -> Result<(), core_platform::PlatformError> {
        self.0
            .set(name.to_string(), value.to_string())
            .map_err(core_err)
    }
    fn delete(&self, name: &str) -> Result<(), core_platform::PlatformError> {
        self.0.delete(name.to_string()).map_err(core_err)
    }
    fn describe(&self) -> String {
        "platform secret store".into()
    }
}

/// Adapts a foreign clock to the core; a reading that fails comes from the host instead (and
/// is logged) — a clock must always answer.
pub(crate) struct ClockAdapter {
    pub platform: Arc<dyn DeviceClock>,
    pub host: core_platform::SystemClock,
}

impl core_platform::DeviceClock for ClockAdapter {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self.platform.now_ms() {
            Ok(ms) => {
                chrono::DateTime::from_timestamp_millis(ms).unwrap_or_else(|| self.host.now())
            }
            Err(e) => {
                tracing::warn!(error = %e, "platform clock failed; using the host's");
                self.host.now()
            }
        }
    }
    fn monotonic_ms(&self) -> u64 {
        self.platform.monotonic_ms().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "platform monotonic clock failed; using the host's");
            self.host.monotonic_ms()
        })
    }
    fn boot_id(&self) -> String {
        self.platform.boot_id().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "platform boot id failed; using the host's");
            self.host.boot_id()
        })
    }
}

/// Adapts a foreign observer to the core; a throwing observer is logged and ignored.
pub(crate) struct ObserverAdapter(pub Arc<dyn SyncObserver>);

impl offduty_core::sync::SyncObserver for ObserverAdapter {
    fn on_progress(&self, p: &offduty_core::sync::Progress) {
        if let Err(e) = self.0.on_progress(SyncProgress::from(p)) {
            tracing::warn!(error = %e, "sync observer failed on progress; continuing");
        }
    }
    fn on_change(&self, c: &offduty_core::apply::ChangeSummary) {
        if let Err(e) = self.0.on_change(SyncChange::from(c)) {
            tracing::warn!(error = %e, "sync observer failed on change; continuing");
        }
    }
}
