//! The sync policy as a table: every app event against the facts that matter (signed in,
//! time since the last sync, actions waiting, last attempt offline), and the rule for a
//! screen opened from a link. Pure: no server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use offduty_screens::events::{
    Decision, EventKind, FOREGROUND_STALE, OPEN_STALE, PERIODIC_STALE, SyncFacts, SyncReason,
    decide, decide_before_opening,
};

const MIN: Duration = Duration::from_secs(60);

fn facts(since_min: Option<u64>, pending: u32, last_offline: bool) -> SyncFacts {
    SyncFacts {
        signed_in: true,
        since_last_sync: since_min.map(|m| MIN * u32::try_from(m).unwrap()),
        pending,
        last_offline,
    }
}

fn sync(reason: SyncReason) -> Decision {
    Decision { sync: true, reason }
}

fn skip(reason: SyncReason) -> Decision {
    Decision {
        sync: false,
        reason,
    }
}

#[test]
fn the_sync_policy_table() {
    use EventKind::*;
    use SyncReason::*;
    let token = |valid, changed| PushToken { valid, changed };
    let rows: &[(EventKind, SyncFacts, Decision)] = &[
        // Foreground: never synced, actions waiting, or older than five minutes.
        (Foreground, facts(None, 0, false), sync(NeverSynced)),
        (Foreground, facts(Some(1), 2, false), sync(PendingActions)),
        (Foreground, facts(Some(4), 0, false), skip(Fresh)),
        (Foreground, facts(Some(6), 0, false), sync(Stale)),
        (Foreground, facts(Some(1), 0, true), skip(Fresh)),
        // Network back: actions waiting, the last attempt was offline, or stale.
        (NetworkBack, facts(Some(1), 1, false), sync(PendingActions)),
        (NetworkBack, facts(Some(1), 0, true), sync(WasOffline)),
        (NetworkBack, facts(Some(1), 0, false), skip(Fresh)),
        (NetworkBack, facts(Some(30), 0, false), sync(Stale)),
        // Every push.
        (PushReceived, facts(Some(0), 0, false), sync(PushArrived)),
        (PushReceived, facts(None, 0, true), sync(PushArrived)),
        // A push token: only a new, valid one.
        (
            token(true, true),
            facts(Some(0), 0, false),
            sync(NewPushToken),
        ),
        (
            token(true, false),
            facts(Some(60), 3, false),
            skip(SamePushToken),
        ),
        (
            token(false, false),
            facts(Some(0), 0, false),
            skip(BadPushToken),
        ),
        // Periodic: actions waiting, or older than fifteen minutes.
        (Periodic, facts(Some(10), 0, false), skip(Fresh)),
        (Periodic, facts(Some(16), 0, false), sync(Stale)),
        (Periodic, facts(Some(1), 1, false), sync(PendingActions)),
        (Periodic, facts(None, 0, false), sync(Stale)),
    ];
    for (event, f, want) in rows {
        assert_eq!(decide(*event, f), *want, "{event:?} with {f:?}");
    }
    // Nobody signed in: nothing syncs, whatever happened.
    let out = SyncFacts {
        signed_in: false,
        ..facts(None, 5, true)
    };
    for event in [
        Foreground,
        NetworkBack,
        PushReceived,
        token(true, true),
        Periodic,
    ] {
        assert_eq!(decide(event, &out), skip(NotSignedIn), "{event:?}");
    }
    assert!(FOREGROUND_STALE < PERIODIC_STALE);
}

#[test]
fn a_screen_opened_from_a_link_syncs_first_when_the_cache_is_stale_or_lacks_the_job() {
    use SyncReason::*;
    let fresh = facts(Some(1), 0, false);
    assert_eq!(decide_before_opening(None, &fresh), skip(Fresh));
    assert_eq!(decide_before_opening(Some(true), &fresh), skip(Fresh));
    assert_eq!(decide_before_opening(Some(false), &fresh), sync(Missing));
    let stale = SyncFacts {
        since_last_sync: Some(OPEN_STALE + Duration::from_secs(1)),
        ..fresh
    };
    assert_eq!(decide_before_opening(Some(true), &stale), sync(Stale));
    assert_eq!(
        decide_before_opening(None, &facts(None, 0, false)),
        sync(NeverSynced)
    );
    let out = SyncFacts {
        signed_in: false,
        ..fresh
    };
    assert_eq!(decide_before_opening(Some(false), &out), skip(NotSignedIn));
}

#[test]
fn the_background_scheduler_is_asked_again_only_when_actions_wait_and_the_network_did_not() {
    assert!(facts(Some(1), 2, true).retry_soon());
    assert!(!facts(Some(1), 0, true).retry_soon(), "nothing waits");
    assert!(
        !facts(Some(1), 2, false).retry_soon(),
        "the network was there"
    );
    let signed_out = SyncFacts {
        signed_in: false,
        ..facts(Some(1), 2, true)
    };
    assert!(!signed_out.retry_soon());
}
