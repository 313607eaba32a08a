//! Billing the customers (decision 040), on SQLite and PostgreSQL: the customer's review window
//! and automatic approval, disputes resolved by a coordinator, invoices equal to
//! `billing::invoice` to the cent and numbered without gaps under concurrent issuing, credit
//! notes, charges through the Stripe adapter against the contract fake (success, decline and its
//! retries, a 500 then success charging once), transfers recorded for invoice terms, the
//! stored ledger replaying with balances summing to zero, and a customer seeing only its own
//! organization's invoices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::StatusCode;
use sqlx::Row;
use uuid::Uuid;

use common::money::{
    Business, World, auth, business, column, review_of, stored_ledger, timecard, world,
};
use common::{Backend, TestApp};
use offduty_domain::billing::{self, RateCard, WorkedShift};
use offduty_domain::ledger::Account;
use offduty_domain::pay::PayPolicy;
use offduty_server::payments::stripe::RetryPolicy;
use offduty_server::payments::{
    GatewayCustomerId, IdempotencyKey, PaymentGateway, SecretString, StripeConfig, StripeGateway,
};
use offduty_server::services::charges::{self, Outcome};
use offduty_server::services::review::{self, Resolution, Review};
use offduty_server::services::{invoices, money_task};
use offduty_testkit::stripe::FakeStripe;

