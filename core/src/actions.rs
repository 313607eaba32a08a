//! The officer's actions on jobs: checked locally with the domain rules, then queued with their
//! idempotency key in one transaction, before the caller is told "done".

/// What an officer who offered a shift on the board is told (when queued and when decided).
pub const OFFERED_ON_BOARD: &str =
    "Offered on the board: you keep the shift until another officer takes it.";

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::actions::{self, ActionKind};
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::Action;

use crate::Core;
use crate::apply;
use crate::checks;
use crate::error::{CoreError, Result};
use crate::outbox;

/// An action accepted into the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub idempotency_key: Uuid,
    pub kind: ActionKind,
    pub job_id: Uuid,
    /// Something the officer should know now (e.g. the cancellation window that applies).
    pub note: Option<String>,
}

impl Core {
    fn queue(&self, action: Action, note: Option<String>, now: DateTime<Utc>) -> Result<Queued> {
        let kind = action.kind();
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
    /// knows the answer, by the same rule the server applies (`offduty_domain::actions`).
    pub fn claim(&self, job_id: Uuid) -> Result<Queued> {
        let now = self.services.clock.now();
        let note = self.store.read(|c| {
            let (job, verdict) = checks::claim(c, job_id, now)?;
            verdict?;
            Ok(Some(job.award_rule.describe()))
        })?;
        self.queue(Action::Claim { job_id }, note, now)
    }

    /// Leaves the line on a job (a request or a waitlist place).
    pub fn withdraw(&self, job_id: Uuid) -> Result<Queued> {
        let now = self.services.clock.now();
        self.store.read(|c| Ok(checks::withdraw(c, job_id)??))?;
        self.queue(Action::Withdraw { job_id }, None, now)
    }

    /// Gives up a shift. Inside the last window the department requires a call, so the action
    /// is refused here with the explanation; inside the replacement window it is queued with a
    /// note (the server goes through only if someone can take the slot).
    pub fn cancel(&self, job_id: Uuid, reason: Option<String>) -> Result<Queued> {
        let now = self.services.clock.now();
        let reason = actions::cancel_reason(reason.as_deref())?;
        let note = self.store.read(|c| {
            let (policy, verdict) = checks::cancel(c, job_id, now)?;
            Ok(Some(verdict?.explain(&policy)))
        })?;
        self.queue(Action::Cancel { job_id, reason }, note, now)
    }

    /// The cancellation window that applies to a shift now, with its sentence: what the
    /// officer reads before confirming a cancel.
    pub fn cancel_window(&self, job_id: Uuid) -> Result<(CancelWindow, String)> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            let policy = apply::rules(c)?
                .map(|r| r.cancel_policy)
                .unwrap_or_default();
            let window = policy.window(job.starts_at, now);
            Ok((window, window.explain(&policy)))
        })
    }

    /// Tells the department the officer will be `minutes_late` minutes late (decision 048):
    /// checked here by the same rule the server applies (their own slot, from two hours
    /// before the start to the end, 1 to 180 minutes), then queued; the note says when the
    /// department will expect them, in the department's time.
    pub fn report_late(&self, job_id: Uuid, minutes_late: u16) -> Result<Queued> {
        let now = self.services.clock.now();
        let eta = self.store.read(|c| {
            let (_, verdict) = checks::report_late(c, job_id, minutes_late, now)?;
            Ok(verdict?)
        })?;
        let note = Some(crate::outcome::expected_at(eta, self.time_zone()?));
        self.queue(
            Action::ReportLate {
                job_id,
                minutes_late,
            },
            note,
            now,
        )
    }

    /// Gives the shift up because the officer cannot come (decision 048): a cancellation in
    /// whatever window applies, never refused for want of a replacement. The note is the
    /// sentence the officer confirmed ([`Core::wont_make_it_terms`]).
    pub fn wont_make_it(&self, job_id: Uuid, reason: Option<String>) -> Result<Queued> {
        let now = self.services.clock.now();
        let reason = actions::cancel_reason(reason.as_deref())?;
        let note = self.store.read(|c| {
            let (job, policy, verdict) = checks::wont_make_it(c, job_id, now)?;
            verdict?;
            Ok(Some(actions::wont_make_it_confirmation(
                &policy,
                job.starts_at,
                now,
            )))
        })?;
        self.queue(Action::WontMakeIt { job_id, reason }, note, now)
    }

    /// What the officer confirms before saying they won't make it: the slot is given up, and
    /// whether it counts as a late cancellation (the sentence is the domain's).
    pub fn wont_make_it_terms(&self, job_id: Uuid) -> Result<String> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            let policy = apply::rules(c)?
                .map(|r| r.cancel_policy)
                .unwrap_or_default();
            Ok(actions::wont_make_it_confirmation(
                &policy,
                job.starts_at,
                now,
            ))
        })
    }

    /// Hands a shift to a named officer, or offers it back to the board (`to = None`).
    pub fn transfer(&self, job_id: Uuid, to: Option<Uuid>) -> Result<Queued> {
        let now = self.services.clock.now();
        self.store
            .read(|c| Ok(checks::transfer(c, job_id, to, now)??))?;
        let note = match to {
            Some(_) => None,
            None => Some(OFFERED_ON_BOARD.to_string()),
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
