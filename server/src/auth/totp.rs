//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 6 digits, 30-second
//! steps — what every authenticator app reads from an `otpauth://` URI — plus what goes with them:
//! the base32 secret and the URI, the QR code drawn as SVG, single-use recovery codes and how they
//! are hashed, and the secret sealed at rest (XChaCha20-Poly1305 under a key derived from the
//! server's token key, bound to the user). Pure functions: the clock is passed in, so tests move
//! it (decision 038). What is stored and audited is `services::two_factor`'s.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle_eq::ct_eq;
use uuid::Uuid;

use crate::auth::tokens::TokenKeys;

/// Seconds per step.
pub const STEP_S: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock skew accepted either side of now.
pub const SKEW_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, RFC 4226's recommendation).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer authenticator apps show.
pub const ISSUER: &str = "offduty";

/// HOTP (RFC 4226 §5.3): the `digits`-digit code for `counter` under `secret`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = match <Hmac<Sha1> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes any key length"),
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits.min(9))
}

/// The step `now` falls in (Unix time / 30 s).
pub fn step_at(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_S)
}

/// The 6-digit code of `step`, zero-padded.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The code an authenticator app shows at `now`.
pub fn code_at(secret: &[u8], now: DateTime<Utc>) -> String {
    code_for_step(secret, step_at(now))
}

/// What a person typed, as a TOTP code: exactly six digits once spaces are removed.
pub fn normalize_code(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The step whose code `code` is, within [`SKEW_STEPS`] of `now`; compared in constant time.
/// Whether the step was already used is the caller's question.
pub fn matching_step(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = normalize_code(code)?;
    let now_step = step_at(now);
    let mut found = None;
    for step in now_step - SKEW_STEPS..=now_step + SKEW_STEPS {
        // Every candidate is computed and compared, whichever matches.
        if ct_eq(code_for_step(secret, step).as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// The secret as authenticator apps take it: base32 (RFC 4648), no padding.
pub fn base32(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// `otpauth://totp/offduty:<email>?secret=…&issuer=offduty` (Google Authenticator's key URI
/// format; SHA-1, 6 digits and 30 s are its defaults).
pub fn otpauth_uri(email: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}",
        uri_encode(email),
        base32(secret)
    )
}

/// Percent-encodes all but unreserved characters and `@`.
fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `data` as a QR code drawn as an SVG element (dark modules as one path, a quiet zone of four
/// modules), to put inline in a page: no script, no style attribute, nothing the CSP refuses.
/// `None` when `data` does not fit a QR code.
pub fn qr_svg(data: &str, label: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let label: String = label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"' | '\''))
        .collect();
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" \
         width=\"{px}\" height=\"{px}\" role=\"img\" aria-label=\"{label}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>",
        px = size * 5,
    ))
}

/// New recovery codes: 80 random bits each, base32 in four groups (`ABCD-EFGH-IJKL-MNOP`;
/// base32 has no 0, 1 or 8, so nothing reads as something else in capitals).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut b);
            let s = BASE32_NOPAD.encode(&b);
            s.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What a person typed, as a recovery code: 16 base32 characters once spaces and dashes are
/// removed, upper-cased, and the digits base32 lacks read as the letters they look like
/// (0 → O, 1 → I, 8 → B).
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            '0' => 'O',
            '1' => 'I',
            '8' => 'B',
            c => c,
        })
        .collect();
    (s.len() == 16 && BASE32_NOPAD.decode(s.as_bytes()).is_ok()).then_some(s)
}

/// What the database keeps of a recovery code: a SHA-256 bound to its user. The code carries
/// 80 random bits, so the hash cannot be searched back to it.
pub fn recovery_code_hash(user_id: Uuid, normalized: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"offduty recovery code v1\n");
    h.update(user_id.to_string().as_bytes());
    h.update(b"\n");
    h.update(normalized.as_bytes());
    hex::encode(h.finalize())
}

const SEAL_PREFIX: &str = "v1.";

/// Seals and opens TOTP secrets at rest with a key derived from the server's token key.
#[derive(Clone)]
pub struct SecretSeal {
    cipher: XChaCha20Poly1305,
}

impl SecretSeal {
    /// The seal under `keys` (a key of its own, derived for this purpose only).
    pub fn new(keys: &TokenKeys) -> Self {
        Self::for_purpose(keys, "totp secret seal v1")
    }

