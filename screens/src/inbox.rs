//! The notifications inbox: the officer's notifications (cached, so it works offline), each
//! with a title, a sentence, when, unread or not, and the [`Route`] opening it leads to.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::inbox::{AwardedHow, InboxEntry, Notice as Told};

use crate::links::Route;
use crate::text::Msg;
use crate::{Live, Notice, Notifier, Screens, SyncKind, SyncStatus, lock};

/// What a notification is about (its icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InboxKind {
    /// A slot became the officer's.
    Awarded,
    /// Waiting on the list after signups closed.
    Waitlisted,
    /// Someone took over the slot the officer offered.
    SlotTakenOver,
    /// The department called a job off.
    JobCancelled,
    /// A coordinator changed a job the officer is on.
    JobChanged,
    /// (A coordinator's inbox.) An officer on a job may no longer work it as edited.
    HolderNoLongerEligible,
    /// A coordinator rejected the officer's timecard.
    TimecardRejected,
    /// The officer's shift starts soon.
    ShiftReminder,
    /// (A coordinator's inbox.) A shift alert: no-show, late, early, overrun, punch to review;
    /// (a customer's) an officer did not show up.
    ShiftAlert,
    /// (A coordinator's inbox.) An officer cancelled inside the late-cancellation window.
    LateCancellation,
    /// A kind this version cannot read.
    Other,
}

impl InboxKind {
    /// The topic a notification of this kind is posted under.
    pub fn topic(self) -> NoticeTopic {
        match self {
            InboxKind::Awarded | InboxKind::Waitlisted => NoticeTopic::Awards,
            InboxKind::SlotTakenOver
            | InboxKind::JobCancelled
            | InboxKind::JobChanged
            | InboxKind::HolderNoLongerEligible
            | InboxKind::TimecardRejected
            | InboxKind::ShiftAlert
            | InboxKind::LateCancellation => NoticeTopic::ShiftChanges,
            InboxKind::ShiftReminder => NoticeTopic::ShiftReminders,
            InboxKind::Other => NoticeTopic::NewJobs,
        }
    }
}

/// What a notification is posted under on the phone: Android's notification channels (the
/// officer mutes each in the system's settings), iOS's notification categories. Decided here
/// so both phones group the same notices the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeTopic {
    NewJobs,
    Awards,
    ShiftReminders,
    ShiftChanges,
}

/// A topic as the system's settings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicInfo {
    pub topic: NoticeTopic,
    /// `Awards and waitlist`.
    pub title: String,
    /// `A slot is yours, or your place in line`.
    pub description: String,
    /// Shown at once (heads-up), not only in the list.
    pub urgent: bool,
}

/// Every topic, in the order the settings list them.
pub fn topics() -> Vec<TopicInfo> {
    [
        (
            NoticeTopic::NewJobs,
            Msg::TopicNewJobs,
            Msg::TopicNewJobsAbout,
            false,
        ),
        (
            NoticeTopic::Awards,
            Msg::TopicAwards,
            Msg::TopicAwardsAbout,
            true,
        ),
        (
            NoticeTopic::ShiftReminders,
            Msg::TopicReminders,
            Msg::TopicRemindersAbout,
            true,
        ),
        (
            NoticeTopic::ShiftChanges,
            Msg::TopicChanges,
            Msg::TopicChangesAbout,
            true,
        ),
    ]
    .into_iter()
    .map(|(topic, title, about, urgent)| TopicInfo {
        topic,
        title: title.text(),
        description: about.text(),
        urgent,
    })
    .collect()
}

/// One notification, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: String,
    pub kind: InboxKind,
    /// `New shift`.
    pub title: String,
    /// `Traffic control — Buckeyes home game is yours. An officer handed the shift to you.`
    pub body: String,
    /// `today 14:05`.
    pub when: String,
    pub created_at: SystemTime,
    pub unread: bool,
    /// Where opening it leads.
    pub route: Route,
    /// What it is posted under as a system notification.
    pub topic: NoticeTopic,
}

/// What the inbox shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    /// Newest first.
    pub items: Vec<InboxItem>,
    pub unread: u32,
    /// `Mark all read`, while some are unread.
    pub mark_all_label: Option<String>,
    /// Why the inbox is empty, when it is.
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

