//! The desktop platform services: secrets in a file only the user can read (replaced whole on
//! every write) or in the credential store `keyring-core` is configured with, and a software
//! signing key that is created once, kept in a secret store, and signs clock events the domain
//! verifies.
//!
//!     cargo nextest run -p offduty-core --test platform
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use uuid::Uuid;

use offduty_core::platform::{
    FileSecretStore, KeyringSecretStore, MemorySecretStore, PlatformError, SecretStore, Signer,
    SoftwareSigner,
};
use offduty_domain::timecard::{
    ClockEvent, EventFix, GENESIS_HASH, PunchKind, SignatureError, SignedClockEvent,
    decode_signature, parse_public_key,
};
use offduty_testkit::TempDir;

/// The file's permission bits in octal, as `ls -l` users read them: "600".
fn mode(p: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    )
}

// --- secrets in a file -----------------------------------------------------------------------------

#[test]
fn file_secrets_round_trip_and_outlive_the_store_that_wrote_them() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    let store = FileSecretStore::new(&path);
    assert_eq!(store.get("tokens").unwrap(), None, "no file yet");
    store.delete("tokens").unwrap();
    assert!(!path.exists(), "deleting nothing writes nothing");

    store.set("tokens", "abc").unwrap();
    store.set("signing-key", "k1").unwrap();
    store.set("tokens", "def").unwrap();
    let reopened = FileSecretStore::new(&path);
    assert_eq!(reopened.get("tokens").unwrap().as_deref(), Some("def"));
    assert_eq!(reopened.get("signing-key").unwrap().as_deref(), Some("k1"));

    reopened.delete("tokens").unwrap();
    assert_eq!(store.get("tokens").unwrap(), None);
    assert_eq!(store.get("signing-key").unwrap().as_deref(), Some("k1"));
    assert!(
        store.describe().contains("secrets.json"),
        "{}",
        store.describe()
    );
    assert!(store.describe().contains("0600"));
}

#[test]
fn the_secrets_file_and_the_folders_it_creates_are_the_users_alone() {
    let dir = TempDir::new("platform");
    let path = dir.join("config/offduty/secrets.json");
    FileSecretStore::new(&path).set("tokens", "abc").unwrap();
    assert_eq!(mode(&path), "600");
    assert_eq!(mode(&dir.join("config/offduty")), "700");
    assert_eq!(mode(&dir.join("config")), "700");
}

#[test]
fn every_write_replaces_the_file_whole_and_leaves_no_temporary_file() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    let store = FileSecretStore::new(&path);
    store.set("a", "1").unwrap();
    let before = std::fs::metadata(&path).unwrap().ino();
    store.set("b", "2").unwrap();
    let after = std::fs::metadata(&path).unwrap().ino();
    assert_ne!(before, after, "a new file is renamed over the old one");
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["secrets.json".to_string()]);
    let json: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json.len(), 2);
}

#[test]
fn a_secrets_file_left_readable_by_others_is_tightened_on_the_next_write() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    std::fs::write(&path, "{}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    FileSecretStore::new(&path).set("tokens", "abc").unwrap();
    assert_eq!(mode(&path), "600");
}

/// A temporary file left by an interrupted write (or anything else) must not hand its
/// permissions to the secrets: the file that ends up holding the tokens is 0600 whatever was
/// there before.
#[test]
fn a_leftover_temporary_file_does_not_make_the_secrets_readable_by_others() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    let leftover = dir.join("secrets.tmp");
    std::fs::write(&leftover, "partial").unwrap();
    std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o644)).unwrap();

    FileSecretStore::new(&path).set("tokens", "abc").unwrap();
    assert_eq!(
        mode(&path),
        "600",
        "the tokens were written through the leftover file and kept its mode 0644"
    );
}

#[test]
fn an_unreadable_secrets_file_is_an_error_and_is_left_as_it_was() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    std::fs::write(&path, "not json").unwrap();
    let store = FileSecretStore::new(&path);
    let e = store.get("tokens").unwrap_err();
    assert!(e.0.contains("unreadable"), "{e}");
    assert!(store.set("tokens", "abc").is_err());
    assert!(store.delete("tokens").is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
}

// --- secrets in the keyring ------------------------------------------------------------------------

/// One test for the keyring: the default credential store is process-wide, so every step that
/// depends on it runs here, in order.
#[test]
fn keyring_secrets_live_in_the_configured_credential_store() {
    let none = KeyringSecretStore::new("offduty");
    assert!(
        none.is_err(),
        "without a credential store the keyring is not offered"
    );

    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    let store = KeyringSecretStore::new("offduty").unwrap();
    assert_eq!(store.get("tokens").unwrap(), None);
    store.delete("tokens").unwrap();
    store.set("tokens", "abc").unwrap();
    store.set("tokens", "def").unwrap();
    assert_eq!(store.get("tokens").unwrap().as_deref(), Some("def"));

    let same_service = KeyringSecretStore::new("offduty").unwrap();
    assert_eq!(same_service.get("tokens").unwrap().as_deref(), Some("def"));
    let other_service = KeyringSecretStore::new("offduty-staging").unwrap();
    assert_eq!(other_service.get("tokens").unwrap(), None);

    store.delete("tokens").unwrap();
    assert_eq!(same_service.get("tokens").unwrap(), None);
    assert_eq!(store.describe(), "OS keyring (service \"offduty\")");

    // A failing credential store is an error the core can report, not a crash.
    store.set("tokens", "abc").unwrap();
    let entry = keyring_core::Entry::new("offduty", "tokens").unwrap();
    let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
    mock.set_error(keyring_core::Error::Invalid(
        "keychain".into(),
        "locked".into(),
    ));
    let e = store.get("tokens").unwrap_err();
    assert!(e.0.starts_with("keyring: "), "{e}");
    assert_eq!(
        store.get("tokens").unwrap().as_deref(),
        Some("abc"),
        "the secret survives the failure"
    );

    // The signing key can live there too.
    let secrets: Arc<dyn SecretStore> = Arc::new(store);
    let a = SoftwareSigner::load_or_create(&secrets, "signing-key").unwrap();
    let b = SoftwareSigner::load_or_create(&secrets, "signing-key").unwrap();
    assert_eq!(a.public_key().unwrap(), b.public_key().unwrap());
}

