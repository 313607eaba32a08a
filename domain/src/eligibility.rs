//! Eligibility: may this officer work this job, and if not, every reason why.
//!
//! [`check`] reports every reason that applies, in a stable order: rank, certifications, group,
//! permit, overlaps, rest, daily caps, weekly caps. Hour caps count real elapsed time inside the
//! department's local calendar days and Monday-based weeks, so a spring-forward day holds 23 hours
//! and a fall-back day 25. Time worked twice over (overlapping blocks) counts once.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};
use uuid::Uuid;

use crate::award::join_or;
use crate::protocol::{DutyKind, OfficerProfile};

/// Sworn ranks, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    /// Police officer (patrol).
    Officer,
    /// Corporal.
    Corporal,
    /// Sergeant.
    Sergeant,
    /// Lieutenant.
    Lieutenant,
    /// Captain.
    Captain,
    /// Commander.
    Commander,
    /// Chief of police.
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
    /// 16 h a day, 64 h a week, 8 h rest, permit required.
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
        /// The other shift's job when it is an awarded detail; `None` for an on-duty shift.
        job_id: Option<Uuid>,
        /// When the other shift starts.
        starts_at: DateTime<Utc>,
        /// When the other shift ends.
        ends_at: DateTime<Utc>,
    },
    /// Would bring the local day `day` to `minutes` minutes of work, above the cap.
    DailyCap {
        /// The local calendar day.
        day: NaiveDate,
        /// Minutes of work that day with this job (real elapsed time).
        minutes: i64,
        /// The department's daily cap.
        cap_hours: u32,
    },
    /// Would bring the local week starting Monday `week_of` to `minutes` minutes, above the cap.
    WeeklyCap {
        /// The Monday the local week starts on.
        week_of: NaiveDate,
        /// Minutes of work that week with this job (real elapsed time).
        minutes: i64,
        /// The department's weekly cap.
        cap_hours: u32,
    },
    /// Only `gap_minutes` of rest between this job and another shift (the shortest such gap).
    Rest {
        /// Minutes between the two shifts (rounded down).
        gap_minutes: i64,
        /// The department's minimum rest.
        min_hours: u32,
        /// The other shift's job when it is an awarded detail; `None` for an on-duty shift.
        #[serde(default)]
        other_job_id: Option<Uuid>,
        /// When the other shift ends, if it comes before this job.
        #[serde(default)]
        other_ends_at: Option<DateTime<Utc>>,
        /// When the other shift starts, if it comes after this job.
        #[serde(default)]
        other_starts_at: Option<DateTime<Utc>>,
    },
    /// The job needs a higher rank.
    RankTooLow {
        /// The lowest rank the job accepts.
        required: Rank,
        /// The officer's rank.
        actual: Rank,
    },
    /// The officer lacks a certification the job needs.
    MissingCertification {
        /// The missing certification.
        certification: String,
    },
    /// Not a member of any of the groups the job is for.
    NotInGroup {
        /// The groups the job is for.
        groups: Vec<String>,
    },
    /// No secondary-employment permit on file.
    NoPermit,
    /// The permit lapses before the job ends.
    PermitExpired {
        /// When the permit lapses.
        expires_at: DateTime<Utc>,
    },
}

/// Largest daily cap a department may set, in hours.
pub const MAX_HOURS_PER_DAY: u32 = 24;
/// Largest weekly cap a department may set, in hours.
pub const MAX_HOURS_PER_WEEK: u32 = 168;
/// Longest minimum rest a department may set, in hours.
pub const MAX_MIN_REST_HOURS: u32 = 72;

/// One of the officer's other commitments: an awarded detail or an on-duty shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkBlock {
    /// The detail's job, or `None` for an on-duty shift.
    pub job_id: Option<Uuid>,
    /// When the block starts.
    pub starts_at: DateTime<Utc>,
    /// When the block ends (exclusive).
    pub ends_at: DateTime<Utc>,
    /// On-duty shift or off-duty detail.
    pub kind: DutyKind,
}

/// Everything [`check`] needs to decide whether one officer may work one job.
#[derive(Debug, Clone, Copy)]
pub struct EligibilityCheck<'a> {
    /// The job being checked.
    pub job_id: Uuid,
    /// When the job starts.
    pub starts_at: DateTime<Utc>,
    /// When the job ends (exclusive).
    pub ends_at: DateTime<Utc>,
    /// What the job asks of the officer.
    pub requirements: &'a Requirements,
    /// The officer.
    pub officer: &'a OfficerProfile,
    /// The officer's other commitments: awarded details and on-duty shifts. A block of this same
    /// job is ignored (re-checking a job the officer holds); an empty or inverted block is ignored.
    pub schedule: &'a [WorkBlock],
    /// The department's work-hour rules.
    pub limits: &'a Limits,
    /// The department's time zone: decides "day" and "week" for the caps.
    pub tz: Tz,
}

