//! Activity: the officer's actions that have not reached the server yet — pending ones (what,
//! on which job, when saved, attempts, the next try in local time) and wedged ones with the
//! reason the queue gave up — with retry, and discard behind a confirmation.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::outbox::PendingAction;
use offduty_domain::actions::ActionKind;

use crate::actions::ConfirmDialog;
use crate::format::Fmt;
use crate::text::Msg;
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncKind, SyncStatus, lock};

/// One action in the queue, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// The action's idempotency key (what `retry` and `discard` take).
    pub key: String,
    pub kind: ActionKind,
    /// `Claim`, `Cancellation`, `Clock-in`, …
    pub what: String,
    pub job_id: String,
    pub job_title: String,
    pub queued_at: SystemTime,
    /// `Saved today 14:05`.
    pub queued_text: String,
    pub attempts: u32,
    /// `Tried 3 times`, once an attempt failed.
    pub attempts_text: Option<String>,
    pub next_attempt_at: Option<SystemTime>,
    /// `Next try today 14:07` or `Goes with the next sync` (pending actions only).
    pub next_attempt_text: Option<String>,
    /// What went wrong on the last attempt.
    pub last_error: Option<String>,
    /// Why the queue gave up (wedged actions only).
    pub wedged_reason: Option<String>,
    /// `Try again` (wedged actions only).
    pub retry_label: Option<String>,
    /// `Discard` (wedged actions only).
    pub discard_label: Option<String>,
    /// What to ask before discarding (wedged actions only).
    pub discard_confirm: Option<ConfirmDialog>,
}

/// What the activity screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    /// Waiting to be sent, oldest first.
    pub pending: Vec<ActivityRow>,
    /// Given up on: the officer retries or discards each.
    pub wedged: Vec<ActivityRow>,
    /// `Nothing waiting to be sent.`, when both lists are empty.
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

/// The activity screen.
pub struct ActivityScreen {
    root: Arc<Screens>,
    notice: Mutex<Option<Notice>>,
    notifier: Notifier,
}

impl Live for ActivityScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

