//! "Timecards are tamper-evident" and "presence is checked, not assumed" (docs/RELIABILITY.md):
//! tampered, foreign-key-signed, replayed, re-sequenced and forked clock events are refused or
//! flagged; doubtful fixes and moved device clocks are never `verified`; a stored event
//! re-verifies with the device key and any flipped byte is detected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::{Signature, SigningKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use common::{Actor, Backend, TestApp, TestDevice, envelope, punch_action};
use offduty_domain::timecard::{self, ClockEvent, PunchKind, SignedClockEvent};
use offduty_server::db::get;

const STADIUM: (f64, f64) = (40.0017, -83.0197);
/// About 30 km north of the stadium.
const FAR: (f64, f64) = (40.2717, -83.0197);

/// An awarded officer with a registered device on a job running now.
struct Shift {
    officer: Actor,
    job: String,
    device: TestDevice,
}

async fn shift(
    app: &TestApp,
    dept: Uuid,
    coord: &Actor,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Shift {
    let officer = app.officer(dept).await;
    let job = app.job(coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&officer, &job).await["type"], "awarded");
    app.set_job_times(&job, starts, ends).await;
    let device = TestDevice::register(app, &officer).await;
    Shift {
        officer,
        job,
        device,
    }
}

/// A shift from an hour ago until three hours from now.
async fn shift_now(app: &TestApp, dept: Uuid, coord: &Actor) -> Shift {
    let now = Utc::now();
    shift(
        app,
        dept,
        coord,
        now - Duration::hours(1),
        now + Duration::hours(3),
    )
    .await
}

/// Sends one clock action (its type follows the event's kind) under a fresh idempotency key.
async fn send_as(
    app: &TestApp,
    officer: &Actor,
    signed: &SignedClockEvent,
    device_clock: Option<Value>,
) -> (StatusCode, Value) {
    let mut body = json!({"actions": [envelope(punch_action(signed.event.kind, signed))]});
    if let Some(c) = device_clock {
        body["device_clock"] = c;
    }
    app.actions(officer, &body).await
}

async fn send(app: &TestApp, officer: &Actor, signed: &SignedClockEvent) -> Value {
    send_clocked(app, officer, signed, None).await
}

async fn send_clocked(
    app: &TestApp,
    officer: &Actor,
    signed: &SignedClockEvent,
    device_clock: Option<Value>,
) -> Value {
    let (s, body) = send_as(app, officer, signed, device_clock).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["outcomes"][0]["outcome"].clone()
}

fn assert_rejected(out: &Value, code: &str, what: &str) {
    assert_eq!(
        (out["type"].as_str(), out["code"].as_str()),
        (Some("rejected"), Some(code)),
        "{what}: {out}"
    );
}

