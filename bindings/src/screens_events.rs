//! App events, routes and deep links (`offduty_screens::{events, links}`) for Kotlin and
//! Swift: what only the phone knows (foreground, network back, a push, the push token) goes
//! to `OfficerScreens.app_event`, which syncs when the policy says so; links and pushes
//! become a `Route`; `open` makes the cache fresh enough before a screen opens.

pub use offduty_domain::push::PushPlatform;
pub use offduty_screens::events::{AppEvent, Decision, EventOutcome, SyncReason};

use offduty_screens::Route;

use crate::app::on_runtime;
use crate::screens::OfficerScreens;

/// A screen of the officer app, with what it is opened on.
#[uniffi::remote(Enum)]
pub enum Route {
    /// The job board (also where an unknown link lands).
    Board,
    /// One job's detail.
    Job {
        id: String,
    },
    MyShifts,
    /// The clock screen, on one job or on the shift it picks.
    Clock {
        job: Option<String>,
    },
    Earnings,
    /// Pending and wedged actions.
    Activity,
    Settings,
    Inbox,
}

/// Which push service a token belongs to.
#[uniffi::remote(Enum)]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
}

/// Something that happened to the phone.
#[uniffi::remote(Enum)]
pub enum AppEvent {
    /// The app came to the foreground.
    Foreground,
    /// The network came back.
    NetworkBack,
    /// A push arrived; its data as JSON.
    PushReceived { payload_json: String },
    /// The push service issued (or rotated) this install's token.
    PushToken {
        platform: PushPlatform,
        token: String,
    },
    /// A background wake-up scheduled by the platform (WorkManager, BGTaskScheduler).
    Periodic,
}

/// Why the sync policy synced or did not.
#[uniffi::remote(Enum)]
pub enum SyncReason {
    NotSignedIn,
    NeverSynced,
    PendingActions,
    Stale,
    WasOffline,
    PushArrived,
    NewPushToken,
    SamePushToken,
    BadPushToken,
    Fresh,
    Missing,
}

/// The policy's decision.
#[uniffi::remote(Record)]
pub struct Decision {
    pub sync: bool,
    pub reason: SyncReason,
}

/// What the screens did with an app event.
#[uniffi::remote(Record)]
pub struct EventOutcome {
    /// A sync ran (it may have found no network: see the sync line).
    pub synced: bool,
    pub reason: SyncReason,
    /// For a push: where tapping it leads.
    pub route: Option<Route>,
    /// The background scheduler should run again soon (actions wait, no network).
    pub retry_soon: bool,
}

#[uniffi::export]
impl OfficerScreens {
    /// Hands an app event to the core; syncs when the policy says so.
    pub async fn app_event(&self, event: AppEvent) -> EventOutcome {
        let inner = self.inner.clone();
        on_runtime(async move { Ok(inner.app_event(event).await) })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "an app event could not be handled");
                EventOutcome {
                    synced: false,
                    reason: SyncReason::Fresh,
                    route: None,
                    retry_soon: false,
                }
            })
    }

    /// The route of a link (`offduty://job/<uuid>`); an unknown link opens the board.
    pub fn route_for_link(&self, url: String) -> Route {
        self.inner.route_for_link(&url)
    }

    /// The route of a push the officer tapped (its data as JSON).
    pub fn on_push(&self, payload_json: String) -> Route {
        self.inner.on_push(&payload_json)
    }

    /// Makes the cache fresh enough for the screen `route` opens (a sync first when it is
    /// older than two minutes or lacks the job); open the screen when this returns.
    pub async fn open(&self, route: Route) -> Decision {
        let inner = self.inner.clone();
        on_runtime(async move { Ok(inner.open(&route).await) })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not prepare the route");
                Decision {
                    sync: false,
                    reason: SyncReason::Fresh,
                }
            })
    }
}
