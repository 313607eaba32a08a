//! The notification outbox: rows a delivery worker (push, SMS, e-mail) sends later. Written in
//! the same transaction as the change it announces, so a notice is never sent for a change that
//! rolled back, nor lost for one that committed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use sqlx::AnyConnection;

use crate::db::{DbError, json, to_us};

/// What an officer is told.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// You got a slot (from the waitlist, a transfer, an award, or an offered slot).
    Awarded {
        job_id: Uuid,
        title: String,
        how: &'static str,
    },
    /// You are on the waitlist at `position` after signups closed.
    Waitlisted {
        job_id: Uuid,
        title: String,
        position: u32,
    },
    /// Someone took over the slot you offered.
    SlotTakenOver { job_id: Uuid, title: String },
    /// The department called off a job you held or waited for.
    JobCancelled { job_id: Uuid, title: String },
    /// A coordinator edited a job you hold, asked for or wait for; `reasons` say why you may no
    /// longer work it as edited (empty when you still may).
    JobChanged {
        job_id: Uuid,
        title: String,
        changed: Vec<String>,
        still_eligible: bool,
        reasons: Vec<String>,
    },
    /// (To the coordinator who edited a job.) An officer holding a slot may no longer work it.
    HolderNoLongerEligible {
        job_id: Uuid,
        title: String,
        officer_id: Uuid,
        display_name: String,
        reasons: Vec<String>,
    },
    /// A coordinator rejected your timecard, saying why.
    TimecardRejected {
        timecard_id: Uuid,
        job_id: Uuid,
        reason: String,
    },
}

impl Notice {
    fn kind(&self) -> &'static str {
        match self {
            Notice::Awarded { .. } => "awarded",
            Notice::Waitlisted { .. } => "waitlisted",
            Notice::SlotTakenOver { .. } => "slot_taken_over",
            Notice::JobCancelled { .. } => "job_cancelled",
            Notice::JobChanged { .. } => "job_changed",
            Notice::HolderNoLongerEligible { .. } => "holder_no_longer_eligible",
            Notice::TimecardRejected { .. } => "timecard_rejected",
        }
    }
}

/// Queues a notice for `user_id`.
pub async fn enqueue(
    conn: &mut AnyConnection,
    department_id: Uuid,
    user_id: Uuid,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO notifications (id, department_id, user_id, kind, payload_json, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(department_id.to_string())
    .bind(user_id.to_string())
    .bind(notice.kind())
    .bind(json(notice))
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
