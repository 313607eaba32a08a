//! A contract fake of Stripe: a local HTTP server that speaks Stripe's wire format for the
//! operations the payment gateway uses and **holds every request to Stripe's published OpenAPI
//! document** (DESIGN §3, decision 037). The document's relevant part is checked in as
//! `testkit/stripe/contract.json` (made by `scripts/stripe-contract.py`); a request with a
//! parameter the document does not define for the operation, an enum value outside it, a wrong
//! type or a missing required parameter is refused with Stripe's error object (400,
//! `invalid_request_error`, `param`). Answers are built from the document's example objects and
//! checked against its field lists before they leave.
//!
//! Also as Stripe: the secret key (bearer or basic), `Stripe-Version` (the document's version),
//! idempotency (`Idempotency-Key`: same key and parameters → the first answer again with
//! `Idempotent-Replayed: true`; other parameters → 400 `idempotency_error`; validation failures
//! and 5xx are not stored), a card that declines (`card_declined` / `insufficient_funds`),
//! the hosted Checkout and Connect onboarding pages ([`pages`]) and signed webhooks.
//! For tests: every request is recorded ([`FakeStripe::requests`]), failures can be injected
//! ([`FakeStripe::fail_next`]) and the objects created can be read.
//!
//! Test payment methods usable without the hosted page (Stripe's own test tokens):
//! `pm_card_visa` (succeeds), `pm_card_chargeDeclinedInsufficientFunds` (declines),
//! `pm_usBankAccount` (a bank account; charges go to `processing`).

pub mod contract;
pub mod objects;
pub mod pages;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use serde_json::{Value, json};

use contract::{Contract, decode};
use objects::{StripeError, TestMethod};

/// The secret key the fake accepts unless told another.
pub const TEST_SECRET_KEY: &str = "sk_test_offduty_fake_0123456789";

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Decoded `name=value` pairs (body for POST, query for GET), names in bracket form.
    pub params: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    pub stripe_version: Option<String>,
    pub status: u16,
    /// Answered from the idempotency store.
    pub replayed: bool,
}

impl RecordedRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook the fake delivered (or tried to).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event_type: String,
    pub result: Result<u16, String>,
}

struct Stored {
    method: String,
    path: String,
    params: Vec<(String, String)>,
    status: u16,
    body: Value,
}

/// The fake's state (one lock; every request is decided under it, like one Stripe account).
pub struct Fake {
    contract: Contract,
    base_url: String,
    secret_key: String,
    webhook: Option<(String, String)>,
    customers: BTreeMap<String, Value>,
    sessions: BTreeMap<String, Value>,
    setup_intents: BTreeMap<String, Value>,
    payment_methods: BTreeMap<String, Value>,
    declining: HashSet<String>,
    payment_intents: BTreeMap<String, Value>,
    accounts: BTreeMap<String, Value>,
    account_links: BTreeMap<String, (String, String, String)>,
    transfers: BTreeMap<String, Value>,
    idempotency: HashMap<String, Stored>,
    failures: Vec<u16>,
    requests: Vec<RecordedRequest>,
    events: Vec<Value>,
    outbox: Vec<Value>,
    deliveries: Vec<Delivery>,
}

#[derive(Clone)]
pub struct Shared(Arc<Mutex<Fake>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Fake> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the queued events to the webhook endpoint, in order, on a task of its own.
    fn flush_webhooks(&self) {
        let (events, target) = {
            let mut f = self.lock();
            (std::mem::take(&mut f.outbox), f.webhook.clone())
        };
        let Some((url, secret)) = target else { return };
        if events.is_empty() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            for e in events {
                let result = pages::deliver(&url, &secret, &e).await;
                let event_type = e["type"].as_str().unwrap_or("").to_string();
                me.lock().deliveries.push(Delivery { event_type, result });
            }
        });
    }
}

/// Options for [`FakeStripe::start_with`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The secret key to accept ([`TEST_SECRET_KEY`] when `None`).
    pub secret_key: Option<String>,
    /// Where to send signed webhooks, and the signing secret.
    pub webhook: Option<(String, String)>,
    /// The port to listen on (a free one when `None`).
    pub port: Option<u16>,
}

/// A running fake Stripe on the loopback interface; it stops with the test's runtime.
pub struct FakeStripe {
    pub addr: SocketAddr,
    state: Shared,
}

