//! Platform services the shell passes in: the signing key (Android Keystore, Secure Enclave, or
//! a software key on desktop), secret storage for tokens, and the device's clocks.

pub mod clock;
pub mod secrets;
pub mod signer;

pub use clock::{DeviceClock, SystemClock};
pub use secrets::{FileSecretStore, KeyringSecretStore, MemorySecretStore, SecretStore};
pub use signer::{Signer, SoftwareSigner};

/// A platform service failed (the message is shown to support staff, not parsed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlatformError(pub String);
