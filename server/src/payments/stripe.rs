//! The Stripe adapter: [`PaymentGateway`] over Stripe's REST API, written from Stripe's published
//! OpenAPI document (stripe/openapi, API version [`STRIPE_API_VERSION`]) and tested against the
//! contract fake in `offduty-testkit` (`testkit/src/stripe.rs`), which holds every request to
//! that document.
//!
//! Requests are form-encoded ([`super::form`]), authenticated with the secret key as a bearer
//! token, pinned to one API version, and carry an `Idempotency-Key` on every POST. Only
//! retryable failures (network, timeout, 5xx, 429) are retried, a few times with backoff, with the
//! same key, so a retried charge is never a second charge. The key never reaches a log: it lives
//! in a [`SecretString`] and the request log lines name the method, path and status only.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::form::{Form, Param};
use super::{
    AccountReadiness, Charge, ChargeId, ChargeRequest, ChargeStatus, CheckoutSessionId,
    ConnectedAccountId, GatewayCustomerId, GatewayError, IdempotencyKey, OnboardingLink,
    PaymentGateway, PaymentMethodId, PaymentMethodKind, SavedPaymentMethod, SecretString,
    SetupOutcome, SetupSession, SetupSessionRequest, SetupStatus, TransferId, TransferRequest,
    positive_amount,
};

/// The API version the adapter speaks: the version of the OpenAPI document it was written from
/// (recorded in `testkit/stripe/contract.json`).
pub const STRIPE_API_VERSION: &str = "2023-08-16";

pub use super::config::{
    ConfigError, DEFAULT_API_BASE, ENV_API_BASE, ENV_SECRET_KEY, ENV_WEBHOOK_SECRET, StripeConfig,
};

/// How often and how patiently to retry a retryable failure.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the first retry; doubled each time.
    pub first_backoff: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The Stripe gateway.
#[derive(Debug, Clone)]
pub struct StripeGateway {
    config: StripeConfig,
    retry: RetryPolicy,
    http: reqwest::Client,
}

impl StripeGateway {
    pub fn new(config: StripeConfig) -> Result<StripeGateway, ConfigError> {
        StripeGateway::with_retry(config, RetryPolicy::default())
    }

    pub fn with_retry(
        config: StripeConfig,
        retry: RetryPolicy,
    ) -> Result<StripeGateway, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(retry.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("offduty-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client(e.to_string()))?;
        Ok(StripeGateway {
            config,
            retry,
            http,
        })
    }

    /// The webhook signing secret, for the route that verifies webhooks.
    pub fn webhook_secret(&self) -> Option<&SecretString> {
        self.config.webhook_secret.as_ref()
    }

    async fn post(
        &self,
        path: &str,
        form: &Form,
        key: &IdempotencyKey,
    ) -> Result<Value, GatewayError> {
        self.send(reqwest::Method::POST, path, form, Some(key))
            .await
    }

    async fn get(&self, path: &str, query: &Form) -> Result<Value, GatewayError> {
        self.send(reqwest::Method::GET, path, query, None).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &Form,
        key: Option<&IdempotencyKey>,
    ) -> Result<Value, GatewayError> {
        let encoded = form.encode();
        let mut attempt = 1;
        let mut backoff = self.retry.first_backoff;
        loop {
            let result = self.send_once(&method, path, &encoded, key).await;
            match result {
                Err(e) if e.retryable() && attempt < self.retry.attempts => {
                    tracing::warn!(%method, path, attempt, error = %e, "stripe request failed; retrying with the same idempotency key");
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        method: &reqwest::Method,
        path: &str,
        encoded: &str,
        key: Option<&IdempotencyKey>,
    ) -> Result<Value, GatewayError> {
        let mut url = format!("{}{path}", self.config.api_base);
        let mut req = if *method == reqwest::Method::GET {
            if !encoded.is_empty() {
                url.push('?');
                url.push_str(encoded);
            }
            self.http.get(url)
        } else {
            self.http
                .request(method.clone(), url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded.to_string())
        };
        req = req
            .bearer_auth(self.config.secret_key.expose())
            .header("stripe-version", STRIPE_API_VERSION);
        if let Some(key) = key {
            req = req.header("idempotency-key", key.as_str());
        }
        let resp = req.send().await.map_err(|e| GatewayError::Unavailable {
            detail: format!("network: {}", without_url(&e)),
        })?;
        let status = resp.status().as_u16();
        let request_id = resp
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = resp.bytes().await.map_err(|e| GatewayError::Unavailable {
            detail: format!("reading the answer: {}", without_url(&e)),
        })?;
        tracing::debug!(%method, path, status, request_id, idempotency_key = key.map(|k| k.as_str()), "stripe request");
        if (200..300).contains(&status) {
            return serde_json::from_slice(&body).map_err(|e| GatewayError::Protocol {
                detail: format!("{path}: {e}"),
            });
        }
        Err(map_error(status, &body))
    }
}

/// A reqwest error's text without the URL (which holds no secret, but may hold a customer id).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timeout".into();
    }
    if e.is_connect() {
        return "could not connect".into();
    }
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<url>");
    }
    s
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ApiError,
}

/// Stripe's `api_errors` object (the fields this adapter reads).
#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(rename = "type")]
    type_: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    param: Option<String>,
    message: Option<String>,
}

