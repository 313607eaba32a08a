//! The Stripe adapter against the contract fake (`offduty_testkit::stripe`), which refuses any
//! request Stripe's published OpenAPI document would refuse (decision 037): saving a card and a
//! bank account through the hosted Checkout page, charging (once, even when retried), declines,
//! idempotency conflicts, Connect onboarding and transfers, webhook signatures, and secrets that
//! never print.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use offduty_server::payments::stripe::{RetryPolicy, STRIPE_API_VERSION};
use offduty_server::payments::webhook::{DEFAULT_TOLERANCE, sign_webhook};
use offduty_server::payments::{
    ChargeRequest, ChargeStatus, CheckoutSessionId, ConnectedAccountId, Currency,
    GatewayCustomerId, GatewayError, IdempotencyKey, PaymentGateway, PaymentMethodId,
    PaymentMethodKind, SecretString, SetupSessionRequest, SetupStatus, StripeConfig, StripeGateway,
    TransferRequest, WebhookError, verify_webhook,
};
use offduty_testkit::stripe::{FakeStripe, Options};
use serde_json::{Value, json};

fn gateway(fake: &FakeStripe) -> StripeGateway {
    gateway_with_key(fake, &fake.secret_key())
}

fn gateway_with_key(fake: &FakeStripe, key: &str) -> StripeGateway {
    StripeGateway::with_retry(
        StripeConfig {
            api_base: fake.url(),
            secret_key: SecretString::new(key),
            webhook_secret: None,
        },
        RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(5),
            timeout: Duration::from_secs(10),
        },
    )
    .unwrap()
}

fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey::new(k).unwrap()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What a customer does on the hosted page: open it, pick `choice`, submit; the redirect.
async fn click_through(url: &str, choice: &str) -> String {
    let page = browser().get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{choice}\"")), "{html}");
    assert!(!html.contains("<script"), "the hosted page is plain HTML");
    let done = browser()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("method={choice}"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    done.headers()["location"].to_str().unwrap().to_string()
}

async fn customer(g: &StripeGateway, k: &str) -> GatewayCustomerId {
    g.create_customer("Kroger #512", "ap@kroger.test", &key(k))
        .await
        .unwrap()
}

/// A customer with a saved payment method chosen on the hosted page.
async fn saved_method(g: &StripeGateway, choice: &str) -> (GatewayCustomerId, PaymentMethodId) {
    let c = customer(g, &format!("cust-{choice}")).await;
    let s = g.create_setup_session(&setup_request(&c)).await.unwrap();
    click_through(&s.url, choice).await;
    let pm = g
        .setup_result(&s.session_id)
        .await
        .unwrap()
        .payment_method
        .unwrap();
    (c, pm.id)
}

fn setup_request(c: &GatewayCustomerId) -> SetupSessionRequest {
    SetupSessionRequest {
        customer: c.clone(),
        currency: Currency::usd(),
        success_url: "https://console.test/billing/saved?session={CHECKOUT_SESSION_ID}".into(),
        cancel_url: "https://console.test/billing".into(),
    }
}

fn charge(
    c: &GatewayCustomerId,
    pm: &PaymentMethodId,
    amount_cents: i64,
    k: &str,
) -> ChargeRequest {
    ChargeRequest {
        customer: c.clone(),
        payment_method: pm.clone(),
        amount_cents,
        currency: Currency::usd(),
        invoice_id: "INV-2026-0042".into(),
        idempotency_key: key(k),
    }
}

#[tokio::test]
async fn the_adapter_speaks_the_version_of_the_contract() {
    let fake = FakeStripe::start().await.unwrap();
    assert_eq!(STRIPE_API_VERSION, fake.api_version());
    let g = gateway(&fake);
    customer(&g, "c-1").await;
    let r = &fake.requests()[0];
    assert_eq!(r.stripe_version.as_deref(), Some(STRIPE_API_VERSION));
    assert_eq!(r.idempotency_key.as_deref(), Some("c-1"));
    assert_eq!(r.param("name"), Some("Kroger #512"));
    assert_eq!(fake.customers()[0]["email"], "ap@kroger.test");
}

