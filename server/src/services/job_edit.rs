//! Editing or rescheduling a posted job (`PATCH /v1/jobs/{id}`), in one transaction: the edited
//! job is checked with the rules of a new one, everyone holding, asking for or waiting for a slot
//! is told and re-checked against the new times and requirements, added slots go to the line,
//! and phones see the new job on their next sync. Decision 018 says what happens to an awarded
//! officer the edit makes ineligible (they keep the slot; they and the coordinator are told) and
//! why slots cannot shrink below the officers holding them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::award::ReleaseTier;
use offduty_domain::eligibility::{IneligibleReason, Requirements};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus};

use crate::db::{Db, DbError, from_us, get, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::assignments::{self, TxCtx, refresh_job};
use crate::services::audit::{self, AuditEntry};
use crate::services::jobs::{NewJob, fetch_job, validate};
use crate::services::line::{next_eligible, promote, renumber_line};
use crate::services::notify::{self, AwardedHow, Notice};
use crate::services::schedule;
use crate::services::txn::DeptTx;

/// Body of `PATCH /v1/jobs/{id}`: only the fields to change. The award rule and the customer
/// account cannot be changed (cancel and post again); unknown fields are refused.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    pub title: Option<String>,
    pub customer_name: Option<String>,
    pub site_name: Option<String>,
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    pub geofence: Option<Geofence>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Not below the number of officers holding a slot (409).
    pub slots: Option<u32>,
    pub job_type: Option<String>,
    /// Hourly rate in cents. When `job_type` changes without a rate, the department's rate for
    /// the new type applies.
    pub rate_cents: Option<i64>,
    pub requirements: Option<Requirements>,
    /// Only before a ranked job's award ran.
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Only before a ranked job's award ran, and in the future.
    pub signup_closes_at: Option<DateTime<Utc>>,
    pub release_tiers: Option<Vec<ReleaseTier>>,
    pub notes: Option<String>,
}

/// The fields of [`JobPatch`].
const PATCHABLE: [&str; 16] = [
    "title",
    "customer_name",
    "site_name",
    "address",
    "location",
    "geofence",
    "starts_at",
    "ends_at",
    "slots",
    "job_type",
    "rate_cents",
    "requirements",
    "signup_opens_at",
    "signup_closes_at",
    "release_tiers",
    "notes",
];

/// Reads a patch, naming the field at fault: one that cannot change once a job is posted (the
/// award rule, the customer account), an unknown one, or a value of the wrong type.
pub fn parse_patch(body: &serde_json::Value) -> Result<JobPatch, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::invalid(
            "body",
            "send a JSON object with the fields to change",
        ));
    };
    if fields.is_empty() {
        return Err(ApiError::invalid(
            "body",
            "name at least one field to change",
        ));
    }
    for key in fields.keys() {
        if !PATCHABLE.contains(&key.as_str()) {
            let detail = match key.as_str() {
                "award_rule" | "customer_id" => {
                    "cannot change once the job is posted: cancel it and post a new one"
                }
                _ => "no such field of a job (see JobPatch in /v1/openapi.json)",
            };
            return Err(ApiError::invalid(key.clone(), detail));
        }
    }
    crate::extract::parse_json(&serde_json::to_vec(body).unwrap_or_default())
}

/// An officer on the edited job, as the edit leaves them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AffectedOfficer {
    pub officer_id: Uuid,
    pub display_name: String,
    pub status: AssignmentStatus,
    /// Why they may not work the job as edited; empty: still eligible. An awarded officer with
    /// reasons keeps the slot until they or a coordinator act (decision 018).
    pub reasons: Vec<IneligibleReason>,
}

/// Response of `PATCH /v1/jobs/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobUpdate {
    pub job: Job,
    /// The fields that changed; empty when the job already was as asked (nothing was written).
    pub changed: Vec<String>,
    /// Officers given a slot from the line because slots were added.
    pub promoted: Vec<Uuid>,
    /// Everyone else holding, asking for or waiting for a slot: each was told of the change.
    pub officers: Vec<AffectedOfficer>,
    /// Of `officers`, the awarded ones the edit makes ineligible: the coordinator should act.
    pub needs_attention: Vec<Uuid>,
}

/// The job as a [`NewJob`] (what `validate` checks and what the patch is applied to).
fn as_new_job(job: &Job) -> NewJob {
    NewJob {
        title: job.title.clone(),
        customer_name: job.customer_name.clone(),
        customer_id: None,
        site_name: job.site_name.clone(),
        address: job.address.clone(),
        location: job.location,
        geofence: job.geofence.clone(),
        starts_at: job.starts_at,
        ends_at: job.ends_at,
        slots: job.slots,
        job_type: job.job_type.clone(),
        rate_cents: Some(job.rate_cents),
        requirements: job.requirements.clone(),
        award_rule: job.award_rule.clone(),
        signup_opens_at: Some(job.signup_opens_at),
        signup_closes_at: job.signup_closes_at,
        release_tiers: job.release_tiers.clone(),
        notes: job.notes.clone(),
    }
}

