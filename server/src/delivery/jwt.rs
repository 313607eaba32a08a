//! The signed JSON Web Tokens the push providers want (RFC 7515/7519, compact form):
//! RS256 for Google's OAuth2 JWT bearer grant (FCM's access token, from the service account's
//! RSA key) and ES256 for APNs' provider token (the `.p8` P-256 key from Apple). Signing only;
//! the test servers verify.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

/// A key that cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not PEM (-----BEGIN PRIVATE KEY-----)")]
    NotPem,
    #[error("the key is not a PKCS#8 {0} private key")]
    Rejected(&'static str),
    #[error("signing failed")]
    Sign,
}

/// The DER inside a PEM block (PKCS#8 `PRIVATE KEY`).
pub fn pem_to_der(pem: &str) -> Result<Vec<u8>, KeyError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    if !pem.contains("-----BEGIN") || body.is_empty() {
        return Err(KeyError::NotPem);
    }
    STANDARD.decode(body).map_err(|_| KeyError::NotPem)
}

fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// An RSA private key that signs RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
pub struct Rs256Key(aws_lc_rs::signature::RsaKeyPair);

impl std::fmt::Debug for Rs256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rs256Key([redacted])")
    }
}

impl Rs256Key {
    /// From a PKCS#8 PEM (a Google service account's `private_key`).
    pub fn from_pem(pem: &str) -> Result<Rs256Key, KeyError> {
        let der = pem_to_der(pem)?;
        aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der)
            .map(Rs256Key)
            .map_err(|_| KeyError::Rejected("RSA"))
    }

    /// `header.claims.signature` with `{"alg":"RS256","typ":"JWT"}`.
    pub fn sign(&self, claims: &Value) -> Result<String, KeyError> {
        let input = signing_input(&serde_json::json!({"alg": "RS256", "typ": "JWT"}), claims);
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.0.public_modulus_len()];
        self.0
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &rng,
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| KeyError::Sign)?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }
}

/// A P-256 private key that signs ES256 (ECDSA with SHA-256, `r‖s` as JWS wants).
pub struct Es256Key(p256::ecdsa::SigningKey);

impl std::fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Es256Key([redacted])")
    }
}

impl Es256Key {
    /// From a PKCS#8 PEM (Apple's `AuthKey_XXXXXXXXXX.p8`).
    pub fn from_pem(pem: &str) -> Result<Es256Key, KeyError> {
        use p256::pkcs8::DecodePrivateKey;
        p256::ecdsa::SigningKey::from_pkcs8_pem(pem.trim())
            .map(Es256Key)
            .map_err(|_| KeyError::Rejected("P-256"))
    }

    /// `header.claims.signature` with `{"alg":"ES256","kid":key_id}`.
    pub fn sign(&self, key_id: &str, claims: &Value) -> Result<String, KeyError> {
        use p256::ecdsa::signature::Signer;
        let input = signing_input(&serde_json::json!({"alg": "ES256", "kid": key_id}), claims);
        let sig: p256::ecdsa::Signature = self.0.sign(input.as_bytes());
        Ok(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(sig.to_bytes())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_print_and_garbage_is_refused() {
        assert_eq!(Rs256Key::from_pem("nope").unwrap_err(), KeyError::NotPem);
        assert_eq!(
            Es256Key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .unwrap_err(),
            KeyError::Rejected("P-256")
        );
        use p256::pkcs8::EncodePrivateKey;
        let k = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let pem = k.to_pkcs8_pem(Default::default()).unwrap();
        let key = Es256Key::from_pem(&pem).unwrap();
        assert_eq!(format!("{key:?}"), "Es256Key([redacted])");
        let jwt = key.sign("KID", &serde_json::json!({"iss": "T"})).unwrap();
        assert_eq!(jwt.split('.').count(), 3);
    }
}
