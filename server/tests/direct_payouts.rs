//! Paying officers directly through the payment gateway, and the gateway's signed webhooks
//! (decision 049), on SQLite and PostgreSQL:
//! - an officer sets up a payout account from the API (made once, a fresh link each time), and
//!   it becomes payable when the provider says so (asked, or told by `account.updated`);
//! - a closed period sends one transfer per officer with a ready account, under its own key:
//!   sent → the ledger pays out and the timecards are `paid`; refused → the timecards wait for a
//!   later batch; unreachable → sent again with the same key, paid once; officers without a
//!   ready account are held; a 0-cent timecard closes with the batch;
//! - the year's 1099-NEC summary adds up what was sent, and its CSV reads back;
//! - a bank debit the gateway took as `processing` settles by webhook, once, only with a valid
//!   signature; a failed debit is retried later.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::America::New_York;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::Row;
use uuid::Uuid;

use common::money::{World, auth, business, noon, status_of, stored_ledger, timecard, world};
use common::{Backend, TestApp};
use offduty_domain::billing::timecard_shares;
use offduty_server::payments::{
    AccountReadiness, Charge, ChargeRequest, ChargeStatus, CheckoutSessionId, ConnectedAccountId,
    GatewayCustomerId, GatewayError, IdempotencyKey, OnboardingLink, PaymentGateway, SecretString,
    SetupOutcome, SetupSession, SetupSessionRequest, SimulatedCall, SimulatedGateway, TransferId,
    TransferRequest,
};
use offduty_server::services::direct_payouts::{self, nec_threshold_cents};
use offduty_server::services::payouts::{self, PayoutMode, Settings};
use offduty_server::services::{charges, invoices, money_task};

const SECRET: &str = "whsec_test_direct_payouts";

/// The simulated gateway with knobs: accounts whose transfers are refused, one unreachable
/// transfer, whether accounts are ready, charges that settle later, and a webhook secret.
#[derive(Default)]
struct TestGateway {
    inner: SimulatedGateway,
    refused: Mutex<HashSet<String>>,
    /// The next transfer to this account finds the provider unreachable.
    unreachable_once: Mutex<Option<String>>,
    not_ready: Mutex<HashSet<String>>,
    processing: AtomicBool,
    secret: Option<SecretString>,
}

impl TestGateway {
    fn new() -> TestGateway {
        TestGateway {
            secret: Some(SecretString::new(SECRET)),
            ..TestGateway::default()
        }
    }

    /// The transfers the provider received, (account, cents), in order (retries included).
    fn transfers(&self) -> Vec<(String, i64)> {
        self.inner
            .calls()
            .into_iter()
            .filter_map(|c| match c {
                SimulatedCall::Transfer {
                    account,
                    amount_cents,
                } => Some((account, amount_cents)),
                _ => None,
            })
            .collect()
    }

    fn accounts_made(&self) -> usize {
        self.inner
            .calls()
            .iter()
            .filter(|c| matches!(c, SimulatedCall::CreateConnectedAccount { .. }))
            .count()
    }
}

