//! What an officer (or a coordinator) is told: the payload of a notification, written by the
//! server's notification outbox in the same transaction as the change it announces, listed by
//! `GET /v1/notifications`, read by the phone's inbox and routed by its deep links. One type for
//! both sides, so a kind the server sends is a kind the phone can read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::alerts::AlertKind;
use crate::policy::CancelWindow;

/// How close a shift's start makes news of it urgent ([`Notice::is_urgent`]), in minutes.
pub const URGENT_LEAD_MINUTES: i64 = 60;

/// How a slot became the officer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardedHow {
    /// Promoted from the waitlist (someone left, or signups closed in line).
    Waitlist,
    /// A colleague handed the shift on.
    Transfer,
    /// The award rule chose the officer (seniority, fewest hours, rotation, lottery).
    Award,
    /// A coordinator added a slot to the job.
    SlotAdded,
    /// A way a newer server knows and this version does not.
    #[serde(other)]
    Other,
}

/// A notification's payload; `kind` is its tag on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A slot is the officer's.
    Awarded {
        job_id: Uuid,
        title: String,
        how: AwardedHow,
    },
    /// Signups closed; the officer waits at `position`.
    Waitlisted {
        job_id: Uuid,
        title: String,
        position: u32,
    },
    /// Someone took over the slot the officer offered.
    SlotTakenOver { job_id: Uuid, title: String },
    /// The department called off a job the officer held or waited for.
    JobCancelled { job_id: Uuid, title: String },
    /// A coordinator edited a job the officer holds, asked for or waits for; `reasons` say why
    /// they may no longer work it as edited (empty when they still may).
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
    /// A coordinator rejected the officer's timecard, saying why.
    TimecardRejected {
        timecard_id: Uuid,
        job_id: Uuid,
        reason: String,
    },
    /// (To the coordinators.) The shift watcher raised an alert on an officer's slot; sent again,
    /// `escalated`, when nobody acknowledged it in time (decision 043).
    ShiftAlert {
        job_id: Uuid,
        title: String,
        alert_id: Uuid,
        alert: AlertKind,
        officer_id: Uuid,
        display_name: String,
        starts_at: DateTime<Utc>,
        escalated: bool,
    },
    /// (To the customer's contacts.) An officer did not show up for the customer's job;
    /// `replaced` when an officer from the waitlist took the slot.
    NoShowAtEvent {
        job_id: Uuid,
        title: String,
        starts_at: DateTime<Utc>,
        replaced: bool,
    },
    /// The officer's shift starts soon.
    ShiftReminder {
        job_id: Uuid,
        title: String,
        site_name: String,
        starts_at: DateTime<Utc>,
    },
    /// (To the coordinators.) An officer cancelled a shift inside the late-cancellation window;
    /// `replaced` when the next officer in line took the slot.
    LateCancellation {
        job_id: Uuid,
        title: String,
        officer_id: Uuid,
        display_name: String,
        starts_at: DateTime<Utc>,
        window: CancelWindow,
        replaced: bool,
    },
    /// (To a security firm's contact.) The department invites the firm as an affiliate
    /// (decision 047): `link` opens the page where the contact sets a password. The link is
    /// single-use and works until `expires_at`.
    AffiliateInvitation {
        organization_id: Uuid,
        organization: String,
        department: String,
        link: String,
        expires_at: DateTime<Utc>,
    },
    /// (To the coordinators and the customer's contacts.) An officer said from the phone they
    /// are running late and will arrive at `expected_at` (decision 048); sent again when they
    /// report a new time.
    RunningLate {
        job_id: Uuid,
        title: String,
        officer_id: Uuid,
        display_name: String,
        starts_at: DateTime<Utc>,
        expected_at: DateTime<Utc>,
    },
}

