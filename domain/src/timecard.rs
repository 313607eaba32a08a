//! Signed, hash-chained clock events: canonical bytes, ECDSA P-256 signatures, sequence checks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Clock-in or clock-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PunchKind {
    In,
    Out,
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
    pub fix_time: DateTime<Utc>,
    pub provider: String,
    pub is_mock: bool,
}

/// One punch, as the device signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockEvent {
    pub event_id: Uuid,
    pub device_id: Uuid,
    pub officer_id: Uuid,
    pub job_id: Uuid,
    pub kind: PunchKind,
    /// Per-device sequence number, starting at 1, +1 for every event.
    pub seq: u64,
    /// Lowercase hex SHA-256 of the previous event's canonical bytes (64 zeros for the first).
    pub prev_hash: String,
    pub fix: EventFix,
    /// The device's wall clock at the punch.
    pub device_time: DateTime<Utc>,
    /// Milliseconds since the device booted, at the punch.
    pub monotonic_ms: u64,
    /// Identifies the boot `monotonic_ms` counts from.
    pub boot_id: String,
}

/// A clock event with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedClockEvent {
    pub event: ClockEvent,
    /// Base64 (standard alphabet) of the ECDSA P-256 / SHA-256 signature over the canonical
    /// bytes: DER, or raw 64-byte `r‖s`. High-S signatures are accepted.
    pub signature: String,
}
