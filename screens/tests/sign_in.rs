//! The sign-in screen against the real demo department: the form filled from the department's
//! link (the core switched to that server before signing in), where secrets are kept, a wrong
//! password, field errors from the core's typed errors, the server out of reach, and a
//! successful sign-in that syncs and redraws every screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use offduty_core::platform::{MemorySecretStore, SoftwareSigner};
use offduty_core::{Core, CoreConfig, Services};
use offduty_domain::validation::InvalidCode;
use offduty_screens::sign_in::{
    FieldError, KeyVault, SessionVault, SignInField, SignInPlatform, SignInState,
};
use offduty_screens::text::Msg;
use offduty_screens::{NoticeKind, Screens, SyncKind};
use offduty_testkit::TempDir;
use offduty_testkit::phone::{DEMO_PASSWORD, DemoServer, FakeClock, Link, Phone};

use common::counter;

fn error(s: &SignInState, field: SignInField) -> Option<FieldError> {
    s.errors.iter().find(|e| e.field == field).cloned()
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_from_the_department_link() {
    let server = DemoServer::start();
    let link = Link::new(server.addr);
    // The app was built for another department's server; the officer's link names theirs.
    let dir = TempDir::new("sign-in");
    let services = Services {
        signer: Arc::new(SoftwareSigner::from_key(p256::ecdsa::SigningKey::random(
            &mut rand::rngs::OsRng,
        ))),
        secrets: Arc::new(MemorySecretStore::default()),
        clock: Arc::new(FakeClock::default()),
    };
    let (core, _) = Core::open(
        CoreConfig::new(dir.join("phone.db"), "https://detail.dublin.example"),
        services,
    )
    .unwrap();
    let screens = Screens::new(Arc::new(core));
    let board = screens.board();
    let board_heard = counter();
    board.set_listener(Some(board_heard.clone()));
    let form = screens.sign_in();
    let heard = counter();
    form.set_listener(Some(heard.clone()));

    let s = form.state();
    assert_eq!(s.server, "https://detail.dublin.example");
    assert!(!s.can_submit && !s.password_entered && !s.busy);
    assert!(s.secrets.is_none() && s.signed_in.is_none());
    assert_eq!(s.sync.kind, SyncKind::Never);

    form.set_platform(SignInPlatform {
        session_vault: SessionVault::Keychain,
        key_vault: KeyVault::SecureEnclave,
        device_label: "iPhone 16".into(),
    });
    assert_eq!(
        form.state().secrets.as_deref(),
        Some(
            "Your session is kept in this phone's Keychain; your signing key never leaves its \
             Secure Enclave."
        )
    );

    // Not a sign-in link: said on the server field, nothing else changes.
    form.open_link("offduty://job/123".into());
    let s = form.state();
    let e = error(&s, SignInField::Server).unwrap();
    assert_eq!(
        (e.code, e.text),
        (InvalidCode::BadFormat, Msg::SignInLinkNotOurs.text())
    );
    assert_eq!(s.server, "https://detail.dublin.example");

    // The department's link fills the server and the e-mail.
    let email = "officer018@columbus.demo";
    form.open_link(format!(
        "offduty://sign-in?server={}&email={}",
        encode(&link.url()),
        encode(email)
    ));
    let s = form.state();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        (s.server.as_str(), s.email.as_str()),
        (link.url().as_str(), email)
    );
    assert!(!s.can_submit, "no password yet");

    // A wrong password: the server's sentence for the form, the password to type again.
    form.set_password("not the password".into());
    assert!(form.state().can_submit && form.state().password_entered);
    form.submit().await;
    let s = form.state();
    assert_eq!(s.form_error.as_deref(), Some("wrong e-mail or password"));
    assert!(!s.password_entered && !s.busy && s.signed_in.is_none());
    assert_eq!(
        screens.core().server_url(),
        link.url(),
        "the core took the link's server"
    );

    // A blank e-mail: the core's typed error on the e-mail field.
    form.set_email("  ".into());
    form.set_password(DEMO_PASSWORD.into());
    form.submit().await;
    let s = form.state();
    let e = error(&s, SignInField::Email).unwrap();
    assert_eq!(e.code, InvalidCode::Required);
    assert!(s.form_error.is_none());

    // Signed in: the first sync, every screen redrawn.
    form.set_email(email.into());
    form.set_password(DEMO_PASSWORD.into());
    let before = (heard.get(), board_heard.get());
    form.submit().await;
    let s = form.state();
    assert!(s.errors.is_empty() && s.form_error.is_none(), "{s:?}");
    let who = s.signed_in.clone().unwrap();
    assert_eq!(
        (who.email.as_str(), who.server.as_str()),
        (email, link.url().as_str())
    );
    assert_eq!(s.sync.kind, SyncKind::Synced);
    assert!(!s.password_entered, "the password is gone once used");
    let notice = s.notice.clone().unwrap();
    assert_eq!(
        (notice.kind, notice.text),
        (
            NoticeKind::Success,
            Msg::SignInDone.with(&[("name", &who.display_name)])
        )
    );
    assert!(heard.get() >= before.0 + 3, "busy, syncing, done");
    assert!(
        board_heard.get() >= before.1 + 2,
        "the board heard of the sync"
    );
    assert!(!board.state().rows.is_empty());

    // Signed in, the server cannot change under the officer.
    form.set_server("https://detail.dublin.example".into());
    form.set_password(DEMO_PASSWORD.into());
    form.submit().await;
    let e = error(&form.state(), SignInField::Server).unwrap();
    assert_eq!(e.code, InvalidCode::Inconsistent);
    assert_eq!(screens.core().server_url(), link.url());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_web_links_and_no_connection() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());
    let form = screens.sign_in();
    form.set_platform(SignInPlatform {
        session_vault: SessionVault::AndroidKeystore,
        key_vault: KeyVault::StrongBox,
        device_label: "Pixel 9".into(),
    });
    assert_eq!(
        form.state().secrets.as_deref(),
        Some(
            "Your session is kept in this phone's Android Keystore; your signing key never \
             leaves its StrongBox."
        )
    );
    form.set_email("officer019@columbus.demo".into());
    form.set_password(DEMO_PASSWORD.into());

    // Plain http to another machine: refused on the server field, before any request.
    form.set_server("http://detail.columbus.example".into());
    form.submit().await;
    let e = error(&form.state(), SignInField::Server).unwrap();
    assert_eq!(e.code, InvalidCode::BadFormat);
    assert!(e.text.contains("https://"), "{}", e.text);

    // No address at all.
    form.set_server("   ".into());
    form.submit().await;
    let e = error(&form.state(), SignInField::Server).unwrap();
    assert_eq!(
        (e.code, e.text),
        (InvalidCode::Required, Msg::SignInServerRequired.text())
    );

    // A web link on the department's server: its origin is the server.
    form.open_link(
        "https://detail.columbus.example:8443/app/sign-in?email=dana%40columbus.example".into(),
    );
    let s = form.state();
    assert_eq!(s.server, "https://detail.columbus.example:8443");
    assert_eq!(s.email, "dana@columbus.example");
    // An app link naming a plain-http server elsewhere: refused on the server field.
    form.open_link("offduty://sign-in?server=http%3A%2F%2Fdetail.columbus.example".into());
    let e = error(&form.state(), SignInField::Server).unwrap();
    assert_eq!(e.code, InvalidCode::BadFormat);
    form.open_link("offduty://sign-in?email=dana%40columbus.example".into());
    let e = error(&form.state(), SignInField::Server).unwrap();
    assert_eq!(e.text, Msg::SignInLinkNoServer.text());

    // The server out of reach: said for the form, with the address.
    form.set_server(phone.link.url());
    form.set_email("officer019@columbus.demo".into());
    form.set_password(DEMO_PASSWORD.into());
    phone.link.set_online(false);
    form.submit().await;
    let s = form.state();
    assert_eq!(
        s.form_error,
        Some(Msg::SignInOffline.with(&[("server", &phone.link.url())]))
    );
    assert!(s.password_entered, "kept: nothing was wrong with it");
    assert!(s.signed_in.is_none());

    phone.link.set_online(true);
    form.submit().await;
    assert!(form.state().signed_in.is_some());
}
