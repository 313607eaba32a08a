//! Pay in integer cents: hourly rates by job type, multipliers, minimum billable time and the one
//! rounding rule.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Money in integer cents of the department's currency.
pub type Cents = i64;

/// The department's pay rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayPolicy {
    /// Hourly officer rate by job type, cents.
    pub rates_cents: BTreeMap<String, Cents>,
    /// Hourly rate for a job type not in `rates_cents`.
    pub default_rate_cents: Cents,
    /// Multiplier for a shift starting on a listed holiday (basis points, 15000 = ×1.5).
    pub holiday_multiplier_bp: u32,
    /// Multiplier for a job posted less than `short_notice_hours` before it starts.
    pub short_notice_multiplier_bp: u32,
    pub short_notice_hours: u32,
    /// Holidays (local dates in the department's time zone).
    pub holidays: Vec<NaiveDate>,
    /// A shift is paid at least this many minutes.
    pub min_billable_minutes: i64,
    /// Worked minutes are rounded to the nearest multiple of this (half rounds up).
    pub rounding_increment_minutes: i64,
}