    /// A seal with a key derived for `purpose` only (officers' bank account numbers use
    /// "deposit account seal v1"), so one purpose's sealed values never open under another's.
    pub fn for_purpose(keys: &TokenKeys, purpose: &str) -> Self {
        let key = keys.derive_key(purpose);
        SecretSeal {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// `secret` sealed for `user_id`: `v1.` and base64url of a random 24-byte nonce and the
    /// ciphertext. The user id is authenticated data, so a sealed secret moved to another
    /// user's row does not open.
    pub fn seal(&self, user_id: Uuid, secret: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = user_id.to_string();
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        use base64::Engine;
        format!(
            "{SEAL_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
        )
    }

    /// The secret sealed in `stored` for `user_id`, or None when it does not open (another
    /// key, another user, or altered).
    pub fn open(&self, user_id: Uuid, stored: &str) -> Option<Vec<u8>> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(stored.strip_prefix(SEAL_PREFIX)?)
            .ok()?;
        if raw.len() < 24 + 16 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        let aad = user_id.to_string();
        self.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }
}

mod subtle_eq {
    /// Constant-time equality of two byte strings of the same length.
    pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; codes
    /// have 8 digits.
    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        let seed = b"12345678901234567890";
        let vectors: [(i64, u32); 6] = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (t, expected) in vectors {
            let now = Utc.timestamp_opt(t, 0).unwrap();
            let step = u64::try_from(step_at(now)).unwrap();
            assert_eq!(hotp(seed, step, 8), expected, "T = {t}");
            // The 6-digit code is the same number's last six digits.
            assert_eq!(
                code_at(seed, now),
                format!("{:06}", expected % 1_000_000),
                "T = {t}"
            );
        }
    }

    /// RFC 4226 Appendix D: HOTP of the same seed for counters 0–9.
    #[test]
    fn rfc_4226_appendix_d_hotp_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), *code);
        }
    }

    #[test]
    fn one_step_of_skew_is_accepted_and_two_are_not() {
        let secret = b"12345678901234567890";
        let now = Utc.timestamp_opt(1_111_111_111, 0).unwrap();
        let step = step_at(now);
        for delta in -1..=1 {
            let code = code_for_step(secret, step + delta);
            assert_eq!(matching_step(secret, &code, now), Some(step + delta));
        }
        for delta in [-2, 2] {
            let code = code_for_step(secret, step + delta);
            assert_eq!(matching_step(secret, &code, now), None, "delta {delta}");
        }
        let spaced = format!(
            "{} {}",
            &code_at(secret, now)[..3],
            &code_at(secret, now)[3..]
        );
        assert_eq!(matching_step(secret, &spaced, now), Some(step));
        for bad in ["", "12345", "1234567", "abcdef", "１２３４５６", "12 34 5"] {
            assert_eq!(matching_step(secret, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn the_uri_names_the_issuer_account_and_base32_secret() {
        let secret = b"12345678901234567890";
        assert_eq!(base32(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            otpauth_uri("ana@columbus.test", secret),
            "otpauth://totp/offduty:ana@columbus.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=offduty"
        );
        assert_eq!(
            otpauth_uri("a b+c@x.test", secret),
            "otpauth://totp/offduty:a%20b%2Bc@x.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=offduty"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_without_script_or_style() {
        let svg = qr_svg(
            "otpauth://totp/offduty:a@b.test?secret=ABC&issuer=offduty",
            "QR <code>",
        )
        .unwrap();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        for banned in ["<script", "style=", "<style", "<code>"] {
            assert!(!svg.contains(banned), "{banned}");
        }
        assert!(svg.contains("M4 4h1v1h-1z"), "a finder pattern's corner");
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 19);
        let n = normalize_recovery_code(c).unwrap();
        assert_eq!(normalize_recovery_code(&c.to_lowercase()), Some(n.clone()));
        assert_eq!(
            normalize_recovery_code("oibq-aaaa-aaaa-aaaa"),
            normalize_recovery_code("01 8Q AAAA AAAA AAAA")
        );
        assert_eq!(
            normalize_recovery_code(&c.replace('-', " ")),
            Some(n.clone())
        );
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(normalize_recovery_code("abcd-efgh-ijkl-mno9"), None);
        let u = Uuid::new_v4();
        assert_ne!(
            recovery_code_hash(u, &n),
            recovery_code_hash(Uuid::new_v4(), &n)
        );
        assert_eq!(recovery_code_hash(u, &n).len(), 64);
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_and_key() {
        let keys = TokenKeys::new([7; 32]);
        let seal = SecretSeal::new(&keys);
        let (u, other) = (Uuid::new_v4(), Uuid::new_v4());
        let secret = new_secret();
        let stored = seal.seal(u, &secret);
        assert!(!stored.contains(&base32(&secret)));
        assert_ne!(seal.seal(u, &secret), stored, "a fresh nonce each time");
        assert_eq!(seal.open(u, &stored), Some(secret.clone()));
        assert_eq!(seal.open(other, &stored), None);
        assert_eq!(
            SecretSeal::new(&TokenKeys::new([8; 32])).open(u, &stored),
            None
        );
        let mut tampered = stored.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(seal.open(u, &String::from_utf8(tampered).unwrap()), None);
        assert_eq!(seal.open(u, "v1.short"), None);
        assert_eq!(seal.open(u, "garbage"), None);
    }
}
