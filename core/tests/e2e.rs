//! End to end: the officer's core against a real `offduty-server` process on SQLite, with
//! the phone's network going down and coming back (the harness is `offduty_testkit`'s
//! `TestServer` and `Phone`).
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-core --test e2e
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use offduty_core::board::BoardQuery;
use offduty_domain::prefs::{Channels, Preferences, QuietWindow};
use offduty_domain::protocol::{Outcome, RejectCode, TimecardStatus};
use offduty_domain::punch::{LocationFix, PunchVerdict};
use offduty_domain::timecard::PunchKind;

use offduty_testkit::TestServer;
use offduty_testkit::api::{FENCE_RADIUS_M, SITE, hours_from_now, north_of_site};
use offduty_testkit::phone::{Phone, Secrets};
use offduty_testkit::proxy::LossyProxy;

/// A good fix (8 m, just taken) at `(lat, lon)`.
fn fix_at(phone: &Phone, (lat, lon): (f64, f64)) -> LocationFix {
    use offduty_core::platform::DeviceClock;
    LocationFix {
        lat,
        lon,
        accuracy_m: 8.0,
        fix_time: phone.clock.now(),
        provider: "gps".into(),
        is_mock: false,
    }
}

fn roster_status(roster: &[Value], officer: Uuid) -> Option<(String, Option<u64>)> {
    roster
        .iter()
        .find(|e| e["officer_id"].as_str() == Some(officer.to_string().as_str()))
        .map(|e| {
            (
                e["status"].as_str().unwrap_or_default().to_string(),
                e["position"].as_u64(),
            )
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_offline_then_sync_is_awarded() {
    let server = TestServer::start(1).await;
    let job = server.create_job(hours_from_now(72), 2).await;
    let phone = server.phone(0).await;

    phone.go_offline();
    let queued = phone.core.claim(job).expect("claim is queued offline");
    assert_eq!((queued.kind.as_str(), queued.job_id), ("claim", job));
    let pending = phone.core.pending_actions().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].idempotency_key, queued.idempotency_key);
    let board = phone.core.jobs(&BoardQuery::default()).unwrap();
    let card = board
        .iter()
        .find(|c| c.job.id == job)
        .expect("job on board");
    assert_eq!(card.standing_text, "Claim waiting to sync");

    // Syncing without a network is not an error: the report says so and the claim stays.
    let report = phone.sync().await;
    assert!(report.offline.is_some(), "{report:?}");
    assert!(report.decided.is_empty(), "{report:?}");
    assert_eq!(phone.core.pending_actions().unwrap().len(), 1);
    assert!(
        server.roster(job).await.is_empty(),
        "nothing reached the server"
    );

    // The network is back; the officer (or the OS's connectivity callback) syncs.
    phone.go_online();
    let mut report = phone.sync().await;
    assert!(report.offline.is_none(), "{report:?}");
    // The claim must go out in this very sync. (Should it not, the rest of the flow is still
    // checked after the phone's clock moves past the retry time, and the test fails at the
    // end with what was wrong.)
    let sent_at_once = report.decided.len() == 1;
    let held_back = format!(
        "the queued claim was not sent by the first sync after the network came back: \
         {report:?}; queue: {:?}",
        phone.core.pending_actions().unwrap()
    );
    if !sent_at_once {
        phone.clock.advance(Duration::seconds(3));
        report = phone.sync().await;
    }
    assert_eq!(report.decided.len(), 1, "{report:?}");
    assert_eq!(report.decided[0].idempotency_key, queued.idempotency_key);
    assert!(
        matches!(report.decided[0].outcome, Outcome::Awarded { .. }),
        "{report:?}"
    );
    assert!(phone.core.pending_actions().unwrap().is_empty());
    assert_eq!(phone.standing(job), "Your shift");
    let roster = server.roster(job).await;
    assert_eq!(roster.len(), 1, "{roster:?}");
    assert_eq!(
        roster_status(&roster, phone.session().officer_id),
        Some(("awarded".into(), None))
    );
    assert!(sent_at_once, "{held_back}");
}

/// The answer to an action batch is lost on the way back (the server decided and committed):
/// the core sends the batch once more on a new connection within the same sync, and the
/// idempotency key gives back the same decision, not a second claim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_asked_again_in_the_same_sync_and_decided_once() {
    let server = TestServer::start(1).await;
    let job = server.create_job(hours_from_now(72), 2).await;
    let proxy = LossyProxy::start(server.addr);
    let phone = Phone::new(proxy.addr);
    server.sign_in(&phone, 0).await;

    let queued = phone.core.claim(job).unwrap();
    // A blip cuts the kept-alive connection, so the next request opens a new one: the proxy
    // loses the answer on that one.
    phone.go_offline();
    phone.go_online();
    std::thread::sleep(std::time::Duration::from_millis(100));
    proxy.lose_next_responses(1);
    let report = phone.sync().await;
    assert_eq!(proxy.responses_lost(), 1, "the proxy lost an answer");
    assert!(report.offline.is_none(), "{report:?}");
    assert_eq!(report.decided.len(), 1, "{report:?}");
    assert_eq!(report.decided[0].idempotency_key, queued.idempotency_key);
    assert!(
        matches!(report.decided[0].outcome, Outcome::Awarded { .. }),
        "{report:?}"
    );
    let roster = server.roster(job).await;
    assert_eq!(roster.len(), 1, "claimed once: {roster:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_race_for_the_last_slot() {
    let server = TestServer::start(2).await;
    let a = server.phone(0).await;
    let b = server.phone(1).await;
    let seed: u64 = std::env::var("OFFDUTY_E2E_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_260_105);
    let mut rng = StdRng::seed_from_u64(seed);
    for round in 0..6i64 {
        // One job per day, so the winners' shifts never overlap.
        let job = server.create_job(hours_from_now(72 + 24 * round), 1).await;
        for p in [&a, &b] {
            p.go_online();
            assert!(p.sync().await.offline.is_none());
            p.go_offline();
        }
        let ka = a.core.claim(job).unwrap().idempotency_key;
        let kb = b.core.claim(job).unwrap().idempotency_key;
        // Both orders and a simultaneous reconnection at least once, then seeded chance.
        let (a_first, together) = match round {
            0 => (true, false),
            1 => (false, false),
            2 => (rng.gen_bool(0.5), true),
            _ => (rng.gen_bool(0.5), rng.gen_bool(0.33)),
        };
        let (first, second, k1, k2) = if a_first {
            (&a, &b, ka, kb)
        } else {
            (&b, &a, kb, ka)
        };
        let (r1, r2) = if together {
            first.go_online();
            second.go_online();
            tokio::join!(first.sync(), second.sync())
        } else {
            first.go_online();
            let r1 = first.sync().await;
            second.go_online();
            let r2 = second.sync().await;
            (r1, r2)
        };
        let outcome = |r: &offduty_core::sync::SyncReport, k: Uuid| {
            r.decided
                .iter()
                .find(|d| d.idempotency_key == k)
                .map(|d| d.outcome.clone())
                .unwrap_or_else(|| panic!("round {round} (seed {seed}): {k} undecided in {r:?}"))
        };
        let (o1, o2) = (outcome(&r1, k1), outcome(&r2, k2));
        let ctx = format!("round {round} (seed {seed}, a_first {a_first}, together {together})");
        let (winner, loser) = match (&o1, &o2) {
            (Outcome::Awarded { .. }, Outcome::Waitlisted { position: 1, .. }) => (first, second),
            (Outcome::Waitlisted { position: 1, .. }, Outcome::Awarded { .. }) if together => {
                (second, first)
            }
            _ => panic!("{ctx}: expected one award and waitlist #1, got {o1:?} / {o2:?}"),
        };
        // Both see the final state after one more sync.
        winner.sync().await;
        loser.sync().await;
        assert_eq!(winner.standing(job), "Your shift", "{ctx}");
        assert_eq!(loser.standing(job), "Waitlisted #1", "{ctx}");
        let roster = server.roster(job).await;
        assert_eq!(
            roster_status(&roster, winner.session().officer_id),
            Some(("awarded".into(), None)),
            "{ctx}: {roster:?}"
        );
        assert_eq!(
            roster_status(&roster, loser.session().officer_id),
            Some(("waitlisted".into(), Some(1))),
            "{ctx}: {roster:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_promotes_the_waitlisted_officer() {
    let server = TestServer::start(2).await;
    let job = server.create_job(hours_from_now(96), 1).await;
    let a = server.phone(0).await;
    let b = server.phone(1).await;

    a.core.claim(job).unwrap();
    let r = a.sync().await;
    assert!(
        matches!(r.decided[0].outcome, Outcome::Awarded { .. }),
        "{r:?}"
    );
    b.core.claim(job).unwrap();
    let r = b.sync().await;
    assert!(
        matches!(
            r.decided[0].outcome,
            Outcome::Waitlisted { position: 1, .. }
        ),
        "{r:?}"
    );
    assert_eq!(b.standing(job), "Waitlisted #1");

    // Four days out: the free window, and the note says so.
    let q = a.core.cancel(job, Some("court date".into())).unwrap();
    assert_eq!(
        q.note.as_deref(),
        Some("More than 48 hours before the start: you can cancel freely.")
    );
    assert_eq!(a.standing(job), "Cancellation waiting to sync");
    let r = a.sync().await;
    assert!(
        matches!(
            r.decided[0].outcome,
            Outcome::Cancelled { promoted: true, .. }
        ),
        "{r:?}"
    );
    assert_eq!(a.standing(job), "You cancelled");

    let r = b.sync().await;
    assert!(
        r.pulled.as_ref().is_some_and(|p| p.assignments > 0),
        "{r:?}"
    );
    assert_eq!(b.standing(job), "Your shift");
    let token = server.login_token(&b.session().email).await;
    let (status, notes) = server
        .call(Method::GET, "/v1/notifications", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{notes}");
    let awarded = notes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "awarded" && n["payload"].to_string().contains(&job.to_string()))
        .count();
    assert_eq!(awarded, 1, "B is told about the promotion: {notes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_late_then_wont_make_it_offline_are_decided_once_synced() {
    let server = TestServer::start(2).await;
    // Starts within two hours: running late and won't make it are open.
    let job = server.create_job(hours_from_now(1), 1).await;
    let a = server.phone(0).await;
    let b = server.phone(1).await;
    a.core.claim(job).unwrap();
    assert!(matches!(
        a.sync().await.decided[0].outcome,
        Outcome::Awarded { .. }
    ));
    b.core.claim(job).unwrap();
    assert!(matches!(
        b.sync().await.decided[0].outcome,
        Outcome::Waitlisted { .. }
    ));

    a.go_offline();
    let q = a.core.report_late(job, 15).unwrap();
    assert!(
        q.note
            .as_deref()
            .is_some_and(|n| n.starts_with("Running late")),
        "{q:?}"
    );
    assert_eq!(a.standing(job), "Running-late notice waiting to sync");
    let r = a.sync().await;
    assert!(
        r.decided.is_empty(),
        "offline: nothing decided, nothing lost"
    );
    assert_eq!(a.core.pending_actions().unwrap().len(), 1);
    a.go_online();
    let r = a.sync().await;
    match &r.decided[0].outcome {
        Outcome::LateReported { minutes_late, .. } => assert_eq!(*minutes_late, 15),
        other => panic!("expected late_reported: {other:?}"),
    }
    assert_eq!(a.standing(job), "Your shift");

    a.go_offline();
    let q = a
        .core
        .wont_make_it(job, Some("car broke down".into()))
        .unwrap();
    assert!(
        q.note
            .as_deref()
            .is_some_and(|n| n.contains("late cancellation")),
        "{q:?}"
    );
    assert_eq!(a.standing(job), "Won't-make-it notice waiting to sync");
    a.go_online();
    let r = a.sync().await;
    assert!(
        matches!(
            r.decided[0].outcome,
            Outcome::Cancelled { promoted: true, .. }
        ),
        "{r:?}"
    );
    assert!(a.core.pending_actions().unwrap().is_empty());
    assert_eq!(a.standing(job), "You cancelled");
    b.sync().await;
    assert_eq!(b.standing(job), "Your shift");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_in_offline_sync_verified_timecard_earnings() {
    let server = TestServer::start(1).await;
    let job = server.create_job(hours_from_now(72), 1).await;
    let phone = server.phone(0).await;
    phone.core.claim(job).unwrap();
    let r = phone.sync().await;
    assert!(
        matches!(r.decided[0].outcome, Outcome::Awarded { .. }),
        "{r:?}"
    );

    // A four-hour shift that ended a minute ago (moved on the server: tests cannot wait for it).
    // The officer's side of it is played with the phone's clocks four hours back: the clock-in
    // happens "at the start", the clock-out "now", and the monotonic clock of the same boot
    // lets the server place the offline clock-in on its own timeline (no drift).
    let now = Utc::now();
    let (starts, ends) = (
        now - Duration::hours(4) - Duration::minutes(1),
        now - Duration::minutes(1),
    );
    server.move_job(job, starts, ends);
    phone.sync().await;
    let cached = phone.core.job(job, None).unwrap().job;
    assert_eq!(
        (cached.starts_at.timestamp(), cached.ends_at.timestamp()),
        (starts.timestamp(), ends.timestamp()),
        "the phone pulled the new times"
    );

    // The start of the shift: at the site, without a network.
    phone.go_offline();
    phone.clock.advance(-Duration::hours(4));
    let fix = fix_at(&phone, SITE);
    let preview = phone.core.preview_punch(job, PunchKind::In, &fix).unwrap();
    assert_eq!(preview.verdict, PunchVerdict::Verified, "{preview:?}");
    assert!(preview.summary.starts_with("On site"), "{preview:?}");
    let punched = phone.core.clock_in(job, &fix, false).unwrap();
    assert_eq!(punched.preview.verdict, PunchVerdict::Verified);
    let pending = phone.core.pending_actions().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind.as_str(), "clock_in");

    // Four hours later the network is back.
    phone.clock.advance(Duration::hours(4));
    phone.go_online();
    let r = phone.sync().await;
    let timecard_id = match r.decided.first().map(|d| &d.outcome) {
        Some(Outcome::Punched {
            verdict: PunchVerdict::Verified,
            timecard_id,
            event_id,
            ..
        }) => {
            assert_eq!(*event_id, punched.event_id);
            *timecard_id
        }
        other => panic!("clock-in: {other:?} ({r:?})"),
    };
    let local = phone.core.punches(job).unwrap();
    assert_eq!(local.len(), 1);
    assert_eq!(local[0].server_verdict, Some(PunchVerdict::Verified));

    // Clock out at the site, now.
    let fix = fix_at(&phone, SITE);
    let preview = phone.core.preview_punch(job, PunchKind::Out, &fix).unwrap();
    assert_eq!(preview.verdict, PunchVerdict::Verified, "{preview:?}");
    phone.core.clock_out(job, &fix, false).unwrap();
    let r = phone.sync().await;
    assert!(
        matches!(
            r.decided.first().map(|d| &d.outcome),
            Some(Outcome::Punched {
                verdict: PunchVerdict::Verified,
                ..
            })
        ),
        "clock-out: {r:?}"
    );

    let cards = server.timecards().await;
    let card = cards
        .iter()
        .find(|c| c["id"].as_str() == Some(timecard_id.to_string().as_str()))
        .expect("the timecard on the server");
    assert_eq!(card["status"], "pending", "{card}");
    assert!(
        card["worked_minutes"].as_i64().unwrap_or(0) >= 235,
        "about four hours worked: {card}"
    );
    let approved = server.approve_timecard(timecard_id).await;
    assert_eq!(approved["status"], "approved", "{approved}");
    let gross = approved["gross_cents"].as_i64().expect("gross");
    assert!(gross > 0, "{approved}");

    phone.sync().await;
    let earnings = phone.core.earnings().unwrap();
    let shift = earnings
        .shifts
        .iter()
        .find(|s| s.timecard_id == timecard_id)
        .expect("the shift in earnings");
    assert_eq!(shift.status, TimecardStatus::Approved);
    assert_eq!(shift.gross_cents, Some(gross));
    assert_eq!(shift.job_id, job);
    assert_eq!(
        shift.billable_minutes,
        approved["billable_minutes"].as_i64()
    );
    let csv = phone.core.earnings_csv().unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains(&format!(",{gross},")))
        .unwrap_or_else(|| panic!("no line with {gross} cents in\n{csv}"));
    assert!(line.contains(",approved,"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_fence_is_explained_before_sending() {
    let server = TestServer::start(1).await;
    let job = server.create_job(hours_from_now(72), 1).await;
    let phone = server.phone(0).await;
    phone.go_offline();

    let fix = fix_at(&phone, north_of_site(FENCE_RADIUS_M + 140.0));
    let preview = phone.core.preview_punch(job, PunchKind::In, &fix).unwrap();
    assert_eq!(preview.verdict, PunchVerdict::Rejected, "{preview:?}");
    let text = preview
        .reasons
        .iter()
        .map(|r| r.text.as_str())
        .find(|t| t.contains("Outside the fence by"))
        .unwrap_or_else(|| panic!("no fence reason in {preview:?}"));
    let metres: u32 = text
        .split("Outside the fence by ")
        .nth(1)
        .and_then(|rest| rest.split(" m").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no distance in {text:?}"));
    assert!((138..=142).contains(&metres), "{text:?}");
    assert!(preview.summary.contains("Outside the fence"), "{preview:?}");
    assert!(
        phone.core.pending_actions().unwrap().is_empty(),
        "a preview sends nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_cancel_is_shown_and_the_shift_kept() {
    let server = TestServer::start(1).await;
    // 20 hours out: inside the replacement window (12–48 h by default).
    let job = server.create_job(hours_from_now(20), 1).await;
    let phone = server.phone(0).await;
    phone.core.claim(job).unwrap();
    let r = phone.sync().await;
    assert!(
        matches!(r.decided[0].outcome, Outcome::Awarded { .. }),
        "{r:?}"
    );

    let q = phone
        .core
        .cancel(job, Some("family emergency".into()))
        .unwrap();
    assert!(
        q.note.as_deref().is_some_and(|n| !n.is_empty()),
        "the officer is told which window applies: {q:?}"
    );
    assert_eq!(phone.standing(job), "Cancellation waiting to sync");
    let r = phone.sync().await;
    match r.decided.first().map(|d| &d.outcome) {
        Some(Outcome::Rejected {
            code: RejectCode::NeedsReplacement,
            reason,
            ..
        }) => assert!(!reason.is_empty()),
        other => panic!("expected needs_replacement: {other:?} ({r:?})"),
    }
    assert!(phone.core.pending_actions().unwrap().is_empty());
    assert_eq!(phone.standing(job), "Your shift");
    assert_eq!(
        roster_status(&server.roster(job).await, phone.session().officer_id),
        Some(("awarded".into(), None))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_work_resumes_after_restart() {
    let server = TestServer::start(1).await;
    let mut jobs = Vec::new();
    for day in 3..6 {
        jobs.push(server.create_job(hours_from_now(24 * day), 1).await);
    }
    let phone = {
        let phone = Phone::with_secrets(server.addr, Secrets::File);
        server.sign_in(&phone, 0).await;
        phone
    };
    phone.go_offline();
    let mut keys = Vec::new();
    for j in &jobs {
        keys.push(phone.core.claim(*j).unwrap().idempotency_key);
    }
    assert_eq!(phone.core.pending_actions().unwrap().len(), 3);

    // The app is killed and started again, still offline, then the network comes back.
    let phone = phone.reopen();
    let pending: Vec<Uuid> = phone
        .core
        .pending_actions()
        .unwrap()
        .iter()
        .map(|p| p.idempotency_key)
        .collect();
    assert_eq!(pending, keys, "same actions, same order, same keys");
    assert!(
        phone.core.session().unwrap().is_some(),
        "still signed in after the restart"
    );
    phone.go_online();
    let r = phone.sync().await;
    let decided: Vec<Uuid> = r.decided.iter().map(|d| d.idempotency_key).collect();
    assert_eq!(decided, keys, "{r:?}");
    assert!(
        r.decided
            .iter()
            .all(|d| matches!(d.outcome, Outcome::Awarded { .. })),
        "{r:?}"
    );
    assert!(phone.core.pending_actions().unwrap().is_empty());
    for j in &jobs {
        assert_eq!(phone.standing(*j), "Your shift");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_sync_both_ways() {
    let server = TestServer::start(1).await;
    let phone = server.phone(0).await;
    let token = server.login_token(&phone.session().email).await;

    // Phone → server.
    let mine = Preferences {
        channels: Channels {
            push: true,
            sms: true,
            email: false,
        },
        quiet_hours: vec![QuietWindow {
            weekday: "mon".into(),
            start: "22:00".into(),
            end: "06:00".into(),
        }],
        version: 0,
    };
    phone.core.set_preferences(mine.clone()).unwrap();
    let r = phone.sync().await;
    assert!(r.offline.is_none(), "{r:?}");
    let (status, on_server) = server
        .call(Method::GET, "/v1/preferences", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{on_server}");
    let on_server: Preferences = serde_json::from_value(on_server).unwrap();
    assert_eq!(on_server.channels, mine.channels);
    assert_eq!(on_server.quiet_hours, mine.quiet_hours);

    // Server → phone (e.g. changed on the web).
    let theirs = json!({
        "channels": {"push": false, "sms": false, "email": true},
        "quiet_hours": [
            {"weekday": "tue", "start": "23:30", "end": "07:15"},
            {"weekday": "sat", "start": "00:00", "end": "08:00"}
        ]
    });
    let (status, saved) = server
        .call(Method::PUT, "/v1/preferences", Some(&token), Some(&theirs))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let saved: Preferences = serde_json::from_value(saved).unwrap();
    let r = phone.sync().await;
    assert!(
        r.pulled.as_ref().is_some_and(|p| p.preferences_changed),
        "{r:?}"
    );
    let now_on_phone = phone.core.preferences().unwrap();
    assert_eq!(now_on_phone.channels, saved.channels);
    assert_eq!(now_on_phone.quiet_hours, saved.quiet_hours);
    assert_eq!(now_on_phone.quiet_hours.len(), 2);
    assert_eq!(now_on_phone.version, saved.version);
}