#[async_trait::async_trait]
impl PaymentGateway for TestGateway {
    fn name(&self) -> &'static str {
        "test"
    }
    async fn create_customer(
        &self,
        name: &str,
        email: &str,
        key: &IdempotencyKey,
    ) -> Result<GatewayCustomerId, GatewayError> {
        self.inner.create_customer(name, email, key).await
    }
    async fn create_setup_session(
        &self,
        r: &SetupSessionRequest,
    ) -> Result<SetupSession, GatewayError> {
        self.inner.create_setup_session(r).await
    }
    async fn setup_result(&self, s: &CheckoutSessionId) -> Result<SetupOutcome, GatewayError> {
        self.inner.setup_result(s).await
    }
    async fn charge(&self, r: &ChargeRequest) -> Result<Charge, GatewayError> {
        let mut c = self.inner.charge(r).await?;
        if self.processing.load(Ordering::SeqCst) {
            c.status = ChargeStatus::Processing;
        }
        Ok(c)
    }
    async fn create_connected_account(
        &self,
        email: &str,
        key: &IdempotencyKey,
    ) -> Result<ConnectedAccountId, GatewayError> {
        self.inner.create_connected_account(email, key).await
    }
    async fn onboarding_link(
        &self,
        a: &ConnectedAccountId,
        refresh: &str,
        ret: &str,
    ) -> Result<OnboardingLink, GatewayError> {
        self.inner.onboarding_link(a, refresh, ret).await
    }
    async fn account_ready(
        &self,
        a: &ConnectedAccountId,
    ) -> Result<AccountReadiness, GatewayError> {
        let mut r = self.inner.account_ready(a).await?;
        if self.not_ready.lock().unwrap().contains(a.as_str()) {
            r.payouts_enabled = false;
        }
        Ok(r)
    }
    async fn transfer(&self, r: &TransferRequest) -> Result<TransferId, GatewayError> {
        let unreachable = {
            let mut once = self.unreachable_once.lock().unwrap();
            let hit = once.as_deref() == Some(r.account.as_str());
            if hit {
                *once = None;
            }
            hit
        };
        if unreachable {
            return Err(GatewayError::Unavailable {
                detail: "connection reset".into(),
            });
        }
        if self.refused.lock().unwrap().contains(r.account.as_str()) {
            return Err(GatewayError::InvalidRequest {
                param: Some("destination".into()),
                message: "The destination account cannot receive transfers yet.".into(),
            });
        }
        self.inner.transfer(r).await
    }
    fn webhook_secret(&self) -> Option<&SecretString> {
        self.secret.as_ref()
    }
}

async fn app_with(backend: Backend) -> (TestApp, Arc<TestGateway>) {
    let gateway = Arc::new(TestGateway::new());
    let g: Arc<dyn PaymentGateway> = gateway.clone();
    let app = TestApp::start_configured(backend, move |state| {
        state.payments = Some(g);
        // Plain http on loopback: the set-up links name this server with http.
        state.secure_cookies = false;
    })
    .await;
    (app, gateway)
}

fn direct(anchor: NaiveDate) -> Settings {
    Settings {
        mode: PayoutMode::Direct,
        period_days: 7,
        period_anchor: anchor,
        destination_routing: String::new(),
        destination_name: String::new(),
        origin_id: String::new(),
        origin_name: String::new(),
        company_name: String::new(),
        company_id: String::new(),
        odfi_routing: String::new(),
        entry_description: String::new(),
    }
}