async fn customer_reviews_within_the_window_and_the_rest_is_approved_automatically(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 3).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let other = business(&app, &w, "Other", "invoice").await;
    let now = Utc::now();
    let fresh = timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(1),
        240,
        "approved",
    )
    .await;
    let late = timecard(
        &app,
        &w,
        &acme,
        &w.officers[1],
        now - TimeDelta::hours(73),
        240,
        "approved",
    )
    .await;
    let doubtful = timecard(
        &app,
        &w,
        &acme,
        &w.officers[2],
        now - TimeDelta::hours(2),
        300,
        "approved",
    )
    .await;

    // Another organization's customer cannot even see it.
    let e = review::customer_review(&app.db, auth(&other.customer), fresh, Review::Approve, now)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::NOT_FOUND);
    // A coordinator is not the customer.
    assert_eq!(
        review::customer_review(&app.db, auth(&w.coord), fresh, Review::Approve, now)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );

    review::customer_review(&app.db, auth(&acme.customer), fresh, Review::Approve, now)
        .await
        .unwrap();
    assert_eq!(review_of(&app, fresh).await.as_deref(), Some("approved"));
    // Twice is a conflict, not a second decision.
    assert_eq!(
        review::customer_review(&app.db, auth(&acme.customer), fresh, Review::Approve, now)
            .await
            .unwrap_err()
            .status,
        StatusCode::CONFLICT
    );
    // 73 h after clock-out the 72 h window is closed.
    assert_eq!(
        review::customer_review(&app.db, auth(&acme.customer), late, Review::Approve, now)
            .await
            .unwrap_err()
            .status,
        StatusCode::CONFLICT
    );
    // A dispute needs a reason.
    let blank = review::customer_review(
        &app.db,
        auth(&acme.customer),
        doubtful,
        Review::Dispute {
            reason: "  ".into(),
        },
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    review::customer_review(
        &app.db,
        auth(&acme.customer),
        doubtful,
        Review::Dispute {
            reason: "Officer left at 9 pm, not 10 pm.".into(),
        },
        now,
    )
    .await
    .unwrap();

    // The money task approves the late one and bills the two approved, never the disputed.
    let pass = money_task::pass(&app.db, None, now).await.unwrap();
    assert_eq!(pass.auto_approved, 1);
    assert_eq!(pass.invoices, 1);
    assert_eq!(
        review_of(&app, late).await.as_deref(),
        Some("auto_approved")
    );
    assert_eq!(review_of(&app, doubtful).await.as_deref(), Some("disputed"));
    let listed = invoices::of_customer(&app.db, auth(&acme.customer))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let billed: BTreeSet<Uuid> = listed[0].worked.iter().map(|w| w.timecard_id).collect();
    assert_eq!(billed, BTreeSet::from([fresh, late]));

    // The coordinator sees the dispute with its reason, and adjusts the hours to 4 h.
    let disputes = review::disputes(&app.db, w.dept).await.unwrap();
    assert_eq!(disputes.len(), 1);
    assert_eq!(
        disputes[0].dispute_reason.as_deref(),
        Some("Officer left at 9 pm, not 10 pm.")
    );
    review::resolve(
        &app.db,
        auth(&w.coord),
        doubtful,
        Resolution::Adjust {
            worked_minutes: 240,
            note: "Gate log shows 21:02.".into(),
        },
        now,
    )
    .await
    .unwrap();
    let pass = money_task::pass(&app.db, None, now).await.unwrap();
    assert_eq!(pass.invoices, 1);
    let listed = invoices::of_customer(&app.db, auth(&acme.customer))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let second = &listed[0];
    assert_eq!(second.worked.len(), 1);
    assert_eq!(second.worked[0].billable_minutes, 240);
    // Every decision is in the audit log.
    let actions: Vec<String> = sqlx::query("SELECT action FROM audit_log WHERE department_id = $1")
        .bind(w.dept.to_string())
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("action").unwrap())
        .collect();
    for a in [
        "timecard_customer_approved",
        "timecard_disputed",
        "timecard_auto_approved",
        "dispute_adjusted",
        "invoice_issued",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

async fn an_invoice_is_billing_invoice_to_the_cent_and_the_ledger_replays(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let now = Utc::now();
    let a = timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(80),
        247,
        "approved",
    )
    .await;
    let b = timecard(
        &app,
        &w,
        &acme,
        &w.officers[1],
        now - TimeDelta::hours(79),
        181,
        "approved",
    )
    .await;
    // Not billed: the coordinator has not approved it, or rejected it.
    let pending = timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(78),
        60,
        "pending",
    )
    .await;
    let rejected = timecard(
        &app,
        &w,
        &acme,
        &w.officers[1],
        now - TimeDelta::hours(77),
        60,
        "rejected",
    )
    .await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_customer(&app.db, auth(&acme.customer))
        .await
        .unwrap();
    assert_eq!(inv.len(), 1);
    let inv = &inv[0];
    assert_eq!(inv.number, 1);
    // The figure computed here from the timecards as inserted: 4 h 07 min → 4 h 00 min and
    // 3 h 01 min → 3 h 00 min (quarter hours), at the default rate for security.
    let rate = PayPolicy::default().rate_for("security");
    let expected = billing::invoice(
        &RateCard::default(),
        &[
            WorkedShift {
                timecard_id: a,
                officer_id: w.officers[0].id,
                officer_name: inv.worked[0].officer_name.clone(),
                job_type: "security".into(),
                billable_minutes: 240,
                rate_cents: rate,
                multiplier_bp: 10_000,
                vehicle: false,
            },
            WorkedShift {
                timecard_id: b,
                officer_id: w.officers[1].id,
                officer_name: inv.worked[1].officer_name.clone(),
                job_type: "security".into(),
                billable_minutes: 180,
                rate_cents: rate,
                multiplier_bp: 10_000,
                vehicle: false,
            },
        ],
    )
    .unwrap();
    assert_eq!(inv.bill, expected);
    assert_eq!(inv.total_cents, expected.total_cents);
    // Officers' share = what they are paid: 7 h at the rate.
    assert_eq!(billing::officer_share(&inv.bill), rate * 7);
    for (id, status) in [
        (a, "invoiced"),
        (b, "invoiced"),
        (pending, "pending"),
        (rejected, "rejected"),
    ] {
        assert_eq!(
            column(&app, "SELECT status FROM timecards WHERE id = $1", id)
                .await
                .as_deref(),
            Some(status)
        );
    }
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(ledger.owed_by(acme.org), expected.total_cents);
    assert_eq!(ledger.payable_to(w.officers[0].id), rate * 4);

    // Invoice terms: not charged; the coordinator records the transfer.
    assert!(inv.next_charge_at.is_none());
    let too_much = charges::record_transfer(
        &app.db,
        auth(&w.coord),
        inv.id,
        inv.total_cents + 1,
        "wire 1",
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    charges::record_transfer(
        &app.db,
        auth(&w.coord),
        inv.id,
        inv.total_cents,
        "wire 88123",
        now,
    )
    .await
    .unwrap();
    let paid = invoices::visible(&app.db, auth(&acme.customer), inv.id)
        .await
        .unwrap();
    assert_eq!(paid.status, "paid");
    assert_eq!(paid.due_cents(), 0);
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(ledger.owed_by(acme.org), 0);
    assert_eq!(ledger.cash(), expected.total_cents);
}

