//! Paying officers through the department's payroll (decision 042), on SQLite and PostgreSQL:
//! a closed pay period pays every timecard worked by its end whose invoice the customer paid,
//! per officer, cent for cent what the invoice credited them; credited timecards, unpaid
//! invoices and later timecards wait; officers without a deposit account are held; the ledger
//! pays out and still replays; the payroll CSV reads back; the NACHA file passes an independent
//! parser (achkit, PyPI) with every field as expected; a period is paid once, also when two
//! coordinators press the button together; and the console pages do the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::America::New_York;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use common::money::{
    Business, World, auth, business, noon, status_of, stored_ledger, timecard, world,
};
use common::{Backend, TestApp};
use offduty_domain::billing::timecard_shares;
use offduty_server::money::payroll::effective_date;
use offduty_server::services::payouts::{self, FileKind, Settings};
use offduty_server::services::{charges, deposit_accounts, invoices, money_task};

fn settings(anchor: NaiveDate) -> Settings {
    Settings {
        mode: offduty_server::services::payouts::PayoutMode::Payroll,
        period_days: 7,
        period_anchor: anchor,
        destination_routing: "091000019".into(),
        destination_name: "First Bank".into(),
        origin_id: "1311234567".into(),
        origin_name: "Columbus Division of Police".into(),
        company_name: "Columbus PD".into(),
        company_id: "1311234567".into(),
        odfi_routing: "044000037".into(),
        entry_description: "Payroll".into(),
    }
}

