//! Award rules: who gets the slots, in what order the waitlist stands, and when signups open.
//!
//! [`rank`] orders the officers who asked for a job, best first. The same order decides who gets
//! the slots when signups close (ranked rules) and where everyone else stands on the waitlist.
//! Every rule is a strict total order: ties on the rule's own key are broken by the server's
//! receipt order of the claim, then by officer id, so the result never depends on the order the
//! candidates were passed in.
//!
//! [`opens_for`] and [`signup_state`] implement the staged release: a job may open to some groups
//! first ([`ReleaseTier`]) and to everyone later.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{Invalid, InvalidCode};

/// Longest window [`AwardRule::FewestHours`] may look back, in days.
pub const MAX_WINDOW_DAYS: u32 = 366;
/// Most tiers a staged release may have.
pub const MAX_RELEASE_TIERS: usize = 10;
/// Longest a single release tier may last, in hours (30 days).
pub const MAX_TIER_HOURS: u32 = 720;

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
    FewestHours {
        /// How many days back the off-duty hours are counted (1..=366).
        window_days: u32,
    },
    /// When signups close: longest since their last detail first (never worked: first of all).
    Rotation,
    /// When signups close: a seeded, reproducible draw.
    Lottery {
        /// Seed of the draw; with the job and officer ids it fixes the order (see [`lottery_key`]).
        seed: u64,
    },
}

/// One stage of a staged release: the listed groups may sign up for `hours` hours before the
/// next stage opens. After the last tier, everyone eligible may sign up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseTier {
    /// Groups (units) that may sign up from this tier's opening; matched exactly.
    pub groups: Vec<String>,
    /// How long this tier lasts before the next one opens (1..=720).
    pub hours: u32,
}

/// How a job's slots are awarded, without the rule's parameters: what a badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardRuleKind {
    FirstCome,
    Seniority,
    FewestHours,
    Rotation,
    Lottery,
}

impl AwardRule {
    /// The rule's kind, for a badge.
    pub fn kind(&self) -> AwardRuleKind {
        match self {
            AwardRule::FirstCome => AwardRuleKind::FirstCome,
            AwardRule::Seniority => AwardRuleKind::Seniority,
            AwardRule::FewestHours { .. } => AwardRuleKind::FewestHours,
            AwardRule::Rotation => AwardRuleKind::Rotation,
            AwardRule::Lottery { .. } => AwardRuleKind::Lottery,
        }
    }

    /// Whether claims are decided the moment they arrive (first come) rather than ranked when
    /// signups close.
    pub fn is_immediate(&self) -> bool {
        matches!(self, AwardRule::FirstCome)
    }

    /// The rule in plain words, for the officer.
    pub fn describe(&self) -> String {
        match self {
            AwardRule::FirstCome => {
                "First come, first served: the first eligible officers to claim get the slots."
                    .to_string()
            }
            AwardRule::Seniority => "By seniority: when signups close, the most senior eligible \
                                     officers get the slots."
                .to_string(),
            AwardRule::FewestHours { window_days } => format!(
                "Fewest hours: when signups close, the eligible officers with the fewest off-duty \
                 hours in the last {window_days} {} get the slots.",
                if *window_days == 1 { "day" } else { "days" }
            ),
            AwardRule::Rotation => "Rotation: when signups close, the eligible officers who have \
                                    gone longest since their last detail get the slots (those who \
                                    never worked one come first)."
                .to_string(),
            AwardRule::Lottery { .. } => "Lottery: when signups close, the slots go to eligible \
                                          officers in a reproducible random draw that anyone can \
                                          re-run to check."
                .to_string(),
        }
    }

