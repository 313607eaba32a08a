//! Signed, hash-chained clock events: canonical bytes, ECDSA P-256 signatures, sequence checks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::der::Decode as _;
use p256::pkcs8::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::punch::LocationFix;

/// `prev_hash` of a device's first event: 64 `0` characters.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separator and format version that starts [`ClockEvent::canonical_bytes`].
const CANONICAL_HEADER: &str = "offduty.clock-event.v1\n";

/// `id-ecPublicKey` (RFC 5480).
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1` (RFC 5480).
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// DER of `SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 }` up to the 65-byte point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Clock-in or clock-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PunchKind {
    /// Clock-in: the officer starts working the job.
    In,
    /// Clock-out: the officer stops working the job.
    Out,
}

impl PunchKind {
    /// The word used in the canonical bytes: `in` or `out`.
    pub fn as_str(self) -> &'static str {
        match self {
            PunchKind::In => "in",
            PunchKind::Out => "out",
        }
    }
}

/// A location fix in fixed point, exactly as signed (no float formatting in the signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFix {
    /// Latitude in 1e-7 degrees.
    pub lat_e7: i64,
    /// Longitude in 1e-7 degrees.
    pub lon_e7: i64,
    /// Horizontal accuracy in centimetres.
    pub accuracy_cm: i64,
    /// When the fix was taken (UTC).
    pub fix_time: DateTime<Utc>,
    /// Location provider as the OS names it (`gps`, `fused`, …), 1 to 32 characters.
    pub provider: String,
    /// The OS says the location comes from a mock provider or simulator.
    pub is_mock: bool,
}

impl EventFix {
    /// Converts a fix to fixed point: degrees × 1e7 and metres × 100, rounded half away from
    /// zero. Callers validate the fix first; non-finite values do not panic: NaN becomes 0 and
    /// ±∞ or out-of-range values saturate at `i64::MIN`/`i64::MAX`.
    pub fn from_fix(fix: &LocationFix) -> EventFix {
        EventFix {
            lat_e7: to_fixed(fix.lat, 1e7),
            lon_e7: to_fixed(fix.lon, 1e7),
            accuracy_cm: to_fixed(fix.accuracy_m, 100.0),
            fix_time: fix.fix_time,
            provider: fix.provider.clone(),
            is_mock: fix.is_mock,
        }
    }

    /// Converts back to degrees and metres (exact to the fixed-point resolution).
    pub fn to_fix(&self) -> LocationFix {
        LocationFix {
            lat: self.lat_e7 as f64 / 1e7,
            lon: self.lon_e7 as f64 / 1e7,
            accuracy_m: self.accuracy_cm as f64 / 100.0,
            fix_time: self.fix_time,
            provider: self.provider.clone(),
            is_mock: self.is_mock,
        }
    }
}

/// `value × scale`, rounded half away from zero; `as` saturates and maps NaN to 0.
fn to_fixed(value: f64, scale: f64) -> i64 {
    (value * scale).round() as i64
}

/// One punch, as the device signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockEvent {
    /// Unique id of this event, chosen by the device.
    pub event_id: Uuid,
    /// The enrolled device (and key) that signed the event.
    pub device_id: Uuid,
    /// The officer who punched.
    pub officer_id: Uuid,
    /// The job worked.
    pub job_id: Uuid,
    /// Clock-in or clock-out.
    pub kind: PunchKind,
    /// Per-device sequence number, starting at 1, +1 for every event.
    pub seq: u64,
    /// Lowercase hex SHA-256 of the previous event's canonical bytes (64 zeros for the first).
    pub prev_hash: String,
    /// Where the device was, in fixed point.
    pub fix: EventFix,
    /// The device's wall clock at the punch.
    pub device_time: DateTime<Utc>,
    /// Milliseconds since the device booted, at the punch.
    pub monotonic_ms: u64,
    /// Identifies the boot `monotonic_ms` counts from.
    pub boot_id: String,
}

impl ClockEvent {
    /// The bytes that are hashed and signed (format `offduty.clock-event.v1`).
    ///
    /// UTF-8 text: the line `offduty.clock-event.v1\n`, then one line per field, in this
    /// order, each written `name=<len>:<value>\n` where `<len>` is the byte length of the
    /// UTF-8 `<value>` in decimal (so a value may contain `\n` or `=` without ambiguity):
    ///
    /// | name | value |
    /// |---|---|
    /// | `event_id`, `device_id`, `officer_id`, `job_id` | uuid, lowercase hyphenated (36 bytes) |
    /// | `kind` | `in` or `out` |
    /// | `seq` | decimal |
    /// | `prev_hash` | as given (64 lowercase hex characters once validated) |
    /// | `fix.lat_e7`, `fix.lon_e7`, `fix.accuracy_cm` | decimal, `-` sign if negative, no `+` |
    /// | `fix.fix_time` | RFC 3339 UTC, 9 fraction digits, `Z`: `2025-03-14T21:59:58.250000000Z` |
    /// | `fix.provider` | as given |
    /// | `fix.is_mock` | `true` or `false` |
    /// | `device_time` | as `fix.fix_time` |
    /// | `monotonic_ms` | decimal |
    /// | `boot_id` | as given |
    ///
    /// There is nothing after the last `\n`. Example: `kind=2:in\n`, `seq=2:42\n`.
    /// A change to this format needs a new version line, never an edit of `v1`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(640);
        out.push_str(CANONICAL_HEADER);
        let mut field = |name: &str, value: &str| {
            out.push_str(name);
            out.push('=');
            out.push_str(&value.len().to_string());
            out.push(':');
            out.push_str(value);
            out.push('\n');
        };
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Nanos, true);
        field("event_id", &self.event_id.hyphenated().to_string());
        field("device_id", &self.device_id.hyphenated().to_string());
        field("officer_id", &self.officer_id.hyphenated().to_string());
        field("job_id", &self.job_id.hyphenated().to_string());
        field("kind", self.kind.as_str());
        field("seq", &self.seq.to_string());
        field("prev_hash", &self.prev_hash);
        field("fix.lat_e7", &self.fix.lat_e7.to_string());
        field("fix.lon_e7", &self.fix.lon_e7.to_string());
        field("fix.accuracy_cm", &self.fix.accuracy_cm.to_string());
        field("fix.fix_time", &time(&self.fix.fix_time));
        field("fix.provider", &self.fix.provider);
        field(
            "fix.is_mock",
            if self.fix.is_mock { "true" } else { "false" },
        );
        field("device_time", &time(&self.device_time));
        field("monotonic_ms", &self.monotonic_ms.to_string());
        field("boot_id", &self.boot_id);
        out.into_bytes()
    }

    /// SHA-256 of [`ClockEvent::canonical_bytes`].
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_bytes()).into()
    }

    /// [`ClockEvent::hash`] as 64 lowercase hex characters: the next event's `prev_hash`.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash())
    }

    /// Checks the shape of the fields the signature cannot vouch for: `seq` ≥ 1, `prev_hash`
    /// is 64 lowercase hex characters, `boot_id` has 1 to 64 characters, `fix.provider` 1 to
    /// 32. The error names the field.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.seq < 1 {
            return Err(Invalid::new(
                "seq",
                InvalidCode::OutOfRange,
                "must be at least 1",
            ));
        }
        let is_lower_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if self.prev_hash.len() != 64 || !self.prev_hash.chars().all(is_lower_hex) {
            return Err(Invalid::new(
                "prev_hash",
                InvalidCode::BadFormat,
                "must be 64 lowercase hex characters",
            ));
        }
        if !(1..=64).contains(&self.boot_id.chars().count()) {
            return Err(Invalid::new(
                "boot_id",
                InvalidCode::OutOfRange,
                "must be 1 to 64 characters",
            ));
        }
        if !(1..=32).contains(&self.fix.provider.chars().count()) {
            return Err(Invalid::new(
                "fix.provider",
                InvalidCode::OutOfRange,
                "must be 1 to 32 characters",
            ));
        }
        Ok(())
    }
}

/// A clock event with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedClockEvent {
    /// The event that was signed.
    pub event: ClockEvent,
    /// Base64 (standard alphabet) of the ECDSA P-256 / SHA-256 signature over the canonical
    /// bytes: DER, or raw 64-byte `r‖s`. High-S signatures are accepted.
    pub signature: String,
}

impl SignedClockEvent {
    /// Verifies the ECDSA P-256 / SHA-256 signature over the event's canonical bytes.
    /// It does not check the sequence or the chain: see [`check_chain`].
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), SignatureError> {
        verify_bytes(&self.event.canonical_bytes(), &self.signature, key)
    }
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not standard base64, or neither DER nor 64 raw bytes `r‖s` of P-256 scalars.
    #[error("signature encoding: {0}")]
    Encoding(String),
    /// Well formed, but not a signature of these bytes by this key.
    #[error("signature does not verify")]
    Invalid,
}

/// Why a public key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not PEM, base64 SubjectPublicKeyInfo or base64 SEC1 point, or not a point on the curve.
    #[error("public key encoding: {0}")]
    Encoding(String),
    /// A well-formed key for another algorithm or curve (RSA, secp256k1, …).
    #[error("public key is not ECDSA P-256")]
    NotP256,
}

/// Signs an event with a software key (desktop clients, tests): deterministic ECDSA
/// (RFC 6979) P-256 / SHA-256 over the canonical bytes, stored as base64 of DER. The S value
/// is left as computed (like openssl and Python `cryptography`); verifiers accept either half.
pub fn sign(event: ClockEvent, key: &SigningKey) -> SignedClockEvent {
    let signature: Signature = key.sign(&event.canonical_bytes());
    SignedClockEvent {
        signature: STANDARD.encode(signature.to_der().as_bytes()),
        event,
    }
}

/// Decodes a base64 (standard alphabet, padded) signature, DER or raw 64-byte `r‖s`, and
/// normalizes it to low-S (Android Keystore and the Secure Enclave may produce high-S).
/// A 64-byte input that is valid DER is read as DER.
pub fn decode_signature(b64: &str) -> Result<Signature, SignatureError> {
    let bytes = signature_bytes(b64)?;
    let (der, raw) = read_signature(&bytes);
    der.or(raw)
        .map(low_s)
        .ok_or_else(|| not_a_signature(bytes.len()))
}

fn signature_bytes(b64: &str) -> Result<Vec<u8>, SignatureError> {
    STANDARD
        .decode(b64)
        .map_err(|e| SignatureError::Encoding(format!("not base64: {e}")))
}

fn not_a_signature(len: usize) -> SignatureError {
    SignatureError::Encoding(format!(
        "{len} bytes are neither a DER signature nor 64 bytes r‖s"
    ))
}

/// The DER and the raw `r‖s` readings of `bytes`, when they parse.
fn read_signature(bytes: &[u8]) -> (Option<Signature>, Option<Signature>) {
    let der = Signature::from_der(bytes).ok();
    let raw = (bytes.len() == 64)
        .then(|| Signature::from_slice(bytes).ok())
        .flatten();
    (der, raw)
}

fn low_s(signature: Signature) -> Signature {
    signature.normalize_s().unwrap_or(signature)
}

/// Verifies `signature_b64` over `message`. A 64-byte signature that reads both as DER and as
/// `r‖s` is accepted if either reading verifies.
fn verify_bytes(
    message: &[u8],
    signature_b64: &str,
    key: &VerifyingKey,
) -> Result<(), SignatureError> {
    let bytes = signature_bytes(signature_b64)?;
    let (der, raw) = read_signature(&bytes);
    if der.is_none() && raw.is_none() {
        return Err(not_a_signature(bytes.len()));
    }
    let verifies = |signature: Signature| key.verify(message, &low_s(signature)).is_ok();
    if der.is_some_and(verifies) || raw.is_some_and(verifies) {
        Ok(())
    } else {
        Err(SignatureError::Invalid)
    }
}

/// Reads a P-256 public key as devices export it; surrounding and embedded whitespace is
/// ignored:
/// - PEM `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo);
/// - base64 of SubjectPublicKeyInfo DER (Java `PublicKey.getEncoded()`, Android Keystore);
/// - base64 of a SEC1 point, 65 bytes uncompressed or 33 compressed (iOS
///   `SecKeyCopyExternalRepresentation`).
pub fn parse_public_key(s: &str) -> Result<VerifyingKey, KeyError> {
    let text = s.trim();
    let body = match text.strip_prefix("-----BEGIN PUBLIC KEY-----") {
        Some(rest) => rest
            .trim_end()
            .strip_suffix("-----END PUBLIC KEY-----")
            .ok_or_else(|| KeyError::Encoding("PEM without -----END PUBLIC KEY-----".to_owned()))?,
        None if text.starts_with("-----BEGIN") => {
            let label = text.lines().next().unwrap_or_default();
            return Err(KeyError::Encoding(format!("unsupported PEM type {label}")));
        }
        None => text,
    };
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|e| KeyError::Encoding(format!("not base64: {e}")))?;
    match (bytes.len(), bytes.first()) {
        (65, Some(0x04)) | (33, Some(0x02 | 0x03)) => VerifyingKey::from_sec1_bytes(&bytes)
            .map_err(|_| KeyError::Encoding("SEC1 bytes are not a point on P-256".to_owned())),
        (_, Some(0x30)) => parse_spki(&bytes),
        (len, _) => Err(KeyError::Encoding(format!(
            "{len} bytes are neither SubjectPublicKeyInfo DER nor a SEC1 point"
        ))),
    }
}