/// Every reason the officer may not work the job; empty means eligible.
///
/// Order: rank, each missing certification (in the job's order), group, permit, each overlapping
/// block (by start), rest (the shortest gap, once), each local day over the daily cap, each local
/// week over the weekly cap (both in date order).
pub fn check(c: &EligibilityCheck<'_>) -> Vec<IneligibleReason> {
    let mut reasons = Vec::new();
    let req = c.requirements;
    let officer = c.officer;

    if let Some(required) = req.min_rank.filter(|r| officer.rank < *r) {
        reasons.push(IneligibleReason::RankTooLow {
            required,
            actual: officer.rank,
        });
    }
    for (i, cert) in req.certifications.iter().enumerate() {
        let repeated = req.certifications[..i].contains(cert);
        if !repeated && !officer.certifications.contains(cert) {
            reasons.push(IneligibleReason::MissingCertification {
                certification: cert.clone(),
            });
        }
    }
    if !req.groups.is_empty() && !req.groups.iter().any(|g| officer.groups.contains(g)) {
        reasons.push(IneligibleReason::NotInGroup {
            groups: req.groups.clone(),
        });
    }
    if c.limits.permit_required {
        match officer.permit_expires_at {
            None => reasons.push(IneligibleReason::NoPermit),
            Some(expires_at) if expires_at < c.ends_at => {
                reasons.push(IneligibleReason::PermitExpired { expires_at });
            }
            Some(_) => {}
        }
    }

    let blocks: Vec<&WorkBlock> = c
        .schedule
        .iter()
        .filter(|b| b.job_id != Some(c.job_id) && b.starts_at < b.ends_at)
        .collect();
    overlaps(c, &blocks, &mut reasons);
    if let Some(rest) = shortest_rest(c, &blocks) {
        reasons.push(rest);
    }
    caps(c, &blocks, &mut reasons);
    reasons
}

fn overlaps(c: &EligibilityCheck<'_>, blocks: &[&WorkBlock], out: &mut Vec<IneligibleReason>) {
    let mut hits: Vec<(DateTime<Utc>, DateTime<Utc>, Option<Uuid>)> = blocks
        .iter()
        .filter(|b| b.starts_at < c.ends_at && c.starts_at < b.ends_at)
        .map(|b| (b.starts_at, b.ends_at, b.job_id))
        .collect();
    hits.sort();
    hits.dedup();
    out.extend(
        hits.into_iter()
            .map(|(starts_at, ends_at, job_id)| IneligibleReason::Overlap {
                job_id,
                starts_at,
                ends_at,
            }),
    );
}

/// The shortest gap to a block that does not overlap the job, if it is shorter than the minimum.
/// Ties go to the block before the job.
fn shortest_rest(c: &EligibilityCheck<'_>, blocks: &[&WorkBlock]) -> Option<IneligibleReason> {
    let min_rest = TimeDelta::try_hours(i64::from(c.limits.min_rest_hours))?;
    blocks
        .iter()
        .filter_map(|b| {
            if b.ends_at <= c.starts_at {
                Some((c.starts_at - b.ends_at, false, b))
            } else if b.starts_at >= c.ends_at {
                Some((b.starts_at - c.ends_at, true, b))
            } else {
                None
            }
        })
        .filter(|(gap, _, _)| *gap < min_rest)
        .min_by_key(|(gap, after, b)| (*gap, *after, b.job_id, b.starts_at, b.ends_at))
        .map(|(gap, after, b)| IneligibleReason::Rest {
            gap_minutes: gap.num_minutes(),
            min_hours: c.limits.min_rest_hours,
            other_job_id: b.job_id,
            other_ends_at: (!after).then_some(b.ends_at),
            other_starts_at: after.then_some(b.starts_at),
        })
}

