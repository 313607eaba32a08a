//! The timecard's review steps as an explicit state machine: which coordinator step is allowed
//! from which status, who may take it, what it leads to and when a note is required ([`RULES`]);
//! and taking a step in one transaction (change log, audit, the officer told of a rejection).
//!
//! ```text
//!   open ──clock-out──▶ pending ─────┬──approve──▶ approved ──(invoiced)──paid──▶ paid
//!                       needs_review ┤                ▲
//!                                    └──reject───▶ rejected ──approve (note)──┘
//! ```
//! Clock events move a card from `open` to `pending` or `needs_review` (services::clock); the
//! steps here are the coordinator's. Decision 019.

use chrono::{DateTime, Utc};
use sqlx::Any;
use uuid::Uuid;

use offduty_domain::protocol::{Role, Timecard, TimecardStatus};

use crate::db::rows::{TIMECARD_COLUMNS, TIMECARD_FROM, timecard_from_row};
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::notify::{self, Notice};
use crate::services::txn::DeptTx;

/// A coordinator's step on a timecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The hours are right: the officer is owed the pay.
    Approve,
    /// The hours are not right (or the shift was not worked): nothing is owed; the officer is
    /// told why.
    Reject,
    /// The officer has been paid.
    MarkPaid,
}

/// What a step needs and does.
#[derive(Debug)]
pub struct Rule {
    pub step: Step,
    /// The statuses the step may be taken from.
    pub from: &'static [TimecardStatus],
    pub to: TimecardStatus,
    /// The role that may take it.
    pub by: Role,
    /// From these statuses the coordinator must write a note (`note_field` of the body).
    pub note_required_from: &'static [TimecardStatus],
    pub note_field: &'static str,
    /// Longest note accepted, in characters.
    pub note_max: Option<usize>,
    /// The audit log's name for it.
    pub audit: &'static str,
}

use TimecardStatus::{Approved, Invoiced, NeedsReview, Paid, Pending, Rejected};

/// Every step of the machine. Nothing else changes a timecard's status after clock-out.
pub const RULES: [Rule; 3] = [
    Rule {
        step: Step::Approve,
        from: &[Pending, NeedsReview, Rejected],
        to: Approved,
        by: Role::Coordinator,
        // Approving a doubtful punch, or overturning a rejection, needs what was checked.
        note_required_from: &[NeedsReview, Rejected],
        note_field: "note",
        note_max: None,
        audit: "timecard_approved",
    },
    Rule {
        step: Step::Reject,
        from: &[Pending, NeedsReview],
        to: Rejected,
        by: Role::Coordinator,
        note_required_from: &[Pending, NeedsReview],
        note_field: "reason",
        note_max: Some(1000),
        audit: "timecard_rejected",
    },
    Rule {
        step: Step::MarkPaid,
        from: &[Approved, Invoiced],
        to: Paid,
        by: Role::Coordinator,
        note_required_from: &[],
        note_field: "note",
        note_max: None,
        audit: "timecard_paid",
    },
];

impl Step {
    /// The step's rule.
    pub fn rule(self) -> &'static Rule {
        match self {
            Step::Approve => &RULES[0],
            Step::Reject => &RULES[1],
            Step::MarkPaid => &RULES[2],
        }
    }
}

fn note_missing(rule: &Rule, from: TimecardStatus) -> &'static str {
    match (rule.step, from) {
        (Step::Approve, NeedsReview) => {
            "this timecard needs review: say what you checked before approving it"
        }
        (Step::Approve, _) => "this timecard was rejected: say why you now approve it",
        _ => "say why the timecard is rejected: the officer sees it",
    }
}

