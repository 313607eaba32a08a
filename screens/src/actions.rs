//! The actions an officer can take on one job, as buttons: which ones to show, whether each is
//! open now (and if not, the rules' sentence why), and the confirmation to show first — all
//! from the core's own checks (`Core::action_checks`, `Core::cancel_window`), never decided
//! here. Shared by the job detail and my-shifts screens, with `perform`, which queues the
//! action and sends it at once when the phone is online.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::CoreError;
use offduty_core::board::JobCard;
use offduty_core::checks::Verdict;
use offduty_domain::actions::{ClaimPath, Refusal};

use crate::text::Msg;
use crate::{Notice, NoticeKind, Screens};

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobActionKind {
    /// Take a free (or offered) slot of a first-come job.
    Claim,
    /// Ask for a ranked job; slots are awarded when signups close.
    Request,
    /// Every slot is taken: wait in line for one.
    JoinWaitlist,
    /// Leave the line (a request or a waitlist place).
    Withdraw,
    /// Give the shift up, within the department's cancellation windows.
    Cancel,
    /// Hand the shift to a named officer (opens the officer search).
    Transfer,
    /// Offer the shift back to the board (kept until another officer takes it).
    Offer,
    /// Tell the department the officer will be late (near the start; the officer picks how
    /// many minutes from the state's choices, then calls `report_late`).
    RunningLate,
    /// Give the shift up at short notice because the officer cannot come (near the start).
    WontMakeIt,
}

/// One "how late" choice for the running-late intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateChoice {
    pub minutes: u16,
    /// `15 min`.
    pub label: String,
}

/// The choices the running-late intent offers (the domain's list).
pub fn late_choices() -> Vec<LateChoice> {
    offduty_domain::actions::LATE_CHOICES
        .iter()
        .map(|&minutes| LateChoice {
            minutes,
            label: Msg::LateChoice.with(&[("minutes", &minutes.to_string())]),
        })
        .collect()
}

/// A confirmation to show before an action goes ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmDialog {
    pub title: String,
    /// What happens if the officer goes ahead (for a cancel: the window that applies now).
    pub message: String,
    pub confirm_label: String,
    pub cancel_label: String,
    /// Set when the dialog asks for an optional reason (a text field with this label).
    pub reason_label: Option<String>,
}

/// One action on a job, ready to draw as a button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobAction {
    pub kind: JobActionKind,
    pub label: String,
    /// Whether the rules allow it now.
    pub enabled: bool,
    /// Why not, in the rules' words, when it is not enabled.
    pub disabled_reason: Option<String>,
    /// Show this first; `perform` the action when the officer confirms.
    pub confirm: Option<ConfirmDialog>,
}

fn dialog(title: Msg, message: String, confirm: String) -> ConfirmDialog {
    ConfirmDialog {
        title: title.text(),
        message,
        confirm_label: confirm,
        cancel_label: Msg::Keep.text(),
        reason_label: None,
    }
}

fn button<T>(
    kind: JobActionKind,
    label: Msg,
    verdict: &Verdict<T>,
    confirm: Option<ConfirmDialog>,
) -> JobAction {
    JobAction {
        kind,
        label: label.text(),
        enabled: verdict.is_ok(),
        disabled_reason: verdict.as_ref().err().map(|r: &Refusal| r.reason.clone()),
        confirm,
    }
}

/// The actions on `card`'s job now: a claim of the right kind while the officer has no part
/// in it; leaving the line while in it; cancel, hand on and offer while holding the slot.
pub(crate) fn for_job(root: &Screens, card: &JobCard) -> Result<Vec<JobAction>, CoreError> {
    let core = root.core();
    let checks = core.action_checks(card.job.id)?;
    let stake = checks.stake;
    let job = &card.job;
    let mut out = Vec::new();
    if stake.holds_slot() {
        let (_, window) = core.cancel_window(job.id)?;
        let mut cancel = dialog(Msg::ConfirmCancelTitle, window, Msg::ActionCancel.text());
        cancel.reason_label = Some(Msg::ConfirmCancelReason.text());
        out.push(button(
            JobActionKind::Cancel,
            Msg::ActionCancel,
            &checks.cancel,
            Some(cancel),
        ));
        out.push(button(
            JobActionKind::Transfer,
            Msg::ActionTransfer,
            &checks.transfer,
            None,
        ));
        // Near the start (from two hours before it until the end, not once clocked in):
        // running late and won't make it, which the rules then allow.
        if checks.report_late.is_ok() {
            out.push(button(
                JobActionKind::RunningLate,
                Msg::ActionRunningLate,
                &checks.report_late,
                None,
            ));
        }
        if checks.wont_make_it.is_ok() {
            let mut give_up = dialog(
                Msg::ConfirmWontMakeItTitle,
                core.wont_make_it_terms(job.id)?,
                Msg::ActionWontMakeIt.text(),
            );
            give_up.reason_label = Some(Msg::ConfirmCancelReason.text());
            out.push(button(
                JobActionKind::WontMakeIt,
                Msg::ActionWontMakeIt,
                &checks.wont_make_it,
                Some(give_up),
            ));
        }
        if !stake.offered {
            out.push(button(
                JobActionKind::Offer,
                Msg::ActionOffer,
                &checks.transfer,
                Some(dialog(
                    Msg::ConfirmOfferTitle,
                    Msg::ConfirmOffer.text(),
                    Msg::ActionOffer.text(),
                )),
            ));
        }
    } else if stake.in_line() {
        out.push(button(
            JobActionKind::Withdraw,
            Msg::ActionWithdraw,
            &checks.withdraw,
            Some(dialog(
                Msg::ConfirmWithdrawTitle,
                Msg::ConfirmWithdraw.text(),
                Msg::ActionWithdraw.text(),
            )),
        ));
    } else if !stake.has_active_claim() {
        // The rules say which claim this is; when they refuse, the job's rule and slots say
        // which button the officer would have had.
        let take = match &checks.claim {
            Ok(path) => *path == ClaimPath::Take,
            Err(_) => {
                job.award_rule.is_immediate()
                    || job.signup_closes_at.is_some_and(|c| c <= core.now())
            }
        };
        let full = job.slots_filled >= job.slots && job.slots_offered == 0;
        let (kind, label) = match (take, full) {
            (false, _) => (JobActionKind::Request, Msg::ActionRequest),
            (true, true) => (JobActionKind::JoinWaitlist, Msg::ActionJoinWaitlist),
            (true, false) => (JobActionKind::Claim, Msg::ActionClaim),
        };
        let confirm = dialog(
            Msg::ConfirmClaimTitle,
            card.award_rule.clone(),
            label.text(),
        );
        out.push(button(kind, label, &checks.claim, Some(confirm)));
    }
    Ok(out)
}