async fn account_of(app: &TestApp, officer: Uuid) -> String {
    sqlx::query("SELECT gateway_account FROM payout_accounts WHERE officer_id = $1")
        .bind(officer.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("gateway_account")
        .unwrap()
}

/// `Stripe-Signature` for `body` at `t` with `secret`, as Stripe computes it.
fn signature(body: &str, t: i64, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

async fn webhook(app: &TestApp, event: &Value, header: Option<String>) -> (StatusCode, Value) {
    let body = event.to_string();
    let mut req = app
        .http
        .post(format!("{}/v1/webhooks/stripe", app.url))
        .header("content-type", "application/json")
        .body(body.clone());
    if let Some(h) = header {
        req = req.header("stripe-signature", h);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn signed(app: &TestApp, event: &Value) -> (StatusCode, Value) {
    let t = Utc::now().timestamp();
    webhook(app, event, Some(signature(&event.to_string(), t, SECRET))).await
}

fn event(kind: &str, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "type": kind,
        "created": Utc::now().timestamp(),
        "data": {"object": object},
    })
}

struct Scene {
    app: TestApp,
    gateway: Arc<TestGateway>,
    w: World,
    anchor: NaiveDate,
    now: DateTime<Utc>,
    /// Period A: officers 0, 1, 2, and officer 3's worth 0 cents. Period B: officer 1.
    cards: [Uuid; 5],
    invoice: Uuid,
}

async fn scene(backend: Backend) -> Scene {
    let (app, gateway) = app_with(backend).await;
    let w = world(&app, 4).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let now = Utc::now();
    let today = now.with_timezone(&New_York).date_naive();
    let anchor = today - Duration::days(14);
    let o = |i: usize| w.officers[i].clone();
    let a0 = timecard(&app, &w, &acme, &o(0), noon(anchor, 2), 240, "approved").await;
    let a1 = timecard(&app, &w, &acme, &o(1), noon(anchor, 3), 180, "approved").await;
    let a2 = timecard(&app, &w, &acme, &o(2), noon(anchor, 4), 300, "approved").await;
    let z2 = timecard(&app, &w, &acme, &o(3), noon(anchor, 5), 240, "approved").await;
    // Worth nothing: worked at a rate of 0 (a courtesy shift the department does not bill).
    sqlx::query("UPDATE timecards SET rate_cents = 0, gross_cents = 0 WHERE id = $1")
        .bind(z2.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let b1 = timecard(&app, &w, &acme, &o(1), noon(anchor, 9), 195, "approved").await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(inv.worked.len(), 5);
    Scene {
        app,
        gateway,
        w,
        anchor,
        now,
        cards: [a0, a1, a2, z2, b1],
        invoice: inv.id,
    }
}

async fn officers_are_paid_directly(backend: Backend) {
    let s = scene(backend).await;
    let (app, w, now, anchor, g) = (&s.app, &s.w, s.now, s.anchor, &s.gateway);
    let coord = auth(&w.coord);
    let gateway: Arc<dyn PaymentGateway> = g.clone();
    let [o0, o1, o2] = [&w.officers[0], &w.officers[1], &w.officers[2]];

    // A payroll department: nothing to set up, and the link is refused.
    let (st, body) = app.get("/v1/me/payout-account", o0).await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("not_needed"))
    );
    let (st, body) = app.post("/v1/me/payout-account/link", o0, &json!({})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");

    // Direct mode needs no bank details; payroll files are then refused.
    payouts::set_settings(&app.db, coord, direct(anchor), now)
        .await
        .unwrap();
    let e = payouts::make_batch(&app.db, &app.state.tokens, coord, anchor, now)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::CONFLICT, "{}", e.detail);

    // Officer 0 sets up: the account is made once, each press gives a fresh link back here.
    let (st, body) = app.get("/v1/me/payout-account", o0).await;
    assert_eq!(body["status"], "not_started", "{st} {body}");
    let (st, link) = app.post("/v1/me/payout-account/link", o0, &json!({})).await;
    assert_eq!(st, StatusCode::OK, "{link}");
    assert_eq!(
        link["url"].as_str().unwrap(),
        format!("{}/console/payout-setup/done", app.url),
        "the simulated provider sends the officer straight back"
    );
    let (st, _) = app.post("/v1/me/payout-account/link", o0, &json!({})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(g.accounts_made(), 1);
    // Not ready until the provider says so; then ready when asked.
    let acct0 = account_of(app, o0.id).await;
    g.not_ready.lock().unwrap().insert(acct0.clone());
    let (_, body) = app.get("/v1/me/payout-account", o0).await;
    assert_eq!(body["status"], "onboarding", "{body}");
    g.not_ready.lock().unwrap().remove(&acct0);
    let (_, body) = app.get("/v1/me/payout-account", o0).await;
    assert_eq!(body["status"], "ready", "{body}");
    assert!(body["checked_at"].is_string());
    // Officer 1 finishes later: the provider's account.updated webhook says so.
    app.post("/v1/me/payout-account/link", o1, &json!({})).await;
    let acct1 = account_of(app, o1.id).await;
    let (st, r) = signed(
        app,
        &event(
            "account.updated",
            json!({"id": acct1, "payouts_enabled": true}),
        ),
    )
    .await;
    assert_eq!(
        (st, r["applied"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{r}"
    );
    // Officer 2 never starts: held.
    let listed = direct_payouts::of_department(&app.db, w.dept)
        .await
        .unwrap();
    let status = |id: Uuid| listed.iter().find(|o| o.officer_id == id).unwrap().status;
    assert_eq!(status(o2.id), direct_payouts::AccountStatus::NotStarted);
    assert_eq!(status(o1.id), direct_payouts::AccountStatus::Ready);

    // The customer pays the invoice; officer 1's account cannot take transfers yet, and the
    // provider is unreachable for the first transfer.
    let inv = invoices::visible(&app.db, coord, s.invoice).await.unwrap();
    charges::record_transfer(&app.db, coord, inv.id, inv.total_cents, "wire 42", now)
        .await
        .unwrap();
    let shares = timecard_shares(&inv.bill, &inv.worked).unwrap();
    let share = |tc: Uuid| shares[&tc].1;
    assert_eq!(share(s.cards[3]), 0, "the courtesy shift is worth 0 cents");
    g.refused.lock().unwrap().insert(acct1.clone());
    *g.unreachable_once.lock().unwrap() = Some(acct0.clone());
    let batch = direct_payouts::make_batch(&app.db, &gateway, coord, anchor, now)
        .await
        .unwrap();
    assert_eq!(batch.mode, PayoutMode::Direct);
    assert_eq!(batch.officers, 2);
    assert_eq!(batch.total_cents, share(s.cards[0]) + share(s.cards[1]));
    // Officer 0: unreachable, still pending; its timecard is tied to the batch, not paid.
    let transfers = direct_payouts::transfers(&app.db, &dept(app, w).await, batch.id)
        .await
        .unwrap();
    let of = |id: Uuid| {
        transfers
            .iter()
            .find(|t| t.officer_id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(of(o0.id).status, "pending");
    assert_eq!(
        status_of(app, s.cards[0]).await,
        ("invoiced".into(), Some(batch.id.to_string()))
    );
    // Officer 1: refused; the timecard waits for a later batch.
    assert_eq!(of(o1.id).status, "failed");
    assert!(
        of(o1.id)
            .message
            .unwrap()
            .contains("cannot receive transfers")
    );
    assert_eq!(status_of(app, s.cards[1]).await, ("invoiced".into(), None));
    // Officer 2: held (no account). Officer 3 is owed nothing (a 0-cent timecard, no account
    // needed): it closed with the batch.
    assert_eq!(status_of(app, s.cards[2]).await, ("invoiced".into(), None));
    assert_eq!(
        status_of(app, s.cards[3]).await,
        ("paid".into(), Some(batch.id.to_string()))
    );
    let ledger = stored_ledger(app, w.dept).await;
    assert_eq!(ledger.payable_to(o0.id), share(s.cards[0]));

    // Sent again: the same key reaches the provider, the officer is paid once.
    let sent = direct_payouts::send_pending(&app.db, &gateway, w.dept, Some(batch.id), now)
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed, sent.waiting), (1, 0, 0));
    let again = direct_payouts::send_pending(&app.db, &gateway, w.dept, None, now)
        .await
        .unwrap();
    assert_eq!((again.sent, again.failed, again.waiting), (0, 0, 0));
    assert_eq!(
        g.transfers(),
        vec![(acct0.clone(), share(s.cards[0]))],
        "the unreachable attempt never arrived; the retry did, once"
    );
    assert_eq!(
        status_of(app, s.cards[0]).await,
        ("paid".into(), Some(batch.id.to_string()))
    );
    let ledger = stored_ledger(app, w.dept).await;
    assert_eq!(ledger.payable_to(o0.id), 0);
    assert_eq!(
        ledger.payable_to(o1.id),
        share(s.cards[1]) + share(s.cards[4])
    );

    // A period is paid once.
    let e = direct_payouts::make_batch(&app.db, &gateway, coord, anchor, now)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::CONFLICT);
    // Period B: officer 1's refused timecard from A and the one from B, in one transfer.
    g.refused.lock().unwrap().clear();
    let b = direct_payouts::make_batch(&app.db, &gateway, coord, anchor + Duration::days(7), now)
        .await
        .unwrap();
    assert_eq!(b.officers, 1);
    assert_eq!(b.total_cents, share(s.cards[1]) + share(s.cards[4]));
    for tc in [s.cards[1], s.cards[4]] {
        assert_eq!(
            status_of(app, tc).await,
            ("paid".into(), Some(b.id.to_string()))
        );
    }
    let ledger = stored_ledger(app, w.dept).await;
    assert_eq!(ledger.payable_to(o1.id), 0);
    assert_eq!(
        ledger.payable_to(o2.id),
        share(s.cards[2]),
        "held, still owed"
    );

    // The 1099-NEC summary of the year: what was sent, per officer.
    let d = dept(app, w).await;
    let year = direct_payouts::this_year(&d, now);
    let lines = direct_payouts::nec_summary(&app.db, &d, year)
        .await
        .unwrap();
    let got: Vec<(Uuid, i64, i64)> = lines
        .iter()
        .map(|l| (l.officer_id, l.transfers, l.cents))
        .collect();
    let mut want = vec![
        (o0.id, 1, share(s.cards[0])),
        (o1.id, 1, share(s.cards[1]) + share(s.cards[4])),
    ];
    want.sort_by_key(|(id, _, _)| lines.iter().position(|l| l.officer_id == *id));
    assert_eq!(got, want);
    assert!(
        lines
            .iter()
            .all(|l| l.reportable == (l.cents >= nec_threshold_cents(year)))
    );
    let csv = direct_payouts::nec_csv(year, "usd", &lines).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "tax_year",
            "officer_id",
            "badge",
            "name",
            "payout_account",
            "transfers",
            "amount",
            "currency",
            "files_1099_nec"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], lines[0].officer_id.to_string());
    assert_eq!(
        rows[0][6].replace('.', "").parse::<i64>().unwrap(),
        lines[0].cents
    );
    // Nothing paid the year before.
    assert!(
        direct_payouts::nec_summary(&app.db, &d, year - 1)
            .await
            .unwrap()
            .is_empty()
    );

    // The console: the payouts page lists the direct batches, the 1099 page the officers.
    let page = app_page(app, w, "/console/payouts").await;
    assert!(page.contains("Send the transfers for") || page.contains("Paid periods"));
    assert!(page.contains("1 sent"), "{page}");
    let page = app_page(app, w, &format!("/console/payouts/1099?year={year}")).await;
    assert!(page.contains("1099-NEC summary"), "{page}");
    let page = app_page(app, w, "/console/payouts/payout-accounts").await;
    assert!(page.contains("Not set up: pay held"), "{page}");
}

async fn dept(app: &TestApp, w: &World) -> offduty_server::db::rows::Department {
    offduty_server::services::award::load_department(
        &mut app.db.pool.acquire().await.unwrap(),
        w.dept,
    )
    .await
    .unwrap()
    .unwrap()
}

/// A console page as the coordinator (signed in through the form).
async fn app_page(app: &TestApp, w: &World, path: &str) -> String {
    let mut b = common::browser::Browser::new(app);
    b.sign_in(&w.coord.email, common::PASSWORD).await;
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    page.body
}

async fn a_bank_debit_settles_by_webhook(backend: Backend) {
    let (app, g) = app_with(backend).await;
    let w = world(&app, 1).await;
    let gateway: Arc<dyn PaymentGateway> = g.clone();
    let coord = auth(&w.coord);
    let acme = business(&app, &w, "Acme", "card").await;
    sqlx::query(
        "UPDATE organizations SET gateway_customer = 'cus_simulated_1', \
         payment_method = 'pm_simulated_bank', payment_method_label = 'bank account ending 6789' \
         WHERE id = $1",
    )
    .bind(acme.org.to_string())
    .execute(&app.db.pool)
    .await
    .unwrap();
    let now = Utc::now();
    timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - Duration::days(5),
        240,
        "approved",
    )
    .await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .remove(0);
    // A bank debit: accepted, settles later.
    g.processing.store(true, Ordering::SeqCst);
    let outcome = charges::charge(&app.db, &gateway, w.dept, inv.id, now, true)
        .await
        .unwrap();
    assert_eq!(outcome, charges::Outcome::Processing);
    let pi: String = sqlx::query("SELECT gateway_id FROM charges WHERE invoice_id = $1")
        .bind(inv.id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("gateway_id")
        .unwrap();
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(ledger.owed_by(acme.org), inv.total_cents);

    let paid = event(
        "payment_intent.succeeded",
        json!({"id": pi, "status": "succeeded"}),
    );
    // Refused: no signature, a wrong secret, a stale timestamp, a body changed after signing.
    let (st, body) = webhook(&app, &paid, None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "stripe-signature");
    let t = Utc::now().timestamp();
    let (st, _) = webhook(
        &app,
        &paid,
        Some(signature(&paid.to_string(), t, "whsec_other")),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = webhook(
        &app,
        &paid,
        Some(signature(&paid.to_string(), t - 3600, SECRET)),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let mut forged = paid.clone();
    forged["data"]["object"]["id"] = json!("pi_someone_else");
    let (st, _) = webhook(&app, &forged, Some(signature(&paid.to_string(), t, SECRET))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invoices::visible(&app.db, coord, inv.id)
            .await
            .unwrap()
            .status,
        "open",
        "nothing refused changed the invoice"
    );

    // Signed: the invoice is paid, the ledger took the money in; the same event again, or a
    // late failure, changes nothing.
    let (st, r) = signed(&app, &paid).await;
    assert_eq!(
        (st, r["applied"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{r}"
    );
    let (st, r) = signed(&app, &paid).await;
    assert_eq!(
        (st, r["applied"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{r}"
    );
    let late = event(
        "payment_intent.payment_failed",
        json!({"id": pi, "last_payment_error": {"message": "late"}}),
    );
    let (_, r) = signed(&app, &late).await;
    assert_eq!(r["applied"], false);
    assert_eq!(
        invoices::visible(&app.db, coord, inv.id)
            .await
            .unwrap()
            .status,
        "paid"
    );
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(ledger.owed_by(acme.org), 0);
    // Events about something not ours, or of kinds not handled, are received and ignored.
    let (st, r) = signed(
        &app,
        &event("payment_intent.succeeded", json!({"id": "pi_not_ours"})),
    )
    .await;
    assert_eq!((st, r["applied"].as_bool()), (StatusCode::OK, Some(false)));
    let (st, r) = signed(&app, &event("customer.created", json!({"id": "cus_x"}))).await;
    assert_eq!((st, r["applied"].as_bool()), (StatusCode::OK, Some(false)));

    // A second invoice whose debit fails: declined, and tried again later.
    timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - Duration::days(4),
        180,
        "approved",
    )
    .await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let second = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id != inv.id)
        .unwrap();
    charges::charge(&app.db, &gateway, w.dept, second.id, now, true)
        .await
        .unwrap();
    let pi2: String = sqlx::query(
        "SELECT gateway_id FROM charges WHERE invoice_id = $1 AND status = 'processing'",
    )
    .bind(second.id.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
    .try_get("gateway_id")
    .unwrap();
    let failed = event(
        "payment_intent.payment_failed",
        json!({"id": pi2, "last_payment_error": {"message": "Insufficient funds."}}),
    );
    let (_, r) = signed(&app, &failed).await;
    assert_eq!(r["applied"], true);
    let row = sqlx::query("SELECT status, message FROM charges WHERE gateway_id = $1")
        .bind(pi2.clone())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("status").unwrap(), "declined");
    assert_eq!(
        row.try_get::<String, _>("message").unwrap(),
        "Insufficient funds."
    );
    let after = invoices::visible(&app.db, coord, second.id).await.unwrap();
    assert_eq!(after.status, "open");
    assert!(
        after.next_charge_at.is_some_and(|at| at > now),
        "retried later"
    );
    // Audited.
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'invoice_charge_settled'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(n, 2);
}

async fn no_secret_no_webhook(backend: Backend) {
    let app = TestApp::start_configured(backend, |state| {
        state.payments = Some(Arc::new(SimulatedGateway::new()));
    })
    .await;
    let e = event("payment_intent.succeeded", json!({"id": "pi_1"}));
    let t = Utc::now().timestamp();
    let (st, body) = webhook(&app, &e, Some(signature(&e.to_string(), t, SECRET))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["status"], 404);
}

#[test]
fn the_1099_threshold_follows_the_law_of_the_year() {
    assert_eq!(nec_threshold_cents(2024), 60_000);
    assert_eq!(nec_threshold_cents(2025), 60_000);
    assert_eq!(nec_threshold_cents(2026), 200_000);
}

on_both_backends!(
    officers_are_paid_directly,
    a_bank_debit_settles_by_webhook,
    no_secret_no_webhook
);