async fn invoice_numbers_have_no_gaps_under_concurrent_issuing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 4).await;
    let mut businesses = Vec::new();
    for i in 0..4 {
        businesses.push(business(&app, &w, &format!("Biz{i}"), "invoice").await);
    }
    let now = Utc::now();
    let mut all = BTreeSet::new();
    for round in 0..3 {
        for (i, b) in businesses.iter().enumerate() {
            let id = timecard(
                &app,
                &w,
                b,
                &w.officers[i],
                now - TimeDelta::hours(100),
                120 + round,
                "approved",
            )
            .await;
            all.insert(id);
        }
        // Four issuers at once (as four server processes would).
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let db = app.db.clone();
                let dept = w.dept;
                tokio::spawn(async move {
                    offduty_server::services::review::auto_approve(&db, dept, now)
                        .await
                        .unwrap();
                    invoices::issue_due(&db, dept, now).await
                })
            })
            .collect();
        for t in tasks {
            // The department's lock serializes them: none is refused.
            t.await.unwrap().unwrap();
        }
        money_task::pass(&app.db, None, now).await.unwrap();
    }
    let invs = invoices::of_department(&app.db, w.dept).await.unwrap();
    let mut numbers: Vec<i64> = invs.iter().map(|i| i.number).collect();
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=invs.len() as i64).collect::<Vec<_>>(),
        "no gaps, no repeats"
    );
    let billed: Vec<Uuid> = invs
        .iter()
        .flat_map(|i| i.worked.iter().map(|w| w.timecard_id))
        .collect();
    assert_eq!(billed.len(), all.len(), "each timecard billed once");
    assert_eq!(billed.into_iter().collect::<BTreeSet<_>>(), all);
    stored_ledger(&app, w.dept).await;
}

async fn a_credit_note_corrects_an_invoice_without_editing_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let now = Utc::now();
    let a = timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(80),
        240,
        "approved",
    )
    .await;
    timecard(
        &app,
        &w,
        &acme,
        &w.officers[1],
        now - TimeDelta::hours(80),
        180,
        "approved",
    )
    .await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .remove(0);
    let stored_bill = column(&app, "SELECT bill_json FROM invoices WHERE id = $1", inv.id).await;

    let one = invoices::credit_note(
        &app.db,
        auth(&w.coord),
        inv.id,
        Some(BTreeSet::from([a])),
        "Officer 1 was not needed.",
        now,
    )
    .await
    .unwrap();
    assert_eq!(one.number, 1);
    // Its own lines as issued (officer time and admin fee) and 3 % on them, half up.
    let rate = PayPolicy::default().rate_for("security");
    let part = rate * 4 + 500 * 4;
    assert_eq!(one.amount_cents, part + (part * 300 + 5_000) / 10_000);
    // The rest, then nothing is left to credit.
    let rest = invoices::credit_note(
        &app.db,
        auth(&w.coord),
        inv.id,
        None,
        "Event cancelled.",
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        rest.status,
        StatusCode::CONFLICT,
        "officer 1's share was already taken back"
    );
    let other = inv.worked[1].timecard_id;
    let two = invoices::credit_note(
        &app.db,
        auth(&w.coord),
        inv.id,
        Some(BTreeSet::from([other])),
        "Event cancelled.",
        now,
    )
    .await
    .unwrap();
    assert_eq!(two.number, 2);
    assert!(one.amount_cents + two.amount_cents <= inv.total_cents);
    let after = invoices::visible(&app.db, auth(&w.coord), inv.id)
        .await
        .unwrap();
    assert_eq!(
        column(&app, "SELECT bill_json FROM invoices WHERE id = $1", inv.id).await,
        stored_bill
    );
    assert_eq!(
        after.total_cents, inv.total_cents,
        "the invoice is never edited"
    );
    assert_eq!(after.credited_cents, one.amount_cents + two.amount_cents);
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(
        ledger.owed_by(acme.org),
        inv.total_cents - after.credited_cents
    );
    assert_eq!(ledger.payable_to(w.officers[0].id), 0);
    // Only coordinators issue credit notes.
    assert_eq!(
        invoices::credit_note(&app.db, auth(&acme.customer), inv.id, None, "x", now)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
}

