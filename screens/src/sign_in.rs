//! Sign in: the department's server address (typed, or from the department's sign-in link),
//! e-mail and password, errors per field and for the form, progress, and where the phone
//! keeps the officer's secrets. The password stays inside this object until it is used and is
//! never part of the state (only whether one was entered). The address is the core's: a new
//! one is taken with `Core::use_server` before signing in (decision 028).

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use offduty_core::CoreError;
use offduty_domain::validation::InvalidCode;

use crate::sign_in_link::{self, LinkError, SignInLink};
use crate::text::Msg;
use crate::{Live, Notice, Notifier, Screens, SyncStatus, lock};

/// A field of the sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignInField {
    Server,
    Email,
    Password,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: SignInField,
    pub code: InvalidCode,
    pub text: String,
}

/// Where the platform keeps the officer's session (the shell says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SessionVault {
    /// iOS Keychain.
    Keychain,
    /// Android Keystore-wrapped storage.
    AndroidKeystore,
    /// A desktop's keyring (the terminal client).
    SystemKeyring,
    /// Memory only (previews and tests).
    Memory,
}

/// Where the platform keeps the officer's signing key (the shell says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyVault {
    /// iOS Secure Enclave.
    SecureEnclave,
    /// Android StrongBox (a secure element).
    StrongBox,
    /// Android Keystore (the trusted execution environment).
    AndroidKeystore,
    /// A software key (desktop, tests).
    Software,
    /// A software key in the iOS Keychain (a device without a Secure Enclave: the Simulator).
    KeychainSoftware,
}

/// What the shell tells the sign-in screen about the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPlatform {
    pub session_vault: SessionVault,
    pub key_vault: KeyVault,
    /// How the device is named in the officer's device list (`Pixel 8`).
    pub device_label: String,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub display_name: String,
    pub email: String,
    pub server: String,
}

/// What the sign-in screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInState {
    /// The server address as it stands in the field.
    pub server: String,
    pub email: String,
    /// Whether a password was typed (the password itself is never in the state).
    pub password_entered: bool,
    /// What is wrong with each field (at most one per field).
    pub errors: Vec<FieldError>,
    /// What is wrong with the whole form (a wrong password, the server out of reach).
    pub form_error: Option<String>,
    /// Signing in is under way.
    pub busy: bool,
    /// `Signing in…`, while busy.
    pub busy_text: Option<String>,
    /// Every field is filled and nothing is under way.
    pub can_submit: bool,
    /// Where the session and the signing key are kept, once the shell said.
    pub secrets: Option<String>,
    /// Set once an officer is signed in.
    pub signed_in: Option<SignedIn>,
    pub sync: SyncStatus,
    pub notice: Option<Notice>,
}

#[derive(Default)]
struct Ui {
    server: String,
    email: String,
    /// Kept only until it is used (or the officer types another).
    password: String,
    errors: Vec<FieldError>,
    form_error: Option<String>,
    busy: bool,
    platform: Option<SignInPlatform>,
    notice: Option<Notice>,
}

/// The sign-in screen.
pub struct SignInScreen {
    root: Arc<Screens>,
    ui: Mutex<Ui>,
    notifier: Notifier,
}

impl Live for SignInScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

/// Where the session and the signing key are kept, in words (the sign-in and settings
/// screens say the same).
pub(crate) fn secrets_text(p: &SignInPlatform) -> String {
    let store = match p.session_vault {
        SessionVault::Keychain => Msg::VaultKeychain,
        SessionVault::AndroidKeystore => Msg::VaultAndroidKeystore,
        SessionVault::SystemKeyring => Msg::VaultSystemKeyring,
        SessionVault::Memory => Msg::VaultMemory,
    }
    .text();
    let (template, keystore) = match p.key_vault {
        KeyVault::SecureEnclave => (Msg::SignInSecretsPlatform, Msg::KeySecureEnclave),
        KeyVault::StrongBox => (Msg::SignInSecretsPlatform, Msg::KeyStrongBox),
        KeyVault::AndroidKeystore => (Msg::SignInSecretsPlatform, Msg::KeyAndroidKeystore),
        KeyVault::Software => (Msg::SignInSecretsSoftware, Msg::KeySoftware),
        KeyVault::KeychainSoftware => (Msg::SignInSecretsSoftware, Msg::KeyKeychainSoftware),
    };
    template.with(&[("store", &store), ("keystore", &keystore.text())])
}

/// The form field a core or server field name is about.
fn field_of(name: &str) -> Option<SignInField> {
    match name {
        "server_url" => Some(SignInField::Server),
        "email" => Some(SignInField::Email),
        "password" => Some(SignInField::Password),
        _ => None,
    }
}