/// The title, sentence and kind of a notification.
fn words(entry: &InboxEntry, fmt: &crate::format::Fmt) -> (InboxKind, String, String) {
    match &entry.notice {
        Some(Told::Awarded { title, how, .. }) => {
            let mut body = Msg::InboxAwardedBody.with(&[("title", title)]);
            let how = match how {
                AwardedHow::Waitlist => Some(Msg::InboxHowWaitlist),
                AwardedHow::Transfer => Some(Msg::InboxHowTransfer),
                AwardedHow::Award => Some(Msg::InboxHowAward),
                AwardedHow::SlotAdded => Some(Msg::InboxHowSlotAdded),
                AwardedHow::Other => None,
            };
            if let Some(h) = how {
                body = format!("{body} {}", h.text());
            }
            (InboxKind::Awarded, Msg::InboxAwardedTitle.text(), body)
        }
        Some(Told::Waitlisted {
            title, position, ..
        }) => (
            InboxKind::Waitlisted,
            Msg::InboxWaitlistedTitle.text(),
            Msg::InboxWaitlistedBody.with(&[("title", title), ("position", &position.to_string())]),
        ),
        Some(Told::SlotTakenOver { title, .. }) => (
            InboxKind::SlotTakenOver,
            Msg::InboxTakenOverTitle.text(),
            Msg::InboxTakenOverBody.with(&[("title", title)]),
        ),
        Some(Told::JobCancelled { title, .. }) => (
            InboxKind::JobCancelled,
            Msg::InboxCancelledTitle.text(),
            Msg::InboxCancelledBody.with(&[("title", title)]),
        ),
        Some(Told::JobChanged {
            title,
            changed,
            still_eligible,
            reasons,
            ..
        }) => {
            let body =
                Msg::InboxChangedBody.with(&[("title", title), ("changed", &changed.join(", "))]);
            let verdict = if *still_eligible {
                Msg::InboxChangedStillEligible.text()
            } else {
                Msg::InboxChangedNoLonger.with(&[("reasons", &reasons.join("; "))])
            };
            (
                InboxKind::JobChanged,
                Msg::InboxChangedTitle.text(),
                format!("{body} {verdict}"),
            )
        }
        Some(Told::HolderNoLongerEligible {
            title,
            display_name,
            reasons,
            ..
        }) => (
            InboxKind::HolderNoLongerEligible,
            Msg::InboxHolderTitle.text(),
            Msg::InboxHolderBody.with(&[
                ("name", display_name),
                ("title", title),
                ("reasons", &reasons.join("; ")),
            ]),
        ),
        Some(Told::TimecardRejected { reason, .. }) => (
            InboxKind::TimecardRejected,
            Msg::InboxRejectedTitle.text(),
            Msg::InboxRejectedBody.with(&[("reason", reason)]),
        ),
        Some(Told::ShiftReminder {
            title,
            site_name,
            starts_at,
            ..
        }) => (
            InboxKind::ShiftReminder,
            Msg::InboxReminderTitle.text(),
            Msg::InboxReminderBody.with(&[
                ("title", title),
                ("site", site_name),
                ("when", &fmt.day_time(*starts_at)),
            ]),
        ),
        Some(Told::ShiftAlert {
            title,
            alert,
            display_name,
            starts_at,
            escalated,
            ..
        }) => {
            let mut body = Msg::InboxAlertBody.with(&[
                ("alert", alert.label()),
                ("name", display_name),
                ("title", title),
                ("when", &fmt.day_time(*starts_at)),
            ]);
            if *escalated {
                body = format!("{body} {}", Msg::InboxAlertEscalated.text());
            }
            (InboxKind::ShiftAlert, Msg::InboxAlertTitle.text(), body)
        }
        Some(Told::NoShowAtEvent {
            title,
            starts_at,
            replaced,
            ..
        }) => {
            let body =
                Msg::InboxNoShowBody.with(&[("title", title), ("when", &fmt.day_time(*starts_at))]);
            let then = if *replaced {
                Msg::InboxNoShowReplaced
            } else {
                Msg::InboxNoShowOpen
            };
            (
                InboxKind::ShiftAlert,
                Msg::InboxNoShowTitle.text(),
                format!("{body} {}", then.text()),
            )
        }
        Some(Told::LateCancellation {
            title,
            display_name,
            starts_at,
            replaced,
            ..
        }) => {
            let body = Msg::InboxLateCancelBody.with(&[
                ("name", display_name),
                ("title", title),
                ("when", &fmt.day_time(*starts_at)),
            ]);
            let then = if *replaced {
                Msg::InboxLateCancelReplaced
            } else {
                Msg::InboxLateCancelOpen
            };
            (
                InboxKind::LateCancellation,
                Msg::InboxLateCancelTitle.text(),
                format!("{body} {}", then.text()),
            )
        }
        Some(Told::RunningLate {
            title,
            display_name,
            starts_at,
            expected_at,
            ..
        }) => (
            InboxKind::ShiftAlert,
            Msg::InboxRunningLateTitle.text(),
            Msg::InboxRunningLateBody.with(&[
                ("name", display_name),
                ("title", title),
                ("when", &fmt.day_time(*starts_at)),
                ("eta", &fmt.day_time(*expected_at)),
            ]),
        ),
        // Sent to a security firm's contact, never to an officer: shown like a kind this
        // version cannot read.
        Some(Told::AffiliateInvitation { .. }) | None => (
            InboxKind::Other,
            Msg::InboxUnknownTitle.text(),
            Msg::InboxUnknownBody.text(),
        ),
    }
}

