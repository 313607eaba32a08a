//! The activity screen for Kotlin and Swift: actions waiting to be sent and those the queue
//! gave up on, with retry and discard. The records are the screens crate's own types
//! (`#[uniffi::remote]`).

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::activity::{ActivityRow, ActivityState};

use offduty_domain::actions::ActionKind;
use offduty_screens::actions::ConfirmDialog;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// One action in the queue, ready to draw.
#[uniffi::remote(Record)]
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
    pub attempts_text: Option<String>,
    pub next_attempt_at: Option<SystemTime>,
    /// `Next try today 14:07` or `Goes with the next sync` (pending actions).
    pub next_attempt_text: Option<String>,
    pub last_error: Option<String>,
    /// Why the queue gave up (wedged actions).
    pub wedged_reason: Option<String>,
    pub retry_label: Option<String>,
    pub discard_label: Option<String>,
    /// What to ask before discarding (wedged actions).
    pub discard_confirm: Option<ConfirmDialog>,
}

/// What the activity screen shows.
#[uniffi::remote(Record)]
pub struct ActivityState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    pub pending: Vec<ActivityRow>,
    pub wedged: Vec<ActivityRow>,
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The activity screen (pending and wedged actions).
    pub fn activity(&self) -> Arc<ActivityScreen> {
        Arc::new(ActivityScreen {
            inner: self.inner.activity(),
        })
    }
}

/// The activity screen.
#[derive(uniffi::Object)]
pub struct ActivityScreen {
    inner: Arc<offduty_screens::ActivityScreen>,
}

#[uniffi::export]
impl ActivityScreen {
    /// What to draw now.
    pub fn state(&self) -> ActivityState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Puts a wedged action back in the queue and sends it now when online.
    pub async fn retry(&self, key: String) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.retry(key).await;
            Ok(())
        })
        .await;
    }

    /// Discards a wedged action, after the row's confirmation.
    pub fn discard(&self, key: String) {
        self.inner.discard(key);
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.inner.dismiss_notice();
    }

    /// Pull to refresh (a failure becomes the state's notice).
    pub async fn refresh(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.refresh().await;
            Ok(())
        })
        .await;
    }
}