fn parse_spki(der: &[u8]) -> Result<VerifyingKey, KeyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| KeyError::Encoding(format!("not SubjectPublicKeyInfo DER: {e}")))?;
    let (algorithm, curve) = spki.algorithm.oids().map_err(|_| KeyError::NotP256)?;
    if algorithm != OID_EC_PUBLIC_KEY || curve != Some(OID_P256) {
        return Err(KeyError::NotP256);
    }
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| KeyError::Encoding("public key bit string has unused bits".to_owned()))?;
    VerifyingKey::from_sec1_bytes(point)
        .map_err(|_| KeyError::Encoding("SubjectPublicKeyInfo point is not on P-256".to_owned()))
}

/// The canonical stored form of a key: base64 (standard, padded) of SubjectPublicKeyInfo DER
/// with the uncompressed point (91 bytes, 124 characters).
pub fn encode_public_key(key: &VerifyingKey) -> String {
    let mut der = P256_SPKI_PREFIX.to_vec();
    der.extend_from_slice(key.to_encoded_point(false).as_bytes());
    STANDARD.encode(der)
}

/// Where an incoming event sits in its device's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    /// The next event: `seq` is last + 1 and `prev_hash` is the last event's hash.
    Next,
    /// Events are missing before this one; its `prev_hash` cannot be checked (flag it).
    Gap {
        /// The sequence number that should have come next.
        expected: u64,
        /// The sequence number that came.
        got: u64,
    },
    /// A sequence number already used: a replay or a reordered event (reject it).
    Replay {
        /// The sequence number that should have come next.
        expected: u64,
        /// The sequence number that came.
        got: u64,
    },
    /// The right sequence number but the wrong `prev_hash`: the chain was forked (reject it).
    Broken {
        /// The last accepted event's hash (or [`GENESIS_HASH`]).
        expected_prev_hash: String,
    },
}

/// Places `event` after `last`, the device's last accepted `(seq, hash_hex)` (`None` before
/// its first event). Expected `seq` is last + 1 (1 when `None`); lower is a replay, higher a
/// gap; at the expected `seq` the `prev_hash` must equal the last hash (or [`GENESIS_HASH`]).
pub fn check_chain(last: Option<(u64, &str)>, event: &ClockEvent) -> ChainStatus {
    let (last_seq, expected_prev_hash) = match last {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS_HASH),
    };
    let expected = last_seq.saturating_add(1);
    let got = event.seq;
    if got <= last_seq || got == 0 {
        ChainStatus::Replay { expected, got }
    } else if got > expected {
        ChainStatus::Gap { expected, got }
    } else if event.prev_hash == expected_prev_hash {
        ChainStatus::Next
    } else {
        ChainStatus::Broken {
            expected_prev_hash: expected_prev_hash.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