    /// Checks the rule's parameters (`window_days` must be 1..=366).
    pub fn validate(&self) -> Result<(), Invalid> {
        match self {
            AwardRule::FewestHours { window_days }
                if !(1..=MAX_WINDOW_DAYS).contains(window_days) =>
            {
                Err(Invalid::new(
                    "window_days",
                    InvalidCode::OutOfRange,
                    format!("must be between 1 and {MAX_WINDOW_DAYS} (got {window_days})"),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// One officer who asked for a job, with what every award rule needs to know about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The officer.
    pub officer_id: Uuid,
    /// Server receipt order of the claim (lower = received earlier).
    pub receipt_seq: u64,
    /// Seniority number; 1 = most senior.
    pub seniority: u32,
    /// Off-duty minutes worked in the rule's window (fewest hours).
    pub recent_minutes: i64,
    /// End of the officer's last detail; `None` if they never worked one (rotation).
    pub last_detail_end: Option<DateTime<Utc>>,
}

/// Orders the candidates for a job under `rule`, best first, and returns their officer ids.
///
/// - first come: by `receipt_seq`;
/// - seniority: by `seniority` (1 first);
/// - fewest hours: by `recent_minutes`;
/// - rotation: by `last_detail_end`, officers who never worked a detail first;
/// - lottery: by [`lottery_key`]`(seed, job_id, officer_id)`.
///
/// Ties go to the earlier `receipt_seq`, then the smaller officer id (then, for malformed input
/// with a repeated officer id, the remaining fields), so the order is total, deterministic and
/// independent of the input order. The output holds every input id once per input candidate.
pub fn rank(rule: &AwardRule, job_id: Uuid, candidates: &[Candidate]) -> Vec<Uuid> {
    rank_with_tie_break(rule, job_id, candidates, |_| 0)
}

/// [`rank`], with one more key between the rule's own key and the receipt order: `tie_break`
/// (lower first), consulted only between candidates the rule ranks equal. A department that
/// opted in passes its officers' reliability key ([`crate::ratings::Reliability::tie_break_key`],
/// decision 046); a constant `tie_break` gives exactly [`rank`]'s order. First come is never
/// re-ordered: its order is the receipt order itself.
pub fn rank_with_tie_break(
    rule: &AwardRule,
    job_id: Uuid,
    candidates: &[Candidate],
    tie_break: impl Fn(Uuid) -> u64,
) -> Vec<Uuid> {
    // Each candidate's rule key, receipt order and id are computed once and packed into integers
    // that compare like the fields they come from; the sort then compares plain integers. Only
    // candidates equal on all three (a repeated officer id with the same receipt: malformed
    // input) fall through to the remaining fields. The order is total on the candidates'
    // contents, so an unstable sort returns the same order as a stable one.
    let mut keyed: Vec<(RankKey, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let mut key = RankKey::new(rule, job_id, c);
            if !rule.is_immediate() {
                key.tie = tie_break(c.officer_id);
            }
            (key, c)
        })
        .collect();
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| a.seniority.cmp(&b.seniority))
            .then_with(|| a.recent_minutes.cmp(&b.recent_minutes))
            .then_with(|| a.last_detail_end.cmp(&b.last_detail_end))
    });
    keyed.into_iter().map(|(_, c)| c.officer_id).collect()
}

/// What [`rank`] sorts by, in order: the rule's own key, the department's tie-break (0 unless
/// it opted in), the receipt order, the officer id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RankKey {
    primary: i128,
    tie: u64,
    receipt_seq: u64,
    officer: u128,
}

impl RankKey {
    fn new(rule: &AwardRule, job_id: Uuid, c: &Candidate) -> RankKey {
        let primary = match rule {
            AwardRule::FirstCome => 0,
            AwardRule::Seniority => i128::from(c.seniority),
            AwardRule::FewestHours { .. } => i128::from(c.recent_minutes),
            AwardRule::Rotation => time_key(c.last_detail_end),
            AwardRule::Lottery { seed } => i128::from(lottery_key(*seed, job_id, c.officer_id)),
        };
        RankKey {
            primary,
            tie: 0,
            receipt_seq: c.receipt_seq,
            officer: c.officer_id.as_u128(),
        }
    }
}

/// An integer that orders like `Option<DateTime<Utc>>` (`None` first, then by time): the
/// seconds in the high bits, the nanoseconds (below 2·10⁹, leap seconds included) in the low 32.
fn time_key(t: Option<DateTime<Utc>>) -> i128 {
    match t {
        None => i128::MIN,
        Some(t) => (i128::from(t.timestamp()) << 32) | i128::from(t.timestamp_subsec_nanos()),
    }
}

/// The SplitMix64 finaliser (Steele, Lea & Flood 2014): adds the golden-ratio increment
/// `0x9E3779B97F4A7C15`, then mixes. `splitmix64(0) == 0xE220A8397B1DCDAF`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An officer's draw in a lottery; the lowest key ranks first. Stable forever, so an auditor can
/// re-run a draw from the seed, the job id and the officer ids alone:
///
/// ```text
/// h = splitmix64(seed)
/// for w in [job_hi, job_lo, officer_hi, officer_lo]:   // the UUIDs' 16 bytes as two
///     h = splitmix64(h XOR w)                          // big-endian u64 halves each
/// key = h
/// ```
///
/// where `splitmix64(x)` is: `z = x + 0x9E3779B97F4A7C15`; `z = (z ^ z>>30) * 0xBF58476D1CE4E5B9`;
/// `z = (z ^ z>>27) * 0x94D049BB133111EB`; `z ^ z>>31` (all arithmetic wrapping mod 2^64).
/// Each officer's key depends only on their own id, so adding or removing a candidate never
/// reorders the others.
pub fn lottery_key(seed: u64, job_id: Uuid, officer_id: Uuid) -> u64 {
    let (job_hi, job_lo) = job_id.as_u64_pair();
    let (officer_hi, officer_lo) = officer_id.as_u64_pair();
    [job_hi, job_lo, officer_hi, officer_lo]
        .into_iter()
        .fold(splitmix64(seed), |h, w| splitmix64(h ^ w))
}