/// Stripe's error answer to a [`GatewayError`].
fn map_error(status: u16, body: &[u8]) -> GatewayError {
    let parsed = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let message = parsed
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    if status == 429 || status >= 500 {
        return GatewayError::Unavailable {
            detail: format!("HTTP {status}: {message}"),
        };
    }
    if status == 401 || status == 403 {
        return GatewayError::Auth;
    }
    let Some(e) = parsed else {
        return GatewayError::Protocol {
            detail: format!("HTTP {status} without an error object"),
        };
    };
    match e.type_.as_deref() {
        Some("idempotency_error") => GatewayError::IdempotencyConflict,
        Some("card_error") => GatewayError::Declined {
            code: e.code.unwrap_or_else(|| "card_declined".into()),
            decline_code: e.decline_code,
            message,
        },
        // 409 lock_timeout and the like: another request on the same object; try again.
        _ if status == 409 => GatewayError::Unavailable {
            detail: format!("HTTP 409: {message}"),
        },
        Some("api_error") => GatewayError::Unavailable {
            detail: format!("HTTP {status}: {message}"),
        },
        _ => GatewayError::InvalidRequest {
            param: e.param,
            message,
        },
    }
}

fn text<'a>(v: &'a Value, field: &str) -> Result<&'a str, GatewayError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| GatewayError::Protocol {
            detail: format!("no `{field}` in the answer"),
        })
}

fn flag(v: &Value, field: &str) -> bool {
    v.get(field).and_then(Value::as_bool).unwrap_or(false)
}

fn list(items: &[&str]) -> Param {
    Param::List(items.iter().map(|s| Param::from(*s)).collect())
}

fn map(entries: Vec<(&str, Param)>) -> Param {
    Param::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A saved payment method as a person reads it: "Visa ending 4242", "bank account ending 6789".
fn describe(pm: &Value) -> Result<SavedPaymentMethod, GatewayError> {
    let id = PaymentMethodId(text(pm, "id")?.to_string());
    match text(pm, "type")? {
        "card" => {
            let card = pm.get("card").unwrap_or(&Value::Null);
            let brand = card.get("brand").and_then(Value::as_str).unwrap_or("card");
            let last4 = card.get("last4").and_then(Value::as_str).unwrap_or("????");
            Ok(SavedPaymentMethod {
                id,
                kind: PaymentMethodKind::Card,
                display: format!("{} ending {last4}", brand_name(brand)),
            })
        }
        "us_bank_account" => {
            let bank = pm.get("us_bank_account").unwrap_or(&Value::Null);
            let last4 = bank.get("last4").and_then(Value::as_str).unwrap_or("????");
            Ok(SavedPaymentMethod {
                id,
                kind: PaymentMethodKind::UsBankAccount,
                display: format!("bank account ending {last4}"),
            })
        }
        other => Err(GatewayError::Protocol {
            detail: format!("a payment method of type {other}, which we never ask for"),
        }),
    }
}

fn brand_name(brand: &str) -> String {
    match brand {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" => "American Express".into(),
        "discover" => "Discover".into(),
        "diners" => "Diners Club".into(),
        "jcb" => "JCB".into(),
        "unionpay" => "UnionPay".into(),
        other => other.to_string(),
    }
}

fn charge_status(s: &str) -> ChargeStatus {
    match s {
        "succeeded" => ChargeStatus::Succeeded,
        "processing" => ChargeStatus::Processing,
        "requires_action" => ChargeStatus::RequiresAction,
        other => ChargeStatus::Other(other.to_string()),
    }
}

/// A path segment that came from us or from Stripe: refuse anything that would change the path.
fn segment(id: &str) -> Result<&str, GatewayError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(id)
    } else {
        Err(GatewayError::InvalidRequest {
            param: None,
            message: "not a Stripe id".into(),
        })
    }
}