/// The inbox screen.
pub struct InboxScreen {
    root: Arc<Screens>,
    notice: Mutex<Option<Notice>>,
    notifier: Notifier,
}

impl Live for InboxScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

impl InboxScreen {
    pub(crate) fn new(root: Arc<Screens>) -> InboxScreen {
        InboxScreen {
            root,
            notice: Mutex::new(None),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    fn set_notice(&self, notice: Option<Notice>) {
        *lock(&self.notice) = notice;
        self.notifier.notify();
    }

    /// What to draw now.
    pub fn state(&self) -> InboxState {
        let sync = self.root.sync_status();
        let core = self.root.core();
        let fmt = self.root.fmt();
        let now = core.now();
        let mut notice = lock(&self.notice).clone();
        let entries = core.notifications().unwrap_or_else(|e| {
            notice = Some(Notice::from_error(&e));
            Vec::new()
        });
        let items: Vec<InboxItem> = entries
            .iter()
            .map(|e| {
                let (kind, title, body) = words(e, &fmt);
                InboxItem {
                    id: e.id.to_string(),
                    kind,
                    title,
                    body,
                    when: fmt.relative(e.created_at, now),
                    created_at: SystemTime::from(e.created_at),
                    unread: e.read_at.is_none(),
                    route: Route::for_notice(e.notice.as_ref()),
                    topic: kind.topic(),
                }
            })
            .collect();
        let unread = u32::try_from(items.iter().filter(|i| i.unread).count()).unwrap_or(u32::MAX);
        let fetched = core.notifications_fetched_at().ok().flatten();
        let empty = items.is_empty().then(|| {
            if fetched.is_none() {
                Msg::InboxEmptyNeverFetched
            } else {
                Msg::InboxEmpty
            }
            .text()
        });
        InboxState {
            refreshing: sync.kind == SyncKind::Syncing,
            sync,
            items,
            unread,
            mark_all_label: (unread > 0).then(|| Msg::InboxMarkAllRead.text()),
            empty,
            notice,
        }
    }

    /// Opens a notification: marks it read and returns where it leads (the shell then opens
    /// that route with `Screens::open`, which syncs first when the cache is stale).
    pub fn open(&self, id: &str) -> Route {
        let core = self.root.core();
        let Ok(id) = id.parse::<Uuid>() else {
            return Route::Inbox;
        };
        if let Err(e) = core.mark_notification_read(id) {
            self.set_notice(Some(Notice::from_error(&e)));
        }
        let route = core
            .notifications()
            .ok()
            .and_then(|all| all.into_iter().find(|e| e.id == id))
            .map(|e| Route::for_notice(e.notice.as_ref()))
            .unwrap_or(Route::Inbox);
        self.notifier.notify();
        route
    }

    /// Marks every notification read.
    pub fn mark_all_read(&self) {
        let result = self.root.core().mark_all_notifications_read();
        self.set_notice(result.err().map(|e| Notice::from_error(&e)));
    }

    /// Pull to refresh: syncs and fetches the notifications.
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync_all().await {
            self.set_notice(Some(Notice::from_error(&e)));
        }
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.set_notice(None);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use offduty_core::inbox::Notice as Told;
    use offduty_domain::alerts::AlertKind;
    use offduty_domain::policy::CancelWindow;

    use super::*;
    use crate::format::{Display, Fmt};

    fn entry(notice: Told) -> InboxEntry {
        InboxEntry {
            id: Uuid::from_u128(1),
            kind: notice.kind().to_string(),
            notice: Some(notice),
            created_at: Utc::now(),
            read_at: None,
        }
    }

    #[test]
    fn reminders_alerts_and_late_cancellations_read_in_the_departments_time() {
        let fmt = Fmt {
            tz: chrono_tz::America::New_York,
            display: Display::default(),
        };
        // 23:00 UTC on Fri 12 Dec 2025 is 18:00 in New York.
        let starts_at = DateTime::from_timestamp(1_765_580_400, 0).unwrap();
        let job_id = Uuid::from_u128(7);
        let (kind, title, body) = words(
            &entry(Told::ShiftReminder {
                job_id,
                title: "Gate 3".into(),
                site_name: "Ohio Stadium".into(),
                starts_at,
            }),
            &fmt,
        );
        assert_eq!(kind, InboxKind::ShiftReminder);
        assert_eq!(kind.topic(), NoticeTopic::ShiftReminders);
        assert_eq!(title, "Shift soon");
        assert_eq!(
            body,
            "Gate 3 at Ohio Stadium starts Fri 12 Dec 18:00. Clock in on site."
        );

        let (kind, _, body) = words(
            &entry(Told::ShiftAlert {
                job_id,
                title: "Gate 3".into(),
                alert_id: Uuid::from_u128(2),
                alert: AlertKind::NoShow,
                officer_id: Uuid::from_u128(3),
                display_name: "Officer Ruiz".into(),
                starts_at,
                escalated: true,
            }),
            &fmt,
        );
        assert_eq!(kind, InboxKind::ShiftAlert);
        assert_eq!(
            body,
            "No-show: Officer Ruiz on Gate 3 (Fri 12 Dec 18:00). Escalated: nobody has \
             acknowledged it yet."
        );

        let (kind, title, body) = words(
            &entry(Told::LateCancellation {
                job_id,
                title: "Gate 3".into(),
                officer_id: Uuid::from_u128(3),
                display_name: "Officer Ruiz".into(),
                starts_at,
                window: CancelWindow::NeedsReplacement,
                replaced: true,
            }),
            &fmt,
        );
        assert_eq!(kind, InboxKind::LateCancellation);
        assert_eq!(title, "Late cancellation");
        assert!(
            body.ends_with("The next officer in line took the slot."),
            "{body}"
        );

        let (kind, _, body) = words(
            &entry(Told::NoShowAtEvent {
                job_id,
                title: "Gate 3".into(),
                starts_at,
                replaced: false,
            }),
            &fmt,
        );
        assert_eq!(kind, InboxKind::ShiftAlert);
        assert!(body.contains("did not clock in"), "{body}");

        let (kind, title, body) = words(
            &entry(Told::RunningLate {
                job_id,
                title: "Gate 3".into(),
                officer_id: Uuid::from_u128(3),
                display_name: "Officer Ruiz".into(),
                starts_at,
                expected_at: starts_at + chrono::Duration::minutes(15),
            }),
            &fmt,
        );
        assert_eq!(
            (kind, title.as_str()),
            (InboxKind::ShiftAlert, "Running late")
        );
        assert_eq!(
            body,
            "Officer Ruiz is running late for Gate 3 (Fri 12 Dec 18:00) and expects to arrive \
             at Fri 12 Dec 18:15."
        );
    }
}