async fn account(app: &TestApp, w: &World, officer: Uuid, routing: &str, number: &str) {
    deposit_accounts::set(
        &app.db,
        &app.state.tokens,
        auth(&w.coord),
        officer,
        deposit_accounts::NewAccount {
            routing,
            account: number,
            kind: "checking",
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

async fn name_and_badge(app: &TestApp, id: Uuid) -> (String, String) {
    let r = sqlx::query("SELECT display_name, badge FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (
        r.try_get("display_name").unwrap(),
        r.try_get("badge").unwrap(),
    )
}

/// The NACHA checker (scripts/nacha-check.py with achkit from PyPI) on `text` against
/// `expected`; fails, saying why, when the parser cannot be installed.
fn nacha_check(text: &str, expected: &Value) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("bash")
        .arg(root.join("scripts/nacha-venv.sh"))
        .output()
        .expect("run scripts/nacha-venv.sh");
    assert!(
        out.status.success(),
        "the independent NACHA parser (achkit from PyPI) could not be installed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let dir = std::env::temp_dir().join(format!("offduty-payouts-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("payroll.ach"), text).unwrap();
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_vec(expected).unwrap(),
    )
    .unwrap();
    let out = Command::new(python)
        .arg(root.join("scripts/nacha-check.py"))
        .arg(dir.join("payroll.ach"))
        .arg(dir.join("expected.json"))
        .output()
        .expect("run scripts/nacha-check.py");
    std::fs::remove_dir_all(&dir).ok();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    said
}

struct Scene {
    app: TestApp,
    w: World,
    acme: Business,
    anchor: NaiveDate,
    now: DateTime<Utc>,
    /// Officer 0 in period A, officer 1 in A (credited), officer 2 in B, officer 0 in B.
    cards: [Uuid; 4],
    invoice: Uuid,
}

/// Two closed weekly periods, A and B, then today. Four timecards, one invoice paid by
/// transfer, officer 1's timecard credited.
async fn scene(backend: Backend) -> Scene {
    let app = TestApp::start(backend).await;
    let w = world(&app, 3).await;
    let acme = business(&app, &w, "Acme", "invoice").await;
    let now = Utc::now();
    let today = now.with_timezone(&New_York).date_naive();
    let anchor = today - Duration::days(14);
    let o = |i: usize| w.officers[i].clone();
    let a0 = timecard(&app, &w, &acme, &o(0), noon(anchor, 2), 240, "approved").await;
    let a1 = timecard(&app, &w, &acme, &o(1), noon(anchor, 3), 180, "approved").await;
    let b2 = timecard(&app, &w, &acme, &o(2), noon(anchor, 8), 300, "approved").await;
    let b0 = timecard(&app, &w, &acme, &o(0), noon(anchor, 9), 195, "approved").await;
    // The review windows (72 h) closed: approved automatically, one invoice issued.
    money_task::pass(&app.db, None, now).await.unwrap();
    let inv = invoices::of_department(&app.db, w.dept)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(inv.worked.len(), 4);
    Scene {
        app,
        w,
        acme,
        anchor,
        now,
        cards: [a0, a1, b2, b0],
        invoice: inv.id,
    }
}

async fn a_closed_period_pays_what_was_earned_and_paid_for(backend: Backend) {
    let s = scene(backend).await;
    let (app, w, now, anchor) = (&s.app, &s.w, s.now, s.anchor);
    let coord = auth(&w.coord);
    let keys = &app.state.tokens;

    // No payroll details yet.
    let e = payouts::make_batch(&app.db, keys, coord, anchor, now)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e.field.as_deref(), Some("payroll"));
    // Bad details are refused with the field at fault, and nothing is stored.
    let mut bad = settings(anchor);
    bad.odfi_routing = "044000038".into();
    let e = payouts::set_settings(&app.db, coord, bad, now)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("odfi_routing"));
    let mut bad = settings(anchor);
    bad.period_days = 10;
    let e = payouts::set_settings(&app.db, coord, bad, now)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("period_days"));
    assert!(payouts::settings(&app.db, w.dept).await.unwrap().is_none());
    // Only coordinators set them.
    assert_eq!(
        payouts::set_settings(&app.db, auth(&s.acme.customer), settings(anchor), now)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
    payouts::set_settings(&app.db, coord, settings(anchor), now)
        .await
        .unwrap();

    account(app, w, w.officers[0].id, "011401533", "0072-55").await;
    account(app, w, w.officers[1].id, "021000021", "99887766").await;

    // The invoice is not paid yet: nothing to pay.
    let e = payouts::make_batch(&app.db, keys, coord, anchor, now)
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", e.detail);
    assert!(e.detail.contains("Nothing to pay"), "{}", e.detail);

    // The customer pays by transfer; then officer 1's timecard is credited.
    let inv = invoices::visible(&app.db, coord, s.invoice).await.unwrap();
    charges::record_transfer(&app.db, coord, inv.id, inv.total_cents, "wire 881", now)
        .await
        .unwrap();
    invoices::credit_note(
        &app.db,
        coord,
        inv.id,
        Some(BTreeSet::from([s.cards[1]])),
        "Officer 1 was sent home at once.",
        now,
    )
    .await
    .unwrap();
    let shares = timecard_shares(&inv.bill, &inv.worked).unwrap();
    let share = |tc: Uuid| shares[&tc].1;

    // Refusals: a day that starts no period, a period still running, a customer.
    let e = payouts::make_batch(&app.db, keys, coord, anchor + Duration::days(1), now)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("period"));
    let e = payouts::make_batch(&app.db, keys, coord, anchor + Duration::days(14), now)
        .await
        .unwrap_err();
    assert!(e.detail.contains("has not ended"), "{}", e.detail);
    assert_eq!(
        payouts::make_batch(&app.db, keys, auth(&s.acme.customer), anchor, now)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );

    // Period A: officer 0's first timecard only (officer 1's was credited; the B ones are
    // after A's end).
    let dept = offduty_server::services::award::load_department(
        &mut app.db.pool.acquire().await.unwrap(),
        w.dept,
    )
    .await
    .unwrap()
    .unwrap();
    let preview = payouts::preview(
        &app.db,
        &dept,
        payouts::Settings::last_closed(&settings(anchor), noon(anchor, 8), New_York),
        payouts::PayoutMode::Payroll,
    )
    .await
    .unwrap();
    assert_eq!(preview.paid.len(), 1);
    assert_eq!(preview.paid[0].timecards, vec![s.cards[0]]);
    assert!(preview.held.is_empty());

    let made_at = noon(anchor, 15);
    let batch = payouts::make_batch(&app.db, keys, coord, anchor, made_at)
        .await
        .unwrap();
    assert_eq!(
        (batch.officers, batch.timecards, batch.total_cents),
        (1, 1, share(s.cards[0]))
    );
    assert_eq!(batch.period, (anchor, anchor + Duration::days(6)));
    assert_eq!(batch.file_id_modifier, "A");
    let effective = effective_date(made_at, New_York);
    assert_eq!(batch.effective_date, effective.to_string());
    assert_eq!(status_of(app, s.cards[0]).await.0, "paid");
    assert_eq!(
        status_of(app, s.cards[0]).await.1,
        Some(batch.id.to_string())
    );
    for tc in &s.cards[1..] {
        assert_eq!(status_of(app, *tc).await, ("invoiced".into(), None));
    }
    let ledger = stored_ledger(app, w.dept).await;
    assert_eq!(ledger.payable_to(w.officers[0].id), share(s.cards[3]));
    assert_eq!(ledger.payable_to(w.officers[1].id), 0, "credited back");
    assert_eq!(
        ledger.cash(),
        inv.total_cents - share(s.cards[0]),
        "the transfer in, the payout out"
    );

    // The officer's earnings say when each timecard was invoiced and paid.
    let (status, earnings) = app.get("/v1/earnings", &w.officers[0]).await;
    assert_eq!(status, StatusCode::OK, "{earnings}");
    let line = |tc: Uuid| {
        earnings["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["timecard_id"] == json!(tc))
            .cloned()
            .unwrap()
    };
    let when = |v: &Value| v.as_str().map(|t| t.parse::<DateTime<Utc>>().unwrap());
    let paid_line = line(s.cards[0]);
    assert_eq!(paid_line["status"], "paid");
    assert_eq!(when(&paid_line["paid_at"]), Some(made_at));
    assert_eq!(when(&paid_line["invoiced_at"]), Some(inv.issued_at));
    let waiting = line(s.cards[3]);
    assert_eq!(waiting["status"], "invoiced");
    assert_eq!(when(&waiting["invoiced_at"]), Some(inv.issued_at));
    assert!(waiting["paid_at"].is_null());

    // Invoiced time is never marked paid by hand: the payroll pays it.
    let (status, problem) = app
        .post(
            &format!("/v1/timecards/{}/paid", s.cards[3]),
            &w.coord,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(status_of(app, s.cards[3]).await.0, "invoiced");

    // The payroll CSV: one officer, their hours and amount.
    let (name, text) = payouts::file(&app.db, keys, coord, batch.id, FileKind::Csv, now)
        .await
        .unwrap();
    assert_eq!(name, format!("payroll-{}.csv", anchor.format("%Y%m%d")));
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["officer_id", "badge", "name"]);
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let (officer_name, badge) = name_and_badge(app, w.officers[0].id).await;
    assert_eq!(&rows[0][0], w.officers[0].id.to_string());
    assert_eq!(&rows[0][2], officer_name);
    assert_eq!(&rows[0][5], "1");
    assert_eq!(&rows[0][6], "4.00", "240 minutes");
    assert_eq!(
        &rows[0][7],
        format!("{}.{:02}", share(s.cards[0]) / 100, share(s.cards[0]) % 100)
    );
    assert_eq!((&rows[0][9], &rows[0][10]), ("011401533", "2-55"));

    // The NACHA file: opened from its seal, audited, and read by achkit as expected.
    let (_, ach) = payouts::file(&app.db, keys, coord, batch.id, FileKind::Nacha, now)
        .await
        .unwrap();
    let local = made_at.with_timezone(&New_York);
    let said = nacha_check(
        &ach,
        &json!({
            "destination_routing": "091000019",
            "origin_routing": "1311234567",
            "creation_date": local.format("%y%m%d").to_string(),
            "creation_time": local.format("%H%M").to_string(),
            "file_id_modifier": "A",
            "batch": {
                "service_class": 220, "company_name": "COLUMBUS PD",
                "company_id": "1311234567", "sec": "PPD", "description": "PAYROLL",
                "effective_date": effective.format("%y%m%d").to_string(),
                "origin_dfi": "04400003", "batch_number": 1,
            },
            "entries": [{
                "txn_code": 22, "routing": "011401533", "account": "0072-55",
                "amount_cents": share(s.cards[0]),
                "id_number": if badge.is_empty() { w.officers[0].id.simple().to_string()[..15].to_uppercase() } else { badge.clone() },
                "name": officer_name.to_uppercase().chars().take(22).collect::<String>(),
                "trace_number": "044000030000001",
            }],
            "total_credit_cents": share(s.cards[0]),
        }),
    );
    assert!(said.contains("1 entries"), "{said}");
    let stored: String = sqlx::query("SELECT nacha FROM payout_batches WHERE id = $1")
        .bind(batch.id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("nacha")
        .unwrap();
    assert!(
        !stored.contains("0072-55") && !stored.contains("011401533"),
        "the stored file is sealed"
    );
    let downloads: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'payout_file_downloaded' \
         AND entity_id = $1",
    )
    .bind(batch.id.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(downloads, 1);

    // A period is paid once.
    let again = payouts::make_batch(&app.db, keys, coord, anchor, made_at)
        .await
        .unwrap_err();
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Period B: officer 0's second timecard; officer 2 has no account: held.
    let b = payouts::make_batch(&app.db, keys, coord, anchor + Duration::days(7), made_at)
        .await
        .unwrap();
    assert_eq!((b.officers, b.total_cents), (1, share(s.cards[3])));
    assert_eq!(b.file_id_modifier, "B", "the second file made that day");
    assert_eq!(status_of(app, s.cards[2]).await, ("invoiced".into(), None));
    // Once officer 2 has an account, the next period pays the held timecard.
    account(app, w, w.officers[2].id, "091000019", "5550001").await;
    let c = payouts::make_batch(
        &app.db,
        keys,
        coord,
        anchor + Duration::days(14),
        noon(anchor, 22),
    )
    .await
    .unwrap();
    assert_eq!((c.officers, c.total_cents), (1, share(s.cards[2])));
    let ledger = stored_ledger(app, w.dept).await;
    for o in &w.officers {
        assert_eq!(ledger.payable_to(o.id), 0, "everyone earned is paid");
    }
    assert_eq!(
        payouts::batches(&app.db, &dept)
            .await
            .unwrap()
            .iter()
            .map(|b| b.period.0)
            .collect::<Vec<_>>(),
        vec![
            anchor + Duration::days(14),
            anchor + Duration::days(7),
            anchor
        ]
    );
}

async fn two_coordinators_pressing_together_make_one_batch(backend: Backend) {
    let s = scene(backend).await;
    let (app, w, now, anchor) = (&s.app, &s.w, s.now, s.anchor);
    let coord = auth(&w.coord);
    payouts::set_settings(&app.db, coord, settings(anchor), now)
        .await
        .unwrap();
    for o in &w.officers {
        account(app, w, o.id, "011401533", "12345").await;
    }
    let inv = invoices::visible(&app.db, coord, s.invoice).await.unwrap();
    charges::record_transfer(&app.db, coord, inv.id, inv.total_cents, "wire", now)
        .await
        .unwrap();
    let keys = app.state.tokens.clone();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (db, keys) = (app.db.clone(), keys.clone());
            tokio::spawn(async move { payouts::make_batch(&db, &keys, coord, anchor, now).await })
        })
        .collect();
    let mut made = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => made += 1,
            Err(e) => assert_eq!(e.status, StatusCode::CONFLICT, "{}", e.detail),
        }
    }
    assert_eq!(made, 1);
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM payout_batches")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 1);
    // Officers 0 and 1 worked in A: both paid once in the ledger.
    let ledger = stored_ledger(app, w.dept).await;
    let payouts = ledger
        .entries()
        .iter()
        .filter(|e| serde_json::to_value(e.kind()).unwrap() == json!("payout"))
        .count();
    assert_eq!(payouts, 2);
}