#[tokio::test]
async fn a_card_saved_on_the_hosted_page_reads_visa_ending_4242() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let c = customer(&g, "c-card").await;
    let s = g.create_setup_session(&setup_request(&c)).await.unwrap();
    assert!(s.url.starts_with(&fake.url()));

    let before = g.setup_result(&s.session_id).await.unwrap();
    assert_eq!(before.status, SetupStatus::Open);
    assert_eq!(before.payment_method, None);

    let back = click_through(&s.url, "card_4242").await;
    assert_eq!(
        back,
        format!(
            "https://console.test/billing/saved?session={}",
            s.session_id
        )
    );
    let after = g.setup_result(&s.session_id).await.unwrap();
    assert_eq!(after.status, SetupStatus::Complete);
    let pm = after.payment_method.unwrap();
    assert_eq!(pm.kind, PaymentMethodKind::Card);
    assert_eq!(pm.display, "Visa ending 4242");
    assert!(pm.id.as_str().starts_with("pm_"));

    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/checkout/sessions")
        .unwrap();
    assert_eq!(create.param("mode"), Some("setup"));
    assert_eq!(create.param("customer"), Some(c.as_str()));
    assert_eq!(create.param("payment_method_types[0]"), Some("card"));
    assert_eq!(
        create.param("payment_method_types[1]"),
        Some("us_bank_account")
    );
}

#[tokio::test]
async fn a_bank_account_saved_on_the_hosted_page_reads_bank_account_ending_6789() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let c = customer(&g, "c-bank").await;
    let s = g.create_setup_session(&setup_request(&c)).await.unwrap();
    click_through(&s.url, "bank_6789").await;
    let pm = g
        .setup_result(&s.session_id)
        .await
        .unwrap()
        .payment_method
        .unwrap();
    assert_eq!(pm.kind, PaymentMethodKind::UsBankAccount);
    assert_eq!(pm.display, "bank account ending 6789");
    // A bank debit settles later.
    let ch = g
        .charge(&charge(&c, &pm.id, 12_500, "inv-bank"))
        .await
        .unwrap();
    assert_eq!(ch.status, ChargeStatus::Processing);
}

#[tokio::test]
async fn a_setup_session_needs_the_session_id_placeholder() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let c = customer(&g, "c-x").await;
    let mut r = setup_request(&c);
    r.success_url = "https://console.test/billing/saved".into();
    assert!(matches!(
        g.create_setup_session(&r).await,
        Err(GatewayError::InvalidRequest { .. })
    ));
    let unknown = g
        .setup_result(&CheckoutSessionId("cs_test_nope".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, GatewayError::InvalidRequest { .. }),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn a_charge_succeeds_off_session_with_the_invoice_in_its_metadata() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let (c, pm) = saved_method(&g, "card_4242").await;
    let ch = g
        .charge(&charge(&c, &pm, 48_000, "inv-42-charge-1"))
        .await
        .unwrap();
    assert_eq!(ch.status, ChargeStatus::Succeeded);
    let pis = fake.payment_intents();
    assert_eq!(pis.len(), 1);
    assert_eq!(pis[0]["id"], ch.id.as_str());
    assert_eq!(pis[0]["amount"], 48_000);
    assert_eq!(pis[0]["amount_received"], 48_000);
    assert_eq!(pis[0]["metadata"]["invoice_id"], "INV-2026-0042");
    let r = fake.requests().pop().unwrap();
    assert_eq!(r.param("confirm"), Some("true"));
    assert_eq!(r.param("off_session"), Some("true"));
    assert_eq!(r.idempotency_key.as_deref(), Some("inv-42-charge-1"));
}

#[tokio::test]
async fn a_charge_retried_after_a_500_charges_once() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let (c, pm) = saved_method(&g, "card_4242").await;
    fake.fail_next(500, 1);
    let first = g.charge(&charge(&c, &pm, 10_000, "inv-7")).await.unwrap();
    // The caller, unsure after a crash, sends it again with the same key.
    let again = g.charge(&charge(&c, &pm, 10_000, "inv-7")).await.unwrap();
    assert_eq!(first, again);

    assert_eq!(
        fake.payment_intents().len(),
        1,
        "one charge, however many attempts"
    );
    let attempts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/payment_intents")
        .collect();
    assert_eq!(
        attempts
            .iter()
            .map(|r| (r.status, r.replayed))
            .collect::<Vec<_>>(),
        vec![(500, false), (200, false), (200, true)]
    );
    assert!(
        attempts
            .iter()
            .all(|r| r.idempotency_key.as_deref() == Some("inv-7"))
    );
}

#[tokio::test]
async fn rate_limits_are_retried_and_a_lasting_outage_is_unavailable() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let (c, pm) = saved_method(&g, "card_4242").await;
    fake.fail_next(429, 2);
    assert!(g.charge(&charge(&c, &pm, 5_000, "inv-8")).await.is_ok());
    fake.fail_next(500, 3);
    let e = g
        .charge(&charge(&c, &pm, 5_000, "inv-9"))
        .await
        .unwrap_err();
    assert!(e.retryable(), "{e:?}");
    assert_eq!(fake.payment_intents().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_amount_is_an_idempotency_conflict() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let (c, pm) = saved_method(&g, "card_4242").await;
    g.charge(&charge(&c, &pm, 10_000, "inv-10")).await.unwrap();
    let e = g
        .charge(&charge(&c, &pm, 10_001, "inv-10"))
        .await
        .unwrap_err();
    assert_eq!(e, GatewayError::IdempotencyConflict);
    assert_eq!(fake.payment_intents().len(), 1);
}

