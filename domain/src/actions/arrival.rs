//! Around the start of a shift (decision 048): "running late" and "won't make it". Both are for
//! the officer's own awarded slot, from [`REPORT_LEAD_HOURS`] before the start until the
//! scheduled end, and not once clocked in. Running late moves the time the department expects
//! the officer (the no-show alert waits for it); won't make it gives the slot up as a
//! cancellation in whatever window applies — it is never refused for want of a replacement,
//! because the officer is not coming either way.

use chrono::{DateTime, Duration, Utc};

use super::{Refusal, Stake};
use crate::policy::{CancelPolicy, CancelWindow};
use crate::protocol::{Job, JobStatus, RejectCode};

/// How long before the start an officer may say they are running late or won't make it.
/// Earlier than that, giving up a shift is an ordinary cancellation.
pub const REPORT_LEAD_HOURS: i64 = 2;
/// The most minutes late an officer may report (three hours).
pub const MAX_MINUTES_LATE: u16 = 180;
/// The choices the phone offers, in minutes.
pub const LATE_CHOICES: [u16; 5] = [5, 10, 15, 30, 60];

/// What "running late" and "won't make it" need to know.
#[derive(Debug, Clone, Copy)]
pub struct LateFacts<'a> {
    pub job: &'a Job,
    pub stake: Stake,
    /// The officer has clocked in to this shift.
    pub clocked_in: bool,
    pub now: DateTime<Utc>,
}

/// Whether the slot, the job and the time allow either action.
fn near_start(f: &LateFacts<'_>) -> Result<(), Refusal> {
    if !f.stake.holds_slot() {
        return Err(Refusal::no_slot());
    }
    if f.job.status == JobStatus::Cancelled {
        return Err(Refusal::new(
            RejectCode::JobClosed,
            "This job was called off.",
        ));
    }
    if f.now >= f.job.ends_at {
        return Err(Refusal::new(RejectCode::JobClosed, "This shift has ended."));
    }
    if f.now < f.job.starts_at - Duration::hours(REPORT_LEAD_HOURS) {
        return Err(Refusal::new(
            RejectCode::JobClosed,
            format!(
                "You can say you are running late or won't make it from {REPORT_LEAD_HOURS} \
                 hours before the start; before that, cancel the shift instead."
            ),
        ));
    }
    Ok(())
}

/// Whether the officer may report being `minutes_late` minutes late, and the time they will
/// then be expected: that many minutes after the start, or after now once the shift has
/// started. Refused: minutes outside 1..=[`MAX_MINUTES_LATE`], not the officer's slot, a
/// called-off job, outside the time around the start, already clocked in, or an arrival at or
/// after the end (that is "won't make it").
pub fn check_report_late(f: &LateFacts<'_>, minutes_late: u16) -> Result<DateTime<Utc>, Refusal> {
    if minutes_late == 0 || minutes_late > MAX_MINUTES_LATE {
        return Err(Refusal::new(
            RejectCode::Invalid,
            format!("Say how late you will be: 1 to {MAX_MINUTES_LATE} minutes."),
        ));
    }
    near_start(f)?;
    if f.clocked_in {
        return Err(Refusal::new(
            RejectCode::JobClosed,
            "You have already clocked in to this shift.",
        ));
    }
    let eta = f.job.starts_at.max(f.now) + Duration::minutes(i64::from(minutes_late));
    if eta >= f.job.ends_at {
        return Err(Refusal::new(
            RejectCode::JobClosed,
            "You would arrive after the shift ends: say you won't make it instead.",
        ));
    }
    Ok(eta)
}

/// Whether the officer may give the slot up because they cannot come, and the cancellation
/// window it falls in (anything but [`CancelWindow::Free`] counts as a late cancellation).
pub fn check_wont_make_it(
    f: &LateFacts<'_>,
    policy: &CancelPolicy,
) -> Result<CancelWindow, Refusal> {
    near_start(f)?;
    if f.clocked_in {
        return Err(Refusal::clocked_in());
    }
    Ok(policy.window(f.job.starts_at, f.now))
}

