//! The punch classifier: is this clock-in/out fix on site, and can it be trusted?

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::geofence::{GeoPoint, Geofence, distance_m};

/// The longest provider name a fix may carry, in characters.
pub const MAX_PROVIDER_LEN: usize = 32;

/// The `speed_mps` reported by [`PunchReason::ImplausibleSpeed`] when the fix moved beyond both
/// fixes' accuracies with no time elapsed (or time running backwards) since the previous fix.
/// Infinity does not survive JSON, so the largest finite `f64` stands in for it.
pub const INSTANT_MOVE_MPS: f64 = f64::MAX;

/// A location fix as the phone's location service reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocationFix {
    /// Latitude, WGS 84 degrees north.
    pub lat: f64,
    /// Longitude, WGS 84 degrees east.
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
    /// On site and trustworthy.
    Verified,
    /// Recorded, but a supervisor must look at it.
    NeedsReview,
    /// Not on site, or not a location that can be trusted at all.
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
    /// The fix itself is unusable (coordinates off the globe, bad accuracy or provider); `detail`
    /// names the field.
    InvalidFix { detail: String },
    /// The job's fence fails validation, so on-site cannot be decided; `detail` says why.
    InvalidFence { detail: String },
    /// The OS flagged the location as mocked or simulated.
    MockLocation,
    /// The fix's accuracy radius is larger than the department allows.
    LowAccuracy { accuracy_m: f64, max_m: f64 },
    /// The fix was taken `age_s` seconds before the punch (negative: after it).
    StaleFix { age_s: i64, max_s: i64 },
    /// Even allowing for the fix's accuracy, the fix is outside the fence.
    OutsideFence { distance_m: f64, accuracy_m: f64 },
    /// The fix is outside the fence, but within its accuracy of the edge.
    NearFenceEdge { distance_m: f64, accuracy_m: f64 },
    /// Moving from the previous fix to this one needs an implausible speed (beyond both fixes'
    /// accuracies); [`INSTANT_MOVE_MPS`] when no time passed between them.
    ImplausibleSpeed { speed_mps: f64, max_mps: f64 },
    /// The device clock disagrees with the server's estimate of the time (positive: ahead).
    ClockDrift { drift_s: i64, max_s: i64 },
    /// The device's event sequence skipped numbers (events missing). Added by the server.
    SequenceGap { expected: u64, got: u64 },
    /// The punch is far from the scheduled shift: `minutes` before the allowed window (negative)
    /// or after it (positive). See [`schedule_reason`].
    OffSchedule { minutes: i64 },
}

impl PunchReason {
    /// How bad this reason is on its own: an unusable or mocked fix and a fix clearly outside
    /// the fence are rejected; everything else needs review.
    pub fn verdict(&self) -> PunchVerdict {
        match self {
            PunchReason::InvalidFix { .. }
            | PunchReason::MockLocation
            | PunchReason::OutsideFence { .. } => PunchVerdict::Rejected,
            PunchReason::InvalidFence { .. }
            | PunchReason::LowAccuracy { .. }
            | PunchReason::StaleFix { .. }
            | PunchReason::NearFenceEdge { .. }
            | PunchReason::ImplausibleSpeed { .. }
            | PunchReason::ClockDrift { .. }
            | PunchReason::SequenceGap { .. }
            | PunchReason::OffSchedule { .. } => PunchVerdict::NeedsReview,
        }
    }

    /// One short sentence for the officer, distances rounded to whole metres.
    pub fn explain(&self) -> String {
        match self {
            PunchReason::InvalidFix { detail } => {
                format!("Location fix is unusable ({detail}) — try again.")
            }
            PunchReason::InvalidFence { detail } => format!(
                "The job's fence is misconfigured ({detail}) — a supervisor will review this punch."
            ),
            PunchReason::MockLocation => "Location is from a mock provider.".to_owned(),
            PunchReason::LowAccuracy { accuracy_m, .. } => format!(
                "Accuracy {} — move to open sky and try again.",
                metres(*accuracy_m)
            ),
            PunchReason::StaleFix { age_s, .. } => {
                let age = duration(age_s.unsigned_abs());
                if *age_s >= 0 {
                    format!("Location fix is {age} old — wait for a fresh fix.")
                } else {
                    format!("Location fix is dated {age} after the punch — check the device clock.")
                }
            }
            PunchReason::OutsideFence { distance_m, .. } => {
                format!("Outside the fence by {}.", metres(*distance_m))
            }
            PunchReason::NearFenceEdge {
                distance_m,
                accuracy_m,
            } => format!(
                "Just outside the fence ({}), within the fix's accuracy of {} — move further inside.",
                metres(*distance_m),
                metres(*accuracy_m)
            ),
            PunchReason::ImplausibleSpeed { speed_mps, max_mps } => {
                if *speed_mps >= INSTANT_MOVE_MPS {
                    "Moved away from the last punch's location with no time in between — check the \
                     device clock."
                        .to_owned()
                } else {
                    format!(
                        "Moved at {} km/h since the last punch (limit {} km/h).",
                        km_per_h(*speed_mps),
                        km_per_h(*max_mps)
                    )
                }
            }
            PunchReason::ClockDrift { drift_s, .. } if drift_s.unsigned_abs() > 366 * 86_400 => {
                "Device clock readings are inconsistent (time since boot went backwards)."
                    .to_owned()
            }
            PunchReason::ClockDrift { drift_s, .. } => {
                format!(
                    "Device clock is off by {}.",
                    duration(drift_s.unsigned_abs())
                )
            }
            PunchReason::SequenceGap { expected, got } => match got.saturating_sub(*expected) {
                0 => "Events from this device arrived out of sequence.".to_owned(),
                1 => "1 event from this device is missing.".to_owned(),
                n => format!("{n} events from this device are missing."),
            },
            PunchReason::OffSchedule { minutes } => {
                let d = duration(minutes.unsigned_abs().saturating_mul(60));
                if *minutes < 0 {
                    format!("{d} earlier than this shift allows — a coordinator will review it.")
                } else {
                    format!("{d} later than this shift allows — a coordinator will review it.")
                }
            }
        }
    }
}

