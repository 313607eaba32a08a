//! Where the officer stands on each job: the server's last word (assignment) overlaid with the
//! actions still in the outbox. The outbox row *is* the optimistic effect, so the two can never
//! disagree; the overlay is recomputed on every read.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::eligibility::WorkBlock;
use offduty_domain::protocol::{AssignmentStatus, DutyKind};

use crate::apply;
use crate::error::Result;
use crate::outbox::{self, PendingAction};
use crate::store::from_us;

/// The officer's standing on one job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The server's status, if the officer ever had a part in the job.
    pub status: Option<AssignmentStatus>,
    /// Place in line (requested or waitlisted).
    pub position: Option<u32>,
    /// Holding the slot while offering it back to the board.
    pub offered: bool,
    /// The latest action on this job not yet confirmed by the server (`claim`, `cancel`, …).
    pub pending: Option<String>,
    /// Set when that action is wedged: why the queue gave up.
    pub wedged: Option<String>,
}

impl Standing {
    /// Whether the officer holds the slot (as far as this device knows, pending actions
    /// applied optimistically).
    pub fn holds_slot(&self) -> bool {
        match self.pending.as_deref() {
            Some("cancel" | "transfer" | "withdraw") if self.wedged.is_none() => false,
            _ => self.status == Some(AssignmentStatus::Awarded),
        }
    }

    /// Whether the officer is committed to the job for scheduling purposes (holds the slot or
    /// has a claim waiting to sync).
    pub fn committed(&self) -> bool {
        self.holds_slot() || (self.pending.as_deref() == Some("claim") && self.wedged.is_none())
    }

    /// Whether a new claim would duplicate one already made.
    pub fn has_active_claim(&self) -> bool {
        self.status.is_some_and(AssignmentStatus::is_active)
            || self.pending.as_deref() == Some("claim")
    }

    /// One line for the officer: "Waitlisted #3", "Claim waiting to sync", "Your shift".
    pub fn describe(&self) -> String {
        if let Some(reason) = &self.wedged {
            return format!(
                "Could not send your {}: {reason}",
                self.pending.as_deref().unwrap_or("action")
            );
        }
        match self.pending.as_deref() {
            Some("claim") => return "Claim waiting to sync".into(),
            Some("withdraw") => return "Withdrawal waiting to sync".into(),
            Some("cancel") => return "Cancellation waiting to sync".into(),
            Some("transfer") => return "Transfer waiting to sync".into(),
            _ => {}
        }
        match (self.status, self.position) {
            (Some(AssignmentStatus::Awarded), _) if self.offered => {
                "Your shift (offered on the board)".into()
            }
            (Some(AssignmentStatus::Awarded), _) => "Your shift".into(),
            (Some(AssignmentStatus::Requested), Some(p)) => format!("Requested — #{p} in line"),
            (Some(AssignmentStatus::Waitlisted), Some(p)) => format!("Waitlisted #{p}"),
            (Some(AssignmentStatus::Requested), None) => "Requested".into(),
            (Some(AssignmentStatus::Waitlisted), None) => "Waitlisted".into(),
            (Some(AssignmentStatus::Withdrawn), _) => "You withdrew".into(),
            (Some(AssignmentStatus::Cancelled), _) => "You cancelled".into(),
            (Some(AssignmentStatus::TransferredOut), _) => "Transferred".into(),
            (Some(AssignmentStatus::JobCancelled), _) => "Job called off".into(),
            (None, _) => String::new(),
        }
    }
}

/// Standing on every job the officer has anything to do with.
pub fn all(conn: &Connection) -> Result<HashMap<Uuid, Standing>> {
    let mut map: HashMap<Uuid, Standing> = HashMap::new();
    for a in apply::assignments(conn)? {
        let s = map.entry(a.job_id).or_default();
        s.status = Some(a.status);
        s.position = a.position;
        s.offered = a.offered;
    }
    overlay(&mut map, &outbox::list(conn)?);
    Ok(map)
}

fn overlay(map: &mut HashMap<Uuid, Standing>, pending: &[PendingAction]) {
    for p in pending {
        if matches!(p.kind.as_str(), "clock_in" | "clock_out") {
            continue;
        }
        let s = map.entry(p.job_id).or_default();
        s.pending = Some(p.kind.clone());
        s.wedged = p.wedged_reason.clone();
    }
}

/// Standing on one job.
pub fn on_job(conn: &Connection, job_id: Uuid) -> Result<Standing> {
    Ok(all(conn)?.remove(&job_id).unwrap_or_default())
}

/// The officer's commitments for eligibility checks: jobs held or claimed (optimistically),
/// and imported on-duty shifts.
pub fn schedule(conn: &Connection) -> Result<Vec<WorkBlock>> {
    let standing = all(conn)?;
    let mut blocks = Vec::new();
    for (job_id, s) in &standing {
        if !s.committed() {
            continue;
        }
        if let Some(job) = apply::job(conn, *job_id)?
            && job.status != offduty_domain::protocol::JobStatus::Cancelled
        {
            blocks.push(WorkBlock {
                job_id: Some(job.id),
                starts_at: job.starts_at,
                ends_at: job.ends_at,
                kind: DutyKind::OffDuty,
            });
        }
    }
    let mut st = conn.prepare("SELECT starts_us, ends_us FROM duty_blocks")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for r in rows {
        let (s, e) = r?;
        blocks.push(WorkBlock {
            job_id: None,
            starts_at: from_us(s),
            ends_at: from_us(e),
            kind: DutyKind::OnDuty,
        });
    }
    Ok(blocks)
}
