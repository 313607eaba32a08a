//! What only a phone knows — the app came to the foreground, the network is back, a push
//! arrived, the push service issued a token — handed to the core, and the one policy that
//! decides when such an event is worth a sync ([`decide`], a pure function) or, before a
//! deep link opens a screen, whether the cache is fresh enough ([`decide_before_opening`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use offduty_core::CoreError;
use offduty_domain::push::{PushPlatform, PushToken};

use crate::links::Route;
use crate::{Screens, lock};

/// Coming back to the foreground syncs when the last sync is older than this.
pub const FOREGROUND_STALE: Duration = Duration::from_secs(5 * 60);
/// A periodic wake-up (WorkManager, BGTaskScheduler) syncs when the last sync is older than
/// this.
pub const PERIODIC_STALE: Duration = Duration::from_secs(15 * 60);
/// A screen opened from a link syncs first when the last sync is older than this.
pub const OPEN_STALE: Duration = Duration::from_secs(2 * 60);

/// Something that happened to the phone, as the shell reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppEvent {
    /// The app came to the foreground.
    Foreground,
    /// The network came back (Android `ConnectivityManager`, iOS `NWPathMonitor`).
    NetworkBack,
    /// A push arrived; its data as JSON.
    PushReceived { payload_json: String },
    /// The push service issued (or rotated) this install's token.
    PushToken {
        platform: PushPlatform,
        token: String,
    },
    /// A background wake-up scheduled by the platform.
    Periodic,
}

/// Why the policy synced or did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncReason {
    /// Nobody is signed in: nothing to sync.
    NotSignedIn,
    /// Never synced yet.
    NeverSynced,
    /// Actions wait to be sent.
    PendingActions,
    /// The last sync is older than the event's limit.
    Stale,
    /// The last sync could not reach the server; now it may.
    WasOffline,
    /// A push means something changed on the server.
    PushArrived,
    /// The push token changed: the server must learn it.
    NewPushToken,
    /// The push token is the one the core already has.
    SamePushToken,
    /// The push token is not one the server would accept (nothing was kept).
    BadPushToken,
    /// The cache is fresh and nothing waits.
    Fresh,
    /// The screen opened names a job this phone does not have.
    Missing,
}

/// What the policy looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncFacts {
    pub signed_in: bool,
    /// Time since the last successful pull; `None`: never.
    pub since_last_sync: Option<Duration>,
    /// Actions waiting to be sent (not wedged).
    pub pending: u32,
    /// The last sync attempt found no network.
    pub last_offline: bool,
}

/// The event as the policy sees it (a push token already checked and kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Foreground,
    NetworkBack,
    PushReceived,
    /// `changed`: the core did not have this token.
    PushToken {
        valid: bool,
        changed: bool,
    },
    Periodic,
}

/// The decision: sync or not, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub sync: bool,
    pub reason: SyncReason,
}

impl Decision {
    fn sync(reason: SyncReason) -> Decision {
        Decision { sync: true, reason }
    }

    fn skip(reason: SyncReason) -> Decision {
        Decision {
            sync: false,
            reason,
        }
    }
}

fn older_than(facts: &SyncFacts, limit: Duration) -> bool {
    facts.since_last_sync.is_none_or(|d| d > limit)
}

/// When an app event is worth a sync:
/// - never without a session;
/// - every push (it says something changed on the server);
/// - a new push token (the server must learn it; an unchanged or invalid one: no);
/// - foreground: never synced, actions pending, or last sync older than [`FOREGROUND_STALE`];
/// - network back: actions pending, the last attempt was offline, or older than
///   [`FOREGROUND_STALE`];
/// - periodic: actions pending, or older than [`PERIODIC_STALE`].
pub fn decide(event: EventKind, facts: &SyncFacts) -> Decision {
    if !facts.signed_in {
        return Decision::skip(SyncReason::NotSignedIn);
    }
    let pending = facts.pending > 0;
    let never = facts.since_last_sync.is_none();
    match event {
        EventKind::PushReceived => Decision::sync(SyncReason::PushArrived),
        EventKind::PushToken { valid: false, .. } => Decision::skip(SyncReason::BadPushToken),
        EventKind::PushToken { changed: true, .. } => Decision::sync(SyncReason::NewPushToken),
        EventKind::PushToken { changed: false, .. } => Decision::skip(SyncReason::SamePushToken),
        EventKind::Foreground if never => Decision::sync(SyncReason::NeverSynced),
        EventKind::Foreground | EventKind::NetworkBack | EventKind::Periodic if pending => {
            Decision::sync(SyncReason::PendingActions)
        }
        EventKind::NetworkBack if facts.last_offline => Decision::sync(SyncReason::WasOffline),
        EventKind::Foreground | EventKind::NetworkBack if older_than(facts, FOREGROUND_STALE) => {
            Decision::sync(SyncReason::Stale)
        }
        EventKind::Periodic if older_than(facts, PERIODIC_STALE) => {
            Decision::sync(SyncReason::Stale)
        }
        _ => Decision::skip(SyncReason::Fresh),
    }
}

