//! Row ↔ wire type mapping for jobs, assignments, timecards and department rules.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use uuid::Uuid;

use offduty_domain::alerts::AlertRules;
use offduty_domain::earnings::PayPeriodRule;
use offduty_domain::eligibility::{Limits, parse_time_zone};
use offduty_domain::geofence::GeoPoint;
use offduty_domain::pay::PayPolicy;
use offduty_domain::policy::CancelPolicy;
use offduty_domain::protocol::{
    Assignment, AssignmentStatus, DepartmentRules, Job, JobStatus, PunchRecord, Timecard,
    TimecardStatus,
};
use offduty_domain::punch::{PunchThresholds, PunchVerdict};
use offduty_domain::timecard::SignedClockEvent;

use super::{DbError, get, get_json, get_opt_time, get_opt_uuid, get_time, get_uuid};

/// The department-tunable rules kept in `departments.rules_json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RulesJson {
    pub limits: Limits,
    pub cancel_policy: CancelPolicy,
    pub punch_thresholds: PunchThresholds,
    /// How earnings are grouped (absent from rows written before it: biweekly).
    #[serde(default)]
    pub pay_period: PayPeriodRule,
    /// The shift watcher's thresholds (absent from rows written before it: the defaults;
    /// decision 043).
    #[serde(default)]
    pub alerts: AlertRules,
    /// Ranked awards break the rule's ties by the officers' reliability, computed from the
    /// record (absent from rows written before it: off; decision 046). Fairness first: only
    /// officers the rule ranks equal are re-ordered.
    #[serde(default)]
    pub reliability_tie_break: bool,
}

/// A department with its rules decoded.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: Uuid,
    pub name: String,
    pub tz: Tz,
    pub currency: String,
    pub rules: RulesJson,
    pub pay: PayPolicy,
}

impl Department {
    /// The wire form the phone uses to apply the same rules offline.
    pub fn wire_rules(&self) -> DepartmentRules {
        DepartmentRules {
            department_id: self.id,
            name: self.name.clone(),
            time_zone: self.tz.name().to_string(),
            currency: self.currency.clone(),
            limits: self.rules.limits.clone(),
            cancel_policy: self.rules.cancel_policy.clone(),
            punch_thresholds: self.rules.punch_thresholds.clone(),
            pay: self.pay.clone(),
            pay_period: self.rules.pay_period,
        }
    }
}

/// Columns of `departments` read by [`department_from_row`].
pub const DEPARTMENT_COLUMNS: &str = "id, name, time_zone, currency, rules_json, pay_json";

/// Decodes a department row.
pub fn department_from_row(row: &AnyRow) -> Result<Department, DbError> {
    let tz_name: String = get(row, "time_zone")?;
    Ok(Department {
        id: get_uuid(row, "id")?,
        name: get(row, "name")?,
        tz: parse_time_zone(&tz_name).map_err(|e| DbError::corrupt("departments", e))?,
        currency: get(row, "currency")?,
        rules: get_json(row, "rules_json")?,
        pay: get_json(row, "pay_json")?,
    })
}

/// Columns of `jobs` (aliased `j`, joined with departments `d`) read by [`job_from_row`].
pub const JOB_COLUMNS: &str = "j.id, j.department_id, j.title, j.customer_name, j.site_name, \
    j.address, j.lat, j.lon, j.geofence_json, j.starts_us, j.ends_us, j.slots, j.slots_filled, j.slots_offered, \
    j.job_type, j.rate_cents, j.multiplier_bp, j.requirements_json, j.award_rule_json, \
    j.release_tiers_json, j.signup_opens_us, j.signup_closes_us, j.status, j.notes, j.version, \
    d.currency";

/// Decodes a job row selected with [`JOB_COLUMNS`].
pub fn job_from_row(row: &AnyRow) -> Result<Job, DbError> {
    let status: String = get(row, "status")?;
    Ok(Job {
        id: get_uuid(row, "id")?,
        department_id: get_uuid(row, "department_id")?,
        title: get(row, "title")?,
        customer_name: get(row, "customer_name")?,
        site_name: get(row, "site_name")?,
        address: get(row, "address")?,
        location: GeoPoint {
            lat: get(row, "lat")?,
            lon: get(row, "lon")?,
        },
        geofence: get_json(row, "geofence_json")?,
        starts_at: get_time(row, "starts_us")?,
        ends_at: get_time(row, "ends_us")?,
        slots: to_u32(get(row, "slots")?),
        slots_filled: to_u32(get(row, "slots_filled")?),
        slots_offered: to_u32(get(row, "slots_offered")?),
        job_type: get(row, "job_type")?,
        rate_cents: get(row, "rate_cents")?,
        multiplier_bp: to_u32(get(row, "multiplier_bp")?),
        currency: get(row, "currency")?,
        requirements: get_json(row, "requirements_json")?,
        award_rule: get_json(row, "award_rule_json")?,
        signup_opens_at: get_time(row, "signup_opens_us")?,
        signup_closes_at: get_opt_time(row, "signup_closes_us")?,
        release_tiers: get_json(row, "release_tiers_json")?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| DbError::corrupt("jobs", format!("status {status:?}")))?,
        notes: get(row, "notes")?,
        version: to_u64(get(row, "version")?),
    })
}

