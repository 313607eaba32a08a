//! Notification delivery (decision 041), on SQLite and PostgreSQL: the worker's step function
//! with time passed in, against local servers that speak each provider's wire format
//! (`offduty_testkit::push`, `offduty_testkit::sms`, and aiosmtpd from PyPI for e-mail).
//! Quiet hours hold a notice until the window ends and urgent ones go through; failures back
//! off and give up with the reason; a token the provider says is gone is deleted; a channel
//! without a provider records so; two workers never send one notice twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use common::{Actor, Backend, TestApp, TestDevice};
use offduty_domain::notice::{AwardedHow, Notice};
use offduty_server::delivery::apns::{ApnsConfig, ApnsSender};
use offduty_server::delivery::email::{EmailConfig, EmailSender, SmtpSecurity};
use offduty_server::delivery::fcm::{FcmConfig, FcmSender};
use offduty_server::delivery::sms::{SmsConfig, SmsSender};
use offduty_server::delivery::{Adapters, RetryPolicy, StepReport, step};
use offduty_server::payments::SecretString;
use offduty_testkit::push::apns::FakeApns;
use offduty_testkit::push::fcm::FakeFcm;
use offduty_testkit::sms::{self, FakeSms};

/// Friday 2026-11-27, `h:m` in New York (the test department's zone).
fn friday(h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 27, h, m, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn fcm(fake: &FakeFcm) -> Adapters {
    let cfg =
        FcmConfig::from_service_account(&fake.service_account_json(), Some(fake.url())).unwrap();
    Adapters {
        fcm: Some(Arc::new(FcmSender::new(cfg).unwrap())),
        ..Adapters::default()
    }
}

fn apns(fake: &FakeApns) -> Arc<ApnsSender> {
    Arc::new(
        ApnsSender::new(ApnsConfig {
            api_base: fake.url(),
            key_id: offduty_testkit::push::apns::KEY_ID.into(),
            team_id: offduty_testkit::push::apns::TEAM_ID.into(),
            topic: offduty_testkit::push::apns::TOPIC.into(),
            private_key: SecretString::new(fake.key_pem().unwrap()),
        })
        .unwrap(),
    )
}

fn sms_sender(fake: &FakeSms) -> Arc<SmsSender> {
    Arc::new(
        SmsSender::new(SmsConfig {
            api_base: fake.url(),
            account_sid: sms::ACCOUNT_SID.into(),
            auth_token: SecretString::new(sms::AUTH_TOKEN),
            from: sms::FROM.into(),
        })
        .unwrap(),
    )
}

/// Sets the officer's channels and quiet hours (every night 22:00–06:00 when `nights`).
async fn prefs(app: &TestApp, who: &Actor, push: bool, email: bool, sms: bool, nights: bool) {
    let quiet: Vec<Value> = if nights {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| json!({"weekday": d, "start": "22:00", "end": "06:00"}))
            .collect()
    } else {
        vec![]
    };
    let p = json!({"channels": {"push": push, "email": email, "sms": sms},
                   "quiet_hours": quiet, "version": 1});
    sqlx::query("UPDATE users SET prefs_json = $1 WHERE id = $2")
        .bind(p.to_string())
        .bind(who.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn push_token(app: &TestApp, who: &Actor, platform: &str, token: &str) {
    let device = TestDevice::register(app, who).await;
    sqlx::query(
        "INSERT INTO device_push_tokens (device_id, platform, token, updated_us) \
         VALUES ($1, $2, $3, 0)",
    )
    .bind(device.id.to_string())
    .bind(platform)
    .bind(token)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn tokens(app: &TestApp) -> Vec<String> {
    let mut v: Vec<String> = sqlx::query("SELECT token FROM device_push_tokens")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    v.sort();
    v
}

/// Queues `notice` for `who` as the server does (in a write transaction), created at `at`.
async fn notify(app: &TestApp, who: &Actor, notice: &Notice, at: DateTime<Utc>) -> String {
    let mut tx = app.db.write().await.unwrap();
    offduty_server::services::notify::enqueue(tx.conn(), who.department_id, who.id, notice, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = sqlx::query(
        "SELECT id FROM notifications WHERE user_id = $1 ORDER BY created_us DESC, id DESC",
    )
    .bind(who.id.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    r[0].get(0)
}

/// (delivery_state, due_us, sent_us) of a notice.
async fn state(app: &TestApp, id: &str) -> (String, i64, Option<i64>) {
    let r = sqlx::query("SELECT delivery_state, due_us, sent_us FROM notifications WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2))
}

/// Every attempt of a notice: (channel, attempt, outcome, code, detail).
async fn attempts(app: &TestApp, id: &str) -> Vec<(String, i64, String, String, String)> {
    sqlx::query(
        "SELECT channel, attempt, outcome, code, detail FROM delivery_attempts \
         WHERE notification_id = $1 ORDER BY channel, destination, attempt",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect()
}

fn award(title: &str) -> Notice {
    Notice::Awarded {
        job_id: Uuid::new_v4(),
        title: title.into(),
        how: AwardedHow::Award,
    }
}

fn cancelled(title: &str) -> Notice {
    Notice::JobCancelled {
        job_id: Uuid::new_v4(),
        title: title.into(),
    }
}

async fn quiet_hours_hold_a_new_job_alert_until_the_window_ends_and_urgent_ones_go_through(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    prefs(&app, &officer, true, false, false, true).await;
    push_token(&app, &officer, "fcm", "fcm-token-1").await;
    let fake = FakeFcm::start().await.unwrap();
    let adapters = fcm(&fake);
    let policy = RetryPolicy::default();

    let night = friday(23, 10);
    let news = notify(&app, &officer, &award("Stadium gate 3"), night).await;
    let urgent = notify(&app, &officer, &cancelled("Parade detail"), night).await;

    let r = step(&app.db, &adapters, &policy, night).await.unwrap();
    assert_eq!(
        (r.claimed, r.held_quiet, r.delivered),
        (2, 1, 1),
        "{r:?} {:?} {:?}",
        fake.violations(),
        attempts(&app, &urgent).await
    );
    let sent = fake.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["token"], "fcm-token-1");
    assert_eq!(sent[0]["notification"]["title"], "Cancelled: Parade detail");
    assert_eq!(sent[0]["android"]["priority"], "HIGH");
    assert_eq!(sent[0]["data"]["notification_id"], urgent);
    assert_eq!(state(&app, &urgent).await.0, "delivered");

    let morning = chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 28, 6, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc);
    let (s, due, sent_us) = state(&app, &news).await;
    assert_eq!(
        (s.as_str(), due, sent_us),
        ("quiet", morning.timestamp_micros(), None)
    );
    assert!(
        attempts(&app, &news).await.is_empty(),
        "held, not attempted"
    );

    // Still night: nothing due. At the window's end: delivered, at normal priority.
    let r = step(&app.db, &adapters, &policy, friday(23, 59))
        .await
        .unwrap();
    assert_eq!(r, StepReport::default());
    let r = step(&app.db, &adapters, &policy, morning).await.unwrap();
    assert_eq!((r.claimed, r.delivered), (1, 1), "{r:?}");
    let sent = fake.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1]["notification"]["title"],
        "Shift awarded: Stadium gate 3"
    );
    assert_eq!(sent[1]["android"]["priority"], "NORMAL");
    assert_eq!(state(&app, &news).await.0, "delivered");
    let a = attempts(&app, &news).await;
    assert_eq!(a.len(), 1);
    assert_eq!(
        (a[0].0.as_str(), a[0].1, a[0].2.as_str()),
        ("fcm", 1, "delivered")
    );
    assert!(
        a[0].3.starts_with("projects/offduty-test/messages/"),
        "{a:?}"
    );
    assert_eq!(fake.token_grants(), 1, "the access token is cached");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

async fn a_waitlist_promotion_is_urgent_only_for_a_shift_starting_within_the_hour(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    // Quiet around the clock: only urgent notices get through.
    let always: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "00:00"}))
        .collect();
    let p = json!({"channels": {"push": true, "email": false, "sms": false},
                   "quiet_hours": always, "version": 1});
    sqlx::query("UPDATE users SET prefs_json = $1 WHERE id = $2")
        .bind(p.to_string())
        .bind(officer.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    push_token(&app, &officer, "fcm", "fcm-1").await;
    let job = app.job(&coord, |_| {}).await;
    let job_id: Uuid = job["id"].as_str().unwrap().parse().unwrap();
    let starts: DateTime<Utc> = job["starts_at"].as_str().unwrap().parse().unwrap();
    let promoted = Notice::Awarded {
        job_id,
        title: "Gate 3".into(),
        how: AwardedHow::Waitlist,
    };
    let fake = FakeFcm::start().await.unwrap();
    let adapters = fcm(&fake);
    let policy = RetryPolicy::default();

    let early = starts - chrono::Duration::hours(3);
    let held = notify(&app, &officer, &promoted, early).await;
    let r = step(&app.db, &adapters, &policy, early).await.unwrap();
    assert_eq!((r.held_quiet, r.delivered), (1, 0), "3 h ahead: it waits");
    assert_eq!(state(&app, &held).await.0, "quiet");

    let soon = starts - chrono::Duration::minutes(30);
    let urgent = notify(&app, &officer, &promoted, soon).await;
    let r = step(&app.db, &adapters, &policy, soon).await.unwrap();
    assert_eq!(r.delivered, 1, "30 min ahead: it goes through ({r:?})");
    assert_eq!(state(&app, &urgent).await.0, "delivered");
    assert_eq!(fake.sent()[0]["android"]["priority"], "HIGH");
}

async fn failures_back_off_then_give_up_with_the_reason(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    prefs(&app, &officer, false, false, true, false).await;
    sqlx::query("UPDATE users SET phone = '+16145550100' WHERE id = $1")
        .bind(officer.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let fake = FakeSms::start().await.unwrap();
    let adapters = Adapters {
        sms: Some(sms_sender(&fake)),
        ..Adapters::default()
    };
    let policy = RetryPolicy {
        max_attempts: 3,
        base: Duration::from_secs(30),
        cap: Duration::from_secs(45),
        ..RetryPolicy::default()
    };
    let t0 = friday(12, 0);
    let s = chrono::Duration::seconds;

    // Two failures, then success: attempts 1 and 2 retry, 3 delivers.
    fake.fail_next(503, 1);
    fake.fail_next(429, 1);
    let ok = notify(&app, &officer, &award("Bank detail"), t0).await;
    let r = step(&app.db, &adapters, &policy, t0).await.unwrap();
    assert_eq!((r.retrying, r.delivered), (1, 0));
    assert_eq!(state(&app, &ok).await.1, (t0 + s(30)).timestamp_micros());
    assert_eq!(
        step(&app.db, &adapters, &policy, t0 + s(29))
            .await
            .unwrap()
            .claimed,
        0
    );
    let r = step(&app.db, &adapters, &policy, t0 + s(30)).await.unwrap();
    assert_eq!(r.retrying, 1);
    assert_eq!(
        state(&app, &ok).await.1,
        (t0 + s(75)).timestamp_micros(),
        "60 s capped at 45"
    );
    let r = step(&app.db, &adapters, &policy, t0 + s(75)).await.unwrap();
    assert_eq!(r.delivered, 1);
    let a = attempts(&app, &ok).await;
    let outcomes: Vec<(i64, &str, &str)> = a
        .iter()
        .map(|x| (x.1, x.2.as_str(), x.3.as_str()))
        .collect();
    assert_eq!(
        outcomes[..2],
        [(1, "retry", "20500"), (2, "retry", "20429")]
    );
    assert_eq!((outcomes[2].0, outcomes[2].1), (3, "delivered"));
    assert!(outcomes[2].2.starts_with("SM"));
    let sent = fake.sent();
    assert_eq!(sent[0]["to"], "+16145550100");
    assert_eq!(sent[0]["from"], sms::FROM);
    assert!(
        sent[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Shift awarded: Bank detail")
    );

    // Always failing: gives up after the third attempt, the reason recorded, the notice ended
    // (retention may prune it later) and nothing more attempted.
    fake.fail_next(503, 3);
    let t1 = t0 + s(3600);
    let doomed = notify(&app, &officer, &award("Mall detail"), t1).await;
    for at in [t1, t1 + s(30), t1 + s(75)] {
        step(&app.db, &adapters, &policy, at).await.unwrap();
    }
    let a = attempts(&app, &doomed).await;
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(a[2].2, "failed");
    assert!(a[2].4.starts_with("gave up after 3 attempts"), "{a:?}");
    let (st, _, sent_us) = state(&app, &doomed).await;
    assert_eq!((st.as_str(), sent_us.is_some()), ("failed", true));
    assert_eq!(
        step(&app.db, &adapters, &policy, t1 + s(9999))
            .await
            .unwrap()
            .claimed,
        0
    );

    // A number that replied STOP fails at once (no retry), with Twilio's code.
    fake.stop("+16145550100");
    let stopped = notify(&app, &officer, &award("Dock detail"), t1).await;
    step(&app.db, &adapters, &policy, t1 + s(10000))
        .await
        .unwrap();
    let a = attempts(&app, &stopped).await;
    assert_eq!(
        (a.len(), a[0].2.as_str(), a[0].3.as_str()),
        (1, "failed", "21610")
    );
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

async fn tokens_the_providers_say_are_gone_are_deleted(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    prefs(&app, &officer, true, false, false, false).await;
    let (live_ios, gone_ios, bad_ios) = ("ab".repeat(32), "cd".repeat(32), "ef".repeat(32));
    push_token(&app, &officer, "fcm", "fcm-live").await;
    push_token(&app, &officer, "fcm", "fcm-uninstalled").await;
    push_token(&app, &officer, "apns", &live_ios).await;
    push_token(&app, &officer, "apns", &gone_ios).await;
    push_token(&app, &officer, "apns", &bad_ios).await;
    let (f, a) = (
        FakeFcm::start().await.unwrap(),
        FakeApns::start().await.unwrap(),
    );
    f.mark_gone("fcm-uninstalled");
    a.mark_gone(&gone_ios);
    a.mark_bad(&bad_ios);
    let mut adapters = fcm(&f);
    adapters.apns = Some(apns(&a));

    let id = notify(&app, &officer, &cancelled("Parade detail"), friday(9, 0)).await;
    let r = step(&app.db, &adapters, &RetryPolicy::default(), friday(9, 0))
        .await
        .unwrap();
    assert_eq!(
        (r.delivered, r.gone),
        (2, 3),
        "{r:?} {:?} {:?} {:?}",
        attempts(&app, &id).await,
        a.violations(),
        f.violations()
    );
    assert_eq!(
        tokens(&app).await,
        vec![live_ios.clone(), "fcm-live".to_string()]
    );
    let codes: Vec<(String, String, String)> = attempts(&app, &id)
        .await
        .into_iter()
        .map(|x| (x.0, x.2, x.3))
        .filter(|x| x.1 == "gone")
        .collect();
    assert!(
        codes.contains(&("fcm".into(), "gone".into(), "UNREGISTERED".into())),
        "{codes:?}"
    );
    assert!(codes.contains(&("apns".into(), "gone".into(), "Unregistered".into())));
    assert!(codes.contains(&("apns".into(), "gone".into(), "BadDeviceToken".into())));
    assert_eq!(state(&app, &id).await.0, "delivered");

    // APNs got HTTP/2 (the fake answers nothing else), a valid ES256 token and its headers.
    let sent = a.sent();
    assert_eq!(sent.len(), 1);
    let (token, headers, body) = &sent[0];
    assert_eq!(token, &live_ios);
    assert_eq!(headers["apns-topic"], offduty_testkit::push::apns::TOPIC);
    assert_eq!(headers["apns-push-type"], "alert");
    assert_eq!(headers["apns-priority"], "10", "a cancellation is urgent");
    assert_eq!(body["aps"]["alert"]["title"], "Cancelled: Parade detail");
    assert_eq!(body["notification_id"], id.as_str());
    assert!(a.violations().is_empty(), "{:?}", a.violations());
    assert!(f.violations().is_empty(), "{:?}", f.violations());
}

async fn a_channel_without_a_provider_records_so_instead_of_pretending(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    push_token(&app, &officer, "fcm", "fcm-1").await;
    let id = notify(&app, &officer, &award("Gate 3"), friday(9, 0)).await;
    let r = step(
        &app.db,
        &Adapters::default(),
        &RetryPolicy::default(),
        friday(9, 0),
    )
    .await
    .unwrap();
    assert_eq!(r.no_provider, 2, "push and e-mail (the default channels)");
    let a = attempts(&app, &id).await;
    assert!(
        a.iter()
            .all(|x| x.2 == "no_provider" && x.4 == "no provider configured"),
        "{a:?}"
    );
    assert_eq!(state(&app, &id).await.0, "failed");
}

async fn email_reaches_an_smtp_server(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    prefs(&app, &officer, false, true, false, false).await;
    let adapters = Adapters {
        email: Some(Arc::new(
            EmailSender::new(EmailConfig {
                host: "127.0.0.1".into(),
                port: sink.port,
                security: SmtpSecurity::Plain,
                username: None,
                password: None,
                from: "Offduty <no-reply@offduty.test>".into(),
            })
            .unwrap(),
        )),
        ..Adapters::default()
    };
    let id = notify(&app, &officer, &award("Stadium gate 3"), friday(9, 0)).await;
    let r = step(&app.db, &adapters, &RetryPolicy::default(), friday(9, 0))
        .await
        .unwrap();
    assert_eq!(r.delivered, 1, "{r:?}");
    let mail = sink.wait_for_one();
    assert!(mail.contains(&format!("To: {}", officer.email)), "{mail}");
    assert!(
        mail.contains("From: Offduty <no-reply@offduty.test>"),
        "{mail}"
    );
    assert!(
        mail.contains("Subject: Shift awarded: Stadium gate 3"),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("Message-ID: <{id}@offduty.test>")),
        "{mail}"
    );
    assert!(mail.contains("The award rule chose you."), "{mail}");
    let a = attempts(&app, &id).await;
    assert_eq!(
        (a[0].0.as_str(), a[0].2.as_str(), a[0].3.as_str()),
        ("email", "delivered", "250")
    );
}

async fn two_workers_never_send_one_notice_twice(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, _) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    prefs(&app, &officer, true, false, false, false).await;
    push_token(&app, &officer, "fcm", "fcm-1").await;
    let fake = FakeFcm::start().await.unwrap();
    let now = friday(9, 0);
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(notify(&app, &officer, &award(&format!("Job {i}")), now).await);
    }
    let policy = RetryPolicy {
        batch: 4,
        ..RetryPolicy::default()
    };
    // Two workers, each with its own pool (as two server processes), draining at once.
    let mut workers = Vec::new();
    for _ in 0..2 {
        let db = offduty_server::db::Db::connect(&app.database_url, 4)
            .await
            .unwrap();
        let adapters = fcm(&fake);
        workers.push(tokio::spawn(async move {
            let mut mine = 0;
            loop {
                let r = step(&db, &adapters, &policy, now).await.unwrap();
                if r.claimed == 0 {
                    break mine;
                }
                mine += r.delivered;
            }
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    assert_eq!(total, 30);
    let mut sent: Vec<String> = fake
        .sent()
        .iter()
        .map(|m| m["data"]["notification_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent.len(), 30);
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 30, "no notice sent twice");
    for id in &ids {
        assert_eq!(attempts(&app, id).await.len(), 1);
    }
}

async fn the_coordinator_sees_what_reached_whom(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app
        .officer_with(dept, |u| u.display_name = "Officer Ruiz".into())
        .await;
    prefs(&app, &officer, true, false, false, true).await;
    push_token(&app, &officer, "fcm", "fcm-token-ending-XYZ123").await;
    push_token(&app, &officer, "fcm", "fcm-token-ending-GONE99").await;
    let fake = FakeFcm::start().await.unwrap();
    fake.mark_gone("fcm-token-ending-GONE99");
    let night = friday(23, 10);
    notify(&app, &officer, &award("Stadium gate 3"), night).await;
    notify(&app, &officer, &cancelled("Parade detail"), night).await;
    step(&app.db, &fcm(&fake), &RetryPolicy::default(), night)
        .await
        .unwrap();

    let mut b = common::browser::Browser::new(&app);
    b.signed_in(&coord).await;
    let page = b.get("/console/deliveries").await;
    assert_eq!(page.status, reqwest::StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains("aria-current=\"page\">Deliveries</a>"),
        "{body}"
    );
    assert!(body.contains("<th scope=\"row\">Officer Ruiz"), "{body}");
    assert!(
        body.contains("Waiting for quiet hours to end (Sat Nov 28, 06:00)"),
        "{body}"
    );
    assert!(
        body.contains("Android push (device …XYZ123): Delivered"),
        "{body}"
    );
    assert!(
        body.contains(
            "Android push (device …GONE99): Not delivered: the device is gone (token removed)"
        ),
        "{body}"
    );
    assert!(body.contains("UNREGISTERED"), "{body}");
    assert!(!body.contains("<script"), "no script");
}

/// aiosmtpd (PyPI) writing what it receives into a maildir, started by the test.
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let out = std::process::Command::new(root.join("scripts/smtp-sink-venv.sh"))
            .output()
            .expect("run scripts/smtp-sink-venv.sh");
        assert!(
            out.status.success(),
            "the SMTP sink (aiosmtpd from PyPI) could not be installed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let python = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("offduty-mail-{}", Uuid::new_v4().simple()));
        let mut child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox", dir.to_str().unwrap()])
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink { child, port, dir };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not listen on {port}");
    }

    fn wait_for_one(&self) -> String {
        for _ in 0..50 {
            if let Ok(entries) = std::fs::read_dir(self.dir.join("new"))
                && let Some(e) = entries.flatten().next()
            {
                return std::fs::read_to_string(e.path()).unwrap();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no mail arrived in {}", self.dir.display());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_both_backends!(
    quiet_hours_hold_a_new_job_alert_until_the_window_ends_and_urgent_ones_go_through,
    failures_back_off_then_give_up_with_the_reason,
    tokens_the_providers_say_are_gone_are_deleted,
    a_channel_without_a_provider_records_so_instead_of_pretending,
    email_reaches_an_smtp_server,
    two_workers_never_send_one_notice_twice,
    a_waitlist_promotion_is_urgent_only_for_a_shift_starting_within_the_hour,
    the_coordinator_sees_what_reached_whom,
);