fn caps(c: &EligibilityCheck<'_>, blocks: &[&WorkBlock], out: &mut Vec<IneligibleReason>) {
    let mut work: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        blocks.iter().map(|b| (b.starts_at, b.ends_at)).collect();
    work.push((c.starts_at, c.ends_at));
    // Minutes worked over the local dates [from, to), if above `cap_hours`.
    let over = |from: NaiveDate, to: NaiveDate, cap_hours: u32| {
        let minutes = minutes_within(&work, day_start(c.tz, from), day_start(c.tz, to));
        (minutes > i64::from(cap_hours) * 60).then_some(minutes)
    };
    let (day_cap, week_cap) = (c.limits.max_hours_per_day, c.limits.max_hours_per_week);

    let days = local_days(c.tz, c.starts_at, c.ends_at);
    for &day in &days {
        if let Some(minutes) = over(day, plus_days(day, 1), day_cap) {
            out.push(IneligibleReason::DailyCap {
                day,
                minutes,
                cap_hours: day_cap,
            });
        }
    }
    let mut mondays: Vec<NaiveDate> = days.iter().map(|d| monday_of(*d)).collect();
    mondays.dedup();
    for week_of in mondays {
        if let Some(minutes) = over(week_of, plus_days(week_of, 7), week_cap) {
            out.push(IneligibleReason::WeeklyCap {
                week_of,
                minutes,
                cap_hours: week_cap,
            });
        }
    }
}

fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    let back = u64::from(d.weekday().num_days_from_monday());
    d.checked_sub_days(Days::new(back))
        .unwrap_or(NaiveDate::MIN)
}

/// The local calendar days `[starts_at, ends_at)` touches (the start's day when it is empty).
fn local_days(tz: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Vec<NaiveDate> {
    let first = local_date(tz, starts_at);
    let last = if ends_at > starts_at {
        local_date(tz, ends_at - TimeDelta::nanoseconds(1))
    } else {
        first
    };
    first.iter_days().take_while(|d| *d <= last).collect()
}

/// Day starts already found on this thread, at most [`DAY_STARTS_HELD`]: a board judges
/// thousands of jobs over the same few weeks, and each judgement needs up to eight day starts.
const DAY_STARTS_HELD: usize = 4096;

thread_local! {
    static DAY_STARTS: std::cell::RefCell<std::collections::HashMap<(Tz, NaiveDate), DateTime<Utc>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The first instant whose local date in `tz` is `day` or later ([`find_day_start`]),
/// remembered per thread: the answer depends on nothing else.
fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    if let Some(t) = DAY_STARTS.with(|m| m.borrow().get(&(tz, day)).copied()) {
        return t;
    }
    let t = find_day_start(tz, day);
    DAY_STARTS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= DAY_STARTS_HELD {
            m.clear();
        }
        m.insert((tz, day), t);
    });
    t
}

/// The first instant whose local date in `tz` is `day` or later. Found by bisection on whole
/// seconds, so it is exact even where midnight is skipped or repeated by a DST change.
fn find_day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let naive_midnight = day.and_time(NaiveTime::MIN).and_utc();
    // Time-zone offsets stay well within ±30 h, so local midnight lies in this bracket.
    let reached =
        |secs: i64| DateTime::from_timestamp(secs, 0).is_none_or(|t| local_date(tz, t) >= day);
    let mut lo = naive_midnight.timestamp() - 30 * 3600;
    let mut hi = naive_midnight.timestamp() + 30 * 3600;
    if reached(lo) || !reached(hi) {
        return naive_midnight;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or(naive_midnight)
}