impl FakeStripe {
    pub async fn start() -> Result<FakeStripe, String> {
        FakeStripe::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Result<FakeStripe, String> {
        let contract = Contract::load()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0)))
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut fake = Fake {
            contract,
            base_url: format!("http://{addr}"),
            secret_key: options
                .secret_key
                .unwrap_or_else(|| TEST_SECRET_KEY.to_string()),
            webhook: options.webhook,
            customers: BTreeMap::new(),
            sessions: BTreeMap::new(),
            setup_intents: BTreeMap::new(),
            payment_methods: BTreeMap::new(),
            declining: HashSet::new(),
            payment_intents: BTreeMap::new(),
            accounts: BTreeMap::new(),
            account_links: BTreeMap::new(),
            transfers: BTreeMap::new(),
            idempotency: HashMap::new(),
            failures: Vec::new(),
            requests: Vec::new(),
            events: Vec::new(),
            outbox: Vec::new(),
            deliveries: Vec::new(),
        };
        fake.new_payment_method(TestMethod::Visa, None, Some("pm_card_visa"));
        fake.new_payment_method(
            TestMethod::VisaDeclined,
            None,
            Some("pm_card_chargeDeclinedInsufficientFunds"),
        );
        fake.new_payment_method(TestMethod::Bank, None, Some("pm_usBankAccount"));
        let state = Shared(Arc::new(Mutex::new(fake)));
        let app = axum::Router::new()
            .route(
                "/c/pay/{id}",
                get(pages::checkout_page).post(pages::checkout_submit),
            )
            .route(
                "/connect/onboarding/{link}",
                get(pages::onboarding_page).post(pages::onboarding_submit),
            )
            .fallback(api)
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeStripe { addr, state })
    }

    /// `http://127.0.0.1:<port>` (the adapter's `api_base`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn secret_key(&self) -> String {
        self.state.lock().secret_key.clone()
    }

    /// The API version the fake speaks (the contract's).
    pub fn api_version(&self) -> String {
        self.state.lock().contract.api_version().to_string()
    }

    /// Every API request so far (the hosted pages are not API requests).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }

    /// The next `times` API requests are answered with `status` (500: `api_error`; 429: rate
    /// limited) before anything is executed or stored, as when Stripe is having trouble.
    pub fn fail_next(&self, status: u16, times: usize) {
        self.state
            .lock()
            .failures
            .extend(std::iter::repeat_n(status, times));
    }

    /// PaymentIntents created (declined ones included), in id order.
    pub fn payment_intents(&self) -> Vec<Value> {
        self.state
            .lock()
            .payment_intents
            .values()
            .cloned()
            .collect()
    }

    pub fn transfers(&self) -> Vec<Value> {
        self.state.lock().transfers.values().cloned().collect()
    }

    pub fn customers(&self) -> Vec<Value> {
        self.state.lock().customers.values().cloned().collect()
    }

    /// Every event so far (delivered to the webhook endpoint or not).
    pub fn events(&self) -> Vec<Value> {
        self.state.lock().events.clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.lock().deliveries.clone()
    }

    /// Completes an account's onboarding without its page.
    pub fn complete_onboarding(&self, account: &str) -> Result<(), String> {
        let r = self.state.lock().complete_onboarding(account);
        self.state.flush_webhooks();
        r
    }

    /// Sends one signed event of `type_` about `object` to `url` now.
    pub async fn send_webhook(
        &self,
        url: &str,
        secret: &str,
        type_: &str,
        object: Value,
    ) -> Result<u16, String> {
        let event = {
            let mut f = self.state.lock();
            f.emit(type_, object);
            f.outbox.clear();
            f.events.last().cloned().unwrap_or(Value::Null)
        };
        pages::deliver(url, secret, &event).await
    }
}

fn answer(status: u16, body: &Value, replayed: bool) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (
        code,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response();
    r.headers_mut()
        .insert("request-id", "req_fake".parse().expect("static header"));
    if replayed {
        r.headers_mut().insert(
            "idempotent-replayed",
            "true".parse().expect("static header"),
        );
    }
    r
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn key_from_auth(h: &HeaderMap) -> Option<String> {
    let auth = header(h, "authorization")?;
    if let Some(k) = auth.strip_prefix("Bearer ") {
        return Some(k.trim().to_string());
    }
    let b = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next().unwrap_or("").to_string())
}

