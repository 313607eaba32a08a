//! The demo's money side (issue 11): invoices and payouts in every state, made by the same
//! services a department uses, so the README's first command shows a living Invoices and
//! Payouts page. Runs once, after the server's state exists (the NACHA file is sealed with
//! the server's own key); its mark is the department's payroll details, so a start that
//! stopped half-way does it on the next start.
//!
//! - The money task is run as of eight and four days ago and now: customers' review windows
//!   close, invoices are issued per organization, and Ohio State Athletics' card is charged
//!   through the simulated gateway (paid).
//! - Easton Town Center pays by invoice: its first invoice is paid by a recorded transfer, its
//!   second gets a credit note for one timecard, the rest stay open.
//! - Weekly pay periods from this week's Monday; deposit accounts for every officer but a few
//!   (their pay is held, as the payouts page says); the period before last is paid (payroll CSV
//!   and NACHA file), the last one is left for the coordinator to pay.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, Utc};

use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::db::{DbError, get_uuid};
use crate::extract::AuthUser;
use crate::services::deposit_accounts::{self, NewAccount};
use crate::services::payouts::{self, Settings};
use crate::services::{charges, invoices, money_task};

use super::{COORDINATOR_EMAIL, DEMO_DEPARTMENT_ID};

/// Banks with valid routing numbers, for the officers' demo accounts.
const BANKS: [&str; 4] = ["011401533", "091000019", "044000037", "021000021"];

/// What the money seed made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoneySummary {
    pub invoices: usize,
    pub paid_invoices: usize,
    pub payout_batches: usize,
    pub officers_without_account: usize,
}

/// Arbitrary constant naming the demo money seed among PostgreSQL advisory locks.
const PG_SEED_LOCK: i64 = 0x00ff_d07f;

/// Seeds the demo's money side unless it is there (module docs). `None`: already there.
/// Several demo processes starting together on one PostgreSQL take turns (an advisory lock):
/// the first seeds, the others find its mark.
pub async fn seed_money(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<Option<MoneySummary>, String> {
    let db = &state.db;
    if db.dialect != crate::db::Dialect::Postgres {
        return seed_unlocked(state, now).await;
    }
    let mut lock = db.pool.acquire().await.map_err(|e| e.to_string())?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(PG_SEED_LOCK)
        .execute(&mut *lock)
        .await
        .map_err(|e| e.to_string())?;
    let seeded = seed_unlocked(state, now).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(PG_SEED_LOCK)
        .execute(&mut *lock)
        .await;
    if let Err(e) = unlocked {
        // The lock goes with the connection; close it rather than return it to the pool.
        tracing::warn!(error = %e, "demo money seed: unlock failed");
        lock.detach();
    }
    seeded
}

async fn seed_unlocked(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<Option<MoneySummary>, String> {
    let db = &state.db;
    let e = |e: crate::error::ApiError| format!("demo money: {}", e.detail);
    if payouts::settings(db, DEMO_DEPARTMENT_ID)
        .await
        .map_err(e)?
        .is_some()
    {
        return Ok(None);
    }
    let coordinator = {
        let mut tx = db.read().await.map_err(|e| e.to_string())?;
        let row = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(COORDINATOR_EMAIL)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| DbError::from(e).to_string())?;
        get_uuid(&row, "id").map_err(|e| e.to_string())?
    };
    let coord = AuthUser {
        user_id: coordinator,
        department_id: DEMO_DEPARTMENT_ID,
        role: Role::Coordinator,
    };

    for days_ago in [8, 4, 0] {
        money_task::pass(db, state.payments.as_ref(), now - Duration::days(days_ago))
            .await
            .map_err(e)?;
    }
    let mut all = invoices::of_department(db, DEMO_DEPARTMENT_ID)
        .await
        .map_err(e)?;
    all.sort_by_key(|i| i.number);
    let by_invoice: Vec<_> = all.iter().filter(|i| i.terms == "invoice").collect();
    if let Some(first) = by_invoice.first() {
        charges::record_transfer(
            db,
            coord,
            first.id,
            first.due_cents(),
            "ACH from Easton Town Center, ref. ETC-20417",
            first.issued_at + Duration::days(2),
        )
        .await
        .map_err(e)?;
    }
    if let Some(second) = by_invoice.get(1)
        && let Some(w) = second.worked.first()
    {
        invoices::credit_note(
            db,
            coord,
            second.id,
            Some(BTreeSet::from([w.timecard_id])),
            "The officer was released an hour after arriving; not billed.",
            second.issued_at + Duration::days(1),
        )
        .await
        .map_err(e)?;
    }

    let tz = {
        let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
        crate::services::award::load_department(&mut conn, DEMO_DEPARTMENT_ID)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo department vanished")?
            .tz
    };
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    payouts::set_settings(
        db,
        coord,
        Settings {
            mode: payouts::PayoutMode::Payroll,
            period_days: 7,
            period_anchor: monday,
            destination_routing: "044000037".into(),
            destination_name: "Huntington National Bank".into(),
            origin_id: "1316000000".into(),
            origin_name: "Columbus Division of Police".into(),
            company_name: "CPD Off-Duty".into(),
            company_id: "1316000000".into(),
            odfi_routing: "044000037".into(),
            entry_description: "PAYROLL".into(),
        },
        now - Duration::days(10),
    )
    .await
    .map_err(e)?;

    let officers = deposit_accounts::of_department(db, DEMO_DEPARTMENT_ID)
        .await
        .map_err(e)?;
    let mut without = 0;
    for (i, o) in officers.iter().enumerate() {
        // A few officers have not given an account yet: their pay is held.
        if i % 50 == 7 {
            without += 1;
            continue;
        }
        let account = format!("{}", 100_000_000 + (i as u64) * 7_919);
        deposit_accounts::set(
            db,
            &state.tokens,
            coord,
            o.officer_id,
            NewAccount {
                routing: BANKS[i % BANKS.len()],
                account: &account,
                kind: if i % 5 == 0 { "savings" } else { "checking" },
            },
            now - Duration::days(9),
        )
        .await
        .map_err(e)?;
    }

    // The period before last is paid yesterday; the last one waits for the coordinator.
    let mut batches = 0;
    match payouts::make_batch(
        db,
        &state.tokens,
        coord,
        monday - Duration::days(14),
        now - Duration::days(1),
    )
    .await
    {
        Ok(_) => batches += 1,
        Err(err) => {
            tracing::warn!(error = %err.detail, "demo: no payout batch for the period before last")
        }
    }

    let after = invoices::of_department(db, DEMO_DEPARTMENT_ID)
        .await
        .map_err(e)?;
    Ok(Some(MoneySummary {
        invoices: after.len(),
        paid_invoices: after.iter().filter(|i| i.status == "paid").count(),
        payout_batches: batches,
        officers_without_account: without,
    }))
}