impl LocationFix {
    /// Where the fix says the device is.
    pub fn point(&self) -> GeoPoint {
        GeoPoint::new(self.lat, self.lon)
    }

    /// Checks the fix is usable: finite `lat` in -90..=90 and `lon` in -180..=180, `accuracy_m`
    /// finite and ≥ 0, `provider` non-blank and at most [`MAX_PROVIDER_LEN`] characters. The
    /// message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if !(-90.0..=90.0).contains(&self.lat) {
            return Err(format!("lat {} is not in -90..=90", self.lat));
        }
        if !(-180.0..=180.0).contains(&self.lon) {
            return Err(format!("lon {} is not in -180..=180", self.lon));
        }
        if !(self.accuracy_m.is_finite() && self.accuracy_m >= 0.0) {
            return Err(format!(
                "accuracy_m {} is not a finite number ≥ 0",
                self.accuracy_m
            ));
        }
        if self.provider.trim().is_empty() {
            return Err("provider is empty".to_owned());
        }
        let len = self.provider.chars().count();
        if len > MAX_PROVIDER_LEN {
            return Err(format!(
                "provider is {len} characters long; at most {MAX_PROVIDER_LEN} are allowed"
            ));
        }
        Ok(())
    }
}

/// Everything [`classify`] looks at for one punch.
#[derive(Debug, Clone, Copy)]
pub struct PunchContext<'a> {
    /// The job's fence.
    pub fence: &'a Geofence,
    /// The fix taken for this punch.
    pub fix: &'a LocationFix,
    /// The device time of the punch.
    pub punch_time: DateTime<Utc>,
    /// The previous punch's fix from the same officer and device, for the speed check.
    pub previous: Option<&'a LocationFix>,
    /// The caller's estimate of how far the device clock is off, seconds (positive: ahead);
    /// `None` when unknown.
    pub clock_drift_s: Option<i64>,
    /// The department's limits.
    pub thresholds: &'a PunchThresholds,
}

/// The classifier's verdict on one punch, with every reason and the distances to the fence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PunchAssessment {
    /// The most severe verdict among `reasons`; `verified` when there are none.
    pub verdict: PunchVerdict,
    /// Every reason the punch is not simply verified, in the order the checks run (the reasons
    /// that reject always come first).
    pub reasons: Vec<PunchReason>,
    /// How far the fix is outside the fence, metres (0 inside, or when the fix or fence is invalid).
    pub distance_outside_m: f64,
    /// How far the fix is inside the fence from its edge, metres (0 outside, or when the fix or
    /// fence is invalid).
    pub distance_inside_m: f64,
}

impl PunchAssessment {
    /// One line for the officer: "On site: inside the fence (35 m from the edge)." when verified,
    /// else the reasons' explanations joined.
    pub fn summary(&self) -> String {
        if self.reasons.is_empty() {
            if self.distance_inside_m < 0.5 {
                return "On site: on the edge of the fence.".to_owned();
            }
            return format!(
                "On site: inside the fence ({} from the edge).",
                metres(self.distance_inside_m)
            );
        }
        let lines: Vec<String> = self.reasons.iter().map(PunchReason::explain).collect();
        lines.join(" ")
    }
}