/// Minutes (rounded up) of the union of `intervals` inside `[from, to)`.
fn minutes_within(
    intervals: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> = intervals
        .iter()
        .map(|(s, e)| ((*s).max(from), (*e).min(to)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort();
    // Sweep by start, counting only what lies beyond the furthest end seen so far.
    let (mut total, mut reach) = (TimeDelta::zero(), from);
    for (s, e) in clipped {
        let s = s.max(reach);
        if e > s {
            total += e - s;
            reach = e;
        }
    }
    let secs = total.num_seconds() + i64::from(total.subsec_nanos() > 0);
    (secs + 59).div_euclid(60)
}

/// "45 min", "6 h", "17.5 h", "6 h 20 min".
fn duration_text(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    let (h, rest) = (m / 60, m % 60);
    if rest == 0 {
        format!("{sign}{h} h")
    } else if h == 0 {
        format!("{sign}{rest} min")
    } else if rest % 6 == 0 {
        format!("{sign}{h}.{} h", rest / 6)
    } else {
        format!("{sign}{h} h {rest} min")
    }
}

fn shift_word(job_id: Option<Uuid>) -> &'static str {
    if job_id.is_some() { "detail" } else { "shift" }
}

impl IneligibleReason {
    /// A sentence an officer can read, with times in the department's time zone `tz`.
    pub fn explain(&self, tz: Tz) -> String {
        let local = |t: &DateTime<Utc>| t.with_timezone(&tz);
        let day_time = |t: &DateTime<Utc>| local(t).format("%a %H:%M").to_string();
        match self {
            IneligibleReason::Overlap {
                job_id,
                starts_at,
                ends_at,
            } => {
                let end = if local(starts_at).date_naive() == local(ends_at).date_naive() {
                    local(ends_at).format("%H:%M").to_string()
                } else {
                    day_time(ends_at)
                };
                format!(
                    "Overlaps your {} {}–{end}.",
                    shift_word(*job_id),
                    day_time(starts_at)
                )
            }
            IneligibleReason::DailyCap {
                day,
                minutes,
                cap_hours,
            } => format!(
                "Would make {} on {} (limit {cap_hours} h).",
                duration_text(*minutes),
                day.format("%a %-d %b")
            ),
            IneligibleReason::WeeklyCap {
                week_of,
                minutes,
                cap_hours,
            } => format!(
                "Would make {} in the week of {} (limit {cap_hours} h).",
                duration_text(*minutes),
                week_of.format("%a %-d %b")
            ),
            IneligibleReason::Rest {
                gap_minutes,
                min_hours,
                other_job_id,
                other_ends_at,
                other_starts_at,
            } => {
                let gap = duration_text(*gap_minutes);
                let word = shift_word(*other_job_id);
                let other = match (other_ends_at, other_starts_at) {
                    (Some(end), _) => format!("after your {word} ending {}", day_time(end)),
                    (None, Some(start)) => {
                        format!("before your {word} starting {}", day_time(start))
                    }
                    (None, None) => "between this job and another shift".to_string(),
                };
                format!("Only {gap} rest {other} (minimum {min_hours} h).")
            }
            IneligibleReason::RankTooLow { required, actual } => format!(
                "Requires {} or above (you are {}).",
                required.title(),
                actual.title()
            ),
            IneligibleReason::MissingCertification { certification } => {
                format!("Requires certification: {certification}.")
            }
            IneligibleReason::NotInGroup { groups } => {
                format!("Open only to {}.", join_or(groups))
            }
            IneligibleReason::NoPermit => {
                "You have no secondary-employment permit on file.".to_string()
            }
            IneligibleReason::PermitExpired { expires_at } => format!(
                "Your secondary-employment permit expires {}, before this job ends.",
                local(expires_at).format("%-d %b")
            ),
        }
    }
}

/// Parses an IANA time-zone name such as `America/New_York`.
pub fn parse_time_zone(name: &str) -> Result<Tz, Invalid> {
    name.trim().parse::<Tz>().map_err(|_| {
        Invalid::new(
            "time_zone",
            InvalidCode::BadFormat,
            format!("unknown time zone {name:?}: use an IANA name such as \"America/New_York\""),
        )
    })
}

impl Limits {
    /// Checks the rules make sense: a daily cap of 1..=24 h, a weekly cap of 1..=168 h and not
    /// below the daily cap, and a minimum rest of at most 72 h.
    pub fn validate(&self) -> Result<(), Invalid> {
        let ranges = [
            (
                "max_hours_per_day",
                self.max_hours_per_day,
                1,
                MAX_HOURS_PER_DAY,
            ),
            (
                "max_hours_per_week",
                self.max_hours_per_week,
                1,
                MAX_HOURS_PER_WEEK,
            ),
            ("min_rest_hours", self.min_rest_hours, 0, MAX_MIN_REST_HOURS),
        ];
        for (name, value, lo, hi) in ranges {
            if !(lo..=hi).contains(&value) {
                return Err(Invalid::new(
                    name,
                    InvalidCode::OutOfRange,
                    format!("must be between {lo} and {hi} (got {value})"),
                ));
            }
        }
        if self.max_hours_per_week < self.max_hours_per_day {
            return Err(Invalid::new(
                "max_hours_per_week",
                InvalidCode::Inconsistent,
                format!(
                    "must be at least max_hours_per_day ({}; got {})",
                    self.max_hours_per_day, self.max_hours_per_week
                ),
            ));
        }
        Ok(())
    }
}

impl Rank {
    /// The rank as an officer would write it ("Sergeant").
    pub fn title(self) -> &'static str {
        match self {
            Rank::Officer => "Officer",
            Rank::Corporal => "Corporal",
            Rank::Sergeant => "Sergeant",
            Rank::Lieutenant => "Lieutenant",
            Rank::Captain => "Captain",
            Rank::Commander => "Commander",
            Rank::Chief => "Chief",
        }
    }
}

#[cfg(test)]
mod tests;
