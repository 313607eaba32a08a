//! The action rules (`offduty_domain::actions`) applied to the phone's cache: the facts each
//! check needs, gathered in one place, both for queueing an action (`Core::claim`, …) and for
//! showing which actions are open on a job before the officer picks one
//! ([`Core::action_checks`]). Each function answers `Ok(verdict)` — the way forward or the
//! rules' [`Refusal`] — or `Err` when the cache cannot answer (no such job, storage).

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use uuid::Uuid;

use offduty_domain::actions::{
    self, CancelFacts, ClaimFacts, ClaimPath, Claimant, LateFacts, Refusal, Stake, TransferFacts,
};
use offduty_domain::policy::{CancelPolicy, CancelWindow};
use offduty_domain::protocol::Job;
use offduty_domain::timecard::PunchKind;

use crate::Core;
use crate::apply;
use crate::board::Context;
use crate::error::{CoreError, Result};
use crate::standing;

/// A rule's verdict: the way forward, or why not.
pub type Verdict<T> = std::result::Result<T, Refusal>;

/// What the rules say about every action on one job now (nothing is queued).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionChecks {
    /// Where the officer stands, pending actions laid over the server's word.
    pub stake: Stake,
    /// A claim: a request (ranked rules before the award) or a take (a slot, an offered slot
    /// or the waitlist).
    pub claim: Verdict<ClaimPath>,
    /// Leaving the line.
    pub withdraw: Verdict<()>,
    /// Giving the shift up, and the window that would apply.
    pub cancel: Verdict<CancelWindow>,
    /// Handing the shift on, to a named officer or back to the board (the server judges the
    /// named officer).
    pub transfer: Verdict<()>,
    /// Saying "running late" (judged for the shortest delay; the minutes are checked when
    /// the officer picks them): the time the officer would then be expected.
    pub report_late: Verdict<DateTime<Utc>>,
    /// Saying "won't make it", and the cancellation window it would fall in.
    pub wont_make_it: Verdict<CancelWindow>,
}

fn job(conn: &Connection, job_id: Uuid) -> Result<Job> {
    apply::job(conn, job_id)?.ok_or(CoreError::NotFound("job"))
}

/// Whether the officer has clocked in to the shift on this device.
fn clocked_in(conn: &Connection, job_id: Uuid) -> Result<bool> {
    Ok(crate::clock::punches_for(conn, job_id)?
        .iter()
        .any(|p| p.kind == PunchKind::In))
}

/// The claim check, and the job it is about.
pub(crate) fn claim(
    conn: &Connection,
    job_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(Job, Verdict<ClaimPath>)> {
    let job = job(conn, job_id)?;
    let ctx = Context::load(conn, now)?;
    let ineligible: Vec<_> = ctx.reasons(&job).into_iter().map(|r| r.reason).collect();
    let stake = ctx
        .standing
        .get(&job.id)
        .map(standing::Standing::stake)
        .unwrap_or_default();
    // The award of a ranked job runs when its signups close.
    let award_ran =
        job.award_rule.is_immediate() || job.signup_closes_at.is_some_and(|closes| now >= closes);
    let verdict = actions::check_claim(&ClaimFacts {
        job: &job,
        stake,
        claimant: match &ctx.profile {
            Some(p) => Claimant::Officer(p),
            None => Claimant::Unknown,
        },
        award_ran,
        ineligible: &ineligible,
        now,
        tz: ctx.tz,
    });
    Ok((job, verdict))
}

/// The withdraw check.
pub(crate) fn withdraw(conn: &Connection, job_id: Uuid) -> Result<Verdict<()>> {
    job(conn, job_id)?;
    Ok(actions::check_withdraw(
        standing::on_job(conn, job_id)?.stake(),
    ))
}

/// The cancel check, and the department's policy its sentence needs.
pub(crate) fn cancel(
    conn: &Connection,
    job_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(CancelPolicy, Verdict<CancelWindow>)> {
    let job = job(conn, job_id)?;
    let policy = apply::rules(conn)?
        .map(|r| r.cancel_policy)
        .unwrap_or_default();
    let verdict = actions::check_cancel(&CancelFacts {
        job: &job,
        stake: standing::on_job(conn, job_id)?.stake(),
        clocked_in: clocked_in(conn, job_id)?,
        policy: &policy,
        now,
    });
    Ok((policy, verdict))
}

/// The transfer check (`to = None`: back to the board).
pub(crate) fn transfer(
    conn: &Connection,
    job_id: Uuid,
    to: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Verdict<()>> {
    let job = job(conn, job_id)?;
    let me = apply::profile(conn)?.map(|p| p.id).unwrap_or_default();
    Ok(actions::check_transfer(&TransferFacts {
        job: &job,
        stake: standing::on_job(conn, job_id)?.stake(),
        clocked_in: clocked_in(conn, job_id)?,
        me,
        to,
        now,
    }))
}

fn late_facts<'a>(conn: &Connection, job: &'a Job, now: DateTime<Utc>) -> Result<LateFacts<'a>> {
    Ok(LateFacts {
        job,
        stake: standing::on_job(conn, job.id)?.stake(),
        clocked_in: clocked_in(conn, job.id)?,
        now,
    })
}

/// The running-late check for `minutes_late`, and the job it is about.
pub(crate) fn report_late(
    conn: &Connection,
    job_id: Uuid,
    minutes_late: u16,
    now: DateTime<Utc>,
) -> Result<(Job, Verdict<DateTime<Utc>>)> {
    let job = job(conn, job_id)?;
    let verdict = actions::check_report_late(&late_facts(conn, &job, now)?, minutes_late);
    Ok((job, verdict))
}

/// The won't-make-it check, the job and the department's policy its sentence needs.
pub(crate) fn wont_make_it(
    conn: &Connection,
    job_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(Job, CancelPolicy, Verdict<CancelWindow>)> {
    let job = job(conn, job_id)?;
    let policy = apply::rules(conn)?
        .map(|r| r.cancel_policy)
        .unwrap_or_default();
    let verdict = actions::check_wont_make_it(&late_facts(conn, &job, now)?, &policy);
    Ok((job, policy, verdict))
}

impl Core {
    /// What the rules say about each action on one job now, without queueing anything: the
    /// very checks `claim`, `withdraw`, `cancel` and `transfer` make, so a screen offers the
    /// actions that would be accepted and says why the others would not.
    pub fn action_checks(&self, job_id: Uuid) -> Result<ActionChecks> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            Ok(ActionChecks {
                stake: standing::on_job(c, job_id)?.stake(),
                claim: claim(c, job_id, now)?.1,
                withdraw: withdraw(c, job_id)?,
                cancel: cancel(c, job_id, now)?.1,
                transfer: transfer(c, job_id, None, now)?,
                report_late: report_late(c, job_id, 1, now)?.1,
                wont_make_it: wont_make_it(c, job_id, now)?.2,
            })
        })
    }
}
