//! The job board, offline: filters (distance, dates, pay, type, eligible only), sorting (start,
//! distance, pay), and for each job the eligibility verdict with reasons, the award rule in
//! plain words, the signup state, an estimated pay, and the officer's standing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::award::{self, SignupState};
use offduty_domain::eligibility::{self, EligibilityCheck, IneligibleReason, WorkBlock};
use offduty_domain::geofence::{GeoPoint, distance_m};
use offduty_domain::pay::PayQuote;
use offduty_domain::protocol::{DepartmentRules, Job, OfficerProfile};
use offduty_domain::validation::InvalidCode;

use crate::apply;
use crate::error::{CoreError, Result};
use crate::job_cache::JobCache;
use crate::standing::{self, Standing};
use crate::store::to_us;

/// How the board is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Soonest first.
    #[default]
    StartTime,
    /// Nearest first (needs `near`; without it, soonest first).
    Distance,
    /// Best hourly pay (multipliers included) first.
    Pay,
}

/// Filters for the board. Empty means everything upcoming.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoardQuery {
    /// Measure distances from here (the officer's position or home).
    pub near: Option<GeoPoint>,
    /// Only jobs within this many metres of `near`.
    pub max_distance_m: Option<f64>,
    /// Only jobs starting at or after this (default: now).
    pub from: Option<DateTime<Utc>>,
    /// Only jobs starting before this.
    pub to: Option<DateTime<Utc>>,
    /// Only jobs paying at least this much per hour, multipliers included.
    pub min_hourly_cents: Option<i64>,
    /// Only these job types (empty: all).
    pub job_types: Vec<String>,
    /// Only jobs the officer is eligible for.
    pub only_eligible: bool,
    /// Also list cancelled and finished jobs.
    pub include_closed: bool,
    pub sort: Sort,
    /// At most this many (default 200).
    pub limit: Option<usize>,
}

/// An eligibility reason with its sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub reason: IneligibleReason,
    pub text: String,
}

/// One job on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobCard {
    pub job: Job,
    /// Metres from `near` to the job's location.
    pub distance_m: Option<f64>,
    /// Hourly pay with multipliers, cents.
    pub hourly_cents: i64,
    /// Pay for the scheduled shift (rounding and minimum applied), if the rules are synced.
    pub estimate: Option<PayQuote>,
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    /// How slots are awarded, in plain words.
    pub award_rule: String,
    /// Staged release in plain words.
    pub release: String,
    pub signup: SignupState,
    pub signup_text: String,
    pub standing: Standing,
    pub standing_text: String,
}

impl JobCard {
    /// Whether this is still a current shift at `now`: until its clock-out window closes (the
    /// shift's end plus [`offduty_domain::punch::LATE_CLOCK_OUT_MINUTES`]), or while an action on
    /// it still waits to sync.
    pub fn is_current_shift(&self, now: DateTime<Utc>) -> bool {
        let late = chrono::Duration::minutes(offduty_domain::punch::LATE_CLOCK_OUT_MINUTES);
        self.job.ends_at + late > now || self.standing.pending.is_some()
    }
}

/// Everything the board needs besides the jobs.
pub struct Context {
    pub rules: Option<DepartmentRules>,
    pub profile: Option<OfficerProfile>,
    pub tz: Tz,
    pub schedule: Vec<WorkBlock>,
    pub standing: HashMap<Uuid, Standing>,
    pub now: DateTime<Utc>,
}

impl Context {
    /// Loads the officer's context from the cache.
    pub fn load(conn: &Connection, now: DateTime<Utc>) -> Result<Context> {
        let rules = apply::rules(conn)?;
        let tz = rules
            .as_ref()
            .and_then(|r| eligibility::parse_time_zone(&r.time_zone).ok())
            .unwrap_or(chrono_tz::UTC);
        Ok(Context {
            profile: apply::profile(conn)?,
            schedule: standing::schedule(conn)?,
            standing: standing::all(conn)?,
            rules,
            tz,
            now,
        })
    }

    /// Every reason the officer may not work `job` (empty before the first sync: unknown).
    pub fn reasons(&self, job: &Job) -> Vec<Reason> {
        let (Some(rules), Some(profile)) = (&self.rules, &self.profile) else {
            return Vec::new();
        };
        eligibility::check(&EligibilityCheck {
            job_id: job.id,
            starts_at: job.starts_at,
            ends_at: job.ends_at,
            requirements: &job.requirements,
            officer: profile,
            schedule: &self.schedule,
            limits: &rules.limits,
            tz: self.tz,
        })
        .into_iter()
        .map(|r| Reason {
            text: r.explain(self.tz),
            reason: r,
        })
        .collect()
    }