#[tokio::test]
async fn a_declining_card_is_declined_with_its_reason() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let (c, pm) = saved_method(&g, "card_9995").await;
    let e = g
        .charge(&charge(&c, &pm, 10_000, "inv-11"))
        .await
        .unwrap_err();
    match e {
        GatewayError::Declined {
            code,
            decline_code,
            message,
        } => {
            assert_eq!(code, "card_declined");
            assert_eq!(decline_code.as_deref(), Some("insufficient_funds"));
            assert!(message.contains("insufficient funds"));
        }
        other => panic!("expected a decline, got {other:?}"),
    }
    // The decline is the key's answer: a retry does not try the card again.
    let again = g
        .charge(&charge(&c, &pm, 10_000, "inv-11"))
        .await
        .unwrap_err();
    assert!(matches!(again, GatewayError::Declined { .. }));
    assert_eq!(fake.payment_intents().len(), 1);
    assert!(fake.requests().last().unwrap().replayed);
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_error() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway_with_key(&fake, "sk_test_wrong");
    let e = g
        .create_customer("A", "a@b.test", &key("k"))
        .await
        .unwrap_err();
    assert_eq!(e, GatewayError::Auth);
}

/// A raw request to the fake: the adapter never sends these, so the fake's strictness is
/// proved directly.
async fn raw_post(fake: &FakeStripe, path: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", fake.url()))
        .bearer_auth(fake.secret_key())
        .header("stripe-version", STRIPE_API_VERSION)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_fake_refuses_what_the_document_does_not_define() {
    let fake = FakeStripe::start().await.unwrap();
    let base = "amount=1000&currency=usd&payment_method=pm_card_visa&confirm=true";
    let cases = [
        (
            format!("{base}&colour=red"),
            "colour",
            "Received unknown parameter: colour",
        ),
        (
            "amount=1000".to_string(),
            "currency",
            "Missing required param: currency.",
        ),
        (
            format!("{base}&off_session=sometimes"),
            "off_session",
            "Invalid off_session",
        ),
        (
            "amount=ten&currency=usd".to_string(),
            "amount",
            "Invalid integer: ten",
        ),
        (
            format!("{base}&transfer_data[colour]=red"),
            "transfer_data[colour]",
            "Received unknown parameter",
        ),
    ];
    for (body, param, message) in cases {
        let (status, v) = raw_post(&fake, "/v1/payment_intents", &body).await;
        assert_eq!(status, 400, "{body}: {v}");
        assert_eq!(v["error"]["type"], "invalid_request_error", "{body}");
        assert_eq!(v["error"]["param"], param, "{body}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(message),
            "{body}: {v}"
        );
    }
    let (status, v) = raw_post(
        &fake,
        "/v1/accounts",
        "type=express&capabilities[transfers][wanted]=true",
    )
    .await;
    assert_eq!(
        (status, v["error"]["param"].clone()),
        (400, json!("capabilities[transfers][wanted]"))
    );
    let (status, v) = raw_post(
        &fake,
        "/v1/checkout/sessions",
        "mode=setup&currency=usd&success_url=https://x.test&payment_method_types[0]=bitcoin",
    )
    .await;
    assert_eq!(
        (status, v["error"]["param"].clone()),
        (400, json!("payment_method_types[0]"))
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("must be one of"),
        "{v}"
    );
    let (status, v) = raw_post(&fake, "/v1/checkout/sessions", "mode=setup&currency=usd").await;
    assert_eq!(
        (status, v["error"]["param"].clone()),
        (400, json!("success_url"))
    );
    let (status, _) = raw_post(&fake, "/v1/charges", "amount=1").await;
    assert_eq!(status, 400, "an operation outside the contract");
    assert!(
        fake.payment_intents().is_empty(),
        "nothing refused was executed"
    );
    // The same body is accepted once it is valid: the refusals above were about the params.
    let (status, v) = raw_post(&fake, "/v1/payment_intents", base).await;
    assert_eq!((status, v["status"].clone()), (200, json!("succeeded")));
}

#[tokio::test]
async fn an_officer_onboards_and_is_paid_once() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let acct = g
        .create_connected_account("officer001@columbus.test", &key("acct-officer-1"))
        .await
        .unwrap();
    let create = fake.requests().pop().unwrap();
    assert_eq!(create.param("type"), Some("express"));
    assert_eq!(
        create.param("capabilities[transfers][requested]"),
        Some("true")
    );
    assert!(!g.account_ready(&acct).await.unwrap().ready());

    let pay = |k: &str| TransferRequest {
        account: acct.clone(),
        amount_cents: 24_000,
        currency: Currency::usd(),
        idempotency_key: key(k),
        description: "Kroger #512, Dec 5, 4 h".into(),
    };
    let early = g.transfer(&pay("pay-early")).await.unwrap_err();
    assert!(
        matches!(&early, GatewayError::InvalidRequest { param: Some(p), .. } if p == "destination"),
        "{early:?}"
    );

    let link = g
        .onboarding_link(
            &acct,
            "https://console.test/payouts/retry",
            "https://console.test/payouts/done",
        )
        .await
        .unwrap();
    assert!(link.expires_at > Utc::now().timestamp());
    let page = browser().get(&link.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let done = browser().post(&link.url).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        "https://console.test/payouts/done"
    );
    let ready = g.account_ready(&acct).await.unwrap();
    assert!(ready.ready() && ready.details_submitted);

    let t1 = g.transfer(&pay("pay-officer-1-dec-5")).await.unwrap();
    let t2 = g.transfer(&pay("pay-officer-1-dec-5")).await.unwrap();
    assert_eq!(t1, t2);
    let transfers = fake.transfers();
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0]["destination"], acct.as_str());
    assert_eq!(transfers[0]["amount"], 24_000);

    let missing = g
        .account_ready(&ConnectedAccountId("acct_missing".into()))
        .await
        .unwrap_err();
    assert!(matches!(missing, GatewayError::InvalidRequest { .. }));
}

