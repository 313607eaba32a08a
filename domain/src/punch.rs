//! The punch classifier: is this clock-in/out fix on site, and can it be trusted?

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A location fix as the phone's location service reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocationFix {
    pub lat: f64,
    pub lon: f64,
    /// Horizontal accuracy (68 % radius), metres.
    pub accuracy_m: f64,
    /// When the fix was taken (UTC).
    pub fix_time: DateTime<Utc>,
    /// `gps`, `fused`, `network`, …
    pub provider: String,
    /// The OS says the location comes from a mock provider or simulator.
    pub is_mock: bool,
}

/// Limits the classifier applies; departments may tune them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PunchThresholds {
    /// Fixes less precise than this need review (default 50 m).
    pub max_accuracy_m: f64,
    /// Fixes older than this at the moment of the punch need review (default 30 s).
    pub max_fix_age_s: i64,
    /// Faster than this between two consecutive fixes is implausible (default 70 m/s ≈ 250 km/h).
    pub max_speed_mps: f64,
    /// Device clock off by more than this needs review (default 120 s).
    pub max_clock_drift_s: i64,
}

impl Default for PunchThresholds {
    fn default() -> Self {
        PunchThresholds {
            max_accuracy_m: 50.0,
            max_fix_age_s: 30,
            max_speed_mps: 70.0,
            max_clock_drift_s: 120,
        }
    }
}

/// The classifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PunchVerdict {
    Verified,
    NeedsReview,
    Rejected,
}

impl PunchVerdict {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PunchVerdict::Verified => "verified",
            PunchVerdict::NeedsReview => "needs_review",
            PunchVerdict::Rejected => "rejected",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<PunchVerdict> {
        match s {
            "verified" => Some(PunchVerdict::Verified),
            "needs_review" => Some(PunchVerdict::NeedsReview),
            "rejected" => Some(PunchVerdict::Rejected),
            _ => None,
        }
    }
}

/// One reason a punch is not simply verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PunchReason {
    /// The OS flagged the location as mocked or simulated.
    MockLocation,
    LowAccuracy { accuracy_m: f64, max_m: f64 },
    /// The fix was taken `age_s` seconds before the punch (negative: after it).
    StaleFix { age_s: i64, max_s: i64 },
    /// Even allowing for the fix's accuracy, the fix is outside the fence.
    OutsideFence { distance_m: f64, accuracy_m: f64 },
    /// The fix is outside the fence, but within its accuracy of the edge.
    NearFenceEdge { distance_m: f64, accuracy_m: f64 },
    /// Moving from the previous fix to this one needs an implausible speed.
    ImplausibleSpeed { speed_mps: f64, max_mps: f64 },
    /// The device clock disagrees with the server's estimate of the time.
    ClockDrift { drift_s: i64, max_s: i64 },
    /// The device's event sequence skipped numbers (events missing). Added by the server.
    SequenceGap { expected: u64, got: u64 },
}