/// Whether a screen opened from a link or a notification should sync first: when the cache is
/// older than [`OPEN_STALE`] (or was never filled), or when the route names a job this phone
/// does not have (`job_cached == Some(false)`).
pub fn decide_before_opening(job_cached: Option<bool>, facts: &SyncFacts) -> Decision {
    if !facts.signed_in {
        return Decision::skip(SyncReason::NotSignedIn);
    }
    if facts.since_last_sync.is_none() {
        return Decision::sync(SyncReason::NeverSynced);
    }
    if job_cached == Some(false) {
        return Decision::sync(SyncReason::Missing);
    }
    if older_than(facts, OPEN_STALE) {
        return Decision::sync(SyncReason::Stale);
    }
    Decision::skip(SyncReason::Fresh)
}

/// What the root did with an app event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOutcome {
    /// A sync ran (it may still have found no network: see the sync line).
    pub synced: bool,
    pub reason: SyncReason,
    /// For a push: where tapping it leads.
    pub route: Option<Route>,
    /// The platform's background scheduler (WorkManager, BGTaskScheduler) should run again
    /// soon: actions wait to be sent and the network was not there.
    pub retry_soon: bool,
}

impl SyncFacts {
    /// Actions wait and the last attempt found no network: ask the OS for another run soon.
    pub fn retry_soon(&self) -> bool {
        self.signed_in && self.pending > 0 && self.last_offline
    }
}

impl Screens {
    /// What the policy looks at, now.
    pub fn sync_facts(&self) -> SyncFacts {
        let core = self.core();
        let now = core.now();
        let since = core
            .last_sync()
            .ok()
            .flatten()
            .map(|t| (now - t).to_std().unwrap_or(Duration::ZERO));
        let pending = core
            .pending_actions()
            .map(|p| p.iter().filter(|a| a.wedged_reason.is_none()).count())
            .unwrap_or(0);
        SyncFacts {
            signed_in: core.session().ok().flatten().is_some(),
            since_last_sync: since,
            pending: u32::try_from(pending).unwrap_or(u32::MAX),
            last_offline: lock(&self.sync).offline.is_some(),
        }
    }

    /// Syncs (every live screen hears of it), then refreshes the inbox when the server was
    /// reached. Offline is a state, not an error.
    pub async fn sync_all(&self) -> Result<(), CoreError> {
        let report = self.sync().await?;
        if report.offline.is_none() {
            match self.core().fetch_notifications().await {
                Ok(_) => self.notify_all(),
                Err(CoreError::Offline(why)) => {
                    lock(&self.sync).offline = Some(why);
                    self.notify_all();
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Hands an app event to the core and syncs when [`decide`] says so.
    pub async fn app_event(&self, event: AppEvent) -> EventOutcome {
        let (kind, route) = match &event {
            AppEvent::Foreground => (EventKind::Foreground, None),
            AppEvent::NetworkBack => (EventKind::NetworkBack, None),
            AppEvent::Periodic => (EventKind::Periodic, None),
            AppEvent::PushReceived { payload_json } => {
                (EventKind::PushReceived, Some(Route::for_push(payload_json)))
            }
            AppEvent::PushToken { platform, token } => {
                let kept = self.core().set_push_token(PushToken {
                    platform: *platform,
                    token: token.clone(),
                });
                let kind = match kept {
                    Ok(changed) => EventKind::PushToken {
                        valid: true,
                        changed,
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "the platform's push token was not kept");
                        EventKind::PushToken {
                            valid: false,
                            changed: false,
                        }
                    }
                };
                (kind, None)
            }
        };
        let decision = decide(kind, &self.sync_facts());
        if decision.sync
            && let Err(e) = self.sync_all().await
        {
            tracing::warn!(error = %e, ?event, "sync after an app event failed");
        }
        EventOutcome {
            synced: decision.sync,
            reason: decision.reason,
            route,
            retry_soon: self.sync_facts().retry_soon(),
        }
    }

    /// The route of a link (`offduty://job/<uuid>`, `https://<server>/app/…`); an unknown
    /// link opens the board.
    pub fn route_for_link(&self, url: &str) -> Route {
        Route::parse_link(url).unwrap_or_else(|| {
            tracing::info!(url, "not a link of this app; opening the board");
            Route::Board
        })
    }

    /// The route of a push the officer tapped.
    pub fn on_push(&self, payload_json: &str) -> Route {
        Route::for_push(payload_json)
    }

    /// Makes the cache fresh enough for the screen `route` opens ([`decide_before_opening`]);
    /// the shell opens the screen when this returns. Offline, the screen opens on what the
    /// phone has.
    pub async fn open(&self, route: &Route) -> Decision {
        let cached = route.job_id().map(|id| self.core().job(id, None).is_ok());
        let decision = decide_before_opening(cached, &self.sync_facts());
        if decision.sync
            && let Err(e) = self.sync_all().await
        {
            tracing::warn!(error = %e, ?route, "sync before opening a screen failed");
        }
        decision
    }
}