    /// A full card for `job`.
    pub fn card(&self, job: Job, near: Option<GeoPoint>) -> JobCard {
        let reasons = self.reasons(&job);
        let groups = self.profile.as_ref().map_or(&[][..], |p| &p.groups[..]);
        let signup = award::signup_state(
            job.signup_opens_at,
            job.signup_closes_at,
            &job.release_tiers,
            groups,
            self.now,
        );
        let standing = self.standing.get(&job.id).cloned().unwrap_or_default();
        let estimate = self.rules.as_ref().map(|r| {
            let minutes = (job.ends_at - job.starts_at).num_minutes();
            let billable = r.pay.billable_minutes(minutes);
            PayQuote {
                rate_cents: job.rate_cents,
                multiplier_bp: job.multiplier_bp,
                billable_minutes: billable,
                gross_cents: offduty_domain::pay::gross_cents(
                    job.rate_cents,
                    billable,
                    job.multiplier_bp,
                ),
            }
        });
        JobCard {
            distance_m: near.map(|p| distance_m(p, job.location)),
            hourly_cents: offduty_domain::pay::gross_cents(job.rate_cents, 60, job.multiplier_bp),
            estimate,
            eligible: reasons.is_empty(),
            reasons,
            award_rule: job.award_rule.describe(),
            release: award::describe_release(job.signup_opens_at, &job.release_tiers),
            signup_text: signup.explain_in(self.tz),
            signup,
            standing_text: standing.describe(),
            standing,
            job,
        }
    }
}

/// One page of the board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardPage {
    pub cards: Vec<JobCard>,
    /// Jobs matching the filters that need no judging (dates, pay, type, distance): the
    /// board's size before "only eligible".
    pub matched: usize,
    /// More jobs may follow this page (ask again with a larger `limit`).
    pub has_more: bool,
}

/// Lists the board.
pub fn list(conn: &Connection, q: &BoardQuery, now: DateTime<Utc>) -> Result<Vec<JobCard>> {
    Ok(page(conn, q, now)?.cards)
}

/// Lists the board, with decoded jobs kept in `cache` ([`page_cached`]).
pub fn list_cached(
    conn: &Connection,
    cache: &JobCache,
    q: &BoardQuery,
    now: DateTime<Utc>,
) -> Result<Vec<JobCard>> {
    Ok(page_cached(conn, cache, q, now)?.cards)
}

/// One page of the board: the first `limit` jobs (default 200) matching the filters. Every job
/// on the page is read and decoded from its JSON; [`page_cached`] keeps decoded jobs between
/// calls.
pub fn page(conn: &Connection, q: &BoardQuery, now: DateTime<Utc>) -> Result<BoardPage> {
    page_with(conn, None, q, now)
}

/// [`page`], taking jobs decoded by an earlier call from `cache` when their rows have not been
/// written since, and keeping the ones it decodes (decision 033). The same page as [`page`].
pub fn page_cached(
    conn: &Connection,
    cache: &JobCache,
    q: &BoardQuery,
    now: DateTime<Utc>,
) -> Result<BoardPage> {
    page_with(conn, Some(cache), q, now)
}