/// `job` with the patch applied, as it would be stored: text trimmed, times to the microsecond.
fn apply(job: &NewJob, p: &JobPatch) -> NewJob {
    let trimmed = |new: &Option<String>, old: &str| {
        new.as_deref()
            .map_or_else(|| old.to_string(), |s| s.trim().to_string())
    };
    let stored = |t: DateTime<Utc>| from_us(to_us(t));
    NewJob {
        title: trimmed(&p.title, &job.title),
        customer_name: trimmed(&p.customer_name, &job.customer_name),
        customer_id: None,
        site_name: trimmed(&p.site_name, &job.site_name),
        address: trimmed(&p.address, &job.address),
        location: p.location.unwrap_or(job.location),
        geofence: p.geofence.clone().unwrap_or_else(|| job.geofence.clone()),
        starts_at: p.starts_at.map_or(job.starts_at, stored),
        ends_at: p.ends_at.map_or(job.ends_at, stored),
        slots: p.slots.unwrap_or(job.slots),
        job_type: trimmed(&p.job_type, &job.job_type),
        rate_cents: p.rate_cents.or(job.rate_cents),
        requirements: p
            .requirements
            .clone()
            .unwrap_or_else(|| job.requirements.clone()),
        award_rule: job.award_rule.clone(),
        signup_opens_at: p.signup_opens_at.map(stored).or(job.signup_opens_at),
        signup_closes_at: p.signup_closes_at.map(stored).or(job.signup_closes_at),
        release_tiers: p
            .release_tiers
            .clone()
            .unwrap_or_else(|| job.release_tiers.clone()),
        notes: trimmed(&p.notes, &job.notes),
    }
}

/// The fields whose value differs, with (before, after).
fn differences(before: &NewJob, after: &NewJob) -> serde_json::Map<String, serde_json::Value> {
    let (b, a) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, new) in a {
            let old = b.get(k).cloned().unwrap_or_default();
            if old != *new {
                out.insert(k.clone(), serde_json::json!([old, new]));
            }
        }
    }
    out
}

async fn count(conn: &mut AnyConnection, sql: &'static str, id: Uuid) -> Result<i64, DbError> {
    get(
        &sqlx::query(sql)
            .bind(id.to_string())
            .fetch_one(&mut *conn)
            .await?,
        "n",
    )
}

/// Refusals that depend on the job's state rather than on the values asked for.
async fn check_editable(
    conn: &mut AnyConnection,
    job: &Job,
    awarded: bool,
    patch: &JobPatch,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if matches!(job.status, JobStatus::Cancelled | JobStatus::Completed) {
        return Err(ApiError::conflict(format!(
            "the job is {}: it can no longer be edited",
            job.status.as_str()
        )));
    }
    if job.starts_at <= now {
        return Err(ApiError::conflict(
            "the job has started: what was worked is settled on the timecards, not by editing the job",
        ));
    }
    let clocked_in = count(
        conn,
        "SELECT COUNT(*) AS n FROM timecards WHERE job_id = $1",
        job.id,
    )
    .await?;
    if clocked_in > 0 {
        return Err(ApiError::conflict(
            "an officer has already clocked in to this job: it can no longer be edited",
        ));
    }
    let ranked = !job.award_rule.is_immediate();
    if ranked && awarded {
        for (field, asked) in [
            ("signup_opens_at", patch.signup_opens_at.is_some()),
            ("signup_closes_at", patch.signup_closes_at.is_some()),
        ] {
            if asked {
                let mut e = ApiError::conflict(
                    "signups closed and the slots were awarded: the signup window can no longer change",
                );
                e.field = Some(field.into());
                return Err(e);
            }
        }
    }
    if let Some(c) = patch.signup_closes_at
        && c <= now
    {
        return Err(ApiError::invalid(
            "signup_closes_at",
            "must be in the future; to close signups now, award the job (POST /v1/jobs/{id}/award)",
        ));
    }
    if let Some(slots) = patch.slots {
        let holding = count(
            conn,
            "SELECT COUNT(*) AS n FROM assignments WHERE job_id = $1 AND status = 'awarded'",
            job.id,
        )
        .await?;
        if i64::from(slots) < holding {
            let mut e = ApiError::conflict(format!(
                "{holding} officers hold a slot on this job: it cannot have fewer slots until \
                 some of them cancel or transfer (or the job is called off)"
            ));
            e.field = Some("slots".into());
            e.extra = Some(Box::new(serde_json::json!({ "awarded": holding })));
            return Err(e);
        }
    }
    Ok(())
}