fn stripe(fake: &FakeStripe) -> Arc<dyn PaymentGateway> {
    Arc::new(
        StripeGateway::with_retry(
            StripeConfig {
                api_base: fake.url(),
                secret_key: SecretString::new(fake.secret_key()),
                webhook_secret: None,
            },
            RetryPolicy {
                attempts: 3,
                first_backoff: Duration::from_millis(5),
                timeout: Duration::from_secs(10),
            },
        )
        .unwrap(),
    )
}

/// A card customer whose saved method is Stripe's test token `pm`.
async fn card_business(
    app: &TestApp,
    w: &World,
    g: &Arc<dyn PaymentGateway>,
    name: &str,
    pm: &str,
) -> Business {
    let b = business(app, w, name, "card").await;
    let cus: GatewayCustomerId = g
        .create_customer(
            name,
            "ap@biz.test",
            &IdempotencyKey::new(format!("cus-{}", b.org)).unwrap(),
        )
        .await
        .unwrap();
    sqlx::query("UPDATE organizations SET gateway_customer = $1, payment_method = $2, payment_method_us = 1 WHERE id = $3")
        .bind(cus.as_str())
        .bind(pm)
        .bind(b.org.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    b
}

async fn card_invoice(
    app: &TestApp,
    w: &World,
    b: &Business,
    now: DateTime<Utc>,
) -> invoices::Invoice {
    timecard(
        app,
        w,
        b,
        &w.officers[0],
        now - TimeDelta::hours(80),
        240,
        "approved",
    )
    .await;
    review::auto_approve(&app.db, w.dept, now).await.unwrap();
    let ids = invoices::issue_due(&app.db, w.dept, now).await.unwrap();
    assert_eq!(ids.len(), 1);
    invoices::visible(&app.db, auth(&w.coord), ids[0])
        .await
        .unwrap()
}

fn intents_with_key(fake: &FakeStripe, key: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/v1/payment_intents" && r.idempotency_key.as_deref() == Some(key))
        .count()
}

async fn a_card_customer_is_charged_once_and_declines_are_retried_then_failed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let fake = FakeStripe::start().await.unwrap();
    let g = stripe(&fake);
    let w = world(&app, 1).await;
    let now = Utc::now();

    // Success: paid, one PaymentIntent for the invoice's total, the ledger collects it.
    let good = card_business(&app, &w, &g, "Good", "pm_card_visa").await;
    let inv = card_invoice(&app, &w, &good, now).await;
    assert_eq!(
        inv.next_charge_at,
        Some(inv.issued_at),
        "charged the same day"
    );
    assert_eq!(
        charges::charge_due(&app.db, &g, w.dept, now).await.unwrap(),
        1
    );
    let paid = invoices::visible(&app.db, auth(&w.coord), inv.id)
        .await
        .unwrap();
    assert_eq!(paid.status, "paid");
    let pis = fake.payment_intents();
    assert_eq!(pis.len(), 1);
    assert_eq!(pis[0]["amount"], inv.total_cents);
    assert_eq!(
        intents_with_key(&fake, &format!("invoice-{}-attempt-1", inv.id)),
        1
    );
    // Nothing more to do: a second pass charges nothing.
    assert_eq!(
        charges::charge_due(&app.db, &g, w.dept, now + TimeDelta::days(5))
            .await
            .unwrap(),
        0
    );
    assert_eq!(fake.payment_intents().len(), 1);

    // Decline: retried after 1 day and 3 days with new keys, then failed and shown.
    let poor = card_business(
        &app,
        &w,
        &g,
        "Poor",
        "pm_card_chargeDeclinedInsufficientFunds",
    )
    .await;
    let inv = card_invoice(&app, &w, &poor, now).await;
    let first = charges::charge(&app.db, &g, w.dept, inv.id, now, false)
        .await
        .unwrap();
    assert_eq!(
        first,
        Outcome::Declined {
            retry_at: Some(now + TimeDelta::days(1))
        }
    );
    // Not before its time.
    assert_eq!(
        charges::charge(
            &app.db,
            &g,
            w.dept,
            inv.id,
            now + TimeDelta::hours(23),
            false
        )
        .await
        .unwrap(),
        Outcome::Skipped
    );
    let t2 = now + TimeDelta::days(1);
    assert_eq!(
        charges::charge(&app.db, &g, w.dept, inv.id, t2, false)
            .await
            .unwrap(),
        Outcome::Declined {
            retry_at: Some(t2 + TimeDelta::days(3))
        }
    );
    let t3 = t2 + TimeDelta::days(3);
    assert_eq!(
        charges::charge(&app.db, &g, w.dept, inv.id, t3, false)
            .await
            .unwrap(),
        Outcome::Declined { retry_at: None }
    );
    let failed = invoices::visible(&app.db, auth(&w.coord), inv.id)
        .await
        .unwrap();
    assert_eq!(failed.status, "failed");
    let attempts = charges::attempts(&app.db, w.dept, inv.id).await.unwrap();
    assert_eq!(attempts.len(), 3);
    for (i, a) in attempts.iter().enumerate() {
        assert_eq!(a.idem_key, format!("invoice-{}-attempt-{}", inv.id, i + 1));
        assert_eq!(a.status, "declined");
        assert!(
            a.message.as_deref().unwrap_or("").contains("insufficient"),
            "{:?}",
            a.message
        );
    }
    // The coordinator's "retry now" is a fourth attempt with its own key.
    let again = charges::retry_now(&app.db, &g, auth(&w.coord), inv.id, t3)
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Declined { .. }));
    assert_eq!(
        intents_with_key(&fake, &format!("invoice-{}-attempt-4", inv.id)),
        1
    );
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(
        ledger.owed_by(poor.org),
        inv.total_cents,
        "nothing collected"
    );
}