#[tokio::test]
async fn amounts_of_zero_or_less_never_leave_the_server() {
    let fake = FakeStripe::start().await.unwrap();
    let g = gateway(&fake);
    let c = GatewayCustomerId("cus_x".into());
    let pm = PaymentMethodId("pm_card_visa".into());
    for amount in [0, -100] {
        assert!(matches!(
            g.charge(&charge(&c, &pm, amount, "neg")).await,
            Err(GatewayError::InvalidRequest { .. })
        ));
    }
    assert!(fake.requests().is_empty());
}

const WHSEC: &str = "whsec_test_offduty";

fn event_body() -> Vec<u8> {
    json!({"id": "evt_1", "type": "payment_intent.succeeded", "created": 1_765_000_000,
           "data": {"object": {"id": "pi_1", "object": "payment_intent"}}})
    .to_string()
    .into_bytes()
}

#[test]
fn webhook_signatures_are_checked_as_stripe_documents() {
    let t = 1_765_000_000;
    let now = Utc.timestamp_opt(t + 10, 0).unwrap();
    let body = event_body();
    let good = sign_webhook(&body, WHSEC, t);

    let e = verify_webhook(&body, &good, WHSEC, now, DEFAULT_TOLERANCE).unwrap();
    assert_eq!(
        (e.id.as_str(), e.type_.as_str()),
        ("evt_1", "payment_intent.succeeded")
    );
    assert_eq!(e.object["id"], "pi_1");

    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        verify_webhook(&tampered, &good, WHSEC, now, DEFAULT_TOLERANCE),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify_webhook(&body, &good, "whsec_other", now, DEFAULT_TOLERANCE),
        Err(WebhookError::SignatureMismatch)
    );
    let late = Utc.timestamp_opt(t + 301, 0).unwrap();
    assert_eq!(
        verify_webhook(&body, &good, WHSEC, late, DEFAULT_TOLERANCE),
        Err(WebhookError::OutsideTolerance)
    );
    let early = Utc.timestamp_opt(t - 301, 0).unwrap();
    assert_eq!(
        verify_webhook(&body, &good, WHSEC, early, DEFAULT_TOLERANCE),
        Err(WebhookError::OutsideTolerance)
    );
    // While a secret is rolled Stripe signs with both: any matching v1 is enough.
    let v1 = good.split_once(",v1=").unwrap().1;
    let two = format!("t={t},v1={},v1={v1},v0=abc", "ab".repeat(32));
    assert!(verify_webhook(&body, &two, WHSEC, now, DEFAULT_TOLERANCE).is_ok());
    let none_match = format!("t={t},v1={},v1=zz", "ab".repeat(32));
    assert_eq!(
        verify_webhook(&body, &none_match, WHSEC, now, DEFAULT_TOLERANCE),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify_webhook(&body, &format!("t={t}"), WHSEC, now, DEFAULT_TOLERANCE),
        Err(WebhookError::NoSignature)
    );
    assert_eq!(
        verify_webhook(&body, &format!("v1={v1}"), WHSEC, now, DEFAULT_TOLERANCE),
        Err(WebhookError::MalformedHeader)
    );
    assert_eq!(
        verify_webhook(&body, "", WHSEC, now, DEFAULT_TOLERANCE),
        Err(WebhookError::MalformedHeader)
    );
}