/// Classifies a punch: the verdict is the most severe of all reasons, `Verified` when none apply.
///
/// - invalid fix → `InvalidFix` (rejected); invalid fence → `InvalidFence` (needs review);
///   either way no distance is measured;
/// - mock provider → `MockLocation` (rejected);
/// - outside the fence by more than the fix's accuracy → `OutsideFence` (rejected), by less →
///   `NearFenceEdge` (needs review);
/// - accuracy worse than `max_accuracy_m` → `LowAccuracy`;
/// - fix taken more than `max_fix_age_s` before (or after) the punch → `StaleFix`;
/// - faster than `max_speed_mps` from the previous fix, after subtracting both accuracies from
///   the distance → `ImplausibleSpeed` (skipped when the previous fix is itself invalid);
/// - known clock drift beyond `max_clock_drift_s` → `ClockDrift`.
///
/// A limit that is NaN fails closed: the check it guards reports.
pub fn classify(ctx: &PunchContext<'_>) -> PunchAssessment {
    let fix = ctx.fix;
    let limits = ctx.thresholds;
    let mut reasons = Vec::new();

    let fix_ok = match fix.validate() {
        Ok(()) => true,
        Err(detail) => {
            reasons.push(PunchReason::InvalidFix { detail });
            false
        }
    };
    if fix.is_mock {
        reasons.push(PunchReason::MockLocation);
    }
    let fence_ok = match ctx.fence.validate() {
        Ok(()) => true,
        Err(e) => {
            reasons.push(PunchReason::InvalidFence {
                detail: e.to_string(),
            });
            false
        }
    };

    let (mut distance_outside_m, mut distance_inside_m) = (0.0, 0.0);
    if fix_ok && fence_ok {
        distance_outside_m = ctx.fence.distance_outside_m(fix.point());
        distance_inside_m = ctx.fence.distance_inside_m(fix.point());
        let (distance_m, accuracy_m) = (distance_outside_m, fix.accuracy_m);
        if exceeds(distance_m, accuracy_m) {
            reasons.push(PunchReason::OutsideFence {
                distance_m,
                accuracy_m,
            });
        } else if distance_m > 0.0 {
            reasons.push(PunchReason::NearFenceEdge {
                distance_m,
                accuracy_m,
            });
        }
    }
    if fix_ok && exceeds(fix.accuracy_m, limits.max_accuracy_m) {
        reasons.push(PunchReason::LowAccuracy {
            accuracy_m: fix.accuracy_m,
            max_m: limits.max_accuracy_m,
        });
    }

    let age_s = ctx
        .punch_time
        .signed_duration_since(fix.fix_time)
        .num_seconds();
    if exceeds_abs(age_s, limits.max_fix_age_s) {
        reasons.push(PunchReason::StaleFix {
            age_s,
            max_s: limits.max_fix_age_s,
        });
    }

    if let Some(previous) = ctx.previous
        && fix_ok
        && previous.validate().is_ok()
    {
        let speed_mps = speed_beyond_accuracy(previous, fix);
        if exceeds(speed_mps, limits.max_speed_mps) {
            reasons.push(PunchReason::ImplausibleSpeed {
                speed_mps,
                max_mps: limits.max_speed_mps,
            });
        }
    }

    if let Some(drift_s) = ctx.clock_drift_s
        && exceeds_abs(drift_s, limits.max_clock_drift_s)
    {
        reasons.push(PunchReason::ClockDrift {
            drift_s,
            max_s: limits.max_clock_drift_s,
        });
    }

    let verdict = reasons
        .iter()
        .map(PunchReason::verdict)
        .max()
        .unwrap_or(PunchVerdict::Verified);
    PunchAssessment {
        verdict,
        reasons,
        distance_outside_m,
        distance_inside_m,
    }
}

/// The least speed, m/s, that explains moving from `previous` to `fix` when both may be off by
/// their accuracy; [`INSTANT_MOVE_MPS`] when they are apart but no time passed.
fn speed_beyond_accuracy(previous: &LocationFix, fix: &LocationFix) -> f64 {
    let gap_m =
        (distance_m(previous.point(), fix.point()) - fix.accuracy_m - previous.accuracy_m).max(0.0);
    let elapsed_s = fix
        .fix_time
        .signed_duration_since(previous.fix_time)
        .num_milliseconds() as f64
        / 1000.0;
    if elapsed_s > 0.0 {
        gap_m / elapsed_s
    } else if gap_m > 0.0 {
        INSTANT_MOVE_MPS
    } else {
        0.0
    }
}

/// `value > limit`, and also true when either is NaN (fail closed).
fn exceeds(value: f64, limit: f64) -> bool {
    !matches!(
        value.partial_cmp(&limit),
        Some(Ordering::Less | Ordering::Equal)
    )
}

/// `|value| > limit`, without overflow at `i64::MIN`.
fn exceeds_abs(value: i64, limit: i64) -> bool {
    i128::from(value).abs() > i128::from(limit)
}

/// "140 m", "3.2 km", "25 km".
fn metres(m: f64) -> String {
    if !m.is_finite() {
        return "an unknown distance".to_owned();
    }
    let rounded = m.round();
    if rounded < 1000.0 {
        format!("{} m", rounded as i64)
    } else if rounded < 9_950.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} km", (m / 1000.0).round() as i64)
    }
}

/// Speed in whole km/h.
fn km_per_h(mps: f64) -> i64 {
    (mps * 3.6).round() as i64
}

/// "45 s", "4 min 10 s", "4 min", "2 h 5 min", "2 h".
fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => match secs % 60 {
            0 => format!("{} min", secs / 60),
            s => format!("{} min {s} s", secs / 60),
        },
        _ => match (secs % 3600) / 60 {
            0 => format!("{} h", secs / 3600),
            m => format!("{} h {m} min", secs / 3600),
        },
    }
}