fn capitalized(kind: ActionKind) -> String {
    let mut s = kind.noun().to_string();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn row(
    root: &Screens,
    p: &PendingAction,
    fmt: &Fmt,
    now: chrono::DateTime<chrono::Utc>,
) -> ActivityRow {
    let job_title = root
        .core()
        .job(p.job_id, None)
        .map(|c| c.job.title)
        .unwrap_or_else(|_| Msg::ActivityJobGone.text());
    let what = capitalized(p.kind);
    let wedged = p.wedged_reason.is_some();
    let next_attempt_text = (!wedged).then(|| match p.next_attempt_at {
        Some(t) if t > now => Msg::ActivityNextAttempt.with(&[("when", &fmt.relative(t, now))]),
        _ => Msg::ActivityNextSync.text(),
    });
    ActivityRow {
        key: p.idempotency_key.to_string(),
        kind: p.kind,
        job_id: p.job_id.to_string(),
        queued_at: SystemTime::from(p.created_at),
        queued_text: Msg::ActivityQueuedAt.with(&[("when", &fmt.relative(p.created_at, now))]),
        attempts: u32::try_from(p.attempts).unwrap_or(0),
        attempts_text: (p.attempts > 0)
            .then(|| Msg::ActivityAttempts.with(&[("count", &p.attempts.to_string())])),
        next_attempt_at: p.next_attempt_at.map(SystemTime::from),
        next_attempt_text,
        last_error: p.last_error.clone(),
        wedged_reason: p.wedged_reason.clone(),
        retry_label: wedged.then(|| Msg::ActivityRetry.text()),
        discard_label: wedged.then(|| Msg::ActivityDiscard.text()),
        discard_confirm: wedged.then(|| ConfirmDialog {
            title: Msg::ConfirmDiscardTitle.with(&[("what", p.kind.noun())]),
            message: Msg::ConfirmDiscard.with(&[("what", p.kind.noun()), ("job", &job_title)]),
            confirm_label: Msg::ActivityDiscard.text(),
            cancel_label: Msg::Keep.text(),
            reason_label: None,
        }),
        what,
        job_title,
    }
}

impl ActivityScreen {
    pub(crate) fn new(root: Arc<Screens>) -> ActivityScreen {
        ActivityScreen {
            root,
            notice: Mutex::new(None),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    /// What to draw now.
    pub fn state(&self) -> ActivityState {
        let mut notice = lock(&self.notice).clone();
        let sync = self.root.sync_status();
        let fmt = self.root.fmt();
        let core = self.root.core();
        let now = core.now();
        let queue = core.pending_actions().unwrap_or_else(|e| {
            notice.get_or_insert_with(|| Notice::from_error(&e));
            Vec::new()
        });
        let (wedged, pending): (Vec<_>, Vec<_>) =
            queue.iter().partition(|p| p.wedged_reason.is_some());
        let pending: Vec<ActivityRow> = pending
            .into_iter()
            .map(|p| row(&self.root, p, &fmt, now))
            .collect();
        let wedged: Vec<ActivityRow> = wedged
            .into_iter()
            .map(|p| row(&self.root, p, &fmt, now))
            .collect();
        ActivityState {
            refreshing: sync.kind == SyncKind::Syncing,
            sync,
            empty: (pending.is_empty() && wedged.is_empty()).then(|| Msg::ActivityEmpty.text()),
            pending,
            wedged,
            notice,
        }
    }

    fn set_notice(&self, notice: Option<Notice>) {
        *lock(&self.notice) = notice;
        self.notifier.notify();
    }

    fn find(&self, key: &str) -> Option<PendingAction> {
        let key: Uuid = key.trim().parse().ok()?;
        self.root
            .core()
            .pending_actions()
            .ok()?
            .into_iter()
            .find(|p| p.idempotency_key == key)
    }

    /// Puts a wedged action back in the queue and sends it now (when online); the notice says
    /// what the server decided, or that it waits.
    pub async fn retry(&self, key: String) {
        let Some(p) = self.find(&key).filter(|p| p.wedged_reason.is_some()) else {
            // Already sent, retried or discarded (e.g. on another screen): just redraw.
            return self.set_notice(None);
        };
        if let Err(e) = self.root.core().retry_action(p.idempotency_key) {
            return self.set_notice(Some(Notice::from_error(&e)));
        }
        self.root.notify_all();
        let tz = self.root.core().time_zone().unwrap_or(chrono_tz::UTC);
        let notice = match self.root.sync().await {
            Ok(report) => match report
                .decided
                .iter()
                .find(|d| d.idempotency_key == p.idempotency_key)
            {
                Some(d) => crate::actions::decided(d, tz),
                None => Notice::new(
                    NoticeKind::Info,
                    Msg::ActivityRetried.with(&[("what", p.kind.noun())]),
                ),
            },
            Err(e) => Notice::from_error(&e),
        };
        self.set_notice(Some(notice));
    }

    /// Discards a wedged action, after the row's confirmation (the decision is recorded on
    /// this phone; the server never saw the action).
    pub fn discard(&self, key: String) {
        let Some(p) = self.find(&key).filter(|p| p.wedged_reason.is_some()) else {
            return self.set_notice(None);
        };
        let notice = match self.root.core().discard_action(p.idempotency_key) {
            Ok(_) => Notice::new(
                NoticeKind::Success,
                Msg::ActivityDiscarded.with(&[("what", p.kind.noun())]),
            ),
            Err(e) => Notice::from_error(&e),
        };
        *lock(&self.notice) = Some(notice);
        // Every screen that shows the job's standing changes too.
        self.root.notify_all();
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.set_notice(None);
    }

    /// Pull to refresh: syncs (every live screen hears of it).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.set_notice(Some(Notice::from_error(&e)));
        }
    }
}