async fn api(State(s): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        let e = StripeError::invalid(None, "The request body is too large.");
        return answer(e.status, &e.body, false);
    };
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    pairs.extend(url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    let idem = header(&parts.headers, "idempotency-key");
    let version = header(&parts.headers, "stripe-version");
    let content_type = header(&parts.headers, "content-type").unwrap_or_default();
    let auth = key_from_auth(&parts.headers);

    let (status, body, replayed) = {
        let mut f = s.lock();
        let (status, body, replayed) = f.handle(
            &method,
            &path,
            &pairs,
            &body,
            &content_type,
            auth.as_deref(),
            idem.as_deref(),
            version.as_deref(),
        );
        f.requests.push(RecordedRequest {
            method,
            path,
            params: pairs,
            idempotency_key: idem,
            stripe_version: version,
            status,
            replayed,
        });
        (status, body, replayed)
    };
    s.flush_webhooks();
    answer(status, &body, replayed)
}

impl Fake {
    #[allow(clippy::too_many_arguments)]
    fn handle(
        &mut self,
        method: &str,
        path: &str,
        pairs: &[(String, String)],
        raw_body: &[u8],
        content_type: &str,
        auth: Option<&str>,
        idem: Option<&str>,
        version: Option<&str>,
    ) -> (u16, Value, bool) {
        let err = |e: StripeError| (e.status, e.body, false);
        match auth {
            Some(k) if k == self.secret_key => {}
            Some(_) => {
                return err(StripeError::new(
                    401,
                    "invalid_request_error",
                    None,
                    "Invalid API Key provided.",
                ));
            }
            None => {
                return err(StripeError::new(
                    401,
                    "invalid_request_error",
                    None,
                    "You did not provide an API key. Provide it in the Authorization header (Bearer auth).",
                ));
            }
        }
        if let Some(status) = (!self.failures.is_empty()).then(|| self.failures.remove(0)) {
            let e = if status == 429 {
                let mut e = StripeError::new(
                    429,
                    "invalid_request_error",
                    None,
                    "Too many requests hit the API too quickly.",
                );
                e.body["error"]["code"] = json!("rate_limit");
                e
            } else {
                StripeError::new(
                    status,
                    "api_error",
                    None,
                    "Something went wrong on Stripe's end (injected by the test).",
                )
            };
            return err(e);
        }
        if let Some(v) = version
            && v != self.contract.api_version()
        {
            return err(StripeError::invalid(
                None,
                &format!(
                    "This fake speaks Stripe-Version {} only, not {v}",
                    self.contract.api_version()
                ),
            ));
        }
        let Some(op) = self.contract.operation(method, path) else {
            return err(StripeError::invalid(
                None,
                &format!(
                    "Unrecognized request URL ({method}: {path}). The fake Stripe implements only the operations in testkit/stripe/contract.json."
                ),
            ));
        };
        if method == "POST"
            && !raw_body.is_empty()
            && !content_type.starts_with("application/x-www-form-urlencoded")
        {
            return err(StripeError::invalid(
                None,
                "Stripe takes application/x-www-form-urlencoded request bodies.",
            ));
        }
        let op_id = op.id().to_string();
        let response_resource = op.op["response"].as_str().unwrap_or("").to_string();
        let path_params = op.path_params.clone();
        let mut canonical = pairs.to_vec();
        canonical.sort();
        if let (Some(key), "POST") = (idem, method)
            && let Some(st) = self.idempotency.get(key)
        {
            if st.method == method && st.path == path && st.params == canonical {
                return (st.status, st.body.clone(), true);
            }
            return err(StripeError::new(
                400,
                "idempotency_error",
                None,
                &format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
                ),
            ));
        }
        let checked = decode(pairs).and_then(|tree| op.check(&tree).map(|()| tree));
        let tree = match checked {
            Ok(t) => t,
            Err(r) => return err(StripeError::invalid(r.param.as_deref(), &r.message)),
        };
        let (status, body) = match self.execute(&op_id, &path_params, &tree) {
            Ok(v) => (200, v),
            Err(e) => (e.status, e.body),
        };
        let resource = if status == 200 {
            response_resource.as_str()
        } else {
            "error"
        };
        if let Err(why) = self.contract.conforms(resource, &body) {
            return err(StripeError::new(
                500,
                "api_error",
                None,
                &format!("The fake Stripe answered outside the contract: {why}"),
            ));
        }
        if let (Some(key), "POST") = (idem, method)
            && status < 500
        {
            self.idempotency.insert(
                key.to_string(),
                Stored {
                    method: method.to_string(),
                    path: path.to_string(),
                    params: canonical,
                    status,
                    body: body.clone(),
                },
            );
        }
        (status, body, false)
    }
}