#[async_trait::async_trait]
impl PaymentGateway for StripeGateway {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn webhook_secret(&self) -> Option<&SecretString> {
        self.config.webhook_secret.as_ref()
    }

    async fn create_customer(
        &self,
        name: &str,
        email: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<GatewayCustomerId, GatewayError> {
        let form = Form::new().with("name", name).with("email", email);
        let v = self.post("/v1/customers", &form, idempotency_key).await?;
        Ok(GatewayCustomerId(text(&v, "id")?.to_string()))
    }

    async fn create_setup_session(
        &self,
        r: &SetupSessionRequest,
    ) -> Result<SetupSession, GatewayError> {
        if !r.success_url.contains("{CHECKOUT_SESSION_ID}") {
            return Err(GatewayError::InvalidRequest {
                param: Some("success_url".into()),
                message: "success_url must contain {CHECKOUT_SESSION_ID}".into(),
            });
        }
        let form = Form::new()
            .with("mode", "setup")
            .with("customer", r.customer.as_str())
            .with("currency", r.currency.as_str())
            .with("payment_method_types", list(&["card", "us_bank_account"]))
            .with("success_url", r.success_url.as_str())
            .with("cancel_url", r.cancel_url.as_str());
        // One page per request: a fresh key, so a retry of this call reuses it and nothing else.
        let key = fresh_key("setup");
        let v = self.post("/v1/checkout/sessions", &form, &key).await?;
        Ok(SetupSession {
            session_id: CheckoutSessionId(text(&v, "id")?.to_string()),
            url: text(&v, "url")?.to_string(),
        })
    }

    async fn setup_result(
        &self,
        session: &CheckoutSessionId,
    ) -> Result<SetupOutcome, GatewayError> {
        let query = Form::new().with(
            "expand",
            list(&["setup_intent", "setup_intent.payment_method"]),
        );
        let path = format!("/v1/checkout/sessions/{}", segment(session.as_str())?);
        let v = self.get(&path, &query).await?;
        let status = match v.get("status").and_then(Value::as_str) {
            Some("complete") => SetupStatus::Complete,
            Some("expired") => SetupStatus::Expired,
            _ => SetupStatus::Open,
        };
        let pm = v
            .get("setup_intent")
            .and_then(|si| si.get("payment_method"))
            .filter(|pm| pm.is_object());
        let payment_method = match (&status, pm) {
            (SetupStatus::Complete, Some(pm)) => Some(describe(pm)?),
            (SetupStatus::Complete, None) => {
                return Err(GatewayError::Protocol {
                    detail: "a complete setup session without a payment method".into(),
                });
            }
            _ => None,
        };
        Ok(SetupOutcome {
            status,
            payment_method,
        })
    }

    async fn charge(&self, r: &ChargeRequest) -> Result<Charge, GatewayError> {
        positive_amount(r.amount_cents)?;
        let form = Form::new()
            .with("amount", r.amount_cents)
            .with("currency", r.currency.as_str())
            .with("customer", r.customer.as_str())
            .with("payment_method", r.payment_method.as_str())
            .with("payment_method_types", list(&["card", "us_bank_account"]))
            .with("confirm", true)
            .with("off_session", true)
            .with("description", format!("offduty invoice {}", r.invoice_id))
            .with(
                "metadata",
                map(vec![("invoice_id", r.invoice_id.as_str().into())]),
            );
        let v = self
            .post("/v1/payment_intents", &form, &r.idempotency_key)
            .await?;
        Ok(Charge {
            id: ChargeId(text(&v, "id")?.to_string()),
            status: charge_status(text(&v, "status")?),
        })
    }

    async fn create_connected_account(
        &self,
        email: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<ConnectedAccountId, GatewayError> {
        let form = Form::new()
            .with("type", "express")
            .with("email", email)
            .with(
                "capabilities",
                map(vec![("transfers", map(vec![("requested", true.into())]))]),
            );
        let v = self.post("/v1/accounts", &form, idempotency_key).await?;
        Ok(ConnectedAccountId(text(&v, "id")?.to_string()))
    }

    async fn onboarding_link(
        &self,
        account: &ConnectedAccountId,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<OnboardingLink, GatewayError> {
        let form = Form::new()
            .with("account", account.as_str())
            .with("type", "account_onboarding")
            .with("refresh_url", refresh_url)
            .with("return_url", return_url);
        let v = self
            .post("/v1/account_links", &form, &fresh_key("link"))
            .await?;
        Ok(OnboardingLink {
            url: text(&v, "url")?.to_string(),
            expires_at: v.get("expires_at").and_then(Value::as_i64).unwrap_or(0),
        })
    }

    async fn account_ready(
        &self,
        account: &ConnectedAccountId,
    ) -> Result<AccountReadiness, GatewayError> {
        let path = format!("/v1/accounts/{}", segment(account.as_str())?);
        let v = self.get(&path, &Form::new()).await?;
        Ok(AccountReadiness {
            details_submitted: flag(&v, "details_submitted"),
            charges_enabled: flag(&v, "charges_enabled"),
            payouts_enabled: flag(&v, "payouts_enabled"),
        })
    }

    async fn transfer(&self, r: &TransferRequest) -> Result<TransferId, GatewayError> {
        positive_amount(r.amount_cents)?;
        let form = Form::new()
            .with("amount", r.amount_cents)
            .with("currency", r.currency.as_str())
            .with("destination", r.account.as_str())
            .with("description", r.description.as_str());
        let v = self
            .post("/v1/transfers", &form, &r.idempotency_key)
            .await?;
        Ok(TransferId(text(&v, "id")?.to_string()))
    }
}

/// A key for a call whose repeats the caller does not need to match (a hosted page, a link):
/// it still makes this call's own retries safe.
fn fresh_key(kind: &str) -> IdempotencyKey {
    IdempotencyKey(format!("offduty-{kind}-{}", uuid::Uuid::new_v4()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_errors_map_to_gateway_errors() {
        let body = |t: &str, extra: &str| {
            format!(r#"{{"error":{{"type":"{t}","message":"m"{extra}}}}}"#).into_bytes()
        };
        assert_eq!(
            map_error(
                402,
                &body(
                    "card_error",
                    r#","code":"card_declined","decline_code":"insufficient_funds""#
                )
            ),
            GatewayError::Declined {
                code: "card_declined".into(),
                decline_code: Some("insufficient_funds".into()),
                message: "m".into()
            }
        );
        assert_eq!(
            map_error(400, &body("idempotency_error", "")),
            GatewayError::IdempotencyConflict
        );
        assert_eq!(
            map_error(400, &body("invalid_request_error", r#","param":"amount""#)),
            GatewayError::InvalidRequest {
                param: Some("amount".into()),
                message: "m".into()
            }
        );
        assert!(map_error(500, &body("api_error", "")).retryable());
        assert!(map_error(429, b"not json").retryable());
        assert_eq!(
            map_error(401, &body("invalid_request_error", "")),
            GatewayError::Auth
        );
        assert!(matches!(
            map_error(400, b"<html>"),
            GatewayError::Protocol { .. }
        ));
    }

    #[test]
    fn payment_methods_read_as_people_say_them() {
        let card =
            serde_json::json!({"id":"pm_1","type":"card","card":{"brand":"visa","last4":"4242"}});
        assert_eq!(describe(&card).unwrap().display, "Visa ending 4242");
        let bank = serde_json::json!({"id":"pm_2","type":"us_bank_account","us_bank_account":{"bank_name":null,"last4":"6789"}});
        let b = describe(&bank).unwrap();
        assert_eq!(b.display, "bank account ending 6789");
        assert_eq!(b.kind, PaymentMethodKind::UsBankAccount);
    }

    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        assert!(segment("cs_test_abc").is_ok());
        assert!(segment("../v1/charges").is_err());
        assert!(segment("a?b").is_err());
        assert!(segment("").is_err());
    }
}