fn reason_types(out: &Value) -> Vec<String> {
    out["reasons"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| r["type"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn assert_punched(out: &Value, verdict: &str, reason: Option<&str>, what: &str) {
    assert_eq!(
        (out["type"].as_str(), out["verdict"].as_str()),
        (Some("punched"), Some(verdict)),
        "{what}: {out}"
    );
    if let Some(r) = reason {
        assert!(
            reason_types(out).iter().any(|t| t == r),
            "{what}: expected reason {r}: {out}"
        );
    }
}

/// The next clock-in (or out) at the stadium at `at`, unsigned.
fn next_at(s: &Shift, kind: PunchKind, at: DateTime<Utc>) -> ClockEvent {
    s.device
        .next_event(s.officer.id, &s.job, kind, at, STADIUM.0, STADIUM.1, 8.0)
}

async fn tampered_events_fail_the_signature_check(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut s = shift_now(&app, dept, &coord).await;
    let second_device = TestDevice::register(&app, &s.officer).await;
    let other_job = app.job(&coord, |_| {}).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let now = Utc::now();
    let base = next_at(&s, PunchKind::In, now);

    type Tamper = Box<dyn Fn(&mut ClockEvent)>;
    let second_id = second_device.id;
    let other_job_id: Uuid = other_job.parse().unwrap();
    let tampers: Vec<(&str, Tamper)> = vec![
        ("event_id", Box::new(|e| e.event_id = Uuid::now_v7())),
        ("device_id", Box::new(move |e| e.device_id = second_id)),
        ("job_id", Box::new(move |e| e.job_id = other_job_id)),
        ("kind", Box::new(|e| e.kind = PunchKind::Out)),
        ("seq", Box::new(|e| e.seq += 1)),
        (
            "prev_hash",
            Box::new(|e| {
                let flipped = if e.prev_hash.starts_with('0') {
                    "1"
                } else {
                    "0"
                };
                e.prev_hash.replace_range(0..1, flipped);
            }),
        ),
        ("fix.lat_e7", Box::new(|e| e.fix.lat_e7 += 1)),
        ("fix.lon_e7", Box::new(|e| e.fix.lon_e7 -= 1)),
        ("fix.accuracy_cm", Box::new(|e| e.fix.accuracy_cm -= 100)),
        (
            "fix.fix_time",
            Box::new(|e| e.fix.fix_time += Duration::nanoseconds(1)),
        ),
        (
            "fix.provider",
            Box::new(|e| e.fix.provider = "fused".into()),
        ),
        ("fix.is_mock", Box::new(|e| e.fix.is_mock = !e.fix.is_mock)),
        (
            "device_time",
            Box::new(|e| e.device_time -= Duration::minutes(30)),
        ),
        ("monotonic_ms", Box::new(|e| e.monotonic_ms += 1)),
        ("boot_id", Box::new(|e| e.boot_id.push('x'))),
    ];
    for (field, tamper) in &tampers {
        let mut signed = s.device.sign_event(base.clone());
        tamper(&mut signed.event);
        assert_ne!(signed.event, base, "{field} was not changed");
        let out = send(&app, &s.officer, &signed).await;
        assert_rejected(&out, "bad_signature", &format!("tampered {field}"));
    }
    // The officer id is checked before the signature: an event for someone else.
    let mut signed = s.device.sign_event(base.clone());
    signed.event.officer_id = Uuid::now_v7();
    assert_rejected(
        &send(&app, &s.officer, &signed).await,
        "unknown_device",
        "tampered officer_id",
    );

    // Signed with another device's key (the officer's own second phone).
    let foreign = second_device.sign_event(base.clone());
    assert_rejected(
        &send(&app, &s.officer, &foreign).await,
        "bad_signature",
        "another device's key",
    );
    let stranger = SigningKey::random(&mut rand::rngs::OsRng);
    let foreign = timecard::sign(base.clone(), &stranger);
    assert_rejected(
        &send(&app, &s.officer, &foreign).await,
        "bad_signature",
        "an unregistered key",
    );

    // Garbage signatures: never a 5xx, always bad_signature.
    let valid = s.device.sign_event(base.clone());
    let der = STANDARD.decode(&valid.signature).unwrap();
    let mut flipped = der.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let other_message = s.device.sign_event(next_at(&s, PunchKind::Out, now));
    let garbage = [
        String::new(),
        "not base64 at all!".into(),
        "AAAA".into(),
        STANDARD.encode([0u8; 64]),
        STANDARD.encode([0xffu8; 64]),
        STANDARD.encode([0x30u8; 72]),
        STANDARD.encode(vec![7u8; 4096]),
        STANDARD.encode(flipped),
        STANDARD.encode(&der[..der.len() - 1]),
        other_message.signature.clone(),
        format!("{}=", valid.signature),
        format!(" {}", valid.signature),
    ];
    for sig in garbage {
        let mut bad = valid.clone();
        bad.signature = sig.clone();
        let (status, body) = send_as(&app, &s.officer, &bad, None).await;
        assert_eq!(status, StatusCode::OK, "signature {sig:?}: {body}");
        assert_rejected(
            &body["outcomes"][0]["outcome"],
            "bad_signature",
            &format!("signature {sig:?}"),
        );
    }

    // None of it moved the device's chain: the genuine event is next and verifies.
    let out = send(&app, &s.officer, &valid).await;
    assert_punched(&out, "verified", None, "the genuine event");
    s.device.advance(&valid.event);
    let n: i64 = get(
        &sqlx::query("SELECT COUNT(*) AS n FROM clock_events")
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(n, 1, "only the genuine event is recorded");
}

/// The verifier accepts the encodings phones produce: raw `r‖s` (iOS) and high-S (Android).
async fn raw_and_high_s_signatures_are_accepted(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut s = shift_now(&app, dept, &coord).await;
    let now = Utc::now();

    let ev = next_at(&s, PunchKind::In, now - Duration::seconds(60));
    let mut signed = s.device.sign_event(ev.clone());
    let sig = Signature::from_der(&STANDARD.decode(&signed.signature).unwrap()).unwrap();
    signed.signature = STANDARD.encode(sig.to_bytes());
    assert_punched(
        &send(&app, &s.officer, &signed).await,
        "verified",
        None,
        "raw r‖s",
    );
    s.device.advance(&ev);

    let ev = next_at(&s, PunchKind::Out, now);
    let mut signed = s.device.sign_event(ev.clone());
    let sig = Signature::from_der(&STANDARD.decode(&signed.signature).unwrap()).unwrap();
    let (r, low) = sig.split_scalars();
    let high = Signature::from_scalars(r.to_bytes(), (-*low).to_bytes()).unwrap();
    assert_ne!(high, sig);
    signed.signature = STANDARD.encode(high.to_der().as_bytes());
    assert_punched(
        &send(&app, &s.officer, &signed).await,
        "verified",
        None,
        "high-S DER",
    );
}

async fn replayed_and_reordered_events_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut s = shift_now(&app, dept, &coord).await;
    let now = Utc::now();

    let ev1 = s
        .device
        .sign_event(next_at(&s, PunchKind::In, now - Duration::minutes(2)));
    let env1 = envelope(punch_action(PunchKind::In, &ev1));
    let (st, first) = app.actions(&s.officer, &json!({"actions": [env1]})).await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert_punched(&first["outcomes"][0]["outcome"], "verified", None, "ev1");
    s.device.advance(&ev1.event);
    // The same envelope (same idempotency key): the stored outcome, not a second punch.
    let (st, again) = app.actions(&s.officer, &json!({"actions": [env1]})).await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(again["outcomes"][0]["replayed"], true, "{again}");
    assert_eq!(
        again["outcomes"][0]["outcome"],
        first["outcomes"][0]["outcome"]
    );
    // The same event under a new idempotency key.
    assert_rejected(&send(&app, &s.officer, &ev1).await, "replayed", "ev1 again");
    // A new event reusing sequence 1.
    let mut again = ev1.event.clone();
    again.event_id = Uuid::now_v7();
    again.device_time = now - Duration::minutes(1);
    let again = s.device.sign_event(again);
    assert_rejected(
        &send(&app, &s.officer, &again).await,
        "replayed",
        "seq 1 reused",
    );

    let ev2 = s.device.sign_event(next_at(&s, PunchKind::Out, now));
    assert_punched(&send(&app, &s.officer, &ev2).await, "verified", None, "ev2");
    s.device.advance(&ev2.event);
    for (what, ev) in [("ev1 after ev2", &ev1), ("ev2 again", &ev2)] {
        assert_rejected(&send(&app, &s.officer, ev).await, "replayed", what);
    }

    // Reordered: two events made offline arrive last-first. The later one is accepted but
    // flagged (events are missing before it); the earlier one is then a replay.
    let mut t = shift_now(&app, dept, &coord).await;
    let a = t
        .device
        .sign_event(next_at(&t, PunchKind::In, now - Duration::minutes(2)));
    t.device.advance(&a.event);
    let b = t.device.sign_event(next_at(&t, PunchKind::Out, now));
    // The clock-out arrives first: it cannot be verified (events are missing before it, and
    // there is no clock-in yet); the clock-in that follows is then a replay.
    let out = send(&app, &t.officer, &b).await;
    assert_ne!(out["verdict"], "verified", "later event first: {out}");
    assert!(
        out["type"] == "rejected" || reason_types(&out).iter().any(|r| r == "sequence_gap"),
        "later event first: {out}"
    );
    assert_rejected(
        &send(&app, &t.officer, &a).await,
        "replayed",
        "earlier event second",
    );
}

async fn gaps_are_flagged_and_forks_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let now = Utc::now();

    // A skipped sequence number: accepted, needs review.
    let mut s = shift_now(&app, dept, &coord).await;
    let ev1 = s
        .device
        .sign_event(next_at(&s, PunchKind::In, now - Duration::minutes(2)));
    assert_punched(&send(&app, &s.officer, &ev1).await, "verified", None, "ev1");
    s.device.advance(&ev1.event);
    let mut skip = next_at(&s, PunchKind::Out, now);
    skip.seq += 1;
    let out = send(&app, &s.officer, &s.device.sign_event(skip)).await;
    assert_punched(&out, "needs_review", Some("sequence_gap"), "seq + 2");
    let gap = out["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "sequence_gap")
        .unwrap();
    assert_eq!(
        (gap["expected"].as_u64(), gap["got"].as_u64()),
        (Some(2), Some(3))
    );
    let (_, cards) = app.get("/v1/timecards", &s.officer).await;
    assert_eq!(cards[0]["status"], "needs_review", "{cards}");

    // The right sequence number with the wrong previous hash: a fork, refused; the chain does
    // not move, so the genuine next event is still accepted.
    let mut f = shift_now(&app, dept, &coord).await;
    let ev1 = f
        .device
        .sign_event(next_at(&f, PunchKind::In, now - Duration::minutes(2)));
    assert_punched(&send(&app, &f.officer, &ev1).await, "verified", None, "ev1");
    f.device.advance(&ev1.event);
    let mut fork = next_at(&f, PunchKind::Out, now);
    fork.prev_hash = timecard::GENESIS_HASH.to_string();
    assert_rejected(
        &send(&app, &f.officer, &f.device.sign_event(fork)).await,
        "chain_mismatch",
        "genesis prev_hash at seq 2",
    );
    let mut fork = next_at(&f, PunchKind::Out, now);
    fork.prev_hash = hex::encode([0xab; 32]);
    assert_rejected(
        &send(&app, &f.officer, &f.device.sign_event(fork)).await,
        "chain_mismatch",
        "random prev_hash at seq 2",
    );
    let genuine = f.device.sign_event(next_at(&f, PunchKind::Out, now));
    assert_punched(
        &send(&app, &f.officer, &genuine).await,
        "verified",
        None,
        "genuine seq 2",
    );
}

async fn foreign_and_revoked_devices_are_unknown(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut a = shift_now(&app, dept, &coord).await;
    let b = shift_now(&app, dept, &coord).await;
    let now = Utc::now();

    // An event made out for another officer, signed by A's own device.
    let mut ev = next_at(&a, PunchKind::In, now);
    ev.officer_id = b.officer.id;
    assert_rejected(
        &send(&app, &a.officer, &a.device.sign_event(ev)).await,
        "unknown_device",
        "event for officer B sent by A",
    );
    // B's device (and key) used by A.
    let mut ev = next_at(&b, PunchKind::In, now);
    ev.officer_id = a.officer.id;
    ev.job_id = a.job.parse().unwrap();
    assert_rejected(
        &send(&app, &a.officer, &b.device.sign_event(ev.clone())).await,
        "unknown_device",
        "B's device, B's key",
    );
    assert_rejected(
        &send(&app, &a.officer, &a.device.sign_event(ev)).await,
        "unknown_device",
        "B's device id, A's key",
    );
    // A device nobody registered.
    let mut ev = next_at(&a, PunchKind::In, now);
    ev.device_id = Uuid::now_v7();
    assert_rejected(
        &send(&app, &a.officer, &a.device.sign_event(ev)).await,
        "unknown_device",
        "unregistered device id",
    );

    // A cannot revoke B's device; A revokes A's own, and its events stop counting.
    let (st, _) = app
        .post(
            &format!("/v1/devices/{}/revoke", b.device.id),
            &a.officer,
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let ev1 = a
        .device
        .sign_event(next_at(&a, PunchKind::In, now - Duration::minutes(1)));
    assert_punched(
        &send(&app, &a.officer, &ev1).await,
        "verified",
        None,
        "before revoke",
    );
    a.device.advance(&ev1.event);
    let (st, body) = app
        .post(
            &format!("/v1/devices/{}/revoke", a.device.id),
            &a.officer,
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let ev2 = a.device.sign_event(next_at(&a, PunchKind::Out, now));
    assert_rejected(
        &send(&app, &a.officer, &ev2).await,
        "unknown_device",
        "revoked device",
    );
    // B is unaffected.
    let evb = b.device.sign_event(next_at(&b, PunchKind::In, now));
    assert_punched(&send(&app, &b.officer, &evb).await, "verified", None, "B");
}

async fn doubtful_fixes_are_never_verified(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let now = Utc::now();

    // Mock location: rejected (still recorded).
    let s = shift_now(&app, dept, &coord).await;
    let mut ev = next_at(&s, PunchKind::In, now);
    ev.fix.is_mock = true;
    let out = send(&app, &s.officer, &s.device.sign_event(ev)).await;
    assert_punched(&out, "rejected", Some("mock_location"), "mock location");

    // Stale fix: taken 5 minutes before the punch.
    let s = shift_now(&app, dept, &coord).await;
    let mut ev = next_at(&s, PunchKind::In, now);
    ev.fix.fix_time = now - Duration::minutes(5);
    let out = send(&app, &s.officer, &s.device.sign_event(ev)).await;
    assert_punched(&out, "needs_review", Some("stale_fix"), "stale fix");

    // Low accuracy.
    let s = shift_now(&app, dept, &coord).await;
    let mut ev = next_at(&s, PunchKind::In, now);
    ev.fix.accuracy_cm = 12_000;
    let out = send(&app, &s.officer, &s.device.sign_event(ev)).await;
    assert_punched(&out, "needs_review", Some("low_accuracy"), "low accuracy");

    // Teleport: clocked in at the stadium, clocked out 30 km away a minute later.
    let mut s = shift_now(&app, dept, &coord).await;
    let ev_in = s
        .device
        .sign_event(next_at(&s, PunchKind::In, now - Duration::seconds(90)));
    assert_punched(
        &send(&app, &s.officer, &ev_in).await,
        "verified",
        None,
        "in",
    );
    s.device.advance(&ev_in.event);
    let ev_out = s.device.next_event(
        s.officer.id,
        &s.job,
        PunchKind::Out,
        now - Duration::seconds(30),
        FAR.0,
        FAR.1,
        8.0,
    );
    let out = send(&app, &s.officer, &s.device.sign_event(ev_out)).await;
    assert_ne!(out["verdict"], "verified", "{out}");
    assert_punched(&out, "rejected", Some("implausible_speed"), "teleport out");

    // Teleport between two jobs, each punch inside its own fence: only the speed gives it away.
    let officer = app.officer(dept).await;
    let start = now + Duration::days(3);
    let job_a = app.job(&coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let job_b = app
        .job(&coord, |b| {
            *b = common::job_body(start + Duration::days(2), 1);
            b["location"] = json!({"lat": FAR.0, "lon": FAR.1});
            b["geofence"] = json!({"type": "circle", "center": {"lat": FAR.0, "lon": FAR.1}, "radius_m": 250.0});
        })
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for j in [&job_a, &job_b] {
        assert_eq!(app.claim(&officer, j).await["type"], "awarded");
        app.set_job_times(j, now - Duration::hours(1), now + Duration::hours(3))
            .await;
    }
    let mut device = TestDevice::register(&app, &officer).await;
    let mut punch_at = |job: &str, kind: PunchKind, at: DateTime<Utc>, (lat, lon): (f64, f64)| {
        let ev = device.next_event(officer.id, job, kind, at, lat, lon, 8.0);
        device.advance(&ev);
        device.sign_event(ev)
    };
    let a_in = punch_at(&job_a, PunchKind::In, now - Duration::seconds(180), STADIUM);
    let a_out = punch_at(
        &job_a,
        PunchKind::Out,
        now - Duration::seconds(120),
        STADIUM,
    );
    let b_in = punch_at(&job_b, PunchKind::In, now - Duration::seconds(60), FAR);
    assert_punched(&send(&app, &officer, &a_in).await, "verified", None, "A in");
    assert_punched(
        &send(&app, &officer, &a_out).await,
        "verified",
        None,
        "A out",
    );
    let out = send(&app, &officer, &b_in).await;
    assert_punched(
        &out,
        "needs_review",
        Some("implausible_speed"),
        "B in, 30 km in 60 s",
    );
}

async fn a_device_clock_moved_two_hours_is_caught(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let now = Utc::now();
    let window = || {
        shift(
            &app,
            dept,
            &coord,
            now - Duration::hours(3),
            now + Duration::hours(3),
        )
    };

    // Set 2 h back while offline; the punch was made 10 s before the batch was sent. The
    // batch's clock reading comes from the same boot, so monotonic time places the punch.
    for (what, offset) in [
        ("2 h back", -Duration::hours(2)),
        ("2 h ahead", Duration::hours(2)),
    ] {
        let s = window().await;
        let ev = next_at(&s, PunchKind::In, now + offset);
        let clock = json!({
            "device_time": now + offset + Duration::seconds(10),
            "monotonic_ms": ev.monotonic_ms + 10_000,
            "boot_id": ev.boot_id,
        });
        let out = send_clocked(&app, &s.officer, &s.device.sign_event(ev), Some(clock)).await;
        assert_punched(&out, "needs_review", Some("clock_drift"), what);
        let drift = out["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "clock_drift")
            .unwrap()["drift_s"]
            .as_i64()
            .unwrap();
        assert!(
            (drift - offset.num_seconds()).abs() < 60,
            "{what}: drift {drift} s"
        );
    }
    // Ahead with no clock reading at all: a punch dated in the future is still caught.
    let s = window().await;
    let ev = next_at(&s, PunchKind::In, now + Duration::hours(2));
    let out = send(&app, &s.officer, &s.device.sign_event(ev)).await;
    assert_punched(
        &out,
        "needs_review",
        Some("clock_drift"),
        "2 h ahead, no clock",
    );
    // The same clock reading after a reboot (other boot id) cannot place a backdated punch:
    // but the correct, same-boot punch made 10 s ago is verified.
    let s = window().await;
    let ev = next_at(&s, PunchKind::In, now - Duration::seconds(10));
    let clock = json!({"device_time": now, "monotonic_ms": ev.monotonic_ms + 10_000, "boot_id": ev.boot_id});
    let out = send_clocked(&app, &s.officer, &s.device.sign_event(ev), Some(clock)).await;
    assert_punched(&out, "verified", None, "an honest clock");
}

/// Hostile numbers in clock events and clock readings are outcomes, never a 5xx.
async fn hostile_clock_values_never_cause_a_server_error(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let now = Utc::now();

    let mut failures = Vec::new();
    // A clock reading whose monotonic time is absurdly far past the event's (same boot).
    for monotonic in [u64::MAX, i64::MAX as u64, 10_000_000_000_000_000] {
        let s = shift_now(&app, dept, &coord).await;
        let ev = next_at(&s, PunchKind::In, now);
        let clock = json!({"device_time": now, "monotonic_ms": monotonic, "boot_id": ev.boot_id});
        let (st, body) = send_as(&app, &s.officer, &s.device.sign_event(ev), Some(clock)).await;
        if st != StatusCode::OK || body["outcomes"][0]["outcome"]["verdict"] == "verified" {
            failures.push(format!(
                "device_clock.monotonic_ms = {monotonic}: {st} {body}"
            ));
        }
    }

    // Extreme but signed event fields.
    type Edit = Box<dyn Fn(&mut ClockEvent)>;
    // `true`: the value itself makes the punch doubtful.
    let edits: Vec<(&str, bool, Edit)> = vec![
        ("seq u64::MAX", true, Box::new(|e| e.seq = u64::MAX)),
        (
            "lat_e7 i64::MAX",
            true,
            Box::new(|e| e.fix.lat_e7 = i64::MAX),
        ),
        (
            "lon_e7 i64::MIN",
            true,
            Box::new(|e| e.fix.lon_e7 = i64::MIN),
        ),
        ("accuracy_cm -1", true, Box::new(|e| e.fix.accuracy_cm = -1)),
        (
            "accuracy_cm i64::MAX",
            true,
            Box::new(|e| e.fix.accuracy_cm = i64::MAX),
        ),
        (
            "monotonic_ms u64::MAX",
            false,
            Box::new(|e| e.monotonic_ms = u64::MAX),
        ),
        (
            "device_time year 9999",
            true,
            Box::new(|e| {
                e.device_time = "9999-12-31T23:59:59Z".parse().unwrap();
            }),
        ),
        (
            "fix_time year 1970",
            true,
            Box::new(|e| e.fix.fix_time = DateTime::UNIX_EPOCH),
        ),
        (
            "provider empty",
            true,
            Box::new(|e| e.fix.provider = String::new()),
        ),
        (
            "boot_id long",
            true,
            Box::new(|e| e.boot_id = "b".repeat(65)),
        ),
    ];
    for (what, doubtful, edit) in &edits {
        let s = shift_now(&app, dept, &coord).await;
        let mut ev = next_at(&s, PunchKind::In, now);
        edit(&mut ev);
        let (st, body) = send_as(&app, &s.officer, &s.device.sign_event(ev), None).await;
        let verified = body["outcomes"][0]["outcome"]["verdict"] == "verified";
        if st != StatusCode::OK || (*doubtful && verified) {
            failures.push(format!("{what}: {st} {body}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// One ASCII byte replaced by another of its kind (digit, letter, base64 symbol), so the JSON
/// usually still parses and the change reaches a field.
fn flip(b: u8) -> u8 {
    match b {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        b'+' => b'/',
        b'/' => b'+',
        b'-' => b'+',
        _ => b'x',
    }
}

async fn stored_events_re_verify_and_any_flipped_byte_is_detected(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut s = shift_now(&app, dept, &coord).await;
    let now = Utc::now();
    let ev_in = s
        .device
        .sign_event(next_at(&s, PunchKind::In, now - Duration::minutes(3)));
    assert_punched(
        &send(&app, &s.officer, &ev_in).await,
        "verified",
        None,
        "in",
    );
    s.device.advance(&ev_in.event);
    let ev_out = s.device.sign_event(next_at(&s, PunchKind::Out, now));
    assert_punched(
        &send(&app, &s.officer, &ev_out).await,
        "verified",
        None,
        "out",
    );

    let key = *s.device.key.verifying_key();
    let rows =
        sqlx::query("SELECT id, seq, hash, prev_hash, signed_json FROM clock_events ORDER BY seq")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    let mut stored: Vec<(String, String)> = Vec::new();
    let mut prev = timecard::GENESIS_HASH.to_string();
    for r in &rows {
        let id: String = get(r, "id").unwrap();
        let json_text: String = get(r, "signed_json").unwrap();
        let ev: SignedClockEvent = serde_json::from_str(&json_text).unwrap();
        ev.verify(&key)
            .expect("a stored event verifies with the device key");
        assert_eq!(get::<String>(r, "hash").unwrap(), ev.event.hash_hex());
        assert_eq!(get::<String>(r, "prev_hash").unwrap(), prev);
        assert_eq!(ev.event.prev_hash, prev, "the stored chain links");
        prev = ev.event.hash_hex();
        stored.push((id, json_text));
    }
    assert_eq!(
        serde_json::from_str::<SignedClockEvent>(&stored[0].1).unwrap(),
        ev_in
    );

    // Every byte of the stored text, flipped in turn: the result either does not parse as a
    // signed event, or it no longer verifies. Nothing slips through.
    let (mut unreadable, mut detected, mut unchanged) = (0usize, 0usize, Vec::new());
    for (_, text) in &stored {
        let original: SignedClockEvent = serde_json::from_str(text).unwrap();
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            let mut m = bytes.to_vec();
            m[i] = flip(m[i]);
            let Ok(m) = String::from_utf8(m) else {
                unreadable += 1;
                continue;
            };
            match serde_json::from_str::<SignedClockEvent>(&m) {
                Err(_) => unreadable += 1,
                Ok(ev) if ev == original => unchanged.push((i, m)),
                Ok(ev) => {
                    assert!(
                        ev.verify(&key).is_err(),
                        "byte {i} flipped ({:?} → {:?}) still verifies: {m}",
                        bytes[i] as char,
                        flip(bytes[i]) as char
                    );
                    detected += 1;
                }
            }
        }
    }
    eprintln!(
        "flipped bytes: {detected} detected by the signature, {unreadable} unreadable, {} \
         without effect on the signed value",
        unchanged.len()
    );
    assert!(
        unchanged.is_empty(),
        "flips that changed the stored text but not the signed event: {unchanged:?}"
    );
    assert!(detected > 500, "only {detected} flips reached a field");

    // The same in the database: flip one byte of the stored signature and of a field.
    for (field_marker, what) in [("\"signature\":\"", "signature"), ("\"lat_e7\":", "lat_e7")] {
        let (id, text) = &stored[0];
        let at = text.find(field_marker).unwrap() + field_marker.len() + 2;
        let mut m = text.as_bytes().to_vec();
        m[at] = flip(m[at]);
        let m = String::from_utf8(m).unwrap();
        sqlx::query("UPDATE clock_events SET signed_json = $1 WHERE id = $2")
            .bind(&m)
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let back: String = get(
            &sqlx::query("SELECT signed_json FROM clock_events WHERE id = $1")
                .bind(id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap(),
            "signed_json",
        )
        .unwrap();
        let ev: SignedClockEvent = serde_json::from_str(&back).unwrap();
        assert!(
            ev.verify(&key).is_err(),
            "a flipped byte in the stored {what} still verifies"
        );
        // Restore it; it verifies again.
        sqlx::query("UPDATE clock_events SET signed_json = $1 WHERE id = $2")
            .bind(text)
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
}

/// The case from the field (docs/decisions/023): a shift worked on an old phone that stays
/// offline, then a later shift 5 km away on a new phone that syncs first. When the old phone
/// syncs, its punches are judged against the officer's punches nearest in time — its own, and
/// the new shift three hours later — and are verified, as the phone said they would be.
async fn an_officer_who_changes_phones_is_judged_by_the_punches_nearest_in_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let now = Utc::now();
    // 5 km north of the stadium.
    let north = (STADIUM.0 + 0.045, STADIUM.1);
    let job_a = app.job(&coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let job_b = app
        .job(&coord, |b| {
            // Another day, so claiming both is no overlap; the times are set below.
            *b = common::job_body(now + Duration::days(5), 1);
            b["location"] = json!({"lat": north.0, "lon": north.1});
            b["geofence"] = json!({"type": "circle", "center": {"lat": north.0, "lon": north.1}, "radius_m": 250.0});
        })
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for j in [&job_a, &job_b] {
        assert_eq!(app.claim(&officer, j).await["type"], "awarded");
    }
    // Shift A: five to four hours ago. Shift B: two hours ago to an hour ago.
    app.set_job_times(&job_a, now - Duration::hours(5), now - Duration::hours(4))
        .await;
    app.set_job_times(&job_b, now - Duration::hours(2), now - Duration::hours(1))
        .await;
    let mut old_phone = TestDevice::register(&app, &officer).await;
    let mut new_phone = TestDevice::register(&app, &officer).await;
    let punch = |device: &mut TestDevice,
                 job: &str,
                 kind: PunchKind,
                 at: DateTime<Utc>,
                 (lat, lon): (f64, f64)| {
        let ev = device.next_event(officer.id, job, kind, at, lat, lon, 8.0);
        device.advance(&ev);
        device.sign_event(ev)
    };
    let a_in = punch(
        &mut old_phone,
        &job_a,
        PunchKind::In,
        now - Duration::hours(5),
        STADIUM,
    );
    let a_out = punch(
        &mut old_phone,
        &job_a,
        PunchKind::Out,
        now - Duration::hours(4),
        STADIUM,
    );
    let b_in = punch(
        &mut new_phone,
        &job_b,
        PunchKind::In,
        now - Duration::hours(2),
        north,
    );
    let b_out = punch(
        &mut new_phone,
        &job_b,
        PunchKind::Out,
        now - Duration::hours(1),
        north,
    );
    // The new phone syncs first, then the old phone comes back online.
    for (ev, what) in [
        (&b_in, "B in"),
        (&b_out, "B out"),
        (&a_in, "A in"),
        (&a_out, "A out"),
    ] {
        let out = send(&app, &officer, ev).await;
        assert_punched(&out, "verified", None, what);
        assert!(reason_types(&out).is_empty(), "{what}: {out}");
    }
}

on_both_backends!(
    an_officer_who_changes_phones_is_judged_by_the_punches_nearest_in_time,
    tampered_events_fail_the_signature_check,
    raw_and_high_s_signatures_are_accepted,
    replayed_and_reordered_events_are_refused,
    gaps_are_flagged_and_forks_refused,
    foreign_and_revoked_devices_are_unknown,
    doubtful_fixes_are_never_verified,
    a_device_clock_moved_two_hours_is_caught,
    hostile_clock_values_never_cause_a_server_error,
    stored_events_re_verify_and_any_flipped_byte_is_detected,
);
