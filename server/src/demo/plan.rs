//! The demo department worked out in memory: on-duty schedules, completed details with their
//! timecards, the upcoming board (some of it already claimed), and the change-log sequence
//! numbers that tie it together. Pure — no I/O — so it is unit-tested; the parent module writes
//! it to the database.
//!
//! Every awarded shift is checked with the same eligibility rules the server applies to a claim
//! (`offduty_domain::eligibility::check` against the officer's duty blocks and other details), so
//! nobody holds overlapping commitments, works without rest, or breaks an hour cap.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::award::{self, AwardRule, Candidate, ReleaseTier};
use offduty_domain::eligibility::{self, EligibilityCheck, Limits, Rank, Requirements, WorkBlock};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay::{self, PayPolicy};
use offduty_domain::protocol::{
    AssignmentStatus, DutyKind, JobStatus, OfficerProfile, TimecardStatus,
};

use super::data::{
    Account, EVENTS, EventTemplate, FenceSpec, HOLIDAY_EVENTS, JobSpec, Req, Site, Tier,
};
use super::rng::Rng;
use super::roster::{local, shift_date};

const SEED_SCHEDULE: u64 = 0x0ffd_0002;
const SEED_PAST: u64 = 0x0ffd_0003;
const SEED_UPCOMING: u64 = 0x0ffd_0004;
const SEED_UNDER_WAY: u64 = 0x0ffd_0005;
const SEED_ABOUT_TO_START: u64 = 0x0ffd_0006;

/// Days of history (duty blocks and completed details).
pub const HISTORY_DAYS: i64 = 28;
/// Days of upcoming jobs.
pub const BOARD_DAYS: i64 = 14;
/// How many completed details to aim for.
const PAST_JOBS: usize = 80;
/// How many upcoming jobs to aim for.
const UPCOMING_JOBS: usize = 62;
/// Timecards of shifts that ended longer ago than this are paid; later ones only approved.
const PAID_AFTER_DAYS: i64 = 14;

/// What the plan is built from.
pub struct Inputs<'a> {
    /// The seeding time; history and board are relative to it.
    pub now: DateTime<Utc>,
    /// The department's time zone (local shift times, holidays, caps).
    pub tz: Tz,
    /// The department's pay policy (rates, multipliers, rounding).
    pub pay: &'a PayPolicy,
    /// The department's hour rules.
    pub limits: &'a Limits,
    /// The officers; seniority 1 is officer001, the demo's main persona.
    pub officers: &'a [OfficerProfile],
    /// The Ohio Stadium customer account.
    pub stadium: Option<Uuid>,
    /// The Easton Town Center customer account.
    pub easton: Option<Uuid>,
    /// Holidays with names (those in the board window get holiday jobs).
    pub holidays: &'a [(NaiveDate, &'static str)],
}

/// A row of `jobs`.
#[derive(Debug, Clone)]
pub struct JobRow {
    /// Id.
    pub id: Uuid,
    /// The customer's account, if it has one.
    pub customer_id: Option<Uuid>,
    /// Title on the board.
    pub title: String,
    /// Where.
    pub site: &'static Site,
    /// Where punches count.
    pub geofence: Geofence,
    /// Shift start.
    pub starts: DateTime<Utc>,
    /// Shift end.
    pub ends: DateTime<Utc>,
    /// Officers wanted.
    pub slots: u32,
    /// Awarded assignments.
    pub slots_filled: u32,
    /// `traffic`, `security`, `event` or `construction`.
    pub job_type: &'static str,
    /// Hourly rate, cents.
    pub rate_cents: i64,
    /// Multiplier, basis points.
    pub multiplier_bp: u32,
    /// What officers need.
    pub requirements: Requirements,
    /// How slots are awarded.
    pub award_rule: AwardRule,
    /// Staged release.
    pub release_tiers: Vec<ReleaseTier>,
    /// Signups open.
    pub signup_opens: DateTime<Utc>,
    /// Signups close (ranked rules).
    pub signup_closes: Option<DateTime<Utc>>,
    /// When the slots were awarded (first come: at creation).
    pub awarded_at: Option<DateTime<Utc>>,
    /// Open, filled or completed.
    pub status: JobStatus,
    /// Instructions for officers.
    pub notes: &'static str,
    /// Posted.
    pub created: DateTime<Utc>,
    /// Change-log sequence of the last change.
    pub version: i64,
}

/// A row of `assignments`.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    /// Id.
    pub id: Uuid,
    /// Index into [`Plan::jobs`].
    pub job: usize,
    /// The officer.
    pub officer: Uuid,
    /// Awarded, requested or waitlisted.
    pub status: AssignmentStatus,
    /// Change-log sequence of the claim.
    pub receipt_seq: i64,
    /// Place in line (requested or waitlisted).
    pub position: Option<u32>,
    /// Claimed.
    pub created: DateTime<Utc>,
    /// Last changed (the award, for ranked rules).
    pub updated: DateTime<Utc>,
    /// Change-log sequence of the last change.
    pub version: i64,
    /// Awarded when signups closed (ranked rule) rather than at the claim.
    ranked_award: bool,
}

/// A row of `timecards` (no clock events: the demo's history predates the devices).
#[derive(Debug, Clone)]
pub struct TimecardRow {
    /// Id.
    pub id: Uuid,
    /// Index into [`Plan::assignments`].
    pub assignment: usize,
    /// Index into [`Plan::jobs`].
    pub job: usize,
    /// The officer.
    pub officer: Uuid,
    /// Clocked in.
    pub in_at: DateTime<Utc>,
    /// Clocked out.
    pub out_at: DateTime<Utc>,
    /// Minutes from the later of clock-in and the scheduled start to clock-out.
    pub worked_minutes: i64,
    /// Minutes paid.
    pub billable_minutes: i64,
    /// The job's rate.
    pub rate_cents: i64,
    /// The job's multiplier.
    pub multiplier_bp: u32,
    /// `pay::gross_cents` of the above.
    pub gross_cents: i64,
    /// Approved or paid.
    pub status: TimecardStatus,
    /// Approved.
    pub approved_at: DateTime<Utc>,
    /// Paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Change-log sequence of the last change.
    pub version: i64,
}