/// Columns of `assignments` (aliased `a`) read by [`assignment_from_row`].
pub const ASSIGNMENT_COLUMNS: &str =
    "a.id, a.job_id, a.officer_id, a.status, a.position, a.offered_us, a.updated_us, a.version";

/// Decodes an assignment row selected with [`ASSIGNMENT_COLUMNS`].
pub fn assignment_from_row(row: &AnyRow) -> Result<Assignment, DbError> {
    let status: String = get(row, "status")?;
    Ok(Assignment {
        id: get_uuid(row, "id")?,
        job_id: get_uuid(row, "job_id")?,
        officer_id: get_uuid(row, "officer_id")?,
        status: AssignmentStatus::parse(&status)
            .ok_or_else(|| DbError::corrupt("assignments", format!("status {status:?}")))?,
        position: get::<Option<i64>>(row, "position")?.map(to_u32),
        offered: get::<Option<i64>>(row, "offered_us")?.is_some(),
        updated_at: get_time(row, "updated_us")?,
        version: to_u64(get(row, "version")?),
    })
}

/// Columns of `timecards` (aliased `t`, with clock events `ci` and `co`) for [`timecard_from_row`].
pub const TIMECARD_COLUMNS: &str = "t.id, t.assignment_id, t.job_id, t.officer_id, \
    t.clock_in_event, t.clock_out_event, t.worked_minutes, t.billable_minutes, t.rate_cents, \
    t.multiplier_bp, t.gross_cents, t.status, t.paid_us, t.version, t.rejection_reason, d.currency, \
    inv.issued_us AS invoiced_us, \
    ci.device_us AS ci_at, ci.verdict AS ci_verdict, ci.reasons_json AS ci_reasons, \
    ci.signed_json AS ci_signed, \
    co.device_us AS co_at, co.verdict AS co_verdict, co.reasons_json AS co_reasons, \
    co.signed_json AS co_signed";

/// The FROM clause matching [`TIMECARD_COLUMNS`].
pub const TIMECARD_FROM: &str = "timecards t JOIN departments d ON d.id = t.department_id \
    LEFT JOIN clock_events ci ON ci.id = t.clock_in_event \
    LEFT JOIN clock_events co ON co.id = t.clock_out_event \
    LEFT JOIN invoices inv ON inv.id = t.invoice_id";

/// Decodes a timecard row selected with [`TIMECARD_COLUMNS`] from [`TIMECARD_FROM`].
pub fn timecard_from_row(row: &AnyRow) -> Result<Timecard, DbError> {
    let status: String = get(row, "status")?;
    let punch = |id_col: &str, prefix: &str| -> Result<Option<PunchRecord>, DbError> {
        let Some(event_id) = get_opt_uuid(row, id_col)? else {
            return Ok(None);
        };
        let verdict: String = get(row, &format!("{prefix}_verdict"))?;
        Ok(Some(PunchRecord {
            event_id,
            at: get_time(row, &format!("{prefix}_at"))?,
            verdict: PunchVerdict::parse(&verdict)
                .ok_or_else(|| DbError::corrupt("clock_events", format!("verdict {verdict:?}")))?,
            reasons: get_json(row, &format!("{prefix}_reasons"))?,
            fix: Some(
                get_json::<SignedClockEvent>(row, &format!("{prefix}_signed"))?
                    .event
                    .fix,
            ),
        }))
    };
    Ok(Timecard {
        id: get_uuid(row, "id")?,
        assignment_id: get_uuid(row, "assignment_id")?,
        job_id: get_uuid(row, "job_id")?,
        officer_id: get_uuid(row, "officer_id")?,
        clock_in: punch("clock_in_event", "ci")?,
        clock_out: punch("clock_out_event", "co")?,
        worked_minutes: get(row, "worked_minutes")?,
        billable_minutes: get(row, "billable_minutes")?,
        rate_cents: get(row, "rate_cents")?,
        multiplier_bp: to_u32(get(row, "multiplier_bp")?),
        gross_cents: get(row, "gross_cents")?,
        currency: get(row, "currency")?,
        status: TimecardStatus::parse(&status)
            .ok_or_else(|| DbError::corrupt("timecards", format!("status {status:?}")))?,
        paid_at: get_opt_time(row, "paid_us")?,
        invoiced_at: get_opt_time(row, "invoiced_us")?,
        version: to_u64(get(row, "version")?),
        rejection_reason: get(row, "rejection_reason")?,
    })
}

/// Non-negative database integers as `u32` (saturating; the server never writes negatives).
pub fn to_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Non-negative database integers as `u64`.
pub fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