/// `at + hours`, saturating at the latest representable time instead of panicking.
fn plus_hours(at: DateTime<Utc>, hours: u64) -> DateTime<Utc> {
    i64::try_from(hours)
        .ok()
        .and_then(TimeDelta::try_hours)
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// When an officer in `officer_groups` may first sign up.
///
/// Tier `i` opens at `signup_opens_at` plus the hours of the tiers before it. An officer in any
/// group of a tier may sign up from the opening of the earliest tier that lists one of their
/// groups; everyone else from `signup_opens_at` plus the hours of all tiers. Groups match exactly.
pub fn opens_for(
    signup_opens_at: DateTime<Utc>,
    tiers: &[ReleaseTier],
    officer_groups: &[String],
) -> DateTime<Utc> {
    let mut hours_before: u64 = 0;
    for tier in tiers {
        if tier.groups.iter().any(|g| officer_groups.contains(g)) {
            return plus_hours(signup_opens_at, hours_before);
        }
        hours_before += u64::from(tier.hours);
    }
    plus_hours(signup_opens_at, hours_before)
}

/// Whether one officer may sign up for a job right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SignupState {
    /// Signups have not opened for this officer yet.
    NotYetOpen {
        /// When they open for this officer.
        opens_at: DateTime<Utc>,
    },
    /// The officer may sign up now.
    Open,
    /// Signups are over.
    Closed {
        /// When they closed.
        closed_at: DateTime<Utc>,
    },
}

/// Where signups stand for one officer at `now`. Signups run over `[opens, closes)`, where
/// `opens` is [`opens_for`] the officer and `closes` is `signup_closes_at` (`None`: no close
/// time). Once the close time has passed the state is `Closed`, even for an officer whose tier
/// never opened.
pub fn signup_state(
    signup_opens_at: DateTime<Utc>,
    signup_closes_at: Option<DateTime<Utc>>,
    tiers: &[ReleaseTier],
    officer_groups: &[String],
    now: DateTime<Utc>,
) -> SignupState {
    if let Some(closed_at) = signup_closes_at.filter(|c| now >= *c) {
        return SignupState::Closed { closed_at };
    }
    let opens_at = opens_for(signup_opens_at, tiers, officer_groups);
    if now < opens_at {
        SignupState::NotYetOpen { opens_at }
    } else {
        SignupState::Open
    }
}

/// "A", "A or B", "A, B or C" (also used by eligibility's explanations).
pub(crate) fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The staged release in one sentence, e.g. "Open to Traffic Unit for 24 h, then to everyone."
///
/// The sentence uses durations, not clock times: a clock time needs the department's time zone,
/// and [`SignupState::explain_in`] gives the officer their own opening time.
pub fn describe_release(_signup_opens_at: DateTime<Utc>, tiers: &[ReleaseTier]) -> String {
    if tiers.is_empty() {
        return "Open to everyone.".to_string();
    }
    let mut parts = Vec::with_capacity(tiers.len() + 1);
    for (i, tier) in tiers.iter().enumerate() {
        let who = join_or(&tier.groups);
        let also = if i == 0 { "" } else { "also " };
        parts.push(format!("{also}to {who} for {} h", tier.hours));
    }
    parts.push("to everyone".to_string());
    format!("Open {}.", parts.join(", then "))
}

impl SignupState {
    /// A sentence an officer can read; times in UTC (see [`SignupState::explain_in`]).
    pub fn explain(&self) -> String {
        self.explain_in(chrono_tz::UTC)
    }

    /// A sentence an officer can read, with times in the department's time zone `tz`.
    pub fn explain_in(&self, tz: chrono_tz::Tz) -> String {
        let fmt = |t: &DateTime<Utc>| {
            t.with_timezone(&tz)
                .format("%a %-d %b %H:%M %Z")
                .to_string()
        };
        match self {
            SignupState::NotYetOpen { opens_at } => {
                format!("Signups open for you on {}.", fmt(opens_at))
            }
            SignupState::Open => "Signups are open: you can claim this job now.".to_string(),
            SignupState::Closed { closed_at } => format!("Signups closed on {}.", fmt(closed_at)),
        }
    }
}

/// Checks a staged release: at most 10 tiers, each with at least one group, no blank group name,
/// and 1..=720 hours.
pub fn validate_tiers(tiers: &[ReleaseTier]) -> Result<(), Invalid> {
    if tiers.len() > MAX_RELEASE_TIERS {
        return Err(Invalid::new(
            "",
            InvalidCode::TooMany,
            format!(
                "at most {MAX_RELEASE_TIERS} release tiers are allowed (got {})",
                tiers.len()
            ),
        ));
    }
    for (i, tier) in tiers.iter().enumerate() {
        let n = i + 1;
        if tier.groups.is_empty() {
            return Err(Invalid::new(
                format!("[{i}].groups"),
                InvalidCode::Required,
                format!("release tier {n} must name at least one group"),
            ));
        }
        if let Some(g) = tier.groups.iter().position(|g| g.trim().is_empty()) {
            return Err(Invalid::new(
                format!("[{i}].groups[{g}]"),
                InvalidCode::Required,
                format!("release tier {n} has a blank group name"),
            ));
        }
        if !(1..=MAX_TIER_HOURS).contains(&tier.hours) {
            return Err(Invalid::new(
                format!("[{i}].hours"),
                InvalidCode::OutOfRange,
                format!(
                    "release tier {n} must last between 1 and {MAX_TIER_HOURS} hours (got {})",
                    tier.hours
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