/// Deliveries received: the `Stripe-Signature` header and the raw body.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A webhook endpoint that keeps what it receives.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hooks/stripe",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let store = store.clone();
                async move {
                    let sig = headers["stripe-signature"].to_str().unwrap().to_string();
                    store.lock().unwrap().push((sig, body.to_vec()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hooks/stripe"), got)
}

#[tokio::test]
async fn webhooks_the_fake_signs_verify_and_name_the_saved_session() {
    let (url, got) = receiver().await;
    let fake = FakeStripe::start_with(Options {
        webhook: Some((url.clone(), WHSEC.into())),
        ..Options::default()
    })
    .await
    .unwrap();
    let g = gateway(&fake);
    let c = customer(&g, "c-hook").await;
    let s = g.create_setup_session(&setup_request(&c)).await.unwrap();
    click_through(&s.url, "card_4242").await;

    let mut events = Vec::new();
    for _ in 0..200 {
        events = got.lock().unwrap().clone();
        if !events.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (sig, body) = events.first().expect("a webhook was delivered");
    let e = verify_webhook(body, sig, WHSEC, Utc::now(), DEFAULT_TOLERANCE).unwrap();
    assert_eq!(e.type_, "checkout.session.completed");
    assert_eq!(e.object["id"], s.session_id.as_str());
    assert_eq!(e.object["status"], "complete");
    assert_eq!(
        verify_webhook(body, sig, "whsec_wrong", Utc::now(), DEFAULT_TOLERANCE),
        Err(WebhookError::SignatureMismatch)
    );

    let status = fake
        .send_webhook(
            &url,
            WHSEC,
            "account.updated",
            json!({"id": "acct_1", "object": "account"}),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let last = got.lock().unwrap().last().cloned().unwrap();
    let e = verify_webhook(&last.1, &last.0, WHSEC, Utc::now(), DEFAULT_TOLERANCE).unwrap();
    assert_eq!(e.type_, "account.updated");
}

/// A `tracing` writer into memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_secret_key_never_appears_in_debug_output_or_logs() {
    let fake = FakeStripe::start().await.unwrap();
    let secret = fake.secret_key();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = StripeConfig {
        api_base: fake.url(),
        secret_key: SecretString::new(secret.clone()),
        webhook_secret: Some(SecretString::new(WHSEC)),
    };
    let shown = format!("{config:?} {:?} {}", config.secret_key, config.secret_key);
    assert!(
        !shown.contains(&secret) && !shown.contains(WHSEC),
        "{shown}"
    );
    let g = gateway(&fake);
    assert!(!format!("{g:?}").contains(&secret));

    fake.fail_next(500, 1);
    let (c, pm) = saved_method(&g, "card_4242").await;
    g.charge(&charge(&c, &pm, 1_000, "inv-log")).await.unwrap();
    let wrong = gateway_with_key(&fake, "sk_test_wrong_and_secret");
    let e = wrong
        .create_customer("A", "a@b.test", &key("k"))
        .await
        .unwrap_err();
    assert!(!format!("{e:?} {e}").contains("sk_test_wrong_and_secret"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("stripe request"),
        "the adapter logs its requests:\n{logs}"
    );
    assert!(logs.contains("retrying"), "and its retries:\n{logs}");
    assert!(
        !logs.contains(&secret),
        "the key leaked into the logs:\n{logs}"
    );
    assert!(!logs.contains("sk_test_wrong_and_secret"));
}

#[tokio::test]
async fn stripe_out_of_reach_is_unavailable_after_the_retries() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let g = StripeGateway::with_retry(
        StripeConfig {
            api_base: format!("http://127.0.0.1:{port}"),
            secret_key: SecretString::new("sk_test_unreachable"),
            webhook_secret: None,
        },
        RetryPolicy {
            attempts: 2,
            first_backoff: Duration::from_millis(1),
            timeout: Duration::from_secs(2),
        },
    )
    .unwrap();
    let e = g
        .create_customer("A", "a@b.test", &key("k-offline"))
        .await
        .unwrap_err();
    assert!(e.retryable(), "{e:?}");
    assert!(!e.to_string().contains("sk_test_unreachable"));
}