async fn the_console_sets_up_payroll_and_makes_the_files(backend: Backend) {
    use common::browser::Browser;
    let s = scene(backend).await;
    let (app, w, now, anchor) = (&s.app, &s.w, s.now, s.anchor);
    let coord = auth(&w.coord);
    let inv = invoices::visible(&app.db, coord, s.invoice).await.unwrap();
    charges::record_transfer(&app.db, coord, inv.id, inv.total_cents, "wire", now)
        .await
        .unwrap();

    let mut b = Browser::new(app);
    b.signed_in(&w.coord).await;
    let page = b.get("/console/payouts").await;
    let csrf = page.csrf();
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("pay period and bank details"),
        "{}",
        page.body
    );

    // Settings: a bad company id comes back with the values kept and the field marked.
    let mut form = vec![
        ("period_days", "7".to_string()),
        ("period_anchor", anchor.to_string()),
        ("destination_routing", "091000019".into()),
        ("destination_name", "First Bank".into()),
        ("origin_id", "1311234567".into()),
        ("origin_name", "Columbus Division of Police".into()),
        ("company_name", "Columbus PD".into()),
        ("company_id", "131".into()),
        ("odfi_routing", "044000037".into()),
        ("entry_description", "PAYROLL".into()),
    ];
    let bad = post_form(&mut b, &csrf, "/console/payouts/settings", &form).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#company_id\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"Columbus Division of Police\""));
    form[7].1 = "1311234567".into();
    let ok = post_form(&mut b, &csrf, "/console/payouts/settings", &form).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    // Deposit accounts: a bad routing number is refused, the account number never echoed.
    let officer = w.officers[0].id;
    let path = format!("/console/payouts/accounts/{officer}");
    let bad = post_form(
        &mut b,
        &csrf,
        &path,
        &[
            ("routing", "021000022".into()),
            ("account", "777666555".into()),
            ("kind", "checking".into()),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.body.contains("777666555"));
    for o in &w.officers[..2] {
        let saved = post_form(
            &mut b,
            &csrf,
            &format!("/console/payouts/accounts/{}", o.id),
            &[
                ("routing", "021000021".into()),
                ("account", "777666555".into()),
                ("kind", "savings".into()),
            ],
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
    }
    let list = b.get("/console/payouts/accounts").await;
    assert!(list.body.contains("savings ····6555"), "{}", list.body);
    assert!(!list.body.contains("777666555"));

    // The last closed period (B: officer 2 held, officer 0 paid) and its button.
    let page = b.get("/console/payouts").await;
    assert!(
        page.body.contains("Held: no deposit account"),
        "{}",
        page.body
    );
    let start = (anchor + Duration::days(7)).to_string();
    assert!(page.body.contains(&format!("value=\"{start}\"")));
    let made = post_form(
        &mut b,
        &csrf,
        "/console/payouts",
        &[("period_start", start.clone())],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let page = b.get("/console/payouts?done=batch").await;
    assert!(page.body.contains("The payroll files are made"));
    let id: String = sqlx::query("SELECT id FROM payout_batches")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    let csv = b.get(&format!("/console/payouts/{id}/csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("officer_id,badge,name"));
    let ach = b.get(&format!("/console/payouts/{id}/nacha")).await;
    assert_eq!(ach.status, StatusCode::OK);
    assert!(ach.body.starts_with("101"));
    // Pressing again: the period is paid, said on the page.
    let again = post_form(
        &mut b,
        &csrf,
        "/console/payouts",
        &[("period_start", start)],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already paid"), "{}", again.body);

    // A customer reaches none of it.
    let mut c = Browser::new(app);
    let signed = c.sign_in(&s.acme.customer.email, common::PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    for p in [
        "/console/payouts".to_string(),
        "/console/payouts/accounts".into(),
        format!("/console/payouts/{id}/nacha"),
    ] {
        assert_eq!(c.get(&p).await.status, StatusCode::FORBIDDEN, "{p}");
    }
}

/// Posts `fields` with the session's CSRF token, as the page's form would.
async fn post_form(
    b: &mut common::browser::Browser<'_>,
    csrf: &str,
    path: &str,
    fields: &[(&str, String)],
) -> common::browser::Page {
    let mut all: Vec<(&str, &str)> = vec![("csrf", csrf)];
    all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    b.post(path, &all).await
}

on_both_backends!(
    a_closed_period_pays_what_was_earned_and_paid_for,
    two_coordinators_pressing_together_make_one_batch,
    the_console_sets_up_payroll_and_makes_the_files,
);
