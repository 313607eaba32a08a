//! The payment gateway: how the department charges its customers and pays its officers, behind
//! one trait ([`PaymentGateway`]) so the rest of the server never speaks a provider's wire format
//! (DESIGN §3, decision 037).
//!
//! - [`stripe`]: the Stripe adapter (reqwest, form-encoded requests, idempotency keys, retries);
//! - [`simulated`]: an in-process gateway for the demo department only, never used when a Stripe
//!   key is configured; without either there is no gateway ([`gateway_from_env`] decides);
//! - [`webhook`]: verification of Stripe's signed webhooks, a pure function;
//! - [`config`]: the Stripe keys from the environment;
//! - [`form`]: Stripe's bracket form encoding;
//! - [`secret`]: a string that never prints.
//!
//! The trait uses `async_trait` (already in the lockfile through sqlx's dependencies) so that an
//! `Arc<dyn PaymentGateway>` can be held in the application state: a native `async fn` in a trait
//! is not dyn-compatible, and hand-written boxed futures would say the same thing at more length.
//! Money is in integer cents (`i64`), as everywhere in offduty.

pub mod config;
pub mod form;
pub mod secret;
pub mod simulated;
pub mod stripe;
pub mod webhook;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use secret::SecretString;
pub use simulated::{SimulatedCall, SimulatedGateway};
pub use stripe::{StripeConfig, StripeGateway};
pub use webhook::{WebhookError, WebhookEvent, verify_webhook};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The provider's id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }
    };
}

id_type!(
    /// A customer at the gateway (Stripe `cus_…`).
    GatewayCustomerId
);
id_type!(
    /// A saved payment method (Stripe `pm_…`).
    PaymentMethodId
);
id_type!(
    /// A hosted page where a customer saves a payment method (Stripe Checkout `cs_…`).
    CheckoutSessionId
);
id_type!(
    /// A charge attempt (Stripe PaymentIntent `pi_…`).
    ChargeId
);
id_type!(
    /// An officer's payout account (Stripe Connect `acct_…`).
    ConnectedAccountId
);
id_type!(
    /// Money sent to a connected account (Stripe `tr_…`).
    TransferId
);

/// An ISO 4217 currency code, lower case (`usd`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    /// Three ASCII letters, any case; `None` otherwise.
    pub fn new(code: &str) -> Option<Currency> {
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| Currency(code.to_ascii_lowercase()))
    }

    /// US dollars.
    pub fn usd() -> Currency {
        Currency("usd".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key that makes a retried request safe: the gateway answers a repeat with the first
/// answer and never charges or pays twice. Derive it from what the request is for (an invoice,
/// a payout line), not from the attempt, so a retry after a crash reuses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to 255 printable ASCII characters (Stripe's limit); `None` otherwise.
    pub fn new(key: impl Into<String>) -> Option<IdempotencyKey> {
        let key = key.into();
        (!key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()))
            .then_some(IdempotencyKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A hosted page where the customer saves a card or bank account (no script on our pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupSessionRequest {
    pub customer: GatewayCustomerId,
    pub currency: Currency,
    /// Where the gateway sends the customer back; `{CHECKOUT_SESSION_ID}` is replaced by the
    /// session's id (required: [`PaymentGateway::setup_result`] needs it).
    pub success_url: String,
    pub cancel_url: String,
}

/// The hosted page to send the customer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupSession {
    pub session_id: CheckoutSessionId,
    pub url: String,
}

/// Where a setup session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStatus {
    /// The customer has not finished (or not started).
    Open,
    /// A payment method was saved.
    Complete,
    /// The page expired without a payment method.
    Expired,
}

/// The kind of a saved payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodKind {
    Card,
    UsBankAccount,
}

/// A saved payment method as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPaymentMethod {
    pub id: PaymentMethodId,
    pub kind: PaymentMethodKind,
    /// "Visa ending 4242", "bank account ending 6789".
    pub display: String,
}

/// The result of a setup session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupOutcome {
    pub status: SetupStatus,
    /// Present once the session is complete.
    pub payment_method: Option<SavedPaymentMethod>,
}

/// Charge a customer's saved payment method, off session (the customer is not on the page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    pub customer: GatewayCustomerId,
    pub payment_method: PaymentMethodId,
    /// More than zero.
    pub amount_cents: i64,
    pub currency: Currency,
    /// Our invoice, written to the charge's description and metadata.
    pub invoice_id: String,
    pub idempotency_key: IdempotencyKey,
}

/// Where a charge stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeStatus {
    /// The money is taken (cards).
    Succeeded,
    /// Accepted, settles later (bank debits take days); a webhook tells the outcome.
    Processing,
    /// The customer must act (authentication): the charge is not done.
    RequiresAction,
    /// Any other status, as the provider named it.
    Other(String),
}

/// A charge attempt that the gateway accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub id: ChargeId,
    pub status: ChargeStatus,
}

/// The page where an officer sets up a payout account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingLink {
    pub url: String,
    /// Unix seconds; a fresh link is needed after it.
    pub expires_at: i64,
}