impl Notice {
    /// The tag on the wire (`awarded`, `job_changed`, …), stored beside the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Awarded { .. } => "awarded",
            Notice::Waitlisted { .. } => "waitlisted",
            Notice::SlotTakenOver { .. } => "slot_taken_over",
            Notice::JobCancelled { .. } => "job_cancelled",
            Notice::JobChanged { .. } => "job_changed",
            Notice::HolderNoLongerEligible { .. } => "holder_no_longer_eligible",
            Notice::TimecardRejected { .. } => "timecard_rejected",
            Notice::ShiftAlert { .. } => "shift_alert",
            Notice::NoShowAtEvent { .. } => "no_show_at_event",
            Notice::ShiftReminder { .. } => "shift_reminder",
            Notice::LateCancellation { .. } => "late_cancellation",
            Notice::AffiliateInvitation { .. } => "affiliate_invitation",
            Notice::RunningLate { .. } => "running_late",
        }
    }

    /// The job the notice is about; `None` for a notice about no job (an invitation).
    pub fn job_id(&self) -> Option<Uuid> {
        Some(match self {
            Notice::Awarded { job_id, .. }
            | Notice::Waitlisted { job_id, .. }
            | Notice::SlotTakenOver { job_id, .. }
            | Notice::JobCancelled { job_id, .. }
            | Notice::JobChanged { job_id, .. }
            | Notice::HolderNoLongerEligible { job_id, .. }
            | Notice::TimecardRejected { job_id, .. }
            | Notice::ShiftAlert { job_id, .. }
            | Notice::NoShowAtEvent { job_id, .. }
            | Notice::ShiftReminder { job_id, .. }
            | Notice::LateCancellation { job_id, .. }
            | Notice::RunningLate { job_id, .. } => *job_id,
            Notice::AffiliateInvitation { .. } => return None,
        })
    }

    /// Whether the notice goes out even during the officer's quiet hours (decision 041). Urgent:
    /// the department called off the officer's job, and a slot that became the officer's —
    /// from the waitlist or by transfer — for a shift starting within [`URGENT_LEAD`] of `now`
    /// (`starts_in` is the time from now to the shift's start, when the job is known). Everything
    /// else waits for the quiet window to end: delayed, never dropped.
    ///
    /// Decision 043 adds: a shift reminder is urgent (it exists to arrive before the start; held
    /// past it, it would be useless); a late cancellation and a no-show are urgent (someone
    /// must act now); another shift alert is urgent only once escalated.
    pub fn is_urgent(&self, starts_in: Option<chrono::Duration>) -> bool {
        let soon = starts_in.is_some_and(|d| d <= chrono::Duration::minutes(URGENT_LEAD_MINUTES));
        match self {
            Notice::JobCancelled { .. }
            | Notice::ShiftReminder { .. }
            | Notice::LateCancellation { .. }
            | Notice::RunningLate { .. }
            | Notice::NoShowAtEvent { .. } => true,
            Notice::ShiftAlert {
                alert, escalated, ..
            } => *escalated || *alert == AlertKind::NoShow,
            Notice::Awarded { how, .. } => {
                matches!(how, AwardedHow::Waitlist | AwardedHow::Transfer) && soon
            }
            Notice::Waitlisted { .. }
            | Notice::SlotTakenOver { .. }
            | Notice::JobChanged { .. }
            | Notice::HolderNoLongerEligible { .. }
            | Notice::TimecardRejected { .. }
            | Notice::AffiliateInvitation { .. } => false,
        }
    }

    /// Reads a payload; `None` for a kind this version does not know.
    pub fn parse(payload: &serde_json::Value) -> Option<Notice> {
        serde_json::from_value(payload.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_tag_is_the_kind_and_every_notice_reads_back() {
        let job_id = Uuid::from_u128(7);
        let all = [
            Notice::Awarded {
                job_id,
                title: "Gate 3".into(),
                how: AwardedHow::SlotAdded,
            },
            Notice::Waitlisted {
                job_id,
                title: "Gate 3".into(),
                position: 2,
            },
            Notice::SlotTakenOver {
                job_id,
                title: "Gate 3".into(),
            },
            Notice::JobCancelled {
                job_id,
                title: "Gate 3".into(),
            },
            Notice::JobChanged {
                job_id,
                title: "Gate 3".into(),
                changed: vec!["starts_at".into()],
                still_eligible: false,
                reasons: vec!["overlaps another shift".into()],
            },
            Notice::HolderNoLongerEligible {
                job_id,
                title: "Gate 3".into(),
                officer_id: Uuid::from_u128(9),
                display_name: "Officer Ruiz".into(),
                reasons: vec![],
            },
            Notice::TimecardRejected {
                timecard_id: Uuid::from_u128(8),
                job_id,
                reason: "Not on the sign-in sheet.".into(),
            },
            Notice::ShiftAlert {
                job_id,
                title: "Gate 3".into(),
                alert_id: Uuid::from_u128(10),
                alert: AlertKind::NoShow,
                officer_id: Uuid::from_u128(9),
                display_name: "Officer Ruiz".into(),
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                escalated: true,
            },
            Notice::NoShowAtEvent {
                job_id,
                title: "Gate 3".into(),
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                replaced: false,
            },
            Notice::ShiftReminder {
                job_id,
                title: "Gate 3".into(),
                site_name: "Stadium".into(),
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            },
            Notice::LateCancellation {
                job_id,
                title: "Gate 3".into(),
                officer_id: Uuid::from_u128(9),
                display_name: "Officer Ruiz".into(),
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                window: CancelWindow::NeedsReplacement,
                replaced: true,
            },
            Notice::RunningLate {
                job_id,
                title: "Gate 3".into(),
                officer_id: Uuid::from_u128(9),
                display_name: "Officer Ruiz".into(),
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                expected_at: DateTime::from_timestamp(1_800_000_900, 0).unwrap(),
            },
        ];
        for n in all {
            let v = serde_json::to_value(&n).unwrap();
            assert_eq!(v["kind"], n.kind());
            assert_eq!(Notice::parse(&v), Some(n.clone()));
            assert_eq!(n.job_id(), Some(job_id));
        }
        let invitation = Notice::AffiliateInvitation {
            organization_id: Uuid::from_u128(11),
            organization: "Buckeye Security Group".into(),
            department: "Columbus PD".into(),
            link: "https://console.example/console/invitation?token=oda1.x".into(),
            expires_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let v = serde_json::to_value(&invitation).unwrap();
        assert_eq!(v["kind"], "affiliate_invitation");
        assert_eq!(Notice::parse(&v), Some(invitation.clone()));
        assert_eq!(invitation.job_id(), None, "an invitation is about no job");
        assert!(
            !invitation.is_urgent(None),
            "an invitation waits for quiet hours"
        );
    }

    #[test]
    fn cancellations_and_waitlist_promotions_within_the_hour_are_urgent() {
        let job_id = Uuid::from_u128(7);
        let t = || "Gate 3".to_string();
        let min = chrono::Duration::minutes;
        let cancelled = Notice::JobCancelled { job_id, title: t() };
        assert!(cancelled.is_urgent(None));
        assert!(cancelled.is_urgent(Some(min(60 * 24 * 30))));
        let promoted = Notice::Awarded {
            job_id,
            title: t(),
            how: AwardedHow::Waitlist,
        };
        assert!(promoted.is_urgent(Some(min(59))));
        assert!(promoted.is_urgent(Some(min(60))));
        assert!(
            promoted.is_urgent(Some(min(-5))),
            "already started: still urgent"
        );
        assert!(!promoted.is_urgent(Some(min(61))));
        assert!(!promoted.is_urgent(None), "unknown start: not urgent");
        let awarded = Notice::Awarded {
            job_id,
            title: t(),
            how: AwardedHow::Award,
        };
        assert!(
            !awarded.is_urgent(Some(min(10))),
            "an award is news, not an emergency"
        );
        let waitlisted = Notice::Waitlisted {
            job_id,
            title: t(),
            position: 1,
        };
        assert!(!waitlisted.is_urgent(Some(min(10))));
    }

    #[test]
    fn reminders_late_cancellations_no_shows_and_escalations_are_urgent() {
        let job_id = Uuid::from_u128(7);
        let starts_at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let reminder = Notice::ShiftReminder {
            job_id,
            title: "Gate 3".into(),
            site_name: "Stadium".into(),
            starts_at,
        };
        assert!(reminder.is_urgent(Some(chrono::Duration::minutes(60))));
        let alert = |alert, escalated| Notice::ShiftAlert {
            job_id,
            title: "Gate 3".into(),
            alert_id: Uuid::from_u128(1),
            alert,
            officer_id: Uuid::from_u128(2),
            display_name: "Officer Ruiz".into(),
            starts_at,
            escalated,
        };
        assert!(alert(AlertKind::NoShow, false).is_urgent(None));
        assert!(!alert(AlertKind::PunchReview, false).is_urgent(None));
        assert!(alert(AlertKind::PunchReview, true).is_urgent(None));
        let late = Notice::LateCancellation {
            job_id,
            title: "Gate 3".into(),
            officer_id: Uuid::from_u128(2),
            display_name: "Officer Ruiz".into(),
            starts_at,
            window: CancelWindow::NeedsReplacement,
            replaced: true,
        };
        assert!(late.is_urgent(None));
    }

    #[test]
    fn an_unknown_kind_is_none_and_an_unknown_way_is_other() {
        assert_eq!(
            Notice::parse(&json!({"kind": "running_late", "job_id": Uuid::nil()})),
            None
        );
        let n = Notice::parse(&json!({
            "kind": "awarded", "job_id": Uuid::nil(), "title": "t", "how": "lottery_redraw"
        }));
        assert!(matches!(
            n,
            Some(Notice::Awarded {
                how: AwardedHow::Other,
                ..
            })
        ));
    }
}
