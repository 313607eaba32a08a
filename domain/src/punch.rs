//! The punch classifier: is this clock-in/out fix on site, and can it be trusted?

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::geofence::{AsPreparedFence, GeoPoint, Geofence, distance_m};
use crate::validation::{Invalid, InvalidCode};

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
                    "Moved away from your nearest other punch's location with no time in between — check the \
                     device clock."
                        .to_owned()
                } else {
                    format!(
                        "Moved at {} km/h to or from your nearest other punch (limit {} km/h).",
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
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(-90.0..=90.0).contains(&self.lat) {
            return Err(Invalid::new(
                "lat",
                InvalidCode::OutOfRange,
                format!("{} is not in -90..=90", self.lat),
            ));
        }
        if !(-180.0..=180.0).contains(&self.lon) {
            return Err(Invalid::new(
                "lon",
                InvalidCode::OutOfRange,
                format!("{} is not in -180..=180", self.lon),
            ));
        }
        if !(self.accuracy_m.is_finite() && self.accuracy_m >= 0.0) {
            return Err(Invalid::new(
                "accuracy_m",
                InvalidCode::OutOfRange,
                format!("{} is not a finite number ≥ 0", self.accuracy_m),
            ));
        }
        if self.provider.trim().is_empty() {
            return Err(Invalid::new("provider", InvalidCode::Required, "is empty"));
        }
        let len = self.provider.chars().count();
        if len > MAX_PROVIDER_LEN {
            return Err(Invalid::new(
                "provider",
                InvalidCode::TooLong,
                format!("is {len} characters long; at most {MAX_PROVIDER_LEN} are allowed"),
            ));
        }
        Ok(())
    }
}

/// Punches further apart in time than this are never compared for speed (at the default limit
/// of 70 m/s, two days allow 12,000 km: no speed check can catch anything beyond it).
pub const NEIGHBOUR_WINDOW_HOURS: i64 = 48;

/// The punches a new punch's speed is judged against: of every punch the officer made, on any
/// of their devices, the nearest before it and the nearest after it in time (within
/// [`NEIGHBOUR_WINDOW_HOURS`]). An officer who
/// worked a shift on an old phone that stayed offline, then a later one on a new phone, is
/// judged by where they were around each punch — not by whichever punch reached the server
/// last.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Neighbours<'a> {
    /// The fix of the latest punch made at or before this one.
    pub before: Option<&'a LocationFix>,
    /// The fix of the earliest punch made after this one.
    pub after: Option<&'a LocationFix>,
}

impl<'a> Neighbours<'a> {
    /// The span of punch times worth reading for a punch at `at`: callers with many punches
    /// (the server's table) fetch only those, then let [`Neighbours::nearest`] choose.
    pub fn window(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let w = chrono::TimeDelta::hours(NEIGHBOUR_WINDOW_HOURS);
        (
            at.checked_sub_signed(w).unwrap_or(DateTime::<Utc>::MIN_UTC),
            at.checked_add_signed(w).unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    }

    /// Picks the neighbours of a punch made at `at` from the officer's other punches, each
    /// given as its punch time and fix. Ties keep the first one given.
    pub fn nearest(
        at: DateTime<Utc>,
        punches: impl IntoIterator<Item = (DateTime<Utc>, &'a LocationFix)>,
    ) -> Neighbours<'a> {
        let (from, to) = Neighbours::window(at);
        let mut before: Option<(DateTime<Utc>, &'a LocationFix)> = None;
        let mut after: Option<(DateTime<Utc>, &'a LocationFix)> = None;
        for (t, fix) in punches.into_iter().filter(|(t, _)| (from..=to).contains(t)) {
            if t <= at {
                if before.is_none_or(|(b, _)| t > b) {
                    before = Some((t, fix));
                }
            } else if after.is_none_or(|(a, _)| t < a) {
                after = Some((t, fix));
            }
        }
        Neighbours {
            before: before.map(|(_, f)| f),
            after: after.map(|(_, f)| f),
        }
    }
}

/// Everything [`classify`] looks at for one punch.
///
/// The fence is a [`Geofence`] (prepared for this punch alone) or, for a caller that checks
/// many punches against one fence, a [`crate::geofence::PreparedFence`] built once.
#[derive(Debug)]
pub struct PunchContext<'a, F: AsPreparedFence + ?Sized = Geofence> {
    /// The job's fence.
    pub fence: &'a F,
    /// The fix taken for this punch.
    pub fix: &'a LocationFix,
    /// The device time of the punch.
    pub punch_time: DateTime<Utc>,
    /// The officer's punches nearest to this one in time, on any device, for the speed check
    /// (see [`Neighbours::nearest`]).
    pub neighbours: Neighbours<'a>,
    /// The caller's estimate of how far the device clock is off, seconds (positive: ahead);
    /// `None` when unknown.
    pub clock_drift_s: Option<i64>,
    /// The department's limits.
    pub thresholds: &'a PunchThresholds,
}

impl<F: AsPreparedFence + ?Sized> Clone for PunchContext<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: AsPreparedFence + ?Sized> Copy for PunchContext<'_, F> {}

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
pub fn classify<F: AsPreparedFence + ?Sized>(ctx: &PunchContext<'_, F>) -> PunchAssessment {
    let fix = ctx.fix;
    let limits = ctx.thresholds;
    let mut reasons = Vec::new();

    let fix_ok = match fix.validate() {
        Ok(()) => true,
        Err(detail) => {
            reasons.push(PunchReason::InvalidFix {
                detail: detail.to_string(),
            });
            false
        }
    };
    if fix.is_mock {
        reasons.push(PunchReason::MockLocation);
    }
    // The outline is projected once for all three questions (at most: a prepared fence was
    // projected when it was made). Crossing edges were refused when the job was posted; the
    // quadratic check is not repeated.
    let fence = ctx.fence.prepared();
    let fence_ok = match fence.validate_measurable() {
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
        (distance_outside_m, distance_inside_m) = fence.measure(fix.point());
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

    if fix_ok {
        let before = ctx.neighbours.before.filter(|b| b.validate().is_ok());
        let after = ctx.neighbours.after.filter(|a| a.validate().is_ok());
        let speeds = [
            before.map(|b| speed_beyond_accuracy(b, fix)),
            after.map(|a| speed_beyond_accuracy(fix, a)),
        ];
        let worst = speeds
            .into_iter()
            .flatten()
            .fold(None, |worst: Option<f64>, s| match worst {
                Some(w) if !exceeds(s, w) => Some(w),
                _ => Some(s),
            });
        if let Some(speed_mps) = worst
            && exceeds(speed_mps, limits.max_speed_mps)
        {
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
mod tests;