/// Whether a connected account can receive money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountReadiness {
    pub details_submitted: bool,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
}

impl AccountReadiness {
    /// Payouts are enabled (what paying an officer needs).
    pub fn ready(&self) -> bool {
        self.payouts_enabled
    }
}

/// Send money to an officer's connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub account: ConnectedAccountId,
    /// More than zero.
    pub amount_cents: i64,
    pub currency: Currency,
    pub idempotency_key: IdempotencyKey,
    pub description: String,
}

/// What can go wrong at the gateway. Only [`GatewayError::Unavailable`] is worth retrying (with
/// the same idempotency key); the adapter already retried a few times before returning it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The bank or card network refused: show the customer, ask for another method.
    #[error("declined ({code}): {message}")]
    Declined {
        /// The provider's code (`card_declined`, …).
        code: String,
        /// The issuer's reason when given (`insufficient_funds`, …).
        decline_code: Option<String>,
        message: String,
    },
    /// The idempotency key was used before with different parameters: a bug on our side.
    #[error("idempotency key reused with different parameters")]
    IdempotencyConflict,
    /// The provider refused the request as malformed or referring to something missing.
    #[error("invalid request ({param:?}): {message}")]
    InvalidRequest {
        param: Option<String>,
        message: String,
    },
    /// Network error, timeout, 5xx or 429: try again later with the same key.
    #[error("payment provider unavailable: {detail}")]
    Unavailable { detail: String },
    /// The API key is wrong or lacks permission.
    #[error("payment provider refused our credentials")]
    Auth,
    /// The provider answered something this adapter does not understand (contract drift).
    #[error("unexpected answer from the payment provider: {detail}")]
    Protocol { detail: String },
}

impl GatewayError {
    /// Worth trying again with the same idempotency key.
    pub fn retryable(&self) -> bool {
        matches!(self, GatewayError::Unavailable { .. })
    }
}

/// Charging customers and paying officers through a provider. `Send + Sync`, held as
/// `Arc<dyn PaymentGateway>`.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    /// A name for logs and pages ("stripe", "simulated").
    fn name(&self) -> &'static str;

    /// A customer record at the provider.
    async fn create_customer(
        &self,
        name: &str,
        email: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<GatewayCustomerId, GatewayError>;

    /// A hosted page where the customer saves a card or US bank account for later charges.
    async fn create_setup_session(
        &self,
        request: &SetupSessionRequest,
    ) -> Result<SetupSession, GatewayError>;

    /// What the customer did on the hosted page.
    async fn setup_result(&self, session: &CheckoutSessionId)
    -> Result<SetupOutcome, GatewayError>;

    /// Charge a saved payment method; a repeat with the same key never charges twice.
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError>;

    /// An officer's payout account (Stripe Connect Express).
    async fn create_connected_account(
        &self,
        email: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<ConnectedAccountId, GatewayError>;

    /// A one-time link to the provider's onboarding pages for that account.
    async fn onboarding_link(
        &self,
        account: &ConnectedAccountId,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<OnboardingLink, GatewayError>;

    /// Whether the account can receive payouts yet.
    async fn account_ready(
        &self,
        account: &ConnectedAccountId,
    ) -> Result<AccountReadiness, GatewayError>;

    /// Send money to a connected account; a repeat with the same key never pays twice.
    async fn transfer(&self, request: &TransferRequest) -> Result<TransferId, GatewayError>;

    /// The signing secret of the provider's webhooks, when they are set up (`POST
    /// /v1/webhooks/stripe` answers 404 without one).
    fn webhook_secret(&self) -> Option<&SecretString> {
        None
    }
}

/// The gateway this process uses: Stripe when `OFFDUTY_STRIPE_SECRET_KEY` is set (a malformed
/// Stripe configuration is an error, never a silent fall-back); otherwise the simulated gateway
/// when `simulated` allows it (the demo department), else none: a department without a payment
/// provider bills by invoice, and nothing pretends to take a card.
pub fn gateway_from_env(
    simulated: bool,
) -> Result<Option<Arc<dyn PaymentGateway>>, stripe::ConfigError> {
    gateway_from(|name| std::env::var(name).ok(), simulated)
}

/// [`gateway_from_env`] over any source of settings (CLI flags, a test's map).
pub fn gateway_from(
    get: impl Fn(&str) -> Option<String>,
    simulated: bool,
) -> Result<Option<Arc<dyn PaymentGateway>>, stripe::ConfigError> {
    Ok(match StripeConfig::from_values(get)? {
        Some(config) => Some(Arc::new(StripeGateway::new(config)?)),
        None if simulated => Some(Arc::new(SimulatedGateway::new())),
        None => None,
    })
}

/// Checks shared by every gateway before anything is sent.
pub(crate) fn positive_amount(amount_cents: i64) -> Result<(), GatewayError> {
    if amount_cents > 0 {
        Ok(())
    } else {
        Err(GatewayError::InvalidRequest {
            param: Some("amount".into()),
            message: format!("amount must be more than zero cents, got {amount_cents}"),
        })
    }
}
