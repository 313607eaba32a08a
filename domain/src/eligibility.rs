//! Eligibility: may this officer work this job, and if not, every reason why.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sworn ranks, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    Officer,
    Corporal,
    Sergeant,
    Lieutenant,
    Captain,
    Commander,
    Chief,
}

/// What a job asks of the officer who works it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requirements {
    /// At least this rank.
    #[serde(default)]
    pub min_rank: Option<Rank>,
    /// Every one of these certifications (e.g. `flagger`, `motor`, `k9`).
    #[serde(default)]
    pub certifications: Vec<String>,
    /// Member of at least one of these groups (units); empty means any group.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The department's work-hour rules. Days and weeks are counted in the department's time zone;
/// weeks start on Monday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    /// On-duty plus off-duty hours allowed in one local day.
    pub max_hours_per_day: u32,
    /// On-duty plus off-duty hours allowed in one local week.
    pub max_hours_per_week: u32,
    /// Minimum hours between the end of one shift and the start of the next.
    pub min_rest_hours: u32,
    /// Whether off-duty work needs a valid secondary-employment permit.
    pub permit_required: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_hours_per_day: 16,
            max_hours_per_week: 64,
            min_rest_hours: 8,
            permit_required: true,
        }
    }
}

/// Why an officer may not work a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IneligibleReason {
    /// Overlaps another shift (an awarded detail when `job_id` is set, else an on-duty shift).
    Overlap {
        job_id: Option<Uuid>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// Would bring the local day `day` to `minutes` minutes of work, above the cap.
    DailyCap { day: NaiveDate, minutes: i64, cap_hours: u32 },
    /// Would bring the local week starting Monday `week_of` to `minutes` minutes, above the cap.
    WeeklyCap { week_of: NaiveDate, minutes: i64, cap_hours: u32 },
    /// Only `gap_minutes` of rest between this job and another shift.
    Rest { gap_minutes: i64, min_hours: u32 },
    RankTooLow { required: Rank, actual: Rank },
    MissingCertification { certification: String },
    /// Not a member of any of the groups the job is for.
    NotInGroup { groups: Vec<String> },
    /// No secondary-employment permit on file.
    NoPermit,
    /// The permit lapses before the job ends.
    PermitExpired { expires_at: DateTime<Utc> },
}
