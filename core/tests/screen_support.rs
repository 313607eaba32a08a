//! What the officer screens ask of the core, against a real server: the action checks without
//! queueing (the same verdicts the actions give), the directory search (online only), the
//! server address switched before sign-in and never after, and the server's last refusal on a
//! job.
//!
//!     cargo build -p offduty-server && cargo nextest run -p offduty-core --test screen_support
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Duration;

use offduty_core::platform::{MemorySecretStore, SoftwareSigner};
use offduty_core::{Core, CoreConfig, CoreError, Services};
use offduty_domain::actions::{ActionKind, ClaimPath};
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::RejectCode;
use offduty_domain::validation::InvalidCode;

use offduty_testkit::api::hours_from_now;
use offduty_testkit::phone::{FakeClock, Link};
use offduty_testkit::{PASSWORD, TempDir, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_checks_give_the_verdicts_the_actions_would() {
    let server = TestServer::start(2).await;
    let job = server.create_job(hours_from_now(24 * 5), 1).await;
    let phone = server.phone(0).await;

    let c = phone.core.action_checks(job).unwrap();
    assert_eq!(c.claim, Ok(ClaimPath::Take));
    assert_eq!(c.withdraw.unwrap_err().code, RejectCode::NotAssigned);
    assert_eq!(c.cancel.unwrap_err().code, RejectCode::NotAssigned);
    assert_eq!(c.transfer.unwrap_err().code, RejectCode::NotAssigned);

    // A claim on its way: claiming again is refused as `claim` refuses it; leaving is open.
    phone.core.claim(job).unwrap();
    let c = phone.core.action_checks(job).unwrap();
    let refusal = c.claim.unwrap_err();
    let Err(CoreError::Rejected { code, reason, .. }) = phone.core.claim(job) else {
        panic!("a second claim must be refused")
    };
    assert_eq!((refusal.code, refusal.reason), (code, reason));
    assert!(c.withdraw.is_ok() && c.stake.in_line());

    // Holding the shift: cancel (free window, days ahead) and hand-on are open.
    phone.sync().await;
    let c = phone.core.action_checks(job).unwrap();
    assert!(c.stake.holds_slot());
    assert_eq!(c.cancel, Ok(CancelWindow::Free));
    assert_eq!(c.transfer, Ok(()));
    assert!(c.withdraw.is_err());

    let missing = uuid::Uuid::now_v7();
    assert!(matches!(
        phone.core.action_checks(missing),
        Err(CoreError::NotFound("job"))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_are_searched_on_the_server_and_only_online() {
    let server = TestServer::start(12).await;
    let phone = server.phone(0).await;

    // Officers are `Officer 0` … `Officer 11`, badges `B0000` …
    let found = phone.core.search_officers("officer 1", None).await.unwrap();
    let names: Vec<&str> = found.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["Officer 1", "Officer 10", "Officer 11"]);
    let by_badge = phone.core.search_officers("b0003", Some(5)).await.unwrap();
    assert_eq!(by_badge.len(), 1);
    assert_eq!(by_badge[0].id, server.officers[3].id);

    // The query is checked here as the server checks it: nothing is sent.
    let Err(CoreError::Invalid(e)) = phone.core.search_officers(" o ", None).await else {
        panic!("a one-letter search must be refused")
    };
    assert_eq!((e.field.as_str(), e.code), ("q", InvalidCode::OutOfRange));

    phone.go_offline();
    assert!(matches!(
        phone.core.search_officers("officer", None).await,
        Err(CoreError::Offline(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_is_chosen_before_sign_in_and_never_after() {
    let server = TestServer::start(1).await;
    let dir = TempDir::new("switch");
    let link = Link::new(server.addr);
    let services = Services {
        signer: Arc::new(SoftwareSigner::from_key(p256::ecdsa::SigningKey::random(
            &mut rand::rngs::OsRng,
        ))),
        secrets: Arc::new(MemorySecretStore::default()),
        clock: Arc::new(FakeClock::default()),
    };
    let (core, _) = Core::open(
        CoreConfig::new(dir.join("phone.db"), "https://detail.columbus.example"),
        services,
    )
    .unwrap();

    // What a form shows before switching: https added, plain http to another host refused.
    assert_eq!(
        core.check_server_url(" detail.dublin.example/ ").unwrap(),
        "https://detail.dublin.example"
    );
    let Err(CoreError::Invalid(e)) = core.check_server_url("http://detail.dublin.example") else {
        panic!("plain http to another machine must be refused")
    };
    assert_eq!(
        (e.field.as_str(), e.code),
        ("server_url", InvalidCode::BadFormat)
    );

    assert!(core.use_server(&link.url()).unwrap(), "switched");
    assert!(
        !core.use_server(&format!("{}/", link.url())).unwrap(),
        "the same server"
    );
    assert_eq!(core.server_url(), link.url());
    let session = core
        .login(&server.officers[0].email, PASSWORD, "switch test")
        .await
        .unwrap();
    assert_eq!(session.server_url, link.url());
    core.sync(None).await.unwrap();

    let Err(CoreError::Invalid(e)) = core.use_server("https://detail.dublin.example") else {
        panic!("no switching while signed in")
    };
    assert_eq!(
        (e.field.as_str(), e.code),
        ("server_url", InvalidCode::Inconsistent)
    );
    assert_eq!(core.server_url(), link.url());

    // Signed out with an action still queued: still refused (it belongs to this server).
    let job = server.create_job(hours_from_now(24 * 6), 2).await;
    core.sync(None).await.unwrap();
    link.set_online(false);
    core.claim(job).unwrap();
    core.logout(true).await.unwrap();
    assert!(core.session().unwrap().is_none());
    let Err(CoreError::Invalid(e)) = core.use_server("https://detail.dublin.example") else {
        panic!("no switching with unsent actions")
    };
    assert!(e.message.contains("unsent"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_cancel_stays_the_last_word_on_its_job_until_the_next_decision() {
    let server = TestServer::start(1).await;
    let job = server.create_job(hours_from_now(24 * 5), 2).await;
    let phone = server.phone(0).await;
    phone.core.claim(job).unwrap();
    phone.sync().await;
    assert!(phone.core.refusals().unwrap().is_empty());

    // Inside the replacement window with nobody waiting: the server refuses the cancel.
    let start = chrono::Utc::now() + Duration::hours(24);
    server.move_job(job, start, start + Duration::hours(4));
    phone.sync().await;
    phone.core.cancel(job, None).unwrap();
    phone.sync().await;
    let refused = phone
        .core
        .refusals()
        .unwrap()
        .remove(&job)
        .expect("refused");
    assert_eq!(refused.kind, ActionKind::Cancel);
    assert_eq!(refused.code, RejectCode::NeedsReplacement);
    assert!(
        refused.text.starts_with("Refused: Less than 48 hours"),
        "{}",
        refused.text
    );

    // The next decision on the job replaces it.
    phone.core.transfer(job, None).unwrap();
    phone.sync().await;
    assert!(!phone.core.refusals().unwrap().contains_key(&job));
}