/// The sentence the officer confirms before sending "won't make it": the slot is given up, and
/// whether that counts as a late cancellation.
pub fn wont_make_it_confirmation(
    policy: &CancelPolicy,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let counts = match policy.window(starts_at, now) {
        CancelWindow::Free => "It does not count as a late cancellation.".to_string(),
        CancelWindow::NeedsReplacement | CancelWindow::CallCoordinator => format!(
            "It counts as a late cancellation (less than {} hours before the start).",
            policy.free_hours
        ),
    };
    format!(
        "You give up this shift: the next officer on the waitlist takes it, or the detail \
         coordinator finds someone. {counts}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::tests::job as job_at;
    use crate::actions::{ActionKind, Pending};
    use crate::protocol::AssignmentStatus;

    fn at_min(m: i64) -> DateTime<Utc> {
        // The test job starts at minute 0 of hour 100 and ends four hours later.
        DateTime::from_timestamp(1_800_000_000 + 100 * 3600 + m * 60, 0).expect("valid")
    }

    fn facts(job: &Job, now: DateTime<Utc>) -> LateFacts<'_> {
        LateFacts {
            job,
            stake: Stake::of(Some(AssignmentStatus::Awarded), false),
            clocked_in: false,
            now,
        }
    }

    #[test]
    fn late_before_the_start_counts_from_the_start() {
        let job = job_at();
        let eta = check_report_late(&facts(&job, at_min(-30)), 15).expect("allowed");
        assert_eq!(eta, at_min(15));
    }

    #[test]
    fn late_after_the_start_counts_from_now() {
        let job = job_at();
        let eta = check_report_late(&facts(&job, at_min(20)), 10).expect("allowed");
        assert_eq!(eta, at_min(30));
    }

    #[test]
    fn minutes_must_be_one_to_one_eighty() {
        let job = job_at();
        for bad in [0, 181, u16::MAX] {
            let r = check_report_late(&facts(&job, at_min(-10)), bad).unwrap_err();
            assert_eq!(r.code, RejectCode::Invalid, "{bad}");
        }
        assert!(check_report_late(&facts(&job, at_min(-10)), 180).is_ok());
        assert!(check_report_late(&facts(&job, at_min(-10)), 1).is_ok());
    }

    #[test]
    fn too_early_and_after_the_end_are_refused() {
        let job = job_at();
        let early = check_report_late(&facts(&job, at_min(-121)), 10).unwrap_err();
        assert_eq!(early.code, RejectCode::JobClosed);
        assert!(early.reason.contains("2 hours before the start"));
        assert!(check_report_late(&facts(&job, at_min(-120)), 10).is_ok());
        let ended = check_wont_make_it(&facts(&job, at_min(240)), &CancelPolicy::default());
        assert_eq!(ended.unwrap_err().reason, "This shift has ended.");
        let early = check_wont_make_it(&facts(&job, at_min(-121)), &CancelPolicy::default());
        assert_eq!(early.unwrap_err().code, RejectCode::JobClosed);
    }

    #[test]
    fn arriving_after_the_end_is_not_late() {
        let job = job_at();
        let r = check_report_late(&facts(&job, at_min(200)), 60).unwrap_err();
        assert!(r.reason.contains("won't make it"));
    }

    #[test]
    fn only_the_officers_own_slot() {
        let job = job_at();
        for status in [
            None,
            Some(AssignmentStatus::Waitlisted),
            Some(AssignmentStatus::Cancelled),
        ] {
            let f = LateFacts {
                stake: Stake::of(status, false),
                ..facts(&job, at_min(-10))
            };
            assert_eq!(
                check_report_late(&f, 10).unwrap_err().code,
                RejectCode::NotAssigned
            );
            assert_eq!(
                check_wont_make_it(&f, &CancelPolicy::default())
                    .unwrap_err()
                    .code,
                RejectCode::NotAssigned
            );
        }
    }

    #[test]
    fn a_queued_wont_make_it_gives_the_slot_up_at_once() {
        let job = job_at();
        let f = LateFacts {
            stake: Stake {
                status: Some(AssignmentStatus::Awarded),
                offered: false,
                pending: Some(Pending {
                    kind: ActionKind::WontMakeIt,
                    wedged: false,
                }),
            },
            ..facts(&job, at_min(-10))
        };
        assert_eq!(
            check_report_late(&f, 10).unwrap_err().code,
            RejectCode::NotAssigned
        );
    }

    #[test]
    fn clocked_in_officers_are_neither_late_nor_absent() {
        let job = job_at();
        let f = LateFacts {
            clocked_in: true,
            ..facts(&job, at_min(5))
        };
        assert!(check_report_late(&f, 10).is_err());
        assert_eq!(
            check_wont_make_it(&f, &CancelPolicy::default())
                .unwrap_err()
                .code,
            RejectCode::CallCoordinator
        );
    }

    #[test]
    fn wont_make_it_is_allowed_in_the_last_window_and_counts_as_late() {
        let job = job_at();
        let policy = CancelPolicy::default();
        let w = check_wont_make_it(&facts(&job, at_min(-30)), &policy).expect("allowed");
        assert_eq!(w, CancelWindow::CallCoordinator);
        let sentence = wont_make_it_confirmation(&policy, job.starts_at, at_min(-30));
        assert!(
            sentence.contains("counts as a late cancellation"),
            "{sentence}"
        );
        let lenient = CancelPolicy {
            free_hours: 1,
            replacement_hours: 0,
        };
        assert_eq!(
            check_wont_make_it(&facts(&job, at_min(-90)), &lenient),
            Ok(CancelWindow::Free)
        );
        let sentence = wont_make_it_confirmation(&lenient, job.starts_at, at_min(-90));
        assert!(sentence.contains("does not count"), "{sentence}");
    }
}