/// Queues `kind` on the job (the core checks the rule again) and, when it was accepted, syncs
/// so it reaches the server now if the phone is online. Returns what to tell the officer: the
/// server's decision, that it waits for a connection, or the refusal. `Transfer` is not an
/// action by itself (the officer picks a colleague first): see `transfer::Picker`; nor is
/// `RunningLate` (the officer picks the minutes first: [`report_late`]).
pub(crate) async fn perform(
    root: &Screens,
    job_id: Uuid,
    kind: JobActionKind,
    reason: Option<String>,
    to: Option<Uuid>,
) -> Notice {
    perform_with(root, job_id, kind, reason, to, None).await
}

/// Queues "running late" by `minutes` (from [`late_choices`], or any 1–180) and sends it like
/// [`perform`].
pub(crate) async fn report_late(root: &Screens, job_id: Uuid, minutes: u16) -> Notice {
    perform_with(
        root,
        job_id,
        JobActionKind::RunningLate,
        None,
        None,
        Some(minutes),
    )
    .await
}

async fn perform_with(
    root: &Screens,
    job_id: Uuid,
    kind: JobActionKind,
    reason: Option<String>,
    to: Option<Uuid>,
    minutes: Option<u16>,
) -> Notice {
    let core = root.core();
    let queued = match kind {
        JobActionKind::Claim | JobActionKind::Request | JobActionKind::JoinWaitlist => {
            core.claim(job_id)
        }
        JobActionKind::Withdraw => core.withdraw(job_id),
        JobActionKind::Cancel => core.cancel(job_id, reason),
        JobActionKind::Offer => core.transfer(job_id, None),
        JobActionKind::Transfer => match to {
            Some(to) => core.transfer(job_id, Some(to)),
            None => return Notice::new(NoticeKind::Info, Msg::TransferTitle.text()),
        },
        JobActionKind::RunningLate => match minutes {
            Some(m) => core.report_late(job_id, m),
            None => return Notice::new(NoticeKind::Info, Msg::LatePickFirst.text()),
        },
        JobActionKind::WontMakeIt => core.wont_make_it(job_id, reason),
    };
    let queued = match queued {
        Ok(q) => q,
        Err(e) => return Notice::from_error(&e),
    };
    // Every live screen shows it waiting at once.
    root.notify_all();
    let tz = core.time_zone().unwrap_or(chrono_tz::UTC);
    match root.sync().await {
        Ok(report) => {
            if let Some(d) = report
                .decided
                .iter()
                .find(|d| d.idempotency_key == queued.idempotency_key)
            {
                decided(d, tz)
            } else if let Some(why) = wedged(root, queued.idempotency_key) {
                // The server refused the batch because of this action: it waits for the
                // officer (activity screen), with the standing's sentence.
                let text = core
                    .job(job_id, None)
                    .map(|c| c.standing_text)
                    .unwrap_or(why);
                Notice::new(NoticeKind::Failure, text)
            } else if report.offline.is_some() {
                Notice::new(NoticeKind::Info, Msg::QueuedOffline.text())
            } else {
                Notice::new(
                    NoticeKind::Info,
                    queued.note.unwrap_or_else(|| Msg::QueuedWaiting.text()),
                )
            }
        }
        Err(CoreError::Offline(_)) => Notice::new(NoticeKind::Info, Msg::QueuedOffline.text()),
        // Queued all the same: the sync failing (e.g. the session ended) is not the action
        // failing, but the officer should know why it has not gone out.
        Err(e) => Notice::from_error(&e),
    }
}

/// The notice for an action the server decided: its sentence, a refusal as such.
pub(crate) fn decided(d: &offduty_core::sync::Decided, tz: chrono_tz::Tz) -> Notice {
    let kind = match &d.outcome {
        offduty_domain::protocol::Outcome::Rejected { .. } => NoticeKind::Refused,
        _ => NoticeKind::Success,
    };
    Notice::new(kind, d.text(tz))
}

/// Why the queue gave up on the action `key`, if it did.
fn wedged(root: &Screens, key: Uuid) -> Option<String> {
    root.core()
        .pending_actions()
        .ok()?
        .into_iter()
        .find(|p| p.idempotency_key == key)?
        .wedged_reason
}
