//! The officer's actions on jobs: checked locally with the domain rules, then queued with their
//! idempotency key in one transaction, before the caller is told "done".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::award::SignupState;
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::{Action, RejectCode};

use crate::Core;
use crate::apply;
use crate::board::Context;
use crate::error::{CoreError, Result};
use crate::outbox;
use crate::standing;

/// An action accepted into the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub idempotency_key: Uuid,
    pub kind: String,
    pub job_id: Uuid,
    /// Something the officer should know now (e.g. the cancellation window that applies).
    pub note: Option<String>,
}

/// Once clocked in, only a coordinator can release the officer from the shift.
fn refuse_if_clocked_in(conn: &rusqlite::Connection, job_id: Uuid) -> Result<()> {
    if crate::clock::punches_for(conn, job_id)?
        .iter()
        .any(|p| p.kind == offduty_domain::timecard::PunchKind::In)
    {
        return Err(CoreError::rejected(
            RejectCode::CallCoordinator,
            "You have clocked in to this shift: only the detail coordinator can release you now.",
        ));
    }
    Ok(())
}

impl Core {
    fn queue(&self, action: Action, note: Option<String>, now: DateTime<Utc>) -> Result<Queued> {
        let kind = action.kind().to_string();
        let job_id = action.job_id();
        let key = self.store.write(|tx| outbox::enqueue(tx, action, now))?;
        Ok(Queued {
            idempotency_key: key,
            kind,
            job_id,
            note,
        })
    }

    /// Claims a job (or asks for it, for ranked rules). Refused locally when the cache already
    /// knows the answer: closed job, already claimed, signups not open yet, not eligible.
    pub fn claim(&self, job_id: Uuid) -> Result<Queued> {
        let now = self.services.clock.now();
        let note = self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            if let Some(why) = job.closed_reason(now) {
                return Err(CoreError::rejected(RejectCode::JobClosed, why));
            }
            let ctx = Context::load(c, now)?;
            let card = ctx.card(job, None);
            if card.standing.has_active_claim() {
                return Err(CoreError::rejected(
                    RejectCode::AlreadyClaimed,
                    format!("{} on this job.", card.standing.describe()),
                ));
            }
            if let SignupState::NotYetOpen { .. } = card.signup {
                return Err(CoreError::rejected(
                    RejectCode::SignupClosed,
                    card.signup_text,
                ));
            }
            if !card.eligible {
                return Err(CoreError::Rejected {
                    code: RejectCode::NotEligible,
                    reason: card
                        .reasons
                        .iter()
                        .map(|r| r.text.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                    ineligible: card.reasons.into_iter().map(|r| r.reason).collect(),
                });
            }
            Ok(Some(card.award_rule))
        })?;
        self.queue(Action::Claim { job_id }, note, now)
    }

    /// Leaves the line on a job (a request or a waitlist place).
    pub fn withdraw(&self, job_id: Uuid) -> Result<Queued> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            let s = standing::on_job(c, job_id)?;
            let in_line = matches!(
                s.status,
                Some(offduty_domain::protocol::AssignmentStatus::Requested)
                    | Some(offduty_domain::protocol::AssignmentStatus::Waitlisted)
            ) || s.pending.as_deref() == Some("claim");
            if s.pending.as_deref() == Some("withdraw") && s.wedged.is_none() {
                return Err(CoreError::rejected(
                    RejectCode::NotAssigned,
                    "Your withdrawal is already waiting to sync.",
                ));
            }
            if s.holds_slot() {
                return Err(CoreError::rejected(
                    RejectCode::Invalid,
                    "You hold a slot on this job: cancel or transfer it instead.",
                ));
            }
            if !in_line {
                return Err(CoreError::rejected(
                    RejectCode::NotAssigned,
                    "You have no request or waitlist place on this job.",
                ));
            }
            Ok(())
        })?;
        self.queue(Action::Withdraw { job_id }, None, now)
    }

    /// Gives up a shift. Inside the last window the department requires a call, so the action
    /// is refused here with the explanation; inside the replacement window it is queued with a
    /// note (the server goes through only if someone can take the slot).
    pub fn cancel(&self, job_id: Uuid, reason: Option<String>) -> Result<Queued> {
        let now = self.services.clock.now();
        let note = self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            if !standing::on_job(c, job_id)?.holds_slot() {
                return Err(CoreError::rejected(
                    RejectCode::NotAssigned,
                    "You do not hold a slot on this job.",
                ));
            }
            refuse_if_clocked_in(c, job_id)?;
            let policy = apply::rules(c)?
                .map(|r| r.cancel_policy)
                .unwrap_or_default();
            let window = policy.window(job.starts_at, now);
            match window {
                CancelWindow::CallCoordinator => Err(CoreError::rejected(
                    RejectCode::CallCoordinator,
                    window.explain(&policy),
                )),
                CancelWindow::NeedsReplacement => Ok(Some(window.explain(&policy))),
                CancelWindow::Free => Ok(Some(window.explain(&policy))),
            }
        })?;
        let reason = reason.map(|r| r.trim().chars().take(500).collect::<String>());
        self.queue(
            Action::Cancel {
                job_id,
                reason: reason.filter(|r| !r.is_empty()),
            },
            note,
            now,
        )
    }

    /// Hands a shift to a named officer, or offers it back to the board (`to = None`).
    pub fn transfer(&self, job_id: Uuid, to: Option<Uuid>) -> Result<Queued> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            if let Some(why) = job.closed_reason(now) {
                return Err(CoreError::rejected(RejectCode::JobClosed, why));
            }
            if !standing::on_job(c, job_id)?.holds_slot() {
                return Err(CoreError::rejected(
                    RejectCode::NotAssigned,
                    "You do not hold a slot on this job.",
                ));
            }
            refuse_if_clocked_in(c, job_id)?;
            let me = apply::profile(c)?.map(|p| p.id);
            if to.is_some() && to == me {
                return Err(CoreError::rejected(
                    RejectCode::TransferTargetInvalid,
                    "You already hold this slot.",
                ));
            }
            Ok(())
        })?;
        let note = match to {
            Some(_) => None,
            None => Some(
                "Offered on the board: you keep the shift until another officer takes it.".into(),
            ),
        };
        self.queue(
            Action::Transfer {
                job_id,
                to_officer_id: to,
            },
            note,
            now,
        )
    }

    /// Every action not yet confirmed by the server, oldest first (wedged ones say why).
    pub fn pending_actions(&self) -> Result<Vec<outbox::PendingAction>> {
        self.store.read(outbox::list)
    }

    /// Puts a wedged action back in the queue.
    pub fn retry_action(&self, key: Uuid) -> Result<bool> {
        self.store.write(|tx| outbox::retry(tx, key))
    }

    /// Discards a wedged action (the officer's explicit decision; recorded as an outcome).
    pub fn discard_action(&self, key: Uuid) -> Result<bool> {
        let now = self.services.clock.now();
        self.store.write(|tx| outbox::discard(tx, key, now))
    }
}