// --- the software signing key ----------------------------------------------------------------------

fn event(seq: u64) -> ClockEvent {
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-02T14:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    ClockEvent {
        event_id: Uuid::now_v7(),
        device_id: Uuid::now_v7(),
        officer_id: Uuid::now_v7(),
        job_id: Uuid::now_v7(),
        kind: PunchKind::In,
        seq,
        prev_hash: GENESIS_HASH.into(),
        fix: EventFix {
            lat_e7: 400_016_000,
            lon_e7: -830_197_000,
            accuracy_cm: 800,
            fix_time: at,
            provider: "gps".into(),
            is_mock: false,
        },
        device_time: at,
        monotonic_ms: 3_600_000,
        boot_id: "boot".into(),
    }
}

/// `event` signed by `signer`, as the core sends it.
fn signed(signer: &dyn Signer, event: ClockEvent) -> SignedClockEvent {
    let signature = signer.sign(&event.canonical_bytes()).unwrap();
    SignedClockEvent {
        event,
        signature: STANDARD.encode(signature),
    }
}

#[test]
fn a_software_key_is_created_once_and_the_same_key_is_loaded_afterwards() {
    let dir = TempDir::new("platform");
    let path = dir.join("secrets.json");
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecretStore::new(&path));
    let created = SoftwareSigner::load_or_create(&secrets, "signing-key").unwrap();
    let stored = secrets.get("signing-key").unwrap().unwrap();

    // The app restarts: a new store on the same file.
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecretStore::new(&path));
    let loaded = SoftwareSigner::load_or_create(&secrets, "signing-key").unwrap();
    assert_eq!(created.public_key().unwrap(), loaded.public_key().unwrap());
    assert_eq!(
        secrets.get("signing-key").unwrap().unwrap(),
        stored,
        "loading does not replace the key"
    );

    let key = parse_public_key(&created.public_key().unwrap()).unwrap();
    signed(&loaded, event(1)).verify(&key).unwrap();

    let other: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::default());
    let stranger = SoftwareSigner::load_or_create(&other, "signing-key").unwrap();
    assert_ne!(
        stranger.public_key().unwrap(),
        created.public_key().unwrap()
    );
}

#[test]
fn a_damaged_stored_key_is_an_error_and_is_not_replaced() {
    for (damaged, why) in [
        ("%%% not base64 %%%", "not base64"),
        (&*STANDARD.encode(b"not a pkcs8 key"), "unreadable"),
    ] {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::default());
        secrets.set("signing-key", damaged).unwrap();
        match SoftwareSigner::load_or_create(&secrets, "signing-key") {
            Err(PlatformError(msg)) => assert!(msg.contains(why), "{msg}"),
            Ok(_) => panic!("a damaged key was accepted"),
        }
        assert_eq!(
            secrets.get("signing-key").unwrap().as_deref(),
            Some(damaged)
        );
    }
}

#[test]
fn a_secret_store_that_fails_is_reported_not_papered_over() {
    struct Broken;
    impl SecretStore for Broken {
        fn get(&self, _: &str) -> Result<Option<String>, PlatformError> {
            Err(PlatformError("keystore locked".into()))
        }
        fn set(&self, _: &str, _: &str) -> Result<(), PlatformError> {
            Err(PlatformError("keystore locked".into()))
        }
        fn delete(&self, _: &str) -> Result<(), PlatformError> {
            Ok(())
        }
        fn describe(&self) -> String {
            "broken".into()
        }
    }
    let secrets: Arc<dyn SecretStore> = Arc::new(Broken);
    match SoftwareSigner::load_or_create(&secrets, "signing-key") {
        Err(e) => assert_eq!(e.0, "keystore locked"),
        Ok(_) => panic!("a key was made up without a place to keep it"),
    }
}

#[test]
fn signatures_verify_with_the_signers_key_and_with_no_other() {
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let signer = SoftwareSigner::from_key(key.clone());
    let public = parse_public_key(&signer.public_key().unwrap()).unwrap();
    assert_eq!(&public, key.verifying_key());

    let good = signed(&signer, event(1));
    good.verify(&public).unwrap();
    decode_signature(&good.signature).unwrap();

    let mut tampered = good.clone();
    tampered.event.seq = 2;
    assert_eq!(tampered.verify(&public), Err(SignatureError::Invalid));

    let stranger = SoftwareSigner::from_key(SigningKey::random(&mut rand::rngs::OsRng));
    let theirs = parse_public_key(&stranger.public_key().unwrap()).unwrap();
    assert_eq!(good.verify(&theirs), Err(SignatureError::Invalid));
}