/// Edits a job. See the module documentation.
pub async fn update(
    db: &Db,
    user: AuthUser,
    job_id: Uuid,
    patch: &JobPatch,
    now: DateTime<Utc>,
) -> ApiResult<JobUpdate> {
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let ctx = TxCtx {
        user,
        dept: &t.dept,
        dialect: db.dialect,
        now,
        seq: t.seq,
    };
    let conn = t.tx.conn();
    let Some(locked) = assignments::lock_job(conn, ctx.dialect, ctx.dept.id, job_id).await? else {
        return Err(ApiError::not_found("job"));
    };
    let job = locked.job;
    check_editable(conn, &job, locked.awarded, patch, now).await?;
    let before = as_new_job(&job);
    let mut after = apply(&before, patch);
    validate(&after, now)?;
    // The rate follows the job type unless one is given; the multiplier (holiday, short notice)
    // is worked out again when the times move, as of now: that is when officers learn of them.
    if patch.rate_cents.is_none() && after.job_type != before.job_type {
        after.rate_cents = Some(ctx.dept.pay.rate_for(&after.job_type));
    }
    let rate = after.rate_cents.unwrap_or(job.rate_cents);
    let multiplier = if after.starts_at == job.starts_at {
        job.multiplier_bp
    } else {
        ctx.dept
            .pay
            .multiplier_bp(after.starts_at, now, ctx.dept.tz)
    };
    let mut changes = differences(&before, &after);
    if multiplier != job.multiplier_bp {
        changes.insert(
            "multiplier_bp".into(),
            serde_json::json!([job.multiplier_bp, multiplier]),
        );
    }
    if changes.is_empty() {
        // Nothing to write: the transaction rolls back when dropped.
        return Ok(JobUpdate {
            job,
            changed: Vec::new(),
            promoted: Vec::new(),
            officers: Vec::new(),
            needs_attention: Vec::new(),
        });
    }
    sqlx::query(
        "UPDATE jobs SET title = $1, customer_name = $2, site_name = $3, address = $4, lat = $5, \
         lon = $6, geofence_json = $7, starts_us = $8, ends_us = $9, slots = $10, job_type = $11, \
         rate_cents = $12, multiplier_bp = $13, requirements_json = $14, release_tiers_json = $15, \
         signup_opens_us = $16, signup_closes_us = $17, notes = $18, version = $19 WHERE id = $20",
    )
    .bind(&after.title)
    .bind(&after.customer_name)
    .bind(&after.site_name)
    .bind(&after.address)
    .bind(after.location.lat)
    .bind(after.location.lon)
    .bind(json(&after.geofence))
    .bind(to_us(after.starts_at))
    .bind(to_us(after.ends_at))
    .bind(i64::from(after.slots))
    .bind(&after.job_type)
    .bind(rate)
    .bind(i64::from(multiplier))
    .bind(json(&after.requirements))
    .bind(json(&after.release_tiers))
    .bind(
        after
            .signup_opens_at
            .map(to_us)
            .unwrap_or_else(|| to_us(now)),
    )
    .bind(after.signup_closes_at.map(to_us))
    .bind(&after.notes)
    .bind(ctx.seq)
    .bind(job.id.to_string())
    .execute(&mut *conn)
    .await?;
    let edited = fetch_job(conn, ctx.dept.id, job.id)
        .await?
        .ok_or_else(ApiError::internal)?;

    // Added slots on a job whose slots are given out already go to the line at once.
    let mut promoted = Vec::new();
    if locked.awarded {
        let holding = i64::from(edited.slots_filled);
        for _ in holding..i64::from(edited.slots) {
            let Some(next) = next_eligible(conn, &ctx, &edited).await? else {
                break;
            };
            promote(conn, &ctx, &edited, next, AwardedHow::SlotAdded).await?;
            promoted.push(next);
        }
    }
    refresh_job(conn, &ctx, &edited).await?;
    renumber_line(conn, &ctx, &edited).await?;

    let changed: Vec<String> = changes.keys().cloned().collect();
    let (officers, needs_attention) =
        tell_everyone(conn, &ctx, &edited, &changed, &promoted).await?;
    audit::append(
        conn,
        ctx.dept.id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "job_updated",
            entity: "job",
            entity_id: job.id.to_string(),
            detail: serde_json::json!({
                "changes": changes,
                "promoted": promoted,
                "told": officers.len(),
                "needs_attention": needs_attention,
            }),
        },
        now,
    )
    .await?;
    let job = fetch_job(conn, ctx.dept.id, job.id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(JobUpdate {
        job,
        changed,
        promoted,
        officers,
        needs_attention,
    })
}

