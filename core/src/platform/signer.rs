//! Signing clock events. On phones the key lives in the platform keystore and never leaves it;
//! [`SoftwareSigner`] keeps a P-256 key in a [`SecretStore`] for desktop clients and tests.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use super::{PlatformError, SecretStore};

/// A P-256 signing key held by the platform.
pub trait Signer: Send + Sync {
    /// The public key: base64 of SubjectPublicKeyInfo DER (Android, Java) or of a SEC1 point
    /// (iOS `SecKeyCopyExternalRepresentation`), or PEM.
    fn public_key(&self) -> Result<String, PlatformError>;
    /// ECDSA P-256 with SHA-256 over `message`: DER or raw 64-byte `r‖s`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PlatformError>;
}

/// A software P-256 key, kept (PKCS#8, base64) in a secret store under `name`.
pub struct SoftwareSigner {
    key: SigningKey,
}

impl SoftwareSigner {
    /// Loads the key stored under `name`, or creates and stores a new one.
    pub fn load_or_create(store: &Arc<dyn SecretStore>, name: &str) -> Result<Self, PlatformError> {
        if let Some(b64) = store.get(name)? {
            let der = STANDARD
                .decode(b64.trim())
                .map_err(|e| PlatformError(format!("stored signing key is not base64: {e}")))?;
            let key = SigningKey::from_pkcs8_der(&der)
                .map_err(|e| PlatformError(format!("stored signing key is unreadable: {e}")))?;
            return Ok(SoftwareSigner { key });
        }
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let der = key
            .to_pkcs8_der()
            .map_err(|e| PlatformError(format!("cannot encode the new key: {e}")))?;
        store.set(name, &STANDARD.encode(der.as_bytes()))?;
        Ok(SoftwareSigner { key })
    }

    /// A signer for an existing key (tests).
    pub fn from_key(key: SigningKey) -> Self {
        SoftwareSigner { key }
    }
}

impl Signer for SoftwareSigner {
    fn public_key(&self) -> Result<String, PlatformError> {
        Ok(offduty_domain::timecard::encode_public_key(
            self.key.verifying_key(),
        ))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PlatformError> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self.key.sign(message);
        Ok(sig.to_der().as_bytes().to_vec())
    }
}