async fn stripe_unavailable_then_back_charges_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let fake = FakeStripe::start().await.unwrap();
    let g = stripe(&fake);
    let w = world(&app, 1).await;
    let now = Utc::now();
    let b = card_business(&app, &w, &g, "Flaky", "pm_card_visa").await;
    let inv = card_invoice(&app, &w, &b, now).await;
    // Every one of the adapter's own tries answered 500: the attempt waits.
    fake.fail_next(500, 3);
    assert_eq!(
        charges::charge(&app.db, &g, w.dept, inv.id, now, false)
            .await
            .unwrap(),
        Outcome::Unavailable
    );
    assert_eq!(
        invoices::visible(&app.db, auth(&w.coord), inv.id)
            .await
            .unwrap()
            .status,
        "open"
    );
    // Then Stripe answers: the same attempt, the same key, one charge.
    let later = now + charges::UNAVAILABLE_RETRY;
    assert_eq!(
        charges::charge_due(&app.db, &g, w.dept, later)
            .await
            .unwrap(),
        1
    );
    let key = format!("invoice-{}-attempt-1", inv.id);
    assert_eq!(
        intents_with_key(&fake, &key),
        4,
        "three 500s and the success, one key"
    );
    assert_eq!(fake.payment_intents().len(), 1);
    let attempts = charges::attempts(&app.db, w.dept, inv.id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, "succeeded");
    let ledger = stored_ledger(&app, w.dept).await;
    assert_eq!(ledger.balance(Account::Cash), inv.total_cents);
}