/// Re-checks and notifies every officer holding, asking for or waiting for a slot (except the
/// ones just promoted, who were told they got one); returns them and the awarded officers who
/// are no longer eligible.
async fn tell_everyone(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
    changed: &[String],
    promoted: &[Uuid],
) -> ApiResult<(Vec<AffectedOfficer>, Vec<Uuid>)> {
    let rows = sqlx::query(
        "SELECT a.officer_id, a.status, u.display_name FROM assignments a \
         JOIN users u ON u.id = a.officer_id WHERE a.job_id = $1 \
         AND a.status IN ('awarded', 'requested', 'waitlisted') ORDER BY a.receipt_seq, a.id",
    )
    .bind(job.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut officers = Vec::new();
    let mut needs_attention = Vec::new();
    for r in &rows {
        let officer_id = get_uuid(r, "officer_id")?;
        if promoted.contains(&officer_id) {
            continue;
        }
        let status: String = get(r, "status")?;
        let status = AssignmentStatus::parse(&status)
            .ok_or_else(|| DbError::corrupt("assignments", status.clone()))?;
        // A disabled officer is not checked or told (they cannot sign in); promotions and
        // awards already pass them over.
        let Some(profile) = schedule::load_officer(conn, ctx.dept.id, officer_id).await? else {
            continue;
        };
        let reasons = schedule::check_eligibility(conn, ctx.dept, job, &profile).await?;
        notify::enqueue(
            conn,
            ctx.dept.id,
            officer_id,
            &Notice::JobChanged {
                job_id: job.id,
                title: job.title.clone(),
                changed: changed.to_vec(),
                still_eligible: reasons.is_empty(),
                reasons: reasons.iter().map(|r| r.explain(ctx.dept.tz)).collect(),
            },
            ctx.now,
        )
        .await?;
        if status == AssignmentStatus::Awarded && !reasons.is_empty() {
            needs_attention.push(officer_id);
            notify::enqueue(
                conn,
                ctx.dept.id,
                ctx.user.user_id,
                &Notice::HolderNoLongerEligible {
                    job_id: job.id,
                    title: job.title.clone(),
                    officer_id,
                    display_name: profile.display_name.clone(),
                    reasons: reasons.iter().map(|r| r.explain(ctx.dept.tz)).collect(),
                },
                ctx.now,
            )
            .await?;
        }
        officers.push(AffectedOfficer {
            officer_id,
            display_name: profile.display_name,
            status,
            reasons,
        });
    }
    Ok((officers, needs_attention))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> NewJob {
        serde_json::from_value(serde_json::json!({
            "title": "Traffic", "customer_name": "OSU", "site_name": "Lot 1", "address": "411 Woody Hayes Dr",
            "location": {"lat": 40.0, "lon": -83.0},
            "geofence": {"type": "circle", "center": {"lat": 40.0, "lon": -83.0}, "radius_m": 100.0},
            "starts_at": "2030-01-01T12:00:00Z", "ends_at": "2030-01-01T16:00:00Z", "slots": 2,
            "job_type": "traffic", "rate_cents": 5000, "award_rule": {"type": "first_come"},
            "signup_opens_at": "2029-12-01T00:00:00Z", "notes": ""
        }))
        .unwrap()
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_the_difference_says_so() {
        let before = job();
        let patch: JobPatch = serde_json::from_value(serde_json::json!({
            "title": "  Traffic control ", "slots": 3, "notes": ""
        }))
        .unwrap();
        let after = apply(&before, &patch);
        assert_eq!(after.title, "Traffic control");
        let diff = differences(&before, &after);
        let keys: Vec<&str> = diff.keys().map(String::as_str).collect();
        assert_eq!(keys, ["slots", "title"]);
        assert_eq!(diff["slots"], serde_json::json!([2, 3]));
    }

    #[test]
    fn a_patch_naming_the_award_rule_or_an_unknown_field_is_refused_by_name() {
        for (body, field) in [
            (
                serde_json::json!({"award_rule": {"type": "seniority"}}),
                "award_rule",
            ),
            (serde_json::json!({"customer_id": null}), "customer_id"),
            (serde_json::json!({"titel": "typo"}), "titel"),
            (serde_json::json!({"slots": "three"}), "slots"),
            (serde_json::json!({}), "body"),
            (serde_json::json!([1]), "body"),
        ] {
            let e = parse_patch(&body).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
        }
        let every: serde_json::Map<String, serde_json::Value> = PATCHABLE
            .iter()
            .map(|f| (f.to_string(), serde_json::Value::Null))
            .collect();
        assert!(parse_patch(&serde_json::Value::Object(every)).is_ok());
    }
}