impl SignInScreen {
    pub(crate) fn new(root: Arc<Screens>) -> SignInScreen {
        let server = root.core().server_url();
        SignInScreen {
            root,
            ui: Mutex::new(Ui {
                server,
                ..Ui::default()
            }),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    /// What to draw now.
    pub fn state(&self) -> SignInState {
        let ui = lock(&self.ui);
        let session = self.root.core().session().ok().flatten();
        let filled =
            !ui.server.trim().is_empty() && !ui.email.trim().is_empty() && !ui.password.is_empty();
        SignInState {
            server: ui.server.clone(),
            email: ui.email.clone(),
            password_entered: !ui.password.is_empty(),
            errors: ui.errors.clone(),
            form_error: ui.form_error.clone(),
            busy: ui.busy,
            busy_text: ui.busy.then(|| Msg::SignInBusy.text()),
            can_submit: filled && !ui.busy,
            secrets: ui.platform.as_ref().map(secrets_text),
            signed_in: session.map(|s| SignedIn {
                display_name: s.display_name,
                email: s.email,
                server: s.server_url,
            }),
            sync: self.root.sync_status(),
            notice: ui.notice.clone(),
        }
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        f(&mut lock(&self.ui));
        self.notifier.notify();
    }

    /// What the device keeps secrets in, and its name (the shell calls this once).
    pub fn set_platform(&self, platform: SignInPlatform) {
        self.update(|ui| ui.platform = Some(platform));
    }

    /// Fills the form from the department's sign-in link: `offduty://sign-in?server=…&email=…`,
    /// or an `https://` link on the department's server (its origin is the server; `email=` is
    /// optional). A link that is not one of these is an error on the server field.
    pub fn open_link(&self, link: String) {
        let core = self.root.core();
        let parsed =
            sign_in_link::parse(&link).and_then(|l| match core.check_server_url(&l.server) {
                Ok(server) => Ok(SignInLink { server, ..l }),
                Err(CoreError::Invalid(i)) => Err(LinkError::Server(i)),
                Err(e) => Err(LinkError::Server(offduty_domain::validation::Invalid::new(
                    "server_url",
                    InvalidCode::BadFormat,
                    e.to_string(),
                ))),
            });
        self.update(|ui| {
            ui.errors.clear();
            ui.form_error = None;
            match parsed {
                Ok(l) => {
                    ui.server = l.server;
                    if let Some(e) = l.email {
                        ui.email = e;
                    }
                }
                Err(e) => ui.errors.push(FieldError {
                    field: SignInField::Server,
                    code: e.code(),
                    text: match e {
                        LinkError::NotOurs => Msg::SignInLinkNotOurs.text(),
                        LinkError::NoServer => Msg::SignInLinkNoServer.text(),
                        LinkError::Server(i) => i.message,
                    },
                }),
            }
        });
    }

    /// The server address as typed.
    pub fn set_server(&self, server: String) {
        self.update(|ui| {
            ui.server = server;
            ui.errors.retain(|e| e.field != SignInField::Server);
            ui.form_error = None;
        });
    }

    /// The e-mail address as typed.
    pub fn set_email(&self, email: String) {
        self.update(|ui| {
            ui.email = email;
            ui.errors.retain(|e| e.field != SignInField::Email);
            ui.form_error = None;
        });
    }

    /// The password as typed (kept in this object, never in the state).
    pub fn set_password(&self, password: String) {
        self.update(|ui| {
            ui.password = password;
            ui.errors.retain(|e| e.field != SignInField::Password);
            ui.form_error = None;
        });
    }

    /// Signs in: takes the server address (switching the core to it if it changed), checks
    /// e-mail and password with the server, registers this device's key and syncs. Mistakes
    /// become field or form errors; success makes every screen redraw with the first sync.
    pub async fn submit(&self) {
        let (server, email, password, label) = {
            let mut ui = lock(&self.ui);
            if ui.busy {
                return;
            }
            ui.errors.clear();
            ui.form_error = None;
            ui.notice = None;
            if ui.server.trim().is_empty() {
                ui.errors.push(FieldError {
                    field: SignInField::Server,
                    code: InvalidCode::Required,
                    text: Msg::SignInServerRequired.text(),
                });
                drop(ui);
                return self.notifier.notify();
            }
            ui.busy = true;
            let label = ui
                .platform
                .as_ref()
                .map(|p| p.device_label.clone())
                .unwrap_or_default();
            (
                ui.server.clone(),
                ui.email.clone(),
                ui.password.clone(),
                label,
            )
        };
        self.notifier.notify();
        let core = self.root.core().clone();
        let result = match core.use_server(&server) {
            Ok(changed) => {
                if changed {
                    // Everything the other server's screens showed is gone.
                    self.root.notify_all();
                }
                core.login(&email, &password, &label).await
            }
            Err(e) => Err(e),
        };
        let signed_in = match result {
            Ok(session) => {
                // The first sync: every screen redraws, and the sync line says how it went.
                let synced = self.root.sync().await;
                Ok((session, synced))
            }
            Err(e) => Err(e),
        };
        self.update(|ui| {
            ui.busy = false;
            match signed_in {
                Ok((session, synced)) => {
                    ui.password.clear();
                    ui.server = session.server_url.clone();
                    ui.notice = Some(match synced {
                        Ok(_) => Notice::new(
                            crate::NoticeKind::Success,
                            Msg::SignInDone.with(&[("name", &session.display_name)]),
                        ),
                        Err(e) => Notice::from_error(&e),
                    });
                }
                Err(e) => self.refused(ui, &server, e),
            }
        });
    }

    /// Turns a failed sign-in into field and form errors.
    fn refused(&self, ui: &mut Ui, server: &str, e: CoreError) {
        let field = |name: &str, code: InvalidCode, text: String| {
            field_of(name).map(|field| FieldError { field, code, text })
        };
        match e {
            CoreError::Invalid(i) => match field(&i.field, i.code, i.message.clone()) {
                Some(f) => ui.errors.push(f),
                None => ui.form_error = Some(i.message),
            },
            CoreError::Http(p) => {
                let code = p.code.unwrap_or(InvalidCode::BadFormat);
                match p
                    .field
                    .as_deref()
                    .and_then(|f| field(f, code, p.detail.clone()))
                {
                    Some(f) => ui.errors.push(f),
                    None => ui.form_error = Some(p.detail),
                }
            }
            CoreError::Unauthorized(detail) => {
                // Wrong e-mail or password: type the password again.
                ui.password.clear();
                ui.form_error = Some(detail);
            }
            CoreError::Offline(_) => {
                ui.form_error = Some(Msg::SignInOffline.with(&[("server", server.trim())]));
            }
            other => ui.form_error = Some(Notice::from_error(&other).text),
        }
    }
}
