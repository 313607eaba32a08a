//! Award rules: who gets the slots, in what order the waitlist stands, and when signups open.

use serde::{Deserialize, Serialize};

/// How a job's slots are awarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AwardRule {
    /// Immediate: the first eligible claims received by the server win.
    FirstCome,
    /// When signups close: most senior first.
    Seniority,
    /// When signups close: fewest off-duty hours worked in the last `window_days` days first.
    FewestHours { window_days: u32 },
    /// When signups close: longest since their last detail first (never worked: first of all).
    Rotation,
    /// When signups close: a seeded, reproducible draw.
    Lottery { seed: u64 },
}

/// One stage of a staged release: the listed groups may sign up for `hours` hours before the
/// next stage opens. After the last tier, everyone eligible may sign up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseTier {
    pub groups: Vec<String>,
    pub hours: u32,
}