/// How early before the scheduled start a clock-in is normal.
pub const EARLY_CLOCK_IN_MINUTES: i64 = 60;
/// How late after the scheduled end a clock-out is normal (details often run over).
pub const LATE_CLOCK_OUT_MINUTES: i64 = 240;

/// Whether a punch falls outside its shift's normal window: a clock-in from
/// [`EARLY_CLOCK_IN_MINUTES`] before the start until the end; a clock-out from the start until
/// [`LATE_CLOCK_OUT_MINUTES`] after the end. Outside it, the punch needs review.
pub fn schedule_reason(
    kind: crate::timecard::PunchKind,
    punch_time: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Option<PunchReason> {
    use crate::timecard::PunchKind;
    let (open, close) = match kind {
        PunchKind::In => (
            starts_at - chrono::Duration::minutes(EARLY_CLOCK_IN_MINUTES),
            ends_at,
        ),
        PunchKind::Out => (
            starts_at,
            ends_at + chrono::Duration::minutes(LATE_CLOCK_OUT_MINUTES),
        ),
    };
    if punch_time < open {
        Some(PunchReason::OffSchedule {
            minutes: -(open - punch_time).num_minutes().max(1),
        })
    } else if punch_time > close {
        Some(PunchReason::OffSchedule {
            minutes: (punch_time - close).num_minutes().max(1),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use proptest::prelude::*;

    use super::*;
    use crate::geofence::EARTH_RADIUS_M;

    /// Metres in one degree of latitude on the sphere.
    const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    /// A stadium in Columbus, Ohio.
    const STADIUM: GeoPoint = GeoPoint::new(39.9690, -83.0175);

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap()
    }

    /// The point `north` and `east` metres away from `p` (small offsets).
    /// Moves a point by metres north and east; longitude wraps across the antimeridian (a
    /// real fix is always in -180..=180), latitude stays off the poles.
    fn offset(p: GeoPoint, north: f64, east: f64) -> GeoPoint {
        let lon = p.lon + east / (M_PER_DEG * p.lat.to_radians().cos());
        GeoPoint::new(
            (p.lat + north / M_PER_DEG).clamp(-89.9, 89.9),
            (lon + 180.0).rem_euclid(360.0) - 180.0,
        )
    }

    fn fix_at(p: GeoPoint) -> LocationFix {
        LocationFix {
            lat: p.lat,
            lon: p.lon,
            accuracy_m: 10.0,
            fix_time: t0(),
            provider: "gps".to_owned(),
            is_mock: false,
        }
    }

    /// One punch scenario: a good fix, 5 s old, 10 m accuracy, unless changed.
    #[derive(Debug, Clone)]
    struct Punch {
        fence: Geofence,
        fix: LocationFix,
        punch_time: DateTime<Utc>,
        previous: Option<LocationFix>,
        drift_s: Option<i64>,
        thresholds: PunchThresholds,
    }

    impl Punch {
        fn at(fence: Geofence, p: GeoPoint) -> Punch {
            Punch {
                fence,
                fix: fix_at(p),
                punch_time: t0() + TimeDelta::seconds(5),
                previous: None,
                drift_s: None,
                thresholds: PunchThresholds::default(),
            }
        }

        fn at_stadium(north: f64, east: f64) -> Punch {
            Punch::at(
                Geofence::circle(STADIUM, 200.0),
                offset(STADIUM, north, east),
            )
        }

        fn accuracy(mut self, m: f64) -> Punch {
            self.fix.accuracy_m = m;
            self
        }

        fn mock(mut self) -> Punch {
            self.fix.is_mock = true;
            self
        }

        /// The punch happens `s` seconds after the fix (negative: before it).
        fn fix_age(mut self, s: i64) -> Punch {
            self.punch_time = self.fix.fix_time + TimeDelta::seconds(s);
            self
        }

        /// The previous punch's fix was at `p`, `s` seconds before this fix, 10 m accuracy.
        fn previous(mut self, p: GeoPoint, s: i64) -> Punch {
            let mut prev = fix_at(p);
            prev.fix_time = self.fix.fix_time - TimeDelta::seconds(s);
            self.previous = Some(prev);
            self
        }

        fn drift(mut self, s: i64) -> Punch {
            self.drift_s = Some(s);
            self
        }

        fn classify(&self) -> PunchAssessment {
            classify(&PunchContext {
                fence: &self.fence,
                fix: &self.fix,
                punch_time: self.punch_time,
                previous: self.previous.as_ref(),
                clock_drift_s: self.drift_s,
                thresholds: &self.thresholds,
            })
        }
    }

    #[test]
    fn good_fix_at_the_stadium_is_verified() {
        let a = Punch::at_stadium(0.0, 0.0).classify();
        assert_eq!(a.verdict, PunchVerdict::Verified);
        assert!(a.reasons.is_empty());
        assert_eq!(
            a.summary(),
            "On site: inside the fence (200 m from the edge)."
        );
    }

    #[test]
    fn good_fix_165_m_from_center_is_35_m_from_the_edge() {
        let a = Punch::at_stadium(165.0, 0.0).classify();
        assert_eq!(a.verdict, PunchVerdict::Verified);
        assert_eq!(
            a.summary(),
            "On site: inside the fence (35 m from the edge)."
        );
    }

    #[test]
    fn fix_140_m_outside_is_rejected() {
        let a = Punch::at_stadium(340.0, 0.0).classify();
        assert_eq!(a.verdict, PunchVerdict::Rejected);
        let [
            PunchReason::OutsideFence {
                distance_m,
                accuracy_m,
            },
        ] = a.reasons[..]
        else {
            panic!("{:?}", a.reasons)
        };
        assert!((distance_m - 140.0).abs() < 0.01);
        assert_eq!(accuracy_m, 10.0);
        assert!((a.distance_outside_m - 140.0).abs() < 0.01);
        assert_eq!(a.distance_inside_m, 0.0);
        assert_eq!(a.summary(), "Outside the fence by 140 m.");
    }

    #[test]
    fn fix_just_outside_within_its_accuracy_needs_review() {
        let a = Punch::at_stadium(0.0, 208.0).accuracy(20.0).classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert!(matches!(a.reasons[..], [PunchReason::NearFenceEdge { .. }]));
        assert_eq!(
            a.summary(),
            "Just outside the fence (8 m), within the fix's accuracy of 20 m — move further inside."
        );
    }

    #[test]
    fn mock_location_is_rejected_even_at_the_center() {
        let a = Punch::at_stadium(0.0, 0.0).mock().classify();
        assert_eq!(a.verdict, PunchVerdict::Rejected);
        assert_eq!(a.reasons, vec![PunchReason::MockLocation]);
        assert_eq!(a.summary(), "Location is from a mock provider.");
    }

    #[test]
    fn accuracy_180_m_needs_review_and_says_move_to_open_sky() {
        let a = Punch::at_stadium(0.0, 0.0).accuracy(180.4).classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert_eq!(
            a.reasons,
            vec![PunchReason::LowAccuracy {
                accuracy_m: 180.4,
                max_m: 50.0
            }]
        );
        assert_eq!(
            a.summary(),
            "Accuracy 180 m — move to open sky and try again."
        );
    }

    #[test]
    fn accuracy_exactly_at_the_limit_is_fine() {
        let a = Punch::at_stadium(0.0, 0.0).accuracy(50.0).classify();
        assert_eq!(a.verdict, PunchVerdict::Verified);
    }

    #[test]
    fn fix_45_s_old_is_stale() {
        let a = Punch::at_stadium(0.0, 0.0).fix_age(45).classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert_eq!(
            a.reasons,
            vec![PunchReason::StaleFix {
                age_s: 45,
                max_s: 30
            }]
        );
        assert_eq!(
            a.summary(),
            "Location fix is 45 s old — wait for a fresh fix."
        );
    }

    #[test]
    fn fix_dated_after_the_punch_is_stale_too() {
        let a = Punch::at_stadium(0.0, 0.0).fix_age(-45).classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert_eq!(
            a.summary(),
            "Location fix is dated 45 s after the punch — check the device clock."
        );
    }

    #[test]
    fn fix_30_s_old_is_still_fresh() {
        assert_eq!(
            Punch::at_stadium(0.0, 0.0).fix_age(30).classify().verdict,
            PunchVerdict::Verified
        );
    }

    #[test]
    fn moving_3_km_in_10_s_is_implausible() {
        let a = Punch::at_stadium(0.0, 0.0)
            .previous(offset(STADIUM, 3_200.0, 0.0), 10)
            .classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        let [PunchReason::ImplausibleSpeed { speed_mps, max_mps }] = a.reasons[..] else {
            panic!("{:?}", a.reasons)
        };
        // (3200 m − 10 m − 10 m of accuracy) / 10 s.
        assert!((speed_mps - 318.0).abs() < 0.01);
        assert_eq!(max_mps, 70.0);
        assert_eq!(
            a.summary(),
            "Moved at 1145 km/h since the last punch (limit 252 km/h)."
        );
    }

    #[test]
    fn driving_across_town_since_the_last_punch_is_plausible() {
        let a = Punch::at_stadium(0.0, 0.0)
            .previous(offset(STADIUM, 12_000.0, 0.0), 15 * 60)
            .classify();
        assert_eq!(a.verdict, PunchVerdict::Verified);
    }

    #[test]
    fn two_fixes_far_apart_at_the_same_instant_report_an_instant_move() {
        let a = Punch::at_stadium(0.0, 0.0)
            .previous(offset(STADIUM, 500.0, 0.0), 0)
            .classify();
        assert_eq!(
            a.reasons,
            vec![PunchReason::ImplausibleSpeed {
                speed_mps: INSTANT_MOVE_MPS,
                max_mps: 70.0
            }]
        );
        assert!(a.summary().contains("no time in between"));
    }

    #[test]
    fn same_instant_within_both_accuracies_is_not_a_move() {
        let a = Punch::at_stadium(0.0, 0.0)
            .previous(offset(STADIUM, 15.0, 0.0), 0)
            .classify();
        assert_eq!(a.verdict, PunchVerdict::Verified);
    }

    #[test]
    fn worse_accuracy_gives_the_speed_check_more_benefit_of_the_doubt() {
        // 750 m in 10 s: 73 m/s beyond two 10 m accuracies, 69.5 m/s beyond 45 m + 10 m.
        let from = offset(STADIUM, 750.0, 0.0);
        let sharp = Punch::at_stadium(0.0, 0.0).previous(from, 10);
        assert_eq!(sharp.classify().verdict, PunchVerdict::NeedsReview);
        assert_eq!(
            sharp.accuracy(45.0).classify().verdict,
            PunchVerdict::Verified
        );
    }

    #[test]
    fn device_clock_off_by_4_min_10_s_needs_review() {
        let a = Punch::at_stadium(0.0, 0.0).drift(-250).classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert_eq!(
            a.reasons,
            vec![PunchReason::ClockDrift {
                drift_s: -250,
                max_s: 120
            }]
        );
        assert_eq!(a.summary(), "Device clock is off by 4 min 10 s.");
    }

    #[test]
    fn unknown_or_small_clock_drift_is_fine() {
        assert_eq!(
            Punch::at_stadium(0.0, 0.0).drift(120).classify().verdict,
            PunchVerdict::Verified
        );
        assert_eq!(
            Punch::at_stadium(0.0, 0.0).classify().verdict,
            PunchVerdict::Verified
        );
        assert_eq!(
            Punch::at_stadium(0.0, 0.0)
                .drift(i64::MIN)
                .classify()
                .verdict,
            PunchVerdict::NeedsReview
        );
    }

    #[test]
    fn sequence_gap_needs_review_and_counts_missing_events() {
        let gap = PunchReason::SequenceGap {
            expected: 7,
            got: 9,
        };
        assert_eq!(gap.verdict(), PunchVerdict::NeedsReview);
        assert_eq!(gap.explain(), "2 events from this device are missing.");
        let one = PunchReason::SequenceGap {
            expected: 7,
            got: 8,
        };
        assert_eq!(one.explain(), "1 event from this device is missing.");
    }

    #[test]
    fn explanations_round_and_scale_units() {
        let far = PunchReason::OutsideFence {
            distance_m: 3_240.0,
            accuracy_m: 5.0,
        };
        assert_eq!(far.explain(), "Outside the fence by 3.2 km.");
        let very_far = PunchReason::OutsideFence {
            distance_m: 125_600.0,
            accuracy_m: 5.0,
        };
        assert_eq!(very_far.explain(), "Outside the fence by 126 km.");
        let drift = |s| {
            PunchReason::ClockDrift {
                drift_s: s,
                max_s: 120,
            }
            .explain()
        };
        assert_eq!(drift(7200), "Device clock is off by 2 h.");
        assert_eq!(drift(-7500), "Device clock is off by 2 h 5 min.");
        assert_eq!(drift(180), "Device clock is off by 3 min.");
    }

    #[test]
    fn several_reasons_are_all_explained_worst_first() {
        let a = Punch::at_stadium(340.0, 0.0)
            .mock()
            .accuracy(80.0)
            .fix_age(45)
            .classify();
        assert_eq!(a.verdict, PunchVerdict::Rejected);
        assert_eq!(
            a.summary(),
            "Location is from a mock provider. Outside the fence by 140 m. \
             Accuracy 80 m — move to open sky and try again. \
             Location fix is 45 s old — wait for a fresh fix."
        );
    }

    #[test]
    fn fix_off_the_globe_is_rejected_naming_the_field() {
        let mut p = Punch::at_stadium(0.0, 0.0);
        p.fix.lat = f64::NAN;
        let a = p.classify();
        assert_eq!(a.verdict, PunchVerdict::Rejected);
        let [PunchReason::InvalidFix { detail }] = &a.reasons[..] else {
            panic!("{:?}", a.reasons)
        };
        assert!(detail.starts_with("lat "), "{detail}");
        assert_eq!((a.distance_outside_m, a.distance_inside_m), (0.0, 0.0));
    }

    #[test]
    fn fix_validation_names_each_field() {
        let good = fix_at(STADIUM);
        assert_eq!(good.validate(), Ok(()));
        let with = |f: fn(&mut LocationFix)| {
            let mut fix = good.clone();
            f(&mut fix);
            fix.validate().unwrap_err()
        };
        assert!(with(|f| f.lat = 91.0).starts_with("lat "));
        assert!(with(|f| f.lon = f64::INFINITY).starts_with("lon "));
        assert!(with(|f| f.accuracy_m = -1.0).starts_with("accuracy_m "));
        assert!(with(|f| f.accuracy_m = f64::NAN).starts_with("accuracy_m "));
        assert!(with(|f| f.provider = " ".to_owned()).starts_with("provider "));
        assert!(with(|f| f.provider = "x".repeat(33)).starts_with("provider "));
        let mut longest = good.clone();
        longest.provider = "é".repeat(32);
        assert_eq!(longest.validate(), Ok(()));
    }

    #[test]
    fn misconfigured_fence_needs_review_instead_of_passing() {
        let mut p = Punch::at_stadium(0.0, 0.0);
        p.fence = Geofence::circle(STADIUM, f64::NAN);
        let a = p.classify();
        assert_eq!(a.verdict, PunchVerdict::NeedsReview);
        assert!(matches!(a.reasons[..], [PunchReason::InvalidFence { .. }]));
    }

    #[test]
    fn nan_limits_fail_closed() {
        let mut p = Punch::at_stadium(0.0, 0.0);
        p.thresholds.max_accuracy_m = f64::NAN;
        assert_eq!(p.classify().verdict, PunchVerdict::NeedsReview);
    }

    #[test]
    fn polygon_fence_works_like_a_circle() {
        let block = Geofence::polygon(vec![
            GeoPoint::new(39.9680, -83.0190),
            GeoPoint::new(39.9680, -83.0160),
            GeoPoint::new(39.9700, -83.0160),
            GeoPoint::new(39.9700, -83.0190),
        ]);
        assert_eq!(
            Punch::at(block.clone(), STADIUM).classify().verdict,
            PunchVerdict::Verified
        );
        let north = offset(GeoPoint::new(39.9700, -83.0175), 140.0, 0.0);
        let a = Punch::at(block, north).classify();
        assert_eq!(a.summary(), "Outside the fence by 140 m.");
    }

    #[test]
    fn assessment_round_trips_through_json_with_the_instant_move_sentinel() {
        let a = Punch::at_stadium(340.0, 0.0)
            .previous(offset(STADIUM, 5_000.0, 0.0), 0)
            .classify();
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains(r#""verdict":"rejected""#), "{json}");
        assert!(json.contains(r#""type":"implausible_speed""#), "{json}");
        let back: PunchAssessment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    // ---- properties ----

    fn site() -> impl Strategy<Value = GeoPoint> {
        (-70.0..70.0f64, -179.0..179.0f64).prop_map(|(lat, lon)| GeoPoint::new(lat, lon))
    }

    /// A circle, or a lat/lon rectangle, of a few metres to a few km around a site.
    fn fence() -> impl Strategy<Value = Geofence> {
        prop_oneof![
            (site(), 20.0..3_000.0f64).prop_map(|(c, r)| Geofence::circle(c, r)),
            (site(), 20.0..3_000.0f64, 20.0..3_000.0f64).prop_map(|(c, h, w)| {
                Geofence::polygon(vec![
                    offset(c, -h, -w),
                    offset(c, -h, w),
                    offset(c, h, w),
                    offset(c, h, -w),
                ])
            }),
        ]
    }

    fn thresholds() -> impl Strategy<Value = PunchThresholds> {
        (5.0..200.0f64, 5i64..300, 5.0..100.0f64, 10i64..600).prop_map(|(a, f, s, d)| {
            PunchThresholds {
                max_accuracy_m: a,
                max_fix_age_s: f,
                max_speed_mps: s,
                max_clock_drift_s: d,
            }
        })
    }

    /// Any punch near a fence: in or out, good or bad in every respect.
    fn any_punch() -> impl Strategy<Value = Punch> {
        (
            (
                fence(),
                -4_000.0..4_000.0f64,
                -4_000.0..4_000.0f64,
                0.0..300.0f64,
            ),
            (any::<bool>(), -400i64..400, thresholds()),
            prop::option::of((-5_000.0..5_000.0f64, -60i64..900, 0.0..100.0f64)),
            prop::option::of(-10_000i64..10_000),
        )
            .prop_map(
                |((fence, north, east, acc), (mock, age, limits), prev, drift)| {
                    let center = fence.center();
                    let mut p = Punch::at(fence, offset(center, north, east))
                        .accuracy(acc)
                        .fix_age(age);
                    p.fix.is_mock = mock;
                    p.thresholds = limits;
                    p.drift_s = drift;
                    if let Some((moved, secs, prev_acc)) = prev {
                        p = p.previous(offset(center, north + moved, east), secs);
                        if let Some(prev) = p.previous.as_mut() {
                            prev.accuracy_m = prev_acc;
                        }
                    }
                    p
                },
            )
    }

    /// A punch that should pass: at the fence's center, precise, fresh, honest clock.
    fn good_punch() -> impl Strategy<Value = Punch> {
        (
            fence(),
            thresholds(),
            0.0..1.0f64,
            -1.0..=1.0f64,
            0.0..1.0f64,
        )
            .prop_map(|(fence, limits, acc, age, drift)| {
                let center = fence.center();
                let mut p = Punch::at(fence, center)
                    .accuracy(acc * limits.max_accuracy_m)
                    .fix_age((age * limits.max_fix_age_s as f64) as i64)
                    .drift((drift * limits.max_clock_drift_s as f64) as i64)
                    .previous(center, 3_600);
                p.thresholds = limits;
                p
            })
    }

    proptest! {
        #[test]
        fn verdict_is_the_most_severe_reason(p in any_punch()) {
            let a = p.classify();
            let worst = a.reasons.iter().map(PunchReason::verdict).max();
            prop_assert_eq!(a.verdict, worst.unwrap_or(PunchVerdict::Verified));
            prop_assert!(a.distance_outside_m >= 0.0 && a.distance_outside_m.is_finite());
            prop_assert!(a.distance_inside_m >= 0.0 && a.distance_inside_m.is_finite());
            prop_assert!(!a.summary().is_empty());
        }

        #[test]
        fn good_fix_at_the_fence_center_is_verified(p in good_punch()) {
            let a = p.classify();
            prop_assert_eq!(a.verdict, PunchVerdict::Verified, "{:?}", a.reasons);
            prop_assert!(a.summary().starts_with("On site"));
        }

        #[test]
        fn mock_fix_is_always_rejected(p in any_punch()) {
            prop_assert_eq!(p.mock().classify().verdict, PunchVerdict::Rejected);
        }

        #[test]
        fn low_accuracy_is_never_verified(p in good_punch(), worse in 1.0001..20.0f64) {
            let max = p.thresholds.max_accuracy_m;
            prop_assert_ne!(p.accuracy(max * worse).classify().verdict, PunchVerdict::Verified);
        }

        #[test]
        fn stale_or_future_fix_is_never_verified(
            p in good_punch(), extra in 1i64..100_000, future in any::<bool>()
        ) {
            let age = p.thresholds.max_fix_age_s + extra;
            let p = p.fix_age(if future { -age } else { age });
            prop_assert_ne!(p.classify().verdict, PunchVerdict::Verified);
        }

        #[test]
        fn device_clock_moved_two_hours_is_never_verified(
            p in good_punch(), jitter in -60i64..60, ahead in any::<bool>()
        ) {
            let two_hours = if ahead { 7_200 } else { -7_200 } + jitter;
            // The caller noticed the drift …
            prop_assert_ne!(p.clone().drift(two_hours).classify().verdict, PunchVerdict::Verified);
            // … or the punch and fix times disagree by it.
            let shifted = Punch { punch_time: p.fix.fix_time + TimeDelta::seconds(two_hours), ..p };
            prop_assert_ne!(shifted.classify().verdict, PunchVerdict::Verified);
        }

        #[test]
        fn teleporting_since_the_last_punch_is_never_verified(
            p in good_punch(), secs in 0i64..600, bearing in 0.0..360.0f64, margin in 1.01..5.0f64
        ) {
            let speed = p.thresholds.max_speed_mps;
            let reach = (p.fix.accuracy_m + 10.0 + speed * secs as f64) * margin + 1.0;
            let (s, c) = bearing.to_radians().sin_cos();
            let from = offset(p.fix.point(), reach * c, reach * s);
            let a = p.previous(from, secs).classify();
            prop_assert_ne!(a.verdict, PunchVerdict::Verified);
            let flagged = a.reasons.iter().any(|r| matches!(r, PunchReason::ImplausibleSpeed { .. }));
            prop_assert!(flagged);
        }

        #[test]
        fn worse_accuracy_never_helps_without_a_previous_fix(
            p in any_punch(), worse in 0.0..500.0f64
        ) {
            let p = Punch { previous: None, ..p };
            let sharp = p.classify();
            let blurred = p.clone().accuracy(p.fix.accuracy_m + worse).classify();
            // The one relaxation by design: "clearly outside" becomes "outside, within accuracy".
            let benefit_of_doubt =
                sharp.reasons.iter().any(|r| matches!(r, PunchReason::OutsideFence { .. }))
                && blurred.reasons.iter().any(|r| matches!(r, PunchReason::NearFenceEdge { .. }));
            prop_assert!(blurred.verdict >= sharp.verdict || benefit_of_doubt);
            if blurred.verdict == PunchVerdict::Verified {
                prop_assert_eq!(sharp.verdict, PunchVerdict::Verified);
            }
        }
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use crate::timecard::PunchKind;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).expect("valid time")
    }

    #[test]
    fn clock_in_up_to_an_hour_early_is_normal() {
        assert_eq!(schedule_reason(PunchKind::In, t(-60), t(0), t(240)), None);
        assert_eq!(schedule_reason(PunchKind::In, t(100), t(0), t(240)), None);
    }

    #[test]
    fn clock_in_the_day_before_needs_review() {
        let r = schedule_reason(PunchKind::In, t(-24 * 60), t(0), t(240)).expect("flagged");
        assert_eq!(
            r,
            PunchReason::OffSchedule {
                minutes: -(23 * 60)
            }
        );
        assert_eq!(r.verdict(), PunchVerdict::NeedsReview);
        assert!(r.explain().contains("earlier"), "{}", r.explain());
    }

    #[test]
    fn clock_out_long_after_the_end_needs_review() {
        assert_eq!(
            schedule_reason(PunchKind::Out, t(240 + 240), t(0), t(240)),
            None
        );
        let r = schedule_reason(PunchKind::Out, t(240 + 300), t(0), t(240)).expect("flagged");
        assert_eq!(r, PunchReason::OffSchedule { minutes: 60 });
        assert!(schedule_reason(PunchKind::Out, t(-5), t(0), t(240)).is_some());
    }
}