/// A row of `duty_blocks`.
#[derive(Debug, Clone)]
pub struct DutyRow {
    /// Id.
    pub id: Uuid,
    /// The officer.
    pub officer: Uuid,
    /// Shift start.
    pub starts: DateTime<Utc>,
    /// Shift end.
    pub ends: DateTime<Utc>,
}

/// A row of `change_log`.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    /// Sequence.
    pub seq: i64,
    /// `job`, `assignment`, `timecard` or `duty`.
    pub entity: &'static str,
    /// What changed.
    pub entity_id: Uuid,
    /// Who may see it (None: everyone in the department).
    pub audience: Option<Uuid>,
}

/// Everything the seed inserts besides the department and its users.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Completed and upcoming jobs.
    pub jobs: Vec<JobRow>,
    /// Claims.
    pub assignments: Vec<AssignmentRow>,
    /// Timecards of completed shifts.
    pub timecards: Vec<TimecardRow>,
    /// On-duty shifts.
    pub duty: Vec<DutyRow>,
    /// The change log.
    pub changes: Vec<ChangeRow>,
    /// The department's change sequence after all of the above (≥ every version).
    pub change_seq: i64,
    /// When the duty schedule was imported.
    pub duty_imported: DateTime<Utc>,
}

/// Something that took a change-log sequence number, in time order.
#[derive(Debug, Clone, Copy)]
enum Ev {
    Duty,
    Created(usize),
    Claim(usize),
    Award(usize),
    Completed(usize),
    ClockOut(usize),
    Approved(usize),
    Paid(usize),
}

struct OfficerState {
    profile: OfficerProfile,
    schedule: Vec<WorkBlock>,
}

/// A job drawn for an event, before its award rule and claims.
struct Draft {
    site: &'static Site,
    spec: &'static JobSpec,
    title: String,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    slots: u32,
}

struct Planner<'a> {
    inp: &'a Inputs<'a>,
    officers: Vec<OfficerState>,
    plan: Plan,
    events: Vec<(DateTime<Utc>, Ev)>,
}

/// Works out the whole demo.
pub fn build(inp: &Inputs<'_>) -> Plan {
    let mut officers: Vec<OfficerState> = inp
        .officers
        .iter()
        .map(|p| OfficerState {
            profile: p.clone(),
            schedule: Vec::new(),
        })
        .collect();
    officers.sort_by_key(|o| o.profile.seniority);
    let mut p = Planner {
        inp,
        officers,
        plan: Plan::default(),
        events: Vec::new(),
    };
    p.schedules();
    p.past_jobs();
    p.upcoming_jobs();
    p.under_way();
    p.about_to_start();
    p.sequence();
    p.positions();
    p.plan
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

/// A random instant in `[from, to]` (to the second; `from` when empty).
fn between(rng: &mut Rng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_seconds();
    from + Duration::seconds(rng.range(0, span.max(0)))
}

/// The site's fence: circles as given, polygons from metre offsets (local flat-earth approximation,
/// plenty for a few hundred metres).
pub fn geofence(site: &Site) -> Geofence {
    let center = GeoPoint::new(site.lat, site.lon);
    match site.fence {
        FenceSpec::Circle(radius_m) => Geofence::circle(center, radius_m),
        FenceSpec::Polygon(offsets) => {
            const M_PER_DEG: f64 = 111_320.0;
            let m_per_deg_lon = M_PER_DEG * site.lat.to_radians().cos();
            Geofence::polygon(
                offsets
                    .iter()
                    .map(|(east, north)| {
                        GeoPoint::new(
                            site.lat + north / M_PER_DEG,
                            site.lon + east / m_per_deg_lon,
                        )
                    })
                    .collect(),
            )
        }
    }
}

fn requirements(req: Req) -> Requirements {
    let certs = |c: &[&str]| c.iter().map(|s| s.to_string()).collect();
    match req {
        Req::None => Requirements::default(),
        Req::Sergeant => Requirements {
            min_rank: Some(Rank::Sergeant),
            ..Requirements::default()
        },
        Req::Flagger => Requirements {
            certifications: certs(&["flagger"]),
            ..Requirements::default()
        },
        Req::CrowdControl => Requirements {
            certifications: certs(&["crowd_control"]),
            ..Requirements::default()
        },
        Req::Bike => Requirements {
            certifications: certs(&["bike"]),
            ..Requirements::default()
        },
        Req::TrafficBureauMotor => Requirements {
            certifications: certs(&["motor"]),
            groups: vec!["Traffic Bureau".to_string()],
            ..Requirements::default()
        },
    }
}

fn tiers(tier: Tier) -> Vec<ReleaseTier> {
    let group = match tier {
        Tier::None => return Vec::new(),
        Tier::TrafficBureau => "Traffic Bureau",
        Tier::SpecialEvents => "Special Events Unit",
    };
    vec![ReleaseTier {
        groups: vec![group.to_string()],
        hours: 24,
    }]
}

fn notes(job_type: &str) -> &'static str {
    match job_type {
        "traffic" => "Reflective vest and whistle. Report to the command post 15 minutes early.",
        "security" => "Class A uniform. Check in with the site's security manager on arrival.",
        "event" => "Uniform of the day. Posts and radio channel are assigned at the briefing.",
        "construction" => {
            "High-visibility vest. Park behind the arrow board with your overhead lights on."
        }
        _ => "",
    }
}

fn ranked_rule(rng: &mut Rng) -> AwardRule {
    match rng.below(4) {
        0 => AwardRule::Seniority,
        1 => AwardRule::FewestHours { window_days: 28 },
        2 => AwardRule::Rotation,
        _ => AwardRule::Lottery {
            seed: rng.next_u64() >> 11,
        },
    }
}

