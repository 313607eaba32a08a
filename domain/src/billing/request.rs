//! An event request as a customer makes it, and what makes one acceptable.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{MAX_JOB_TYPE_CHARS, MAX_OFFICERS, MAX_SHIFT_MINUTES, MAX_SHIFTS, duration};
use crate::validation::{Invalid, InvalidCode};

/// One shift of an event request, as the customer asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestedShift {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// How many officers, 1..=50.
    pub officers: u32,
    /// The job type that sets the rate (`security`, `traffic`, …; matched exactly after trimming).
    pub job_type: String,
    /// Whether each officer brings a vehicle.
    pub vehicle: bool,
}

/// Checks an event request made at `requested_at`: 1..=50 shifts, each ending after it starts,
/// at most 24 hours long, 1..=50 officers, a job type of 1..=40 characters after trimming, and
/// not starting before the request. Fields are `shifts`, `shifts[i].starts_at`, … .
pub fn validate_request(
    requested_at: DateTime<Utc>,
    shifts: &[RequestedShift],
) -> Result<(), Invalid> {
    if shifts.is_empty() {
        return Err(Invalid::new(
            "shifts",
            InvalidCode::Required,
            "Add at least one shift to the request.",
        ));
    }
    if shifts.len() > MAX_SHIFTS {
        return Err(Invalid::new(
            "shifts",
            InvalidCode::TooMany,
            format!(
                "A request can hold at most {MAX_SHIFTS} shifts (this one has {}).",
                shifts.len()
            ),
        ));
    }
    for (i, s) in shifts.iter().enumerate() {
        let field = |name: &str| format!("shifts[{i}].{name}");
        if s.ends_at <= s.starts_at {
            return Err(Invalid::new(
                field("ends_at"),
                InvalidCode::Inconsistent,
                "The shift must end after it starts.",
            ));
        }
        let length = s.ends_at.signed_duration_since(s.starts_at);
        if length > TimeDelta::minutes(MAX_SHIFT_MINUTES) {
            return Err(Invalid::new(
                field("ends_at"),
                InvalidCode::OutOfRange,
                format!(
                    "A shift can be at most 24 hours long (this one is {}).",
                    duration(length.num_minutes())
                ),
            ));
        }
        if s.starts_at < requested_at {
            return Err(Invalid::new(
                field("starts_at"),
                InvalidCode::OutOfRange,
                "The shift starts in the past; choose a start after now.",
            ));
        }
        if !(1..=MAX_OFFICERS).contains(&s.officers) {
            return Err(Invalid::new(
                field("officers"),
                InvalidCode::OutOfRange,
                format!(
                    "A shift needs between 1 and {MAX_OFFICERS} officers (got {}).",
                    s.officers
                ),
            ));
        }
        let job_type = s.job_type.trim();
        if job_type.is_empty() {
            return Err(Invalid::new(
                field("job_type"),
                InvalidCode::Required,
                "Choose a job type for the shift.",
            ));
        }
        let n = job_type.chars().count();
        if n > MAX_JOB_TYPE_CHARS {
            return Err(Invalid::new(
                field("job_type"),
                InvalidCode::TooLong,
                format!(
                    "A job type can be at most {MAX_JOB_TYPE_CHARS} characters long (got {n})."
                ),
            ));
        }
    }
    Ok(())
}