/// Whether `role` may take `step` on a card in `current` with `note`; the new status. Pure.
pub fn decide(
    step: Step,
    current: TimecardStatus,
    role: Role,
    note: Option<&str>,
) -> Result<TimecardStatus, ApiError> {
    let rule = step.rule();
    if role != rule.by {
        return Err(ApiError::forbidden(format!(
            "this needs the {} role",
            rule.by.as_str()
        )));
    }
    if !rule.from.contains(&current) {
        return Err(ApiError::conflict(format!(
            "the timecard is {}; it must be {} for this",
            current.as_str(),
            rule.from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    let note = note.map(str::trim).unwrap_or("");
    if rule.note_required_from.contains(&current) && note.is_empty() {
        return Err(ApiError::invalid(
            rule.note_field,
            note_missing(rule, current),
        ));
    }
    if let Some(max) = rule.note_max
        && note.chars().count() > max
    {
        return Err(ApiError::invalid(
            rule.note_field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(rule.to)
}

/// Reads one card of the department as the wire type.
async fn read_card(conn: &mut sqlx::AnyConnection, id: Uuid) -> Result<Timecard, DbError> {
    let sql = format!("SELECT {TIMECARD_COLUMNS} FROM {TIMECARD_FROM} WHERE t.id = $1");
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    timecard_from_row(&row)
}

/// Takes `step` on timecard `id` of the user's department.
pub async fn take_step(
    db: &Db,
    user: AuthUser,
    id: Uuid,
    step: Step,
    note: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<Timecard> {
    let rule = step.rule();
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let (seq, dept) = (t.seq, t.dept.id);
    let conn = t.conn();
    let row = sqlx::query(
        "SELECT status, officer_id, job_id, invoice_id FROM timecards \
         WHERE id = $1 AND department_id = $2",
    )
    .bind(id.to_string())
    .bind(dept.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    let status: String = get(&row, "status")?;
    let current = TimecardStatus::parse(&status)
        .ok_or_else(|| DbError::corrupt("timecards", status.clone()))?;
    let to = decide(step, current, user.role, note.as_deref())?;
    // Time a customer was invoiced for is paid out by the ledger, with its pay period's payroll
    // (services::payouts), never marked paid by hand.
    if step == Step::MarkPaid && get::<Option<String>>(&row, "invoice_id")?.is_some() {
        return Err(ApiError::conflict(
            "this timecard was invoiced to the customer: it is paid with its pay period's \
             payroll (Payouts in the console)",
        ));
    }
    let officer = get_uuid(&row, "officer_id")?;
    let sql = match step {
        Step::Approve => {
            "UPDATE timecards SET status = $1, approved_us = $2, approved_by = $3, \
             rejection_reason = NULL, version = $4 WHERE id = $5"
        }
        Step::Reject => {
            "UPDATE timecards SET status = $1, rejected_us = $2, rejected_by = $3, \
             rejection_reason = $6, version = $4 WHERE id = $5"
        }
        Step::MarkPaid => {
            "UPDATE timecards SET status = $1, paid_us = $2, version = $4 WHERE id = $5 \
             AND $3 = $3"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(to.as_str())
        .bind(to_us(now))
        .bind(user.user_id.to_string())
        .bind(seq)
        .bind(id.to_string());
    if step == Step::Reject {
        q = q.bind(
            note.as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string(),
        );
    }
    q.execute(&mut *conn).await?;
    changes::record(conn, dept, seq, Entity::Timecard, id, Some(officer)).await?;
    if step == Step::Reject {
        notify::enqueue(
            conn,
            dept,
            officer,
            &Notice::TimecardRejected {
                timecard_id: id,
                job_id: get_uuid(&row, "job_id")?,
                reason: note
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or_default()
                    .to_string(),
            },
            now,
        )
        .await?;
    }
    let detail = match step {
        Step::Reject => serde_json::json!({"from": current, "reason": note}),
        _ => serde_json::json!({"from": current, "note": note}),
    };
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: rule.audit,
            entity: "timecard",
            entity_id: id.to_string(),
            detail,
        },
        now,
    )
    .await?;
    let card = read_card(conn, id).await?;
    t.commit().await?;
    Ok(card)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [TimecardStatus; 7] = [
        TimecardStatus::Open,
        Pending,
        NeedsReview,
        Approved,
        Invoiced,
        Paid,
        Rejected,
    ];

    #[test]
    fn each_step_is_allowed_only_from_its_statuses() {
        let allowed = |step| {
            ALL.iter()
                .copied()
                .filter(|s| decide(step, *s, Role::Coordinator, Some("checked")).is_ok())
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Step::Approve), [Pending, NeedsReview, Rejected]);
        assert_eq!(allowed(Step::Reject), [Pending, NeedsReview]);
        assert_eq!(allowed(Step::MarkPaid), [Approved, Invoiced]);
        let e = decide(Step::Reject, Paid, Role::Coordinator, Some("x")).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::CONFLICT);
        assert_eq!(
            e.detail,
            "the timecard is paid; it must be pending or needs_review for this"
        );
    }

    #[test]
    fn only_coordinators_take_steps() {
        for step in [Step::Approve, Step::Reject, Step::MarkPaid] {
            for role in [Role::Officer, Role::Customer] {
                let e = decide(step, Pending, role, Some("x")).unwrap_err();
                assert_eq!(e.status, axum::http::StatusCode::FORBIDDEN);
            }
        }
    }

    #[test]
    fn a_rejection_needs_a_reason_and_overturning_it_needs_a_note() {
        for blank in [None, Some(""), Some("   ")] {
            let e = decide(Step::Reject, Pending, Role::Coordinator, blank).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("reason"));
            let e = decide(Step::Approve, Rejected, Role::Coordinator, blank).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("note"));
            assert_eq!(
                decide(Step::Approve, Pending, Role::Coordinator, blank).ok(),
                Some(Approved)
            );
        }
        let long = "x".repeat(1001);
        let e = decide(Step::Reject, NeedsReview, Role::Coordinator, Some(&long)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reason"));
    }
}
