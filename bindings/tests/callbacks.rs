//! The foreign-trait boundary, from Rust: `Signer`, `SecretStore` and `SyncObserver`
//! implemented here the way a shell implements them, driving the real `OfficerApp` against a
//! real `offduty-server` process (`offduty_testkit::TestServer`: a department with one
//! officer, on a fresh SQLite file). A platform service that fails is an error the UI can
//! show — never a panic, never a half-written queue or a broken chain — and async work runs on
//! the library's own threads, never on the caller's. The server being another process takes
//! nothing from that last proof: its threads could never have run the app's callbacks, and the
//! test's runtime flavour no longer decides whether the server keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use p256::ecdsa::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use offduty_ffi::{
    ApiError, LocationFix, OfficerApp, OutcomeKind, PlatformError, SecretStore, Session, Signer,
    SyncChange, SyncObserver, SyncProgress,
};
use offduty_testkit::api::SITE;
use offduty_testkit::{TempDir, TestServer};

// ---------------------------------------------------------------------------------------------
// Platform services, as a shell implements them.

/// A P-256 key that hands over what the iOS Secure Enclave signer does: the public key as a
/// base64 SEC1 point (`SecKeyCopyExternalRepresentation`), signatures as X9.62 DER. It can be
/// told to fail (a locked keystore) or to hand out garbage instead of its public key.
struct TestSigner {
    key: SigningKey,
    failing: AtomicBool,
    garbage_public_key: bool,
}

impl TestSigner {
    fn new() -> Arc<TestSigner> {
        Arc::new(TestSigner {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            failing: AtomicBool::new(false),
            garbage_public_key: false,
        })
    }

    fn with_garbage_public_key() -> Arc<TestSigner> {
        Arc::new(TestSigner {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            failing: AtomicBool::new(false),
            // Valid base64 ("garbage"), so the key parser — not the base64 decoder — refuses it.
            garbage_public_key: true,
        })
    }

    fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl Signer for TestSigner {
    fn public_key(&self) -> Result<String, PlatformError> {
        if self.garbage_public_key {
            return Ok(STANDARD.encode(b"garbage"));
        }
        let point = self.key.verifying_key().to_encoded_point(false);
        Ok(STANDARD.encode(point.as_bytes()))
    }

    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(PlatformError::Failed {
                detail: "keystore locked".into(),
            });
        }
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self.key.sign(&message);
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// Secrets in memory; optionally refuses every write (a keychain that is locked or full).
#[derive(Default)]
struct MemorySecrets {
    map: Mutex<HashMap<String, String>>,
    refuse_writes: bool,
}

impl MemorySecrets {
    fn refusing_writes() -> Arc<MemorySecrets> {
        Arc::new(MemorySecrets {
            map: Mutex::default(),
            refuse_writes: true,
        })
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, name: String) -> Result<Option<String>, PlatformError> {
        Ok(self.map.lock().unwrap().get(&name).cloned())
    }

    fn set(&self, name: String, value: String) -> Result<(), PlatformError> {
        if self.refuse_writes {
            return Err(PlatformError::Failed {
                detail: "errSecInteractionNotAllowed".into(),
            });
        }
        self.map.lock().unwrap().insert(name, value);
        Ok(())
    }

    fn delete(&self, name: String) -> Result<(), PlatformError> {
        self.map.lock().unwrap().remove(&name);
        Ok(())
    }
}

/// Counts its calls and records the threads they came on; optionally throws every time.
#[derive(Default)]
struct RecordingObserver {
    always_fail: bool,
    calls: AtomicUsize,
    threads: Mutex<Vec<(ThreadId, Option<String>)>>,
}

impl RecordingObserver {
    fn failing() -> Arc<RecordingObserver> {
        Arc::new(RecordingObserver {
            always_fail: true,
            ..RecordingObserver::default()
        })
    }

    fn record(&self) -> Result<(), PlatformError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let t = std::thread::current();
        self.threads
            .lock()
            .unwrap()
            .push((t.id(), t.name().map(str::to_string)));
        if self.always_fail {
            Err(PlatformError::Failed {
                detail: "the UI went away".into(),
            })
        } else {
            Ok(())
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn threads(&self) -> Vec<(ThreadId, Option<String>)> {
        self.threads.lock().unwrap().clone()
    }
}

impl SyncObserver for RecordingObserver {
    fn on_progress(&self, _progress: SyncProgress) -> Result<(), PlatformError> {
        self.record()
    }

