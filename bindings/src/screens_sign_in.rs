//! The sign-in screen for Kotlin and Swift: server address (or the department's link), e-mail,
//! password (never in the state), field and form errors, progress, and where secrets are kept.
//! The records are the screens crate's own types (`#[uniffi::remote]`).

use std::sync::Arc;

pub use offduty_screens::sign_in::{
    FieldError, KeyVault, SessionVault, SignInField, SignInPlatform, SignInState, SignedIn,
};

use offduty_domain::validation::InvalidCode;
use offduty_screens::{Notice, SyncStatus};

use crate::app::on_runtime;
use crate::screens::{OfficerScreens, ScreenListener, adapt};

/// A field of the sign-in form.
#[uniffi::remote(Enum)]
pub enum SignInField {
    Server,
    Email,
    Password,
}

/// What is wrong with one field.
#[uniffi::remote(Record)]
pub struct FieldError {
    pub field: SignInField,
    pub code: InvalidCode,
    pub text: String,
}

/// Where the platform keeps the officer's session.
#[uniffi::remote(Enum)]
pub enum SessionVault {
    /// iOS Keychain.
    Keychain,
    /// Android Keystore-wrapped storage.
    AndroidKeystore,
    /// A desktop's keyring.
    SystemKeyring,
    /// Memory only (previews and tests).
    Memory,
}

/// Where the platform keeps the officer's signing key.
#[uniffi::remote(Enum)]
pub enum KeyVault {
    /// iOS Secure Enclave.
    SecureEnclave,
    /// Android StrongBox.
    StrongBox,
    /// Android Keystore (TEE).
    AndroidKeystore,
    /// A software key (desktop, tests).
    Software,
    /// A software key in the iOS Keychain (no Secure Enclave: the Simulator).
    KeychainSoftware,
}

/// What the shell tells the sign-in screen about the device.
#[uniffi::remote(Record)]
pub struct SignInPlatform {
    pub session_vault: SessionVault,
    pub key_vault: KeyVault,
    /// How the device is named in the officer's device list.
    pub device_label: String,
}

/// Who is signed in.
#[uniffi::remote(Record)]
pub struct SignedIn {
    pub display_name: String,
    pub email: String,
    pub server: String,
}

/// What the sign-in screen shows.
#[uniffi::remote(Record)]
pub struct SignInState {
    pub server: String,
    pub email: String,
    /// Whether a password was typed (the password itself is never in the state).
    pub password_entered: bool,
    /// What is wrong with each field (at most one per field).
    pub errors: Vec<FieldError>,
    /// What is wrong with the whole form (a wrong password, the server out of reach).
    pub form_error: Option<String>,
    pub busy: bool,
    pub busy_text: Option<String>,
    pub can_submit: bool,
    /// Where the session and the signing key are kept, once the shell said.
    pub secrets: Option<String>,
    pub signed_in: Option<SignedIn>,
    pub sync: SyncStatus,
    pub notice: Option<Notice>,
}

#[uniffi::export]
impl OfficerScreens {
    /// The sign-in screen (the server address pre-filled with the app's).
    pub fn sign_in(&self) -> Arc<SignInScreen> {
        Arc::new(SignInScreen {
            inner: self.inner.sign_in(),
        })
    }
}

/// The sign-in screen.
#[derive(uniffi::Object)]
pub struct SignInScreen {
    inner: Arc<offduty_screens::SignInScreen>,
}

#[uniffi::export]
impl SignInScreen {
    /// What to draw now.
    pub fn state(&self) -> SignInState {
        self.inner.state()
    }

    /// Sets (or clears) the listener.
    pub fn set_listener(&self, listener: Option<Arc<dyn ScreenListener>>) {
        self.inner.set_listener(adapt(listener));
    }

    /// What the device keeps secrets in, and its name (call once).
    pub fn set_platform(&self, platform: SignInPlatform) {
        self.inner.set_platform(platform);
    }

    /// Fills the form from the department's sign-in link (`offduty://sign-in?server=…&email=…`
    /// or an https link on the department's server).
    pub fn open_link(&self, link: String) {
        self.inner.open_link(link);
    }

    /// The server address as typed.
    pub fn set_server(&self, server: String) {
        self.inner.set_server(server);
    }

    /// The e-mail address as typed.
    pub fn set_email(&self, email: String) {
        self.inner.set_email(email);
    }

    /// The password as typed (kept inside the library, never in the state).
    pub fn set_password(&self, password: String) {
        self.inner.set_password(password);
    }

    /// Signs in (errors become field and form errors; success syncs and every screen redraws).
    pub async fn submit(&self) {
        let inner = self.inner.clone();
        let _ = on_runtime(async move {
            inner.submit().await;
            Ok(())
        })
        .await;
    }
}
