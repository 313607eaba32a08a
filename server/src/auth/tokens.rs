//! Access tokens (HMAC-SHA256 signed claims, 15 minutes, verified without a database read, so
//! any server process can check them) and refresh tokens (random at sign-in, stored hashed,
//! rotated on every use into a successor derived from the token; presenting a used one revokes
//! its whole family, except a retry within the grace window: see [`crate::auth::refresh`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use offduty_domain::protocol::Role;

/// Lifetime of an access token.
pub const ACCESS_TTL: Duration = Duration::minutes(15);
/// Lifetime of a refresh token (each use issues a new one).
pub const REFRESH_TTL: Duration = Duration::days(30);

const ACCESS_PREFIX: &str = "odt1.";
const REFRESH_PREFIX: &str = "odr1.";

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub dept: Uuid,
    pub role: Role,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The user's session epoch when the token was issued: once it moves on (disabled,
    /// password reset, role changed), the token is refused (`auth::sessions`).
    #[serde(default, rename = "ep")]
    pub epoch: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed")]
    Malformed,
    #[error("the access token's signature is invalid")]
    BadSignature,
    #[error("the access token has expired; refresh it (POST /v1/auth/refresh)")]
    Expired,
}

/// The key that signs access tokens, shared by every server process through the database.
#[derive(Clone)]
pub struct TokenKeys {
    key: [u8; 32],
}

impl TokenKeys {
    /// Wraps a 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        TokenKeys { key }
    }

    /// A fresh random key.
    pub fn generate() -> [u8; 32] {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        k
    }

    /// Issues an access token for a user whose sessions were never ended (session epoch 0):
    /// what tests and benchmarks sign in with.
    pub fn issue_access(&self, sub: Uuid, dept: Uuid, role: Role, now: DateTime<Utc>) -> String {
        self.issue_access_at_epoch(sub, dept, role, 0, now)
    }

    /// Issues an access token for the user at their current session epoch.
    pub fn issue_access_at_epoch(
        &self,
        sub: Uuid,
        dept: Uuid,
        role: Role,
        epoch: i64,
        now: DateTime<Utc>,
    ) -> String {
        let claims = AccessClaims {
            sub,
            dept,
            role,
            exp: (now + ACCESS_TTL).timestamp(),
            epoch,
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let mac = URL_SAFE_NO_PAD.encode(self.mac(payload.as_bytes()));
        format!("{ACCESS_PREFIX}{payload}.{mac}")
    }

    /// Verifies an access token's signature and expiry.
    pub fn verify_access(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessClaims, TokenError> {
        let rest = token
            .strip_prefix(ACCESS_PREFIX)
            .ok_or(TokenError::Malformed)?;
        let (payload, mac) = rest.split_once('.').ok_or(TokenError::Malformed)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        let mut m = self.hmac();
        m.update(payload.as_bytes());
        m.verify_slice(&mac).map_err(|_| TokenError::BadSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let claims: AccessClaims =
            serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// The refresh token that replaces `presented` when it is rotated: an HMAC of it under the
    /// server's key, so a refresh retried after a lost response gets the very token the lost
    /// response carried, and a token only ever has one successor (decision 021). Without the
    /// key, a successor cannot be computed from the token; the database stores neither.
    pub fn successor_refresh_token(&self, presented: &str) -> String {
        let mut m = self.hmac();
        m.update(b"offduty refresh successor v1\n");
        m.update(presented.as_bytes());
        format!(
            "{REFRESH_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        )
    }

    /// A tag binding `data` to `purpose` under the server's key (the web console's CSRF
    /// tokens): base64url, and not computable without the key.
    pub fn tag(&self, purpose: &str, data: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.purpose_mac(purpose, data).finalize().into_bytes())
    }

    /// Whether `tag` is [`Self::tag`] of `purpose` and `data`, compared in constant time.
    pub fn verify_tag(&self, purpose: &str, data: &str, tag: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(tag.trim()) {
            Ok(bytes) => self.purpose_mac(purpose, data).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }

    /// A 32-byte key for `purpose` alone, derived from the server's key (HMAC-SHA256 as a PRF,
    /// domain-separated from tags and tokens): what seals TOTP secrets at rest.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        let mut m = self.hmac();
        m.update(b"offduty derived key v1\n");
        m.update(purpose.as_bytes());
        m.finalize().into_bytes().into()
    }

    fn purpose_mac(&self, purpose: &str, data: &str) -> Hmac<Sha256> {
        let mut m = self.hmac();
        m.update(b"offduty tag v1\n");
        m.update(purpose.as_bytes());
        m.update(b"\n");
        m.update(data.as_bytes());
        m
    }

    fn hmac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; this cannot fail.
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes any key length"),
        }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut m = self.hmac();
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }
}

/// A new random refresh token (what the client keeps).
pub fn new_refresh_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(b))
}

