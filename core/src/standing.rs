//! Where the officer stands on each job: the server's last word (assignment) overlaid with the
//! actions still in the outbox. The outbox row *is* the optimistic effect, so the two can never
//! disagree; the overlay is recomputed on every read.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::actions::{ActionKind, Pending, Stake};
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
    /// The latest slot action on this job not yet confirmed by the server.
    pub pending: Option<ActionKind>,
    /// Set when that action is wedged: why the queue gave up.
    pub wedged: Option<String>,
}

impl Standing {
    /// The stake the domain's rules judge (`offduty_domain::actions`).
    pub fn stake(&self) -> Stake {
        Stake {
            status: self.status,
            offered: self.offered,
            pending: self.pending.map(|kind| Pending {
                kind,
                wedged: self.wedged.is_some(),
            }),
        }
    }

    /// Whether the officer holds the slot (as far as this device knows, pending actions
    /// applied optimistically).
    pub fn holds_slot(&self) -> bool {
        self.stake().holds_slot()
    }

    /// Whether the officer is committed to the job for scheduling purposes (holds the slot or
    /// has a claim waiting to sync).
    pub fn committed(&self) -> bool {
        self.stake().committed()
    }

    /// Whether a new claim would duplicate one already made.
    pub fn has_active_claim(&self) -> bool {
        self.stake().has_active_claim()
    }

    /// What this standing is, as one value a screen can switch on.
    pub fn kind(&self) -> StandingKind {
        if self.wedged.is_some() {
            return StandingKind::Wedged;
        }
        if self.pending.is_some() {
            return StandingKind::Pending;
        }
        match self.status {
            None => StandingKind::None,
            Some(AssignmentStatus::Awarded) if self.offered => StandingKind::Offered,
            Some(AssignmentStatus::Awarded) => StandingKind::Holding,
            Some(AssignmentStatus::Requested) => StandingKind::Requested,
            Some(AssignmentStatus::Waitlisted) => StandingKind::Waitlisted,
            Some(
                AssignmentStatus::Withdrawn
                | AssignmentStatus::Cancelled
                | AssignmentStatus::TransferredOut,
            ) => StandingKind::Left,
            Some(AssignmentStatus::JobCancelled) => StandingKind::CalledOff,
        }
    }

    /// One line for the officer: "Waitlisted #3", "Claim waiting to sync", "Your shift".
    pub fn describe(&self) -> String {
        if let Some(reason) = &self.wedged {
            return format!(
                "Could not send your {}: {reason}",
                self.pending.map(ActionKind::noun).unwrap_or("action")
            );
        }
        if let Some(kind) = self.pending {
            let mut noun = kind.noun().to_string();
            if let Some(first) = noun.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            return format!("{noun} waiting to sync");
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

/// The officer's standing on a job, as one value a screen can switch on (badge, colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandingKind {
    /// No part in the job.
    None,
    /// Holds a slot.
    Holding,
    /// Holds a slot and offers it on the board.
    Offered,
    /// Asked for a ranked job; waits for the award.
    Requested,
    /// In line for a slot.
    Waitlisted,
    /// An action on the job waits to sync.
    Pending,
    /// An action on the job could not be sent (retry or discard it).
    Wedged,
    /// Withdrew, cancelled or handed the slot on.
    Left,
    /// The job was called off.
    CalledOff,
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
        if p.kind.is_punch() {
            continue;
        }
        let s = map.entry(p.job_id).or_default();
        s.pending = Some(p.kind);
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