impl Planner<'_> {
    fn customer(&self, site: &Site) -> Option<Uuid> {
        match site.account {
            Account::None => None,
            Account::Stadium => self.inp.stadium,
            Account::Easton => self.inp.easton,
        }
    }

    /// Whether officer `o` may work `job` given everything planned so far (the server's rules).
    fn eligible(&self, o: usize, job: &JobRow) -> bool {
        let Some(off) = self.officers.get(o) else {
            return false;
        };
        eligibility::check(&EligibilityCheck {
            job_id: job.id,
            starts_at: job.starts,
            ends_at: job.ends,
            requirements: &job.requirements,
            officer: &off.profile,
            schedule: &off.schedule,
            limits: self.inp.limits,
            tz: self.inp.tz,
        })
        .is_empty()
    }

    /// On-duty shifts from four weeks back to two weeks ahead: each officer works a fixed
    /// pattern (10 h × 4 days or 8 h × 5 days; days, evenings or nights), with the odd day of
    /// leave. officer001 works days, Monday to Thursday, so the weekend board is theirs to claim.
    fn schedules(&mut self) {
        const PATTERNS: &[(u32, i64, u32)] = &[
            (7, 10, 4),
            (15, 10, 4),
            (21, 10, 4),
            (7, 8, 5),
            (15, 8, 5),
            (23, 8, 5),
        ];
        let (now, tz) = (self.inp.now, self.inp.tz);
        let mut rng = Rng::new(SEED_SCHEDULE);
        let today = now.with_timezone(&tz).date_naive();
        let (from, to) = (
            now - Duration::days(HISTORY_DAYS),
            now + Duration::days(BOARD_DAYS + 1),
        );
        self.plan.duty_imported = from - hours(24);
        for off in &mut self.officers {
            let ((start_h, len, days), first_day) = if off.profile.seniority == 1 {
                ((7, 10, 4), 0)
            } else {
                let pattern = rng.pick(PATTERNS).copied().unwrap_or((7, 10, 4));
                (pattern, u32::try_from(rng.below(7)).unwrap_or(0))
            };
            for d in -(HISTORY_DAYS + 1)..=(BOARD_DAYS + 1) {
                let date = shift_date(today, d);
                let weekday = date.weekday().num_days_from_monday();
                let on = (weekday + 7 - first_day) % 7 < days;
                if !on || rng.chance(0.05) {
                    continue;
                }
                let Some(starts) = local(tz, date, start_h, 0) else {
                    continue;
                };
                let ends = starts + hours(len);
                if ends <= from || starts >= to {
                    continue;
                }
                off.schedule.push(WorkBlock {
                    job_id: None,
                    starts_at: starts,
                    ends_at: ends,
                    kind: DutyKind::OnDuty,
                });
                self.plan.duty.push(DutyRow {
                    id: Uuid::now_v7(),
                    officer: off.profile.id,
                    starts,
                    ends,
                });
            }
        }
        self.events.push((self.plan.duty_imported, Ev::Duty));
    }

    /// Picks events on `dates` (weighted, at most one per site a day and `cap` per template)
    /// until `target` jobs pass `keep`.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        rng: &mut Rng,
        templates: &'static [EventTemplate],
        dates: &[(NaiveDate, &'static str)],
        target: usize,
        cap: usize,
        taken: &mut BTreeSet<(&'static str, NaiveDate)>,
        keep: &dyn Fn(DateTime<Utc>, DateTime<Utc>) -> bool,
    ) -> Vec<Draft> {
        let mut candidates: Vec<(f64, usize, NaiveDate, &'static str)> = Vec::new();
        for &(date, label) in dates {
            let weekday_bit = 1u8 << date.weekday().num_days_from_monday();
            for (i, t) in templates.iter().enumerate() {
                if t.days & weekday_bit == 0 || t.months & (1u16 << date.month()) == 0 {
                    continue;
                }
                // Efraimidis–Spirakis: smallest -ln(u)/w first is a weighted draw without
                // replacement.
                let key = -(1.0 - rng.unit()).ln() / f64::from(t.weight.max(1));
                candidates.push((key, i, date, label));
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut per_template: BTreeMap<usize, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for (_, i, date, label) in candidates {
            if out.len() >= target {
                break;
            }
            let Some(t) = templates.get(i) else { continue };
            let used = per_template.entry(i).or_insert(0);
            if *used >= cap || taken.contains(&(t.site.name, date)) {
                continue;
            }
            let Some(&(h, m)) = rng.pick(t.starts) else {
                continue;
            };
            let Some(event_start) = local(self.inp.tz, date, h, m) else {
                continue;
            };
            let name = if label.is_empty() {
                rng.pick(t.names).copied().unwrap_or("")
            } else {
                label
            };
            let before = out.len();
            for spec in t.jobs {
                let starts = event_start + minutes(spec.offset_min);
                let ends = starts + hours(rng.range(spec.hours.0, spec.hours.1));
                let slots = u32::try_from(rng.range(spec.slots.0, spec.slots.1)).unwrap_or(1);
                if keep(starts, ends) {
                    out.push(Draft {
                        site: t.site,
                        spec,
                        title: spec.title.replace("{}", name),
                        starts,
                        ends,
                        slots: slots.max(1),
                    });
                }
            }
            if out.len() > before {
                *used += 1;
                taken.insert((t.site.name, date));
            }
        }
        out
    }

    fn new_job(&self, d: &Draft, created: DateTime<Utc>, rule: AwardRule) -> JobRow {
        let pay = self.inp.pay;
        JobRow {
            id: Uuid::now_v7(),
            customer_id: self.customer(d.site),
            title: d.title.clone(),
            site: d.site,
            geofence: geofence(d.site),
            starts: d.starts,
            ends: d.ends,
            slots: d.slots,
            slots_filled: 0,
            job_type: d.spec.job_type,
            rate_cents: pay.rate_for(d.spec.job_type),
            multiplier_bp: pay.multiplier_bp(d.starts, created, self.inp.tz),
            requirements: requirements(d.spec.req),
            award_rule: rule,
            release_tiers: Vec::new(),
            signup_opens: created,
            signup_closes: None,
            awarded_at: None,
            status: JobStatus::Open,
            notes: notes(d.spec.job_type),
            created,
            version: 0,
        }
    }

    fn add_assignment(
        &mut self,
        job: usize,
        o: usize,
        status: AssignmentStatus,
        claimed: DateTime<Utc>,
        ranked_award: Option<DateTime<Utc>>,
    ) -> usize {
        let (officer, starts, ends, job_id) = {
            let j = &self.plan.jobs[job];
            (self.officers[o].profile.id, j.starts, j.ends, j.id)
        };
        if status == AssignmentStatus::Awarded {
            self.officers[o].schedule.push(WorkBlock {
                job_id: Some(job_id),
                starts_at: starts,
                ends_at: ends,
                kind: DutyKind::OffDuty,
            });
            self.plan.jobs[job].slots_filled += 1;
        }
        let idx = self.plan.assignments.len();
        self.plan.assignments.push(AssignmentRow {
            id: Uuid::now_v7(),
            job,
            officer,
            status,
            receipt_seq: 0,
            position: None,
            created: claimed,
            updated: ranked_award.unwrap_or(claimed),
            version: 0,
            ranked_award: ranked_award.is_some(),
        });
        self.events.push((claimed, Ev::Claim(idx)));
        idx
    }

    /// ~80 completed details over the past four weeks, each worked by 1–4 officers, with a
    /// timecard per shift: approved, and paid once older than two weeks.
    fn past_jobs(&mut self) {
        let (now, tz) = (self.inp.now, self.inp.tz);
        let mut rng = Rng::new(SEED_PAST);
        let today = now.with_timezone(&tz).date_naive();
        let dates: Vec<(NaiveDate, &str)> = (1..=HISTORY_DAYS)
            .rev()
            .map(|d| (shift_date(today, -d), ""))
            .collect();
        let earliest = now - Duration::days(HISTORY_DAYS);
        let keep = move |s: DateTime<Utc>, e: DateTime<Utc>| s >= earliest && e <= now - hours(2);
        let mut taken = BTreeSet::new();
        let drafts = self.draw(&mut rng, EVENTS, &dates, PAST_JOBS, 6, &mut taken, &keep);
        let mut order: Vec<usize> = (0..self.officers.len()).collect();
        for mut d in drafts {
            d.slots = d.slots.min(4);
            let created = d.starts - hours(rng.range(5 * 24, 12 * 24));
            let ranked = rng.chance(0.4);
            let rule = if ranked {
                ranked_rule(&mut rng)
            } else {
                AwardRule::FirstCome
            };
            let mut row = self.new_job(&d, created, rule);
            let awarded_at = if ranked {
                let closes = d.starts - hours(rng.range(24, 48));
                row.signup_closes = Some(closes);
                closes
            } else {
                created
            };
            row.awarded_at = Some(awarded_at);
            row.status = JobStatus::Completed;
            let job = self.plan.jobs.len();
            self.plan.jobs.push(row);
            self.events.push((created, Ev::Created(job)));
            if ranked {
                self.events.push((awarded_at, Ev::Award(job)));
            }
            self.events.push((d.ends, Ev::Completed(job)));

            // Anyone eligible may have worked it; officer001 and the other personas more often,
            // so the demo accounts have earnings to show.
            rng.shuffle(&mut order);
            if rng.chance(0.3) {
                order.retain(|&o| o != 0);
                order.insert(0, 0);
            } else if rng.chance(0.3) {
                let persona = usize::try_from(rng.range(1, 9)).unwrap_or(1);
                order.retain(|&o| o != persona);
                order.insert(0, persona);
            }
            let claim_until = if ranked {
                awarded_at - minutes(10)
            } else {
                (created + hours(48)).min(d.starts - hours(2))
            };
            let mut chosen = Vec::new();
            for &o in order.iter().take(60) {
                if chosen.len() >= d.slots as usize {
                    break;
                }
                if self.eligible(o, &self.plan.jobs[job]) {
                    let claimed = between(&mut rng, created + minutes(5), claim_until);
                    let ranked_award = ranked.then_some(awarded_at);
                    let a = self.add_assignment(
                        job,
                        o,
                        AssignmentStatus::Awarded,
                        claimed,
                        ranked_award,
                    );
                    chosen.push((o, a));
                }
            }
            for (o, a) in chosen {
                self.timecard(&mut rng, job, o, a);
            }
        }
    }

    fn timecard(&mut self, rng: &mut Rng, job: usize, o: usize, assignment: usize) {
        let now = self.inp.now;
        let j = &self.plan.jobs[job];
        let in_at = j.starts - minutes(rng.range(0, 12)) - Duration::seconds(rng.range(0, 59));
        let out_at = j.ends + minutes(rng.range(-5, 20)) + Duration::seconds(rng.range(0, 59));
        // As the server does at clock-out: paid time starts at the later of clock-in and start.
        let worked = (out_at - in_at.max(j.starts)).num_minutes().max(0);
        let billable = self.inp.pay.billable_minutes(worked);
        let gross = pay::gross_cents(j.rate_cents, billable, j.multiplier_bp);
        let approved_at = (j.ends + hours(rng.range(3, 36))).min(now - minutes(30));
        let paid_at = (j.ends < now - Duration::days(PAID_AFTER_DAYS))
            .then(|| (approved_at + Duration::days(7)).min(now - hours(1)));
        let idx = self.plan.timecards.len();
        self.plan.timecards.push(TimecardRow {
            id: Uuid::now_v7(),
            assignment,
            job,
            officer: self.officers[o].profile.id,
            in_at,
            out_at,
            worked_minutes: worked,
            billable_minutes: billable,
            rate_cents: j.rate_cents,
            multiplier_bp: j.multiplier_bp,
            gross_cents: gross,
            status: if paid_at.is_some() {
                TimecardStatus::Paid
            } else {
                TimecardStatus::Approved
            },
            approved_at,
            paid_at,
            version: 0,
        });
        self.events.push((out_at, Ev::ClockOut(idx)));
        self.events.push((approved_at, Ev::Approved(idx)));
        if let Some(p) = paid_at {
            self.events.push((p, Ev::Paid(idx)));
        }
    }

    /// ~60 jobs over the next two weeks: holiday jobs first, then events by weight. About 60 %
    /// first come; ranked rules only where signups can close a day or more from now. Some
    /// first-come jobs with several slots are partly claimed, four small ones are full (one
    /// with a waitlist), and some ranked jobs have requests waiting — never from officer001,
    /// who should find plenty to claim.
    fn upcoming_jobs(&mut self) {
        let (now, tz) = (self.inp.now, self.inp.tz);
        let mut rng = Rng::new(SEED_UPCOMING);
        let today = now.with_timezone(&tz).date_naive();
        let last = now + Duration::days(BOARD_DAYS) - hours(1);
        let keep = move |s: DateTime<Utc>, _e: DateTime<Utc>| s >= now + minutes(90) && s <= last;
        let window: Vec<NaiveDate> = (0..BOARD_DAYS).map(|d| shift_date(today, d)).collect();
        let holidays: Vec<(NaiveDate, &'static str)> = self
            .inp
            .holidays
            .iter()
            .copied()
            .filter(|(d, _)| window.contains(d))
            .collect();
        let mut taken = BTreeSet::new();
        let mut drafts = self.draw(
            &mut rng,
            HOLIDAY_EVENTS,
            &holidays,
            usize::MAX,
            10,
            &mut taken,
            &keep,
        );
        let plain: Vec<(NaiveDate, &str)> = window.iter().map(|d| (*d, "")).collect();
        let rest = UPCOMING_JOBS.saturating_sub(drafts.len());
        drafts.extend(self.draw(&mut rng, EVENTS, &plain, rest, 4, &mut taken, &keep));
        drafts.sort_by_key(|d| d.starts);

        let first = self.plan.jobs.len();
        for d in &drafts {
            let lead = d.starts - now;
            let tier = tiers(d.spec.tier);
            let created = if !tier.is_empty() {
                // Recently posted, so the first tier is still the only one open.
                now - minutes(rng.range(120, 600))
            } else if lead < hours(30) {
                now - minutes(rng.range(30, 240))
            } else {
                now - minutes(rng.range(6 * 60, 6 * 24 * 60))
            };
            // Ranked rules need signups to close a day or more from now; most jobs that far out
            // use one, so about 40 % of the board does.
            let ranked = lead >= hours(72) && rng.chance(0.55);
            let rule = if ranked {
                ranked_rule(&mut rng)
            } else {
                AwardRule::FirstCome
            };
            let mut row = self.new_job(d, created, rule);
            row.release_tiers = tier;
            if ranked {
                row.signup_closes = Some(d.starts - hours(rng.range(24, 48)));
            } else {
                row.awarded_at = Some(created);
            }
            let job = self.plan.jobs.len();
            self.plan.jobs.push(row);
            self.events.push((created, Ev::Created(job)));
        }

        // Claims so far: four small first-come jobs full (the first with a waitlist), about
        // half of the other multi-slot ones partly filled; half the ranked jobs with requests.
        let jobs: Vec<usize> = (first..self.plan.jobs.len()).collect();
        let mut small: Vec<usize> = jobs
            .iter()
            .copied()
            .filter(|&j| {
                let r = &self.plan.jobs[j];
                r.award_rule.is_immediate() && r.slots <= 3 && r.starts > now + hours(24)
            })
            .collect();
        rng.shuffle(&mut small);
        let full: Vec<usize> = small.into_iter().take(4).collect();
        for &j in &jobs {
            let (slots, immediate) = {
                let r = &self.plan.jobs[j];
                (i64::from(r.slots), r.award_rule.is_immediate())
            };
            let (awarded, waiting) = if let Some(i) = full.iter().position(|f| *f == j) {
                (slots, if i == 0 { 3 } else { 0 })
            } else if immediate && slots >= 2 && rng.chance(0.45) {
                (rng.range(1, (slots - 1).max(1)), 0)
            } else if !immediate && rng.chance(0.5) {
                (0, rng.range(1, slots + 2))
            } else {
                (0, 0)
            };
            self.claims(&mut rng, j, awarded, waiting);
        }
    }

    /// Adds `awarded` first-come awards then `waiting` waitlisted (first come) or requested
    /// (ranked) claims to upcoming job `j`, from eligible officers other than officer001.
    /// One detail under way at the moment of seeding (decision 043): a first-come job that
    /// started 40 minutes ago, its officer not clocked in, one officer on the waitlist. The
    /// shift watcher's first pass raises a no-show on it and gives the slot to the officer in
    /// line, so the console's Alerts page shows an alert the watcher really raised.
    fn under_way(&mut self) {
        let now = self.inp.now;
        let Some(mut row) = self
            .plan
            .jobs
            .iter()
            .find(|j| {
                j.starts > now
                    && j.award_rule.is_immediate()
                    && j.release_tiers.is_empty()
                    && j.slots_filled == 0
            })
            .cloned()
        else {
            return;
        };
        let created = now - hours(30);
        row.id = Uuid::now_v7();
        row.starts = now - minutes(40);
        row.ends = row.starts + hours(4);
        row.slots = 1;
        row.slots_filled = 0;
        row.created = created;
        row.signup_opens = created;
        row.awarded_at = Some(created);
        row.multiplier_bp = self.inp.pay.multiplier_bp(row.starts, created, self.inp.tz);
        row.status = JobStatus::Open;
        let j = self.plan.jobs.len();
        self.plan.jobs.push(row);
        self.events.push((created, Ev::Created(j)));
        let mut rng = Rng::new(SEED_UNDER_WAY);
        self.claims(&mut rng, j, 1, 1);
    }

    /// One detail about to start (decision 048): a first-come job starting in 50 minutes, its
    /// one slot awarded. At start-up the demo has its officer say "running late" through the
    /// action service (`demo::arrival`), so the console's Alerts page shows a running-late
    /// alert and the no-show waits for the reported arrival.
    fn about_to_start(&mut self) {
        let now = self.inp.now;
        let Some(mut row) = self
            .plan
            .jobs
            .iter()
            .find(|j| {
                j.starts > now + hours(24)
                    && j.award_rule.is_immediate()
                    && j.release_tiers.is_empty()
                    && j.slots_filled == 0
            })
            .cloned()
        else {
            return;
        };
        let created = now - hours(30);
        row.id = Uuid::now_v7();
        row.starts = now + minutes(50);
        row.ends = row.starts + hours(4);
        row.slots = 1;
        row.slots_filled = 0;
        row.created = created;
        row.signup_opens = created;
        row.awarded_at = Some(created);
        row.multiplier_bp = self.inp.pay.multiplier_bp(row.starts, created, self.inp.tz);
        row.status = JobStatus::Open;
        let j = self.plan.jobs.len();
        self.plan.jobs.push(row);
        self.events.push((created, Ev::Created(j)));
        let mut rng = Rng::new(SEED_ABOUT_TO_START);
        self.claims(&mut rng, j, 1, 0);
    }

    fn claims(&mut self, rng: &mut Rng, j: usize, awarded: i64, waiting: i64) {
        let want = usize::try_from(awarded + waiting).unwrap_or(0);
        if want == 0 {
            return;
        }
        let now = self.inp.now;
        let mut order: Vec<usize> = (1..self.officers.len()).collect();
        rng.shuffle(&mut order);
        let mut picked: Vec<(DateTime<Utc>, usize)> = Vec::new();
        for o in order.into_iter().take(120) {
            if picked.len() >= want {
                break;
            }
            let job = &self.plan.jobs[j];
            let opens = award::opens_for(
                job.signup_opens,
                &job.release_tiers,
                &self.officers[o].profile.groups,
            );
            let from = opens.max(job.created) + minutes(1);
            if from >= now - minutes(1) || !self.eligible(o, job) {
                continue;
            }
            // Distinct officers never clash with each other on one job; each was checked
            // against their own commitments above.
            picked.push((between(rng, from, now - minutes(1)), o));
        }
        picked.sort();
        let immediate = self.plan.jobs[j].award_rule.is_immediate();
        for (i, (claimed, o)) in picked.into_iter().enumerate() {
            let status = if !immediate {
                AssignmentStatus::Requested
            } else if i < usize::try_from(awarded).unwrap_or(0) {
                AssignmentStatus::Awarded
            } else {
                AssignmentStatus::Waitlisted
            };
            self.add_assignment(j, o, status, claimed, None);
        }
        let job = &mut self.plan.jobs[j];
        if job.slots_filled >= job.slots {
            job.status = JobStatus::Filled;
        }
    }

    /// Numbers every change in time order, as the server would have: each job, claim, award,
    /// completion and timecard step takes the next sequence; versions are the last one.
    fn sequence(&mut self) {
        let mut events = std::mem::take(&mut self.events);
        events.sort_by_key(|(t, _)| *t);
        let plan = &mut self.plan;
        let mut seq = 0i64;
        let mut changes = Vec::new();
        let mut log = |seq: i64, entity: &'static str, id: Uuid, audience: Option<Uuid>| {
            changes.push(ChangeRow {
                seq,
                entity,
                entity_id: id,
                audience,
            })
        };
        for (_, ev) in events {
            seq += 1;
            match ev {
                Ev::Duty => {
                    let officers: BTreeSet<Uuid> = plan.duty.iter().map(|d| d.officer).collect();
                    for o in officers {
                        log(seq, "duty", o, Some(o));
                    }
                }
                Ev::Created(j) | Ev::Completed(j) => {
                    plan.jobs[j].version = seq;
                    log(seq, "job", plan.jobs[j].id, None);
                }
                Ev::Claim(a) => {
                    let row = &mut plan.assignments[a];
                    row.receipt_seq = seq;
                    row.version = seq;
                    let (id, officer, job) = (row.id, row.officer, row.job);
                    let takes_slot = row.status == AssignmentStatus::Awarded && !row.ranked_award;
                    log(seq, "assignment", id, Some(officer));
                    if takes_slot {
                        plan.jobs[job].version = seq;
                        log(seq, "job", plan.jobs[job].id, None);
                    }
                }
                Ev::Award(j) => {
                    for a in plan
                        .assignments
                        .iter_mut()
                        .filter(|a| a.job == j && a.ranked_award)
                    {
                        a.version = seq;
                        log(seq, "assignment", a.id, Some(a.officer));
                    }
                    plan.jobs[j].version = seq;
                    log(seq, "job", plan.jobs[j].id, None);
                }
                Ev::ClockOut(t) | Ev::Approved(t) | Ev::Paid(t) => {
                    let tc = &mut plan.timecards[t];
                    tc.version = seq;
                    log(seq, "timecard", tc.id, Some(tc.officer));
                }
            }
        }
        plan.changes = changes;
        plan.change_seq = seq;
    }

    /// Places in line: the waitlist in order of receipt, requests in the job's award order
    /// (the same ranking the server uses, from the planned history).
    fn positions(&mut self) {
        let plan = &mut self.plan;
        let mut lines: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, a) in plan.assignments.iter().enumerate() {
            if matches!(
                a.status,
                AssignmentStatus::Waitlisted | AssignmentStatus::Requested
            ) {
                lines.entry(a.job).or_default().push(i);
            }
        }
        for (j, line) in lines {
            let job = &plan.jobs[j];
            let window = match job.award_rule {
                AwardRule::FewestHours { window_days } => i64::from(window_days),
                _ => 28,
            };
            let since = job.starts - Duration::days(window);
            let candidates: Vec<Candidate> = line
                .iter()
                .map(|&i| {
                    let a = &plan.assignments[i];
                    let worked = plan.assignments.iter().filter(|b| {
                        b.officer == a.officer && b.status == AssignmentStatus::Awarded
                    });
                    let ends: Vec<(DateTime<Utc>, DateTime<Utc>)> = worked
                        .map(|b| (plan.jobs[b.job].starts, plan.jobs[b.job].ends))
                        .filter(|(_, e)| *e <= job.starts)
                        .collect();
                    let recent_us: i64 = ends
                        .iter()
                        .filter(|(_, e)| *e > since)
                        .map(|(s, e)| (*e - *s).num_microseconds().unwrap_or(0))
                        .sum();
                    Candidate {
                        officer_id: a.officer,
                        receipt_seq: u64::try_from(a.receipt_seq).unwrap_or(0),
                        seniority: 0,
                        recent_minutes: recent_us / 60_000_000,
                        last_detail_end: ends.iter().map(|(_, e)| *e).max(),
                    }
                })
                .collect();
            let seniority: BTreeMap<Uuid, u32> = self
                .officers
                .iter()
                .map(|o| (o.profile.id, o.profile.seniority))
                .collect();
            let candidates: Vec<Candidate> = candidates
                .into_iter()
                .map(|mut c| {
                    c.seniority = seniority.get(&c.officer_id).copied().unwrap_or(u32::MAX);
                    c
                })
                .collect();
            let order = award::rank(&job.award_rule, job.id, &candidates);
            for i in line {
                let a = &mut plan.assignments[i];
                a.position = order
                    .iter()
                    .position(|o| *o == a.officer)
                    .and_then(|p| u32::try_from(p + 1).ok());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::roster::{roster, us_holidays};
    use chrono::TimeZone;
    use chrono_tz::America::New_York;

    fn officers(now: DateTime<Utc>) -> Vec<OfficerProfile> {
        roster(now, New_York)
            .into_iter()
            .map(|o| OfficerProfile {
                id: Uuid::now_v7(),
                display_name: o.display_name,
                badge: o.badge,
                rank: o.rank,
                certifications: o.certifications,
                groups: o.groups,
                seniority: o.number,
                permit_expires_at: o.permit_expires_at,
            })
            .collect()
    }

    fn plan_at(now: DateTime<Utc>) -> (Plan, Vec<OfficerProfile>, PayPolicy) {
        let today = now.with_timezone(&New_York).date_naive();
        let holidays = us_holidays(shift_date(today, -HISTORY_DAYS), shift_date(today, 365));
        let pay = PayPolicy {
            holidays: holidays.iter().map(|(d, _)| *d).collect(),
            ..PayPolicy::default()
        };
        let officers = officers(now);
        let plan = build(&Inputs {
            now,
            tz: New_York,
            pay: &pay,
            limits: &Limits::default(),
            officers: &officers,
            stadium: Some(Uuid::now_v7()),
            easton: Some(Uuid::now_v7()),
            holidays: &holidays,
        });
        (plan, officers, pay)
    }

    fn check_invariants(now: DateTime<Utc>) {
        let (plan, officers, pay) = plan_at(now);
        let upcoming: Vec<&JobRow> = plan.jobs.iter().filter(|j| j.starts > now).collect();
        let past: Vec<&JobRow> = plan.jobs.iter().filter(|j| j.ends <= now).collect();
        // One detail under way, for the shift watcher (decision 043).
        let under_way: Vec<&JobRow> = plan
            .jobs
            .iter()
            .filter(|j| j.starts <= now && now < j.ends)
            .collect();
        assert_eq!(under_way.len(), 1, "at {now}");
        assert_eq!(under_way[0].slots_filled, 1, "at {now}");
        assert_eq!(upcoming.len() + past.len() + 1, plan.jobs.len(), "at {now}");
        assert!(
            upcoming.len() >= 55,
            "{} upcoming jobs at {now}",
            upcoming.len()
        );
        assert!(
            upcoming
                .iter()
                .all(|j| j.starts < now + Duration::days(BOARD_DAYS)),
            "at {now}"
        );
        assert!(
            (70..=80).contains(&past.len()),
            "{} past jobs at {now}",
            past.len()
        );
        let first_come = upcoming
            .iter()
            .filter(|j| j.award_rule.is_immediate())
            .count();
        assert!(
            first_come * 100 >= upcoming.len() * 50 && first_come * 100 <= upcoming.len() * 80,
            "{first_come} of {} first come",
            upcoming.len()
        );

        for j in &plan.jobs {
            j.geofence.validate().unwrap();
            assert!(
                j.geofence.contains(GeoPoint::new(j.site.lat, j.site.lon)),
                "{}",
                j.title
            );
            assert!((1..=12).contains(&j.slots));
            let hours = (j.ends - j.starts).num_minutes();
            assert!(
                (180..=600).contains(&hours),
                "{} lasts {hours} min",
                j.title
            );
            j.award_rule.validate().unwrap();
            award::validate_tiers(&j.release_tiers).unwrap();
            assert!(j.version > 0 && j.version <= plan.change_seq);
            assert_eq!(j.award_rule.is_immediate(), j.signup_closes.is_none());
            if let Some(c) = j.signup_closes {
                assert!(c > j.signup_opens && c <= j.starts);
                if j.starts > now {
                    assert!(c > now && j.awarded_at.is_none());
                }
            }
            assert_eq!(
                j.multiplier_bp,
                pay.multiplier_bp(j.starts, j.created, New_York)
            );
            assert_eq!(j.rate_cents, pay.rate_for(j.job_type));
        }

        for (i, j) in plan.jobs.iter().enumerate() {
            let awarded = plan
                .assignments
                .iter()
                .filter(|a| a.job == i && a.status == AssignmentStatus::Awarded)
                .count();
            assert_eq!(j.slots_filled as usize, awarded, "{}", j.title);
            assert!(j.slots_filled <= j.slots);
            let expected = if j.ends <= now {
                JobStatus::Completed
            } else if j.slots_filled == j.slots {
                JobStatus::Filled
            } else {
                JobStatus::Open
            };
            assert_eq!(j.status, expected, "{}", j.title);
        }
        assert!(upcoming.iter().any(|j| j.status == JobStatus::Filled));
        assert!(
            plan.assignments
                .iter()
                .any(|a| a.status == AssignmentStatus::Waitlisted)
        );

        // Every awarded shift passes the server's eligibility rules against everything else
        // the officer holds, and nothing overlaps.
        let limits = Limits::default();
        for o in &officers {
            let mut blocks: Vec<WorkBlock> = plan
                .duty
                .iter()
                .filter(|d| d.officer == o.id)
                .map(|d| WorkBlock {
                    job_id: None,
                    starts_at: d.starts,
                    ends_at: d.ends,
                    kind: DutyKind::OnDuty,
                })
                .collect();
            for a in plan
                .assignments
                .iter()
                .filter(|a| a.officer == o.id && a.status == AssignmentStatus::Awarded)
            {
                let j = &plan.jobs[a.job];
                blocks.push(WorkBlock {
                    job_id: Some(j.id),
                    starts_at: j.starts,
                    ends_at: j.ends,
                    kind: DutyKind::OffDuty,
                });
            }
            let mut sorted = blocks.clone();
            sorted.sort_by_key(|b| b.starts_at);
            for w in sorted.windows(2) {
                assert!(
                    w[0].ends_at <= w[1].starts_at,
                    "overlap for {}",
                    o.display_name
                );
            }
            for b in blocks.iter().filter(|b| b.job_id.is_some()) {
                let j = plan.jobs.iter().find(|j| Some(j.id) == b.job_id).unwrap();
                let reasons = eligibility::check(&EligibilityCheck {
                    job_id: j.id,
                    starts_at: j.starts,
                    ends_at: j.ends,
                    requirements: &j.requirements,
                    officer: o,
                    schedule: &blocks,
                    limits: &limits,
                    tz: New_York,
                });
                assert!(
                    reasons.is_empty(),
                    "{} on {}: {reasons:?}",
                    o.display_name,
                    j.title
                );
            }
        }

        // officer001 has history but nothing upcoming: the board is theirs to claim.
        let me = officers.iter().find(|o| o.seniority == 1).unwrap().id;
        assert!(
            !plan
                .assignments
                .iter()
                .any(|a| a.officer == me && plan.jobs[a.job].starts > now)
        );
        assert!(plan.timecards.iter().any(|t| t.officer == me));

        for t in &plan.timecards {
            assert_eq!(
                t.gross_cents,
                pay::gross_cents(t.rate_cents, t.billable_minutes, t.multiplier_bp)
            );
            assert_eq!(t.billable_minutes, pay.billable_minutes(t.worked_minutes));
            let j = &plan.jobs[t.job];
            assert_eq!(
                (t.rate_cents, t.multiplier_bp),
                (j.rate_cents, j.multiplier_bp)
            );
            assert_eq!(t.status == TimecardStatus::Paid, t.paid_at.is_some());
            assert!(t.version > 0 && t.version <= plan.change_seq);
            assert!(t.approved_at <= now && t.paid_at.is_none_or(|p| p <= now));
        }
        let mut receipts = BTreeSet::new();
        for a in &plan.assignments {
            assert!(
                a.receipt_seq > 0 && a.receipt_seq <= a.version && a.version <= plan.change_seq
            );
            assert!(
                receipts.insert(a.receipt_seq),
                "receipt sequences are unique"
            );
            assert!(a.created <= now);
            let waits = matches!(
                a.status,
                AssignmentStatus::Waitlisted | AssignmentStatus::Requested
            );
            assert_eq!(waits, a.position.is_some());
        }
        assert!(
            plan.changes
                .iter()
                .all(|c| c.seq >= 1 && c.seq <= plan.change_seq)
        );
    }

    #[test]
    fn the_plan_holds_together_through_the_year() {
        for (y, m, d) in [
            (2026, 11, 24),
            (2027, 3, 10),
            (2027, 7, 2),
            (2026, 12, 20),
            (2027, 10, 30),
        ] {
            let now = New_York
                .with_ymd_and_hms(y, m, d, 9, 30, 0)
                .unwrap()
                .to_utc();
            check_invariants(now);
        }
    }

    #[test]
    fn every_site_fence_is_valid_and_holds_its_location() {
        for site in crate::demo::data::SITES {
            let fence = geofence(site);
            fence.validate().unwrap();
            assert!(
                fence.contains(GeoPoint::new(site.lat, site.lon)),
                "{}",
                site.name
            );
            assert!(
                offduty_domain::geofence::distance_m(
                    fence.center(),
                    GeoPoint::new(site.lat, site.lon)
                ) < 100.0
            );
        }
    }

    #[test]
    fn holidays_in_the_window_get_holiday_jobs() {
        // Thanksgiving 2026 is 26 November.
        let now = New_York
            .with_ymd_and_hms(2026, 11, 24, 9, 30, 0)
            .unwrap()
            .to_utc();
        let (plan, _, _) = plan_at(now);
        let holiday: Vec<&JobRow> = plan
            .jobs
            .iter()
            .filter(|j| j.multiplier_bp == 15_000)
            .collect();
        assert!(holiday.len() >= 3, "{holiday:?}");
        assert!(holiday.iter().any(|j| j.title.contains("Thanksgiving Day")));
    }
}