/// What the database keeps of a refresh token: its SHA-256, never the token.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_verify_only_for_their_purpose_data_and_key() {
        let k = TokenKeys::new([7; 32]);
        let t = k.tag("csrf", "session-a");
        assert!(k.verify_tag("csrf", "session-a", &t));
        assert!(!k.verify_tag("csrf", "session-b", &t));
        assert!(!k.verify_tag("other", "session-a", &t));
        assert!(!TokenKeys::new([8; 32]).verify_tag("csrf", "session-a", &t));
        assert!(!k.verify_tag("csrf", "session-a", ""));
        assert!(!k.verify_tag("csrf", "session-a", "not base64 !"));
    }

    #[test]
    fn access_token_round_trips_and_expires() {
        let k = TokenKeys::new([7; 32]);
        let now = Utc::now();
        let (u, d) = (Uuid::new_v4(), Uuid::new_v4());
        let t = k.issue_access(u, d, Role::Officer, now);
        let c = k.verify_access(&t, now).unwrap();
        assert_eq!((c.sub, c.dept, c.role), (u, d, Role::Officer));
        assert_eq!(
            k.verify_access(&t, now + ACCESS_TTL),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn forged_or_foreign_tokens_are_refused() {
        let k = TokenKeys::new([7; 32]);
        let now = Utc::now();
        let t = k.issue_access(Uuid::new_v4(), Uuid::new_v4(), Role::Officer, now);
        let other = TokenKeys::new([8; 32]);
        assert_eq!(other.verify_access(&t, now), Err(TokenError::BadSignature));
        // Swap the payload for one claiming the coordinator role.
        let forged_claims = AccessClaims {
            sub: Uuid::new_v4(),
            dept: Uuid::new_v4(),
            role: Role::Coordinator,
            exp: now.timestamp() + 600,
            epoch: 0,
        };
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).unwrap());
        let mac = t.rsplit_once('.').unwrap().1;
        let forged = format!("{ACCESS_PREFIX}{forged_payload}.{mac}");
        assert_eq!(k.verify_access(&forged, now), Err(TokenError::BadSignature));
        assert_eq!(k.verify_access("garbage", now), Err(TokenError::Malformed));
        assert_eq!(
            k.verify_access("odt1.a.b!", now),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_refresh_token_has_one_successor_that_only_the_key_holder_can_compute() {
        let k = TokenKeys::new([7; 32]);
        let t = new_refresh_token();
        let s = k.successor_refresh_token(&t);
        assert_eq!(
            s,
            k.successor_refresh_token(&t),
            "a retry gets the same successor"
        );
        assert!(s.starts_with(REFRESH_PREFIX) && s.len() == t.len());
        assert_ne!(s, t);
        assert_ne!(k.successor_refresh_token(&s), s, "the chain moves on");
        assert_ne!(TokenKeys::new([8; 32]).successor_refresh_token(&t), s);
        assert_ne!(k.successor_refresh_token(&new_refresh_token()), s);
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_ne!(hash_refresh_token(&a), a);
    }
}
