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

use std::cmp::Ordering;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

impl AwardRule {
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
    pub fn validate(&self) -> Result<(), String> {
        match self {
            AwardRule::FewestHours { window_days }
                if !(1..=MAX_WINDOW_DAYS).contains(window_days) =>
            {
                Err(format!(
                    "fewest_hours window_days must be between 1 and {MAX_WINDOW_DAYS} (got {window_days})"
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
    let mut keyed: Vec<(u64, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let draw = match rule {
                AwardRule::Lottery { seed } => lottery_key(*seed, job_id, c.officer_id),
                _ => 0,
            };
            (draw, c)
        })
        .collect();
    keyed.sort_by(|(da, a), (db, b)| {
        let primary = match rule {
            AwardRule::FirstCome => Ordering::Equal,
            AwardRule::Seniority => a.seniority.cmp(&b.seniority),
            AwardRule::FewestHours { .. } => a.recent_minutes.cmp(&b.recent_minutes),
            AwardRule::Rotation => a.last_detail_end.cmp(&b.last_detail_end),
            AwardRule::Lottery { .. } => da.cmp(db),
        };
        primary
            .then(a.receipt_seq.cmp(&b.receipt_seq))
            .then(a.officer_id.cmp(&b.officer_id))
            .then(a.seniority.cmp(&b.seniority))
            .then(a.recent_minutes.cmp(&b.recent_minutes))
            .then(a.last_detail_end.cmp(&b.last_detail_end))
    });
    keyed.into_iter().map(|(_, c)| c.officer_id).collect()
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
pub fn validate_tiers(tiers: &[ReleaseTier]) -> Result<(), String> {
    if tiers.len() > MAX_RELEASE_TIERS {
        return Err(format!(
            "at most {MAX_RELEASE_TIERS} release tiers are allowed (got {})",
            tiers.len()
        ));
    }
    for (i, tier) in tiers.iter().enumerate() {
        let n = i + 1;
        if tier.groups.is_empty() {
            return Err(format!("release tier {n} must name at least one group"));
        }
        if tier.groups.iter().any(|g| g.trim().is_empty()) {
            return Err(format!("release tier {n} has a blank group name"));
        }
        if !(1..=MAX_TIER_HOURS).contains(&tier.hours) {
            return Err(format!(
                "release tier {n} must last between 1 and {MAX_TIER_HOURS} hours (got {})",
                tier.hours
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).expect("valid timestamp")
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn job() -> Uuid {
        Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0001)
    }

    /// A candidate whose every key grows with `n`; tests override the field they care about.
    fn cand(n: u64) -> Candidate {
        Candidate {
            officer_id: id(u128::from(n)),
            receipt_seq: n,
            seniority: n as u32,
            recent_minutes: n as i64,
            last_detail_end: Some(at(n as i64)),
        }
    }

    fn tier(groups: &[&str], hours: u32) -> ReleaseTier {
        ReleaseTier {
            groups: groups.iter().map(|g| g.to_string()).collect(),
            hours,
        }
    }

    fn groups(gs: &[&str]) -> Vec<String> {
        gs.iter().map(|g| g.to_string()).collect()
    }

    fn ids(ns: &[u128]) -> Vec<Uuid> {
        ns.iter().map(|n| id(*n)).collect()
    }

    #[test]
    fn first_come_awards_in_receipt_order() {
        let cs = vec![
            Candidate {
                receipt_seq: 30,
                ..cand(1)
            },
            Candidate {
                receipt_seq: 10,
                ..cand(2)
            },
            Candidate {
                receipt_seq: 20,
                ..cand(3)
            },
        ];
        assert_eq!(rank(&AwardRule::FirstCome, job(), &cs), ids(&[2, 3, 1]));
    }

    #[test]
    fn seniority_awards_most_senior_first() {
        let cs = vec![
            Candidate {
                seniority: 40,
                ..cand(1)
            },
            Candidate {
                seniority: 1,
                ..cand(2)
            },
            Candidate {
                seniority: 7,
                ..cand(3)
            },
        ];
        assert_eq!(rank(&AwardRule::Seniority, job(), &cs), ids(&[2, 3, 1]));
    }

    #[test]
    fn fewest_hours_awards_fewest_recent_minutes_first() {
        let cs = vec![
            Candidate {
                recent_minutes: 600,
                ..cand(1)
            },
            Candidate {
                recent_minutes: 0,
                ..cand(2)
            },
            Candidate {
                recent_minutes: 240,
                ..cand(3)
            },
        ];
        let rule = AwardRule::FewestHours { window_days: 28 };
        assert_eq!(rank(&rule, job(), &cs), ids(&[2, 3, 1]));
    }

    #[test]
    fn rotation_puts_never_worked_first_then_longest_since_last_detail() {
        let cs = vec![
            Candidate {
                last_detail_end: Some(at(-24)),
                ..cand(1)
            },
            Candidate {
                last_detail_end: Some(at(-240)),
                ..cand(2)
            },
            Candidate {
                last_detail_end: None,
                ..cand(3)
            },
        ];
        assert_eq!(rank(&AwardRule::Rotation, job(), &cs), ids(&[3, 2, 1]));
    }

    #[test]
    fn ties_go_to_the_earlier_claim_then_the_smaller_officer_id() {
        let cs = vec![
            Candidate {
                seniority: 5,
                receipt_seq: 9,
                ..cand(1)
            },
            Candidate {
                seniority: 5,
                receipt_seq: 3,
                ..cand(3)
            },
            Candidate {
                seniority: 5,
                receipt_seq: 3,
                ..cand(2)
            },
        ];
        assert_eq!(rank(&AwardRule::Seniority, job(), &cs), ids(&[2, 3, 1]));
    }

    #[test]
    fn ranking_nobody_gives_nobody() {
        assert!(rank(&AwardRule::Lottery { seed: 1 }, job(), &[]).is_empty());
    }

    #[test]
    fn lottery_key_follows_the_published_algorithm() {
        // The reference SplitMix64 generator's first output from state 0.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        let (jh, jl) = job().as_u64_pair();
        let (oh, ol) = id(7).as_u64_pair();
        let by_hand =
            splitmix64(splitmix64(splitmix64(splitmix64(splitmix64(42) ^ jh) ^ jl) ^ oh) ^ ol);
        assert_eq!(lottery_key(42, job(), id(7)), by_hand);
        // Pinned: a draw must give the same order in every future release.
        assert_eq!(lottery_key(42, job(), id(7)), PINNED_KEY);
    }

    const PINNED_KEY: u64 = 0x053A_ADFD_A407_BE3E;

    #[test]
    fn lottery_orders_by_key_and_is_reproducible() {
        let cs: Vec<Candidate> = (1..=10).map(cand).collect();
        let rule = AwardRule::Lottery { seed: 2024 };
        let order = rank(&rule, job(), &cs);
        assert_eq!(order, rank(&rule, job(), &cs));
        let keys: Vec<u64> = order.iter().map(|o| lottery_key(2024, job(), *o)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn lottery_orders_differ_by_seed_and_by_job() {
        let cs: Vec<Candidate> = (1..=10).map(cand).collect();
        let a = rank(&AwardRule::Lottery { seed: 1 }, job(), &cs);
        let b = rank(&AwardRule::Lottery { seed: 2 }, job(), &cs);
        let c = rank(&AwardRule::Lottery { seed: 1 }, id(99), &cs);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn only_first_come_is_immediate() {
        assert!(AwardRule::FirstCome.is_immediate());
        for rule in [
            AwardRule::Seniority,
            AwardRule::FewestHours { window_days: 28 },
            AwardRule::Rotation,
            AwardRule::Lottery { seed: 1 },
        ] {
            assert!(!rule.is_immediate(), "{rule:?}");
        }
    }

    #[test]
    fn rules_describe_themselves_in_plain_words() {
        assert_eq!(
            AwardRule::FirstCome.describe(),
            "First come, first served: the first eligible officers to claim get the slots."
        );
        assert_eq!(
            AwardRule::Seniority.describe(),
            "By seniority: when signups close, the most senior eligible officers get the slots."
        );
        let fewest = AwardRule::FewestHours { window_days: 28 }.describe();
        assert!(fewest.starts_with("Fewest hours:"), "{fewest}");
        assert!(
            fewest.contains("fewest off-duty hours in the last 28 days"),
            "{fewest}"
        );
        assert!(
            AwardRule::Rotation
                .describe()
                .contains("longest since their last detail")
        );
        assert!(
            AwardRule::Lottery { seed: 9 }
                .describe()
                .contains("a reproducible random draw")
        );
    }

    #[test]
    fn fewest_hours_window_must_be_a_day_to_a_year() {
        assert!(
            AwardRule::FewestHours { window_days: 0 }
                .validate()
                .is_err()
        );
        assert!(AwardRule::FewestHours { window_days: 1 }.validate().is_ok());
        assert!(
            AwardRule::FewestHours { window_days: 366 }
                .validate()
                .is_ok()
        );
        assert!(
            AwardRule::FewestHours { window_days: 367 }
                .validate()
                .is_err()
        );
        assert!(AwardRule::Lottery { seed: 0 }.validate().is_ok());
    }

    #[test]
    fn first_tier_members_sign_up_at_opening_and_others_after_every_tier() {
        let tiers = [tier(&["traffic"], 24), tier(&["motor", "k9"], 12)];
        assert_eq!(opens_for(at(0), &tiers, &groups(&["traffic"])), at(0));
        assert_eq!(opens_for(at(0), &tiers, &groups(&["k9"])), at(24));
        assert_eq!(opens_for(at(0), &tiers, &groups(&["patrol"])), at(36));
        assert_eq!(opens_for(at(0), &tiers, &[]), at(36));
        // Member of both tiers: the earliest one counts.
        assert_eq!(
            opens_for(at(0), &tiers, &groups(&["motor", "traffic"])),
            at(0)
        );
        // No tiers: everyone at once.
        assert_eq!(opens_for(at(5), &[], &[]), at(5));
    }

    #[test]
    fn signup_state_follows_the_officers_tier_and_the_close_time() {
        let tiers = [tier(&["traffic"], 24)];
        let patrol = groups(&["patrol"]);
        let close = Some(at(48));
        assert_eq!(
            signup_state(at(0), close, &tiers, &patrol, at(10)),
            SignupState::NotYetOpen { opens_at: at(24) }
        );
        assert_eq!(
            signup_state(at(0), close, &tiers, &patrol, at(24)),
            SignupState::Open
        );
        assert_eq!(
            signup_state(at(0), close, &tiers, &groups(&["traffic"]), at(0)),
            SignupState::Open
        );
        assert_eq!(
            signup_state(at(0), close, &tiers, &patrol, at(48)),
            SignupState::Closed { closed_at: at(48) }
        );
        assert_eq!(
            signup_state(at(0), None, &tiers, &patrol, at(10_000)),
            SignupState::Open
        );
        // Closed wins even if this officer's tier would only open later.
        assert_eq!(
            signup_state(at(0), Some(at(10)), &tiers, &patrol, at(11)),
            SignupState::Closed { closed_at: at(10) }
        );
    }

    #[test]
    fn signup_state_is_tagged_on_the_wire() {
        let json = serde_json::to_value(SignupState::NotYetOpen { opens_at: at(0) }).unwrap();
        assert_eq!(json["type"], "not_yet_open");
        assert_eq!(
            serde_json::to_value(SignupState::Open).unwrap()["type"],
            "open"
        );
    }

    #[test]
    fn release_is_described_in_one_sentence() {
        assert_eq!(
            describe_release(at(0), &[tier(&["Traffic Unit"], 24)]),
            "Open to Traffic Unit for 24 h, then to everyone."
        );
        assert_eq!(
            describe_release(
                at(0),
                &[
                    tier(&["Traffic Unit"], 24),
                    tier(&["Motor", "K9", "SWAT"], 12)
                ]
            ),
            "Open to Traffic Unit for 24 h, then also to Motor, K9 or SWAT for 12 h, then to everyone."
        );
        assert_eq!(describe_release(at(0), &[]), "Open to everyone.");
    }

    #[test]
    fn signup_state_explains_itself_in_local_time() {
        let t = DateTime::parse_from_rfc3339("2026-12-12T19:00:00Z")
            .unwrap()
            .to_utc();
        let s = SignupState::NotYetOpen { opens_at: t };
        assert_eq!(
            s.explain_in(chrono_tz::America::New_York),
            "Signups open for you on Sat 12 Dec 14:00 EST."
        );
        assert_eq!(s.explain(), "Signups open for you on Sat 12 Dec 19:00 UTC.");
        assert!(SignupState::Open.explain().contains("open"));
        assert!(
            SignupState::Closed { closed_at: t }
                .explain()
                .starts_with("Signups closed on")
        );
    }

    #[test]
    fn release_tiers_are_validated() {
        assert!(validate_tiers(&[]).is_ok());
        assert!(validate_tiers(&[tier(&["traffic"], 1), tier(&["motor"], 720)]).is_ok());
        assert!(validate_tiers(&[tier(&[], 24)]).is_err());
        assert!(validate_tiers(&[tier(&["  "], 24)]).is_err());
        assert!(validate_tiers(&[tier(&["traffic"], 0)]).is_err());
        assert!(validate_tiers(&[tier(&["traffic"], 721)]).is_err());
        let eleven: Vec<ReleaseTier> = (0..11).map(|_| tier(&["traffic"], 1)).collect();
        assert!(validate_tiers(&eleven).is_err());
        assert!(validate_tiers(&eleven[..10]).is_ok());
    }

    #[test]
    fn huge_tiers_saturate_instead_of_panicking() {
        let tiers = vec![tier(&["a"], u32::MAX); 100];
        assert_eq!(
            opens_for(DateTime::<Utc>::MAX_UTC, &tiers, &[]),
            DateTime::<Utc>::MAX_UTC
        );
    }

    fn any_rule() -> impl Strategy<Value = AwardRule> {
        prop_oneof![
            Just(AwardRule::FirstCome),
            Just(AwardRule::Seniority),
            (1u32..=366).prop_map(|window_days| AwardRule::FewestHours { window_days }),
            Just(AwardRule::Rotation),
            any::<u64>().prop_map(|seed| AwardRule::Lottery { seed }),
        ]
    }

    /// Candidates with distinct officer ids and small key ranges, so ties are common.
    fn any_candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec(
            (0u64..6, 1u32..6, 0i64..6, prop::option::of(-5i64..5)),
            0..12,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (seq, sen, mins, last))| Candidate {
                    officer_id: id(0x1000 + i as u128 * 7919 % 101),
                    receipt_seq: seq,
                    seniority: sen,
                    recent_minutes: mins,
                    last_detail_end: last.map(at),
                })
                .collect()
        })
    }

    fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
        v.sort();
        v
    }

    fn by_id<'a>(cs: &'a [Candidate], o: &Uuid) -> &'a Candidate {
        cs.iter().find(|c| c.officer_id == *o).unwrap()
    }

    proptest! {
        #[test]
        fn rank_is_a_permutation_of_the_input_ids(rule in any_rule(), cs in any_candidates()) {
            let out = rank(&rule, job(), &cs);
            prop_assert_eq!(sorted(out), sorted(cs.iter().map(|c| c.officer_id).collect()));
        }

        #[test]
        fn rank_does_not_depend_on_input_order(
            rule in any_rule(),
            (cs, shuffled) in any_candidates().prop_flat_map(|cs| (Just(cs.clone()), Just(cs).prop_shuffle())),
        ) {
            prop_assert_eq!(rank(&rule, job(), &cs), rank(&rule, job(), &shuffled));
        }

        #[test]
        fn first_come_is_in_receipt_order(cs in any_candidates()) {
            let out = rank(&AwardRule::FirstCome, job(), &cs);
            let seqs: Vec<u64> = out.iter().map(|o| by_id(&cs, o).receipt_seq).collect();
            prop_assert!(seqs.windows(2).all(|w| w[0] <= w[1]));
        }

        #[test]
        fn seniority_is_in_seniority_order_with_receipt_breaking_ties(cs in any_candidates()) {
            let out = rank(&AwardRule::Seniority, job(), &cs);
            let keys: Vec<(u32, u64)> = out.iter().map(|o| { let c = by_id(&cs, o); (c.seniority, c.receipt_seq) }).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]));
        }

        #[test]
        fn lottery_removing_a_candidate_keeps_the_others_in_order(
            seed in any::<u64>(), cs in any_candidates(), pick in any::<prop::sample::Index>(),
        ) {
            prop_assume!(!cs.is_empty());
            let gone = pick.index(cs.len());
            let rule = AwardRule::Lottery { seed };
            let full = rank(&rule, job(), &cs);
            let mut fewer = cs.clone();
            let removed = fewer.remove(gone).officer_id;
            let expected: Vec<Uuid> = full.into_iter().filter(|o| *o != removed).collect();
            prop_assert_eq!(rank(&rule, job(), &fewer), expected);
        }

        /// An officer whose first tier comes later never opens earlier.
        #[test]
        fn opens_for_is_later_the_more_tiers_come_before_you(
            hours in prop::collection::vec(0u32..800, 0..10), h in -1000i64..1000,
        ) {
            let tiers: Vec<ReleaseTier> = hours.iter().enumerate().map(|(i, h)| tier(&[&format!("g{i}")], *h)).collect();
            let mut last = at(h);
            for i in 0..=tiers.len() {
                // Group g{len} is in no tier: everyone else.
                let t = opens_for(at(h), &tiers, &groups(&[&format!("g{i}")]));
                prop_assert!(t >= last);
                last = t;
            }
            prop_assert_eq!(last, opens_for(at(h), &tiers, &[]));
        }
    }
}