async fn a_customer_sees_only_its_own_invoices(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = world(&app, 1).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let other = business(&app, &w, "Other", "invoice").await;
    let now = Utc::now();
    timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(80),
        240,
        "approved",
    )
    .await;
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        invoices::visible(&app.db, auth(&other.customer), inv.id)
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        invoices::visible(&app.db, auth(&w.officers[0]), inv.id)
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        invoices::of_customer(&app.db, auth(&other.customer))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        invoices::visible(&app.db, auth(&acme.customer), inv.id)
            .await
            .unwrap()
            .id,
        inv.id
    );
    // Another department's coordinator: not found either.
    let (_, stranger) = app.department("Elsewhere PD").await;
    assert_eq!(
        invoices::visible(&app.db, auth(&stranger), inv.id)
            .await
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
}

/// pypdf (pinned in scripts/pdf-venv.sh), installed on first use: an independent PDF parser.
fn pypdf() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/pdf-venv.sh"))
        .output()
        .expect("run scripts/pdf-venv.sh");
    assert!(
        out.status.success(),
        "the independent PDF parser (pypdf from PyPI) could not be installed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The text pypdf reads from `pdf` in strict mode (a malformed file fails).
fn pdf_text(pdf: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("offduty-invoice-{}.pdf", Uuid::new_v4()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(pypdf())
        .arg("-c")
        .arg(
            "import sys, pypdf\n\
             r = pypdf.PdfReader(sys.argv[1], strict=True)\n\
             print('\\n'.join(p.extract_text() for p in r.pages))",
        )
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pypdf refused the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn the_console_reviews_bills_and_downloads_the_pdf(backend: Backend) {
    use common::browser::Browser;
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let other = business(&app, &w, "Other", "invoice").await;
    let now = Utc::now();
    let fine = timecard(
        &app,
        &w,
        &acme,
        &w.officers[0],
        now - TimeDelta::hours(2),
        240,
        "approved",
    )
    .await;
    let wrong = timecard(
        &app,
        &w,
        &acme,
        &w.officers[1],
        now - TimeDelta::hours(2),
        300,
        "approved",
    )
    .await;

    let mut b = Browser::new(&app);
    b.sign_in(&acme.customer.email, common::PASSWORD).await;
    let page = b.get("/console/portal/timecards").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("/console/portal/timecards/{fine}"))
    );
    let csrf = page.csrf();
    let done = b
        .post(
            &format!("/console/portal/timecards/{fine}"),
            &[("csrf", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Without the CSRF token nothing happens.
    let forged = b
        .post(
            &format!("/console/portal/timecards/{wrong}"),
            &[("decision", "approve")],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    let done = b
        .post(
            &format!("/console/portal/timecards/{wrong}"),
            &[
                ("csrf", &csrf),
                ("decision", "dispute"),
                ("reason", "Left an hour early."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(review_of(&app, wrong).await.as_deref(), Some("disputed"));

    let mut c = Browser::new(&app);
    c.signed_in(&w.coord).await;
    let disputes = c.get("/console/disputes").await;
    assert_eq!(disputes.status, StatusCode::OK);
    assert!(disputes.body.contains("Left an hour early."));

    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_customer(&app.db, auth(&acme.customer))
        .await
        .unwrap()
        .remove(0);
    let list = b.get("/console/portal/invoices").await;
    assert!(
        list.body
            .contains(&format!("/console/portal/invoices/{}", inv.id))
    );
    let one = b.get(&format!("/console/portal/invoices/{}", inv.id)).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("Download the PDF"));
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let resp = app
        .http
        .get(format!(
            "{}/console/portal/invoices/{}/pdf",
            app.url, inv.id
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let text = pdf_text(&resp.bytes().await.unwrap());
    assert!(text.contains("invoice 1"), "{text}");
    for line in &inv.bill.lines {
        assert!(
            text.contains(&line.description.replace('×', "x")),
            "{} in {text}",
            line.description
        );
    }
    let total = offduty_domain::pay::format_cents(inv.total_cents, "USD");
    assert!(
        text.contains(&format!("Total: {total}")),
        "{total} in {text}"
    );

    // Another organization's customer: 404, for the page and the PDF.
    let mut o = Browser::new(&app);
    o.sign_in(&other.customer.email, common::PASSWORD).await;
    assert_eq!(
        o.get(&format!("/console/portal/invoices/{}", inv.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        o.get(&format!("/console/portal/invoices/{}/pdf", inv.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The coordinator sees it and records the transfer.
    let page = c.get(&format!("/console/invoices/{}", inv.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let amount = format!("{}.{:02}", inv.total_cents / 100, inv.total_cents % 100);
    let done = c
        .post(
            &format!("/console/invoices/{}", inv.id),
            &[
                ("csrf", &csrf),
                ("action", "transfer"),
                ("amount", &amount),
                ("reference", "ACH 7781"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        invoices::visible(&app.db, auth(&w.coord), inv.id)
            .await
            .unwrap()
            .status,
        "paid"
    );
}

async fn a_deposit_account_is_sealed_and_shown_by_its_last_four_digits(backend: Backend) {
    use offduty_server::services::deposit_accounts;
    let app = TestApp::start(backend).await;
    let w = world(&app, 2).await;
    let keys = &app.state.tokens;
    let now = Utc::now();
    let officer = w.officers[0].id;
    // 021000021 is a valid routing number (JPMorgan Chase); 021000022 fails the check digit.
    let bad = deposit_accounts::set(
        &app.db,
        keys,
        auth(&w.coord),
        officer,
        deposit_accounts::NewAccount {
            routing: "021000022",
            account: "123456789",
            kind: "checking",
        },
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = deposit_accounts::set(
        &app.db,
        keys,
        auth(&w.coord),
        officer,
        deposit_accounts::NewAccount {
            routing: "021000021",
            account: "000123456789",
            kind: "savings",
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(shown.last4, "6789");
    let stored = column(
        &app,
        "SELECT account_sealed FROM deposit_accounts WHERE officer_id = $1",
        officer,
    )
    .await
    .unwrap();
    assert!(!stored.contains("123456789"), "never stored in clear");
    assert_eq!(
        deposit_accounts::account_number(&app.db, keys, w.dept, officer)
            .await
            .unwrap()
            .as_deref(),
        Some("000123456789")
    );
    // Moved to another officer's row, it does not open.
    sqlx::query("UPDATE deposit_accounts SET officer_id = $1 WHERE officer_id = $2")
        .bind(w.officers[1].id.to_string())
        .bind(officer.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        deposit_accounts::account_number(&app.db, keys, w.dept, w.officers[1].id)
            .await
            .unwrap(),
        None
    );
    // Only a coordinator sets one; another department's officer is not found.
    assert_eq!(
        deposit_accounts::set(
            &app.db,
            keys,
            auth(&w.officers[1]),
            officer,
            deposit_accounts::NewAccount {
                routing: "021000021",
                account: "1",
                kind: "checking"
            },
            now
        )
        .await
        .unwrap_err()
        .status,
        StatusCode::FORBIDDEN
    );
    let (_, stranger) = app.department("Elsewhere PD").await;
    assert_eq!(
        deposit_accounts::set(
            &app.db,
            keys,
            auth(&stranger),
            officer,
            deposit_accounts::NewAccount {
                routing: "021000021",
                account: "1",
                kind: "checking"
            },
            now
        )
        .await
        .unwrap_err()
        .status,
        StatusCode::NOT_FOUND
    );
}

on_both_backends!(
    a_deposit_account_is_sealed_and_shown_by_its_last_four_digits,
    the_console_reviews_bills_and_downloads_the_pdf,
    customer_reviews_within_the_window_and_the_rest_is_approved_automatically,
    an_invoice_is_billing_invoice_to_the_cent_and_the_ledger_replays,
    invoice_numbers_have_no_gaps_under_concurrent_issuing,
    a_credit_note_corrects_an_invoice_without_editing_it,
    a_card_customer_is_charged_once_and_declines_are_retried_then_failed,
    stripe_unavailable_then_back_charges_once,
    a_customer_sees_only_its_own_invoices,
);
