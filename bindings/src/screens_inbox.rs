//! The notifications inbox (`offduty_screens::inbox`) for Kotlin and Swift: its state records
//! as the screens crate defines them (`#[uniffi::remote]`), and the object with its intents.

use std::sync::Arc;
use std::time::SystemTime;

pub use offduty_screens::inbox::{InboxItem, InboxKind, InboxState, NoticeTopic, TopicInfo};

use offduty_screens::{Notice, Route, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// What a notification is about (its icon).
#[uniffi::remote(Enum)]
pub enum InboxKind {
    Awarded,
    Waitlisted,
    SlotTakenOver,
    JobCancelled,
    JobChanged,
    HolderNoLongerEligible,
    TimecardRejected,
    ShiftReminder,
    ShiftAlert,
    LateCancellation,
    /// A kind this version cannot read.
    Other,
}

/// One notification, ready to draw.
#[uniffi::remote(Record)]
pub struct InboxItem {
    pub id: String,
    pub kind: InboxKind,
    pub title: String,
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

/// What a notification is posted under (Android's channels, iOS's categories).
#[uniffi::remote(Enum)]
pub enum NoticeTopic {
    NewJobs,
    Awards,
    ShiftReminders,
    ShiftChanges,
}

/// A topic as the system's settings show it.
#[uniffi::remote(Record)]
pub struct TopicInfo {
    pub topic: NoticeTopic,
    pub title: String,
    pub description: String,
    /// Shown at once (heads-up), not only in the list.
    pub urgent: bool,
}

/// Every notification topic, in the order the settings list them.
#[uniffi::export]
pub fn notice_topics() -> Vec<TopicInfo> {
    offduty_screens::inbox::topics()
}

/// What the inbox shows.
#[uniffi::remote(Record)]
pub struct InboxState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    /// Newest first.
    pub items: Vec<InboxItem>,
    pub unread: u32,
    /// `Mark all read` (`mark_all_read`), while some are unread.
    pub mark_all_label: Option<String>,
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The notifications inbox.
    pub fn inbox(&self) -> Arc<InboxScreen> {
        Arc::new(InboxScreen {
            inner: self.inner.inbox(),
        })
    }
}

/// The notifications inbox.
#[derive(uniffi::Object)]
pub struct InboxScreen {
    inner: Arc<offduty_screens::InboxScreen>,
}

#[uniffi::export]
impl InboxScreen {
    /// What to draw now.
    pub fn state(&self) -> InboxState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// Opens a notification: marks it read and returns where it leads (then call
    /// `OfficerScreens.open` with it).
    pub fn open(&self, id: String) -> Route {
        self.inner.open(&id)
    }

    /// Marks every notification read.
    pub fn mark_all_read(&self) {
        self.inner.mark_all_read();
    }

    /// Pull to refresh: syncs and fetches the notifications.
    pub async fn refresh(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.refresh().await;
            Ok(())
        })
        .await;
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.inner.dismiss_notice();
    }
}