fn page_with(
    conn: &Connection,
    cache: Option<&JobCache>,
    q: &BoardQuery,
    now: DateTime<Utc>,
) -> Result<BoardPage> {
    if let Some(p) = q.near {
        p.validate()
            .map_err(|e| CoreError::invalid("near", InvalidCode::OutOfRange, e.to_string()))?;
    }
    if let Some(d) = q.max_distance_m {
        if !(d.is_finite() && d > 0.0) {
            return Err(CoreError::invalid(
                "max_distance_m",
                InvalidCode::OutOfRange,
                "must be a positive number of metres",
            ));
        }
        if q.near.is_none() {
            return Err(CoreError::invalid(
                "max_distance_m",
                InvalidCode::Inconsistent,
                "needs `near` to measure from",
            ));
        }
    }
    let from = q.from.unwrap_or(now);
    let to = q.to.map(to_us).unwrap_or(i64::MAX);
    let mut sql = String::from(
        "SELECT id, starts_us, lat, lon, hourly_cents, rowid, rev FROM jobs INDEXED BY jobs_board \
         WHERE starts_us >= ?1 AND starts_us < ?2",
    );
    let mut args: Vec<rusqlite::types::Value> = vec![to_us(from).into(), to.into()];
    if !q.include_closed {
        sql.push_str(" AND status IN ('open', 'filled')");
    }
    if let Some(min) = q.min_hourly_cents {
        args.push(min.into());
        sql.push_str(&format!(" AND hourly_cents >= ?{}", args.len()));
    }
    if !q.job_types.is_empty() {
        let mut marks = Vec::new();
        for t in &q.job_types {
            args.push(t.clone().into());
            marks.push(format!("?{}", args.len()));
        }
        sql.push_str(&format!(" AND job_type IN ({})", marks.join(", ")));
    }
    // Phase 1: cheap columns only — distance, sort keys — for every matching row, from the
    // covering index `jobs_board` (migration 4): no row's JSON is read here.
    struct Row {
        starts: i64,
        hourly: i64,
        distance: Option<f64>,
        id: String,
        rowid: i64,
        rev: i64,
    }
    let mut st = conn.prepare(&sql)?;
    let mut rows: Vec<Row> = st
        .query_map(params_from_iter(args), |r| {
            let lat: f64 = r.get(2)?;
            let lon: f64 = r.get(3)?;
            Ok(Row {
                id: r.get(0)?,
                starts: r.get(1)?,
                hourly: r.get(4)?,
                distance: q.near.map(|p| distance_m(p, GeoPoint { lat, lon })),
                rowid: r.get(5)?,
                rev: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(max) = q.max_distance_m {
        rows.retain(|r| r.distance.is_some_and(|d| d <= max));
    }
    match (q.sort, q.near.is_some()) {
        (Sort::Distance, true) => rows.sort_by(|a, b| {
            a.distance
                .partial_cmp(&b.distance)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.starts.cmp(&b.starts))
                .then(a.id.cmp(&b.id))
        }),
        (Sort::Pay, _) => rows.sort_by(|a, b| {
            b.hourly
                .cmp(&a.hourly)
                .then(a.starts.cmp(&b.starts))
                .then(a.id.cmp(&b.id))
        }),
        _ => rows.sort_by(|a, b| a.starts.cmp(&b.starts).then(a.id.cmp(&b.id))),
    }
    // Phase 2: decode and judge only as many as the page needs.
    let matched = rows.len();
    let limit = q.limit.unwrap_or(200);
    if limit == 0 {
        return Ok(BoardPage {
            cards: Vec::new(),
            matched,
            has_more: matched > 0,
        });
    }
    let ctx = Context::load(conn, now)?;
    let mut json = conn.prepare_cached("SELECT json, rev FROM jobs WHERE rowid = ?1")?;
    // Only committed rows may enter the cache: inside a transaction that later rolls back, a
    // row's `rev` could be given again to other content.
    let mut cache = cache.filter(|_| conn.is_autocommit()).map(JobCache::lock);
    let mut out = Vec::with_capacity(limit.min(rows.len()));
    let mut used = 0;
    for r in &rows {
        used += 1;
        let held = cache.as_ref().and_then(|c| c.get(r.rowid, r.rev)).cloned();
        let job = match held {
            Some(job) => job,
            None => {
                let (job, rev) = json.query_row([r.rowid], |row| {
                    let job = serde_json::from_str::<Job>(row.get_ref(0)?.as_str()?);
                    Ok((job, row.get::<_, i64>(1)?))
                })?;
                let job = job?;
                if let Some(cache) = cache.as_mut() {
                    cache.put(r.rowid, rev, job.clone());
                }
                job
            }
        };
        let card = ctx.card(job, q.near);
        if q.only_eligible && !card.eligible {
            continue;
        }
        out.push(card);
        if out.len() >= limit {
            break;
        }
    }
    if let Some(cache) = cache.as_mut() {
        cache.prune(rows.iter().map(|r| r.rowid));
    }
    Ok(BoardPage {
        cards: out,
        matched,
        has_more: used < matched,
    })
}

/// One job's card.
pub fn detail(
    conn: &Connection,
    id: Uuid,
    near: Option<GeoPoint>,
    now: DateTime<Utc>,
) -> Result<JobCard> {
    let job = apply::job(conn, id)?.ok_or(CoreError::NotFound("job"))?;
    Ok(Context::load(conn, now)?.card(job, near))
}

/// The job types of the cached board, sorted.
pub fn job_types(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT DISTINCT job_type FROM jobs ORDER BY job_type")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