    fn on_change(&self, _change: SyncChange) -> Result<(), PlatformError> {
        self.record()
    }
}

// ---------------------------------------------------------------------------------------------
// A phone.

/// A fresh app on its own database file (the directory is removed on drop).
struct Phone {
    app: Arc<OfficerApp>,
    _dir: TempDir,
}

fn phone(server: &TestServer, signer: Arc<dyn Signer>, secrets: Arc<dyn SecretStore>) -> Phone {
    let dir = TempDir::new("ffi-phone");
    let app = OfficerApp::new(
        dir.join("phone.db").display().to_string(),
        server.url.clone(),
        signer,
        secrets,
        None,
    )
    .expect("open the app");
    Phone { app, _dir: dir }
}

/// A good fix at the job site, now.
fn fix_on_site() -> LocationFix {
    LocationFix {
        lat: SITE.0,
        lon: SITE.1,
        accuracy_m: 8.0,
        fix_time: SystemTime::now(),
        provider: "gps".into(),
        is_mock: false,
    }
}

/// Signs the seeded officer in (which also registers the signer's key and syncs).
async fn sign_in(phone: &Phone, server: &TestServer) -> Result<Session, ApiError> {
    phone
        .app
        .login(
            server.officers[0].email.clone(),
            server.password.into(),
            "Rust test phone".into(),
        )
        .await
}

/// Posts a 4-hour first-come job at the site (3 slots) as the coordinator; its id.
async fn post_job_starting_in_minutes(server: &TestServer, minutes: i64) -> String {
    let starts_at = Utc::now() + chrono::Duration::minutes(minutes);
    server.create_job(starts_at, 3).await.to_string()
}

/// The officer's registered devices, as the server lists them.
async fn devices(server: &TestServer) -> Vec<Value> {
    let token = server.login_token(&server.officers[0].email).await;
    let (status, devices) = server
        .call(Method::GET, "/v1/devices", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "list devices: {devices}");
    devices.as_array().unwrap().clone()
}

/// The last accepted sequence number in `device`'s chain.
async fn device_last_seq(server: &TestServer, device: &str) -> u64 {
    let devices = devices(server).await;
    let d = devices
        .iter()
        .find(|d| d["id"] == device)
        .unwrap_or_else(|| panic!("no device {device} in {devices:?}"));
    d["last_seq"].as_u64().unwrap()
}

/// Signs in, claims `job` and syncs until the server awarded it.
async fn holding(phone: &Phone, server: &TestServer, job: &str) {
    sign_in(phone, server).await.expect("login");
    phone.app.claim(job.into()).expect("claim");
    let report = phone.app.sync_now().await.expect("sync");
    let outcomes: Vec<_> = report.decided.iter().map(|d| d.outcome).collect();
    assert_eq!(outcomes, [OutcomeKind::Awarded], "{report:?}");
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[tokio::test]
async fn a_failing_signer_is_an_internal_error_and_queues_nothing() {
    let server = TestServer::start(1).await;
    let job = post_job_starting_in_minutes(&server, 30).await;
    let signer = TestSigner::new();
    let phone = phone(&server, signer.clone(), Arc::new(MemorySecrets::default()));
    holding(&phone, &server, &job).await;

    signer.set_failing(true);
    let err = phone
        .app
        .clock_in(job.clone(), fix_on_site(), false)
        .await
        .expect_err("clock-in with a locked keystore succeeded");
    match &err {
        ApiError::Internal { detail } => {
            assert!(detail.contains("platform service"), "{detail}");
            assert!(detail.contains("keystore locked"), "{detail}");
        }
        other => panic!("expected ApiError::Internal, got {other:?}"),
    }
    assert!(
        phone.app.pending_actions().unwrap().is_empty(),
        "a punch that could not be signed was queued"
    );

    // The keystore unlocks: the next punch is signed, queued, sent and accepted, and the
    // failed attempt did not use up a sequence number (no gap, no broken chain).
    signer.set_failing(false);
    let punch = phone
        .app
        .clock_in(job.clone(), fix_on_site(), false)
        .await
        .expect("clock-in after the signer recovered");
    assert_eq!(phone.app.pending_actions().unwrap().len(), 1);
    let report = phone.app.sync_now().await.expect("sync");
    assert_eq!(report.decided.len(), 1, "{report:?}");
    let decided = &report.decided[0];
    assert_eq!(decided.idempotency_key, punch.idempotency_key);
    assert_eq!(decided.outcome, OutcomeKind::Punched, "{decided:?}");
    assert_eq!(decided.code, None, "{decided:?}");
    assert!(
        !decided.text.contains("missing") && !decided.text.contains("out of sequence"),
        "the server saw a gap in the chain: {}",
        decided.text
    );
    assert!(phone.app.pending_actions().unwrap().is_empty());
    let device = phone.app.session().unwrap().unwrap().device_id.unwrap();
    assert_eq!(device_last_seq(&server, &device).await, 1);
}

#[tokio::test]
async fn a_signer_with_a_garbage_public_key_fails_login_with_a_clear_error() {
    let server = TestServer::start(1).await;
    let phone = phone(
        &server,
        TestSigner::with_garbage_public_key(),
        Arc::new(MemorySecrets::default()),
    );
    let err = sign_in(&phone, &server)
        .await
        .expect_err("login with a garbage public key succeeded");
    match &err {
        ApiError::Internal { detail } => {
            assert!(detail.contains("platform service"), "{detail}");
            assert!(detail.contains("public key"), "{detail}");
        }
        other => panic!("expected ApiError::Internal, got {other:?}"),
    }
    // No device was registered with the garbage key.
    assert_eq!(devices(&server).await.len(), 0);
    // The app is still usable: plain reads answer.
    assert!(phone.app.pending_actions().unwrap().is_empty());
}

/// `login` threw, so the UI shows the sign-in screen with the error; the app must not say
/// "signed in" behind its back (at the next start it would open the board with no registered
/// device, and every clock-in would fail).
#[tokio::test]
async fn a_login_refused_for_the_signers_key_leaves_no_session() {
    let server = TestServer::start(1).await;
    let phone = phone(
        &server,
        TestSigner::with_garbage_public_key(),
        Arc::new(MemorySecrets::default()),
    );
    let result = sign_in(&phone, &server).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(
        phone.app.session().unwrap(),
        None,
        "login failed, yet the app reports a signed-in session"
    );
}

#[tokio::test]
async fn a_secret_store_that_refuses_writes_fails_login_and_leaves_no_session() {
    let server = TestServer::start(1).await;
    let phone = phone(&server, TestSigner::new(), MemorySecrets::refusing_writes());
    let err = sign_in(&phone, &server)
        .await
        .expect_err("login without a place for the tokens succeeded");
    match &err {
        ApiError::Internal { detail } => {
            assert!(detail.contains("errSecInteractionNotAllowed"), "{detail}");
        }
        other => panic!("expected ApiError::Internal, got {other:?}"),
    }
    assert_eq!(phone.app.session().unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observer_that_always_throws_does_not_stop_the_sync() {
    let server = TestServer::start(1).await;
    let job = post_job_starting_in_minutes(&server, 120).await;
    let phone = phone(
        &server,
        TestSigner::new(),
        Arc::new(MemorySecrets::default()),
    );
    sign_in(&phone, &server).await.expect("login");
    let observer = RecordingObserver::failing();
    phone.app.set_observer(Some(observer.clone()));

    phone.app.claim(job.clone()).expect("claim");
    let report = phone
        .app
        .sync_now()
        .await
        .expect("sync with a throwing observer");
    let outcomes: Vec<_> = report.decided.iter().map(|d| d.outcome).collect();
    assert_eq!(outcomes, [OutcomeKind::Awarded], "{report:?}");
    assert!(phone.app.pending_actions().unwrap().is_empty());
    assert!(phone.app.job(job, None).unwrap().standing.holds_slot);

    assert!(observer.calls() > 0, "the observer was never called");
    let test_thread = std::thread::current().id();
    let threads = observer.threads();
    assert!(
        threads.iter().all(|(id, _)| *id != test_thread),
        "the observer was called on the test's thread: {threads:?}"
    );
}

/// The shells call async methods from their UI thread (a Kotlin coroutine on Main, a Swift
/// `@MainActor` task); a current-thread runtime stands in for it. The work — and so the
/// observer's callbacks — must run on the library's runtime (`offduty-core` threads).
#[tokio::test(flavor = "current_thread")]
async fn async_methods_run_on_the_library_runtime_not_the_callers_thread() {
    let server = TestServer::start(1).await;
    let job = post_job_starting_in_minutes(&server, 120).await;
    let phone = phone(
        &server,
        TestSigner::new(),
        Arc::new(MemorySecrets::default()),
    );
    let observer = Arc::new(RecordingObserver::default());
    phone.app.set_observer(Some(observer.clone()));
    holding(&phone, &server, &job).await;

    let before = observer.calls();
    phone.app.sync_now().await.expect("sync");
    assert!(observer.calls() > before, "sync_now reported nothing");

    let test_thread = std::thread::current().id();
    let threads = observer.threads();
    assert!(!threads.is_empty());
    for (id, name) in &threads {
        assert_ne!(*id, test_thread, "a callback ran on the caller's thread");
        assert_eq!(
            name.as_deref(),
            Some("offduty-core"),
            "a callback ran off the library's runtime: {threads:?}"
        );
    }
}
