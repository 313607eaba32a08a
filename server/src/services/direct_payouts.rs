//! Paying officers directly through the payment gateway (issue 11, decision 049): the other
//! payout mode beside the department's payroll files (decision 042, `services::payouts`).
//!
//! **Payout accounts.** An officer onboards once on the provider's own pages (Stripe Connect
//! Express): [`onboarding_link`] makes the officer's connected account the first time (under a
//! key, so a retry never makes two) and returns a fresh one-time link. The provider keeps the
//! officer's bank and tax details; we keep only its account id and whether it can receive
//! payouts, which [`refresh`] asks and the provider's `account.updated` webhook tells
//! ([`account_updated`]).
//!
//! **Batches.** Per closed pay period, as for payroll files and with the same *payable* rule
//! (`payouts::payable`). [`make_batch`] writes the batch and one `pending` transfer per officer
//! with a ready account, and ties the timecards to the batch, in one department transaction;
//! then [`send_pending`] sends each transfer under its own idempotency key, outside any
//! transaction, and settles each answer in its own transaction:
//! - *sent*: the ledger pays the officer out (it refuses more than earned or held), the
//!   timecards become `paid` (the officer's app hears through the change log), audited;
//! - *refused* by the provider: the transfer is `failed` with the provider's sentence, its
//!   timecards leave the batch and wait for the next one;
//! - *unreachable*: it stays `pending` and is sent again, with the same key, by the money task
//!   or the coordinator's "send again" (a key never pays twice).
//!
//! **1099-NEC.** [`nec_summary`] adds up, per officer and calendar year (in the department's
//! zone), what was transferred to them, and says who reached the reporting threshold
//! ([`nec_threshold_cents`]). Filing the forms themselves is the department's (or the provider's
//! tax reporting) job; this is the summary they are filed from.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use uuid::Uuid;

use offduty_domain::pay::Cents;
use offduty_domain::protocol::Role;

use crate::db::rows::Department;
use crate::db::{Db, DbError, from_us, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::money::books;
use crate::money::payroll;
use crate::payments::{
    ConnectedAccountId, Currency, GatewayError, IdempotencyKey, OnboardingLink, PaymentGateway,
    TransferRequest,
};
use crate::services::audit::{self, AuditEntry};
use crate::services::payouts::{self, Batch, OfficerPay, PayoutMode};
use crate::services::txn::DeptTx;

/// Where an officer's payout account stands (the domain's, with its sentences).
pub use offduty_domain::payouts::PayoutAccountStatus as AccountStatus;

/// An officer's payout account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutAccount {
    pub officer_id: Uuid,
    /// The provider's id (`acct_…`).
    pub gateway_account: String,
    pub ready: bool,
    pub checked_at: Option<DateTime<Utc>>,
}

async fn mode_of(conn: &mut sqlx::AnyConnection, department_id: Uuid) -> ApiResult<PayoutMode> {
    let row = sqlx::query("SELECT payout_mode FROM departments WHERE id = $1")
        .bind(department_id.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(DbError::from)?;
    let mode: String = get(&row, "payout_mode")?;
    Ok(PayoutMode::parse(&mode)
        .ok_or_else(|| DbError::corrupt("departments", "unknown payout_mode"))?)
}

fn account_from_row(r: &sqlx::any::AnyRow) -> Result<PayoutAccount, DbError> {
    let ready: i64 = get(r, "ready")?;
    let checked: Option<i64> = get(r, "checked_us")?;
    Ok(PayoutAccount {
        officer_id: get_uuid(r, "officer_id")?,
        gateway_account: get(r, "gateway_account")?,
        ready: ready == 1,
        checked_at: checked.map(from_us),
    })
}

async fn account_in(
    conn: &mut sqlx::AnyConnection,
    department_id: Uuid,
    officer_id: Uuid,
) -> ApiResult<Option<PayoutAccount>> {
    let row = sqlx::query(
        "SELECT officer_id, gateway_account, ready, checked_us FROM payout_accounts \
         WHERE department_id = $1 AND officer_id = $2",
    )
    .bind(department_id.to_string())
    .bind(officer_id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(DbError::from)?;
    Ok(row.as_ref().map(account_from_row).transpose()?)
}

/// An officer's payout account and where it stands (no call to the provider).
pub async fn status(
    db: &Db,
    department_id: Uuid,
    officer_id: Uuid,
) -> ApiResult<(AccountStatus, Option<PayoutAccount>)> {
    let mut tx = db.read().await?;
    let mode = mode_of(&mut tx, department_id).await?;
    let account = account_in(&mut tx, department_id, officer_id).await?;
    Ok((status_of(mode, account.as_ref()), account))
}

fn status_of(mode: PayoutMode, account: Option<&PayoutAccount>) -> AccountStatus {
    match (mode, account) {
        (PayoutMode::Payroll, _) => AccountStatus::NotNeeded,
        (PayoutMode::Direct, None) => AccountStatus::NotStarted,
        (PayoutMode::Direct, Some(a)) if a.ready => AccountStatus::Ready,
        (PayoutMode::Direct, Some(_)) => AccountStatus::Onboarding,
    }
}

/// What the officer is told when the provider cannot be used just now.
fn provider_trouble(e: &GatewayError) -> ApiError {
    tracing::warn!(error = %e, "payment provider refused or unreachable");
    ApiError::unavailable(
        "The payment provider cannot be reached or refused the request just now; try again in \
         a few minutes (the department has been told if it persists).",
    )
}

/// The officer starts or resumes onboarding: their connected account is made once, and a fresh
/// one-time link to the provider's pages is returned. `return_url` is where the provider sends
/// the officer when done, `refresh_url` where an expired link leads.
pub async fn onboarding_link(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    officer: AuthUser,
    refresh_url: &str,
    return_url: &str,
    now: DateTime<Utc>,
) -> ApiResult<OnboardingLink> {
    officer.require(Role::Officer)?;
    let (mode, existing, email) = {
        let mut tx = db.read().await?;
        let mode = mode_of(&mut tx, officer.department_id).await?;
        let existing = account_in(&mut tx, officer.department_id, officer.user_id).await?;
        let row = sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(officer.user_id.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(DbError::from)?;
        let email: String = get(&row, "email")?;
        (mode, existing, email)
    };
    if mode != PayoutMode::Direct {
        return Err(ApiError::conflict(AccountStatus::NotNeeded.sentence()));
    }
    let account = match existing {
        Some(a) => a.gateway_account,
        None => {
            let key = IdempotencyKey::new(format!("officer-{}-payout-account", officer.user_id))
                .ok_or_else(ApiError::internal)?;
            let made = gateway
                .create_connected_account(&email, &key)
                .await
                .map_err(|e| provider_trouble(&e))?;
            let mut t = DeptTx::begin(db, officer.department_id).await?;
            // The same key answers the same account, so a second press stores nothing new.
            sqlx::query(
                "INSERT INTO payout_accounts (officer_id, department_id, gateway_account, ready, \
                 checked_us, created_us) VALUES ($1, $2, $3, 0, NULL, $4) \
                 ON CONFLICT (officer_id) DO NOTHING",
            )
            .bind(officer.user_id.to_string())
            .bind(officer.department_id.to_string())
            .bind(made.as_str())
            .bind(to_us(now))
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            audit::append(
                t.conn(),
                officer.department_id,
                AuditEntry {
                    actor_id: Some(officer.user_id),
                    action: "payout_account_created",
                    entity: "user",
                    entity_id: officer.user_id.to_string(),
                    detail: serde_json::json!({"gateway_account": made.as_str()}),
                },
                now,
            )
            .await?;
            let stored = account_in(t.conn(), officer.department_id, officer.user_id)
                .await?
                .map(|a| a.gateway_account)
                .unwrap_or_else(|| made.as_str().to_string());
            t.commit().await?;
            stored
        }
    };
    gateway
        .onboarding_link(&ConnectedAccountId(account), refresh_url, return_url)
        .await
        .map_err(|e| provider_trouble(&e))
}

async fn set_ready(
    db: &Db,
    department_id: Uuid,
    account: &str,
    ready: bool,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let before = sqlx::query(
        "SELECT officer_id, ready FROM payout_accounts WHERE gateway_account = $1 \
         AND department_id = $2",
    )
    .bind(account)
    .bind(department_id.to_string())
    .fetch_optional(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    let Some(before) = before else {
        return Ok(false);
    };
    let was: i64 = get(&before, "ready")?;
    let officer = get_uuid(&before, "officer_id")?;
    sqlx::query(
        "UPDATE payout_accounts SET ready = $1, checked_us = $2 WHERE gateway_account = $3",
    )
    .bind(i64::from(ready))
    .bind(to_us(now))
    .bind(account)
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    if (was == 1) != ready {
        audit::append(
            t.conn(),
            department_id,
            AuditEntry {
                actor_id: None,
                action: if ready {
                    "payout_account_ready"
                } else {
                    "payout_account_restricted"
                },
                entity: "user",
                entity_id: officer.to_string(),
                detail: serde_json::json!({"gateway_account": account}),
            },
            now,
        )
        .await?;
    }
    t.commit().await?;
    Ok(true)
}

/// Asks the provider whether the officer's account can receive payouts, and keeps the answer.
pub async fn refresh(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    department_id: Uuid,
    officer_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<(AccountStatus, Option<PayoutAccount>)> {
    let (status, account) = status(db, department_id, officer_id).await?;
    let Some(a) = account else {
        return Ok((status, None));
    };
    if status == AccountStatus::NotNeeded {
        return Ok((status, Some(a)));
    }
    let readiness = gateway
        .account_ready(&ConnectedAccountId(a.gateway_account.clone()))
        .await
        .map_err(|e| provider_trouble(&e))?;
    set_ready(
        db,
        department_id,
        &a.gateway_account,
        readiness.ready(),
        now,
    )
    .await?;
    self::status(db, department_id, officer_id).await
}

/// The provider's `account.updated` webhook: keeps whether the account can receive payouts.
/// Returns whether the account is one of ours.
pub async fn account_updated(
    db: &Db,
    account: &str,
    payouts_enabled: bool,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let department = {
        let mut tx = db.read().await?;
        sqlx::query("SELECT department_id FROM payout_accounts WHERE gateway_account = $1")
            .bind(account)
            .fetch_optional(&mut *tx)
            .await
            .map_err(DbError::from)?
            .map(|r| get_uuid(&r, "department_id"))
            .transpose()?
    };
    match department {
        Some(d) => set_ready(db, d, account, payouts_enabled, now).await,
        None => Ok(false),
    }
}

/// An officer of the department and their payout account, for the coordinator's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficerAccount {
    pub officer_id: Uuid,
    pub name: String,
    pub badge: String,
    pub status: AccountStatus,
    pub checked_at: Option<DateTime<Utc>>,
}

/// Every active officer of the department with their payout account; not ready first.
pub async fn of_department(db: &Db, department_id: Uuid) -> ApiResult<Vec<OfficerAccount>> {
    let mut tx = db.read().await?;
    let mode = mode_of(&mut tx, department_id).await?;
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.badge, p.officer_id, p.gateway_account, p.ready, \
         p.checked_us FROM users u LEFT JOIN payout_accounts p ON p.officer_id = u.id \
         WHERE u.department_id = $1 AND u.role = 'officer' AND u.disabled = 0 \
         ORDER BY COALESCE(p.ready, 0), u.display_name, u.id",
    )
    .bind(department_id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let has: Option<String> = get(r, "gateway_account")?;
        let account = match has {
            Some(_) => Some(account_from_row(r)?),
            None => None,
        };
        out.push(OfficerAccount {
            officer_id: get_uuid(r, "id")?,
            name: get(r, "display_name")?,
            badge: get(r, "badge")?,
            status: status_of(mode, account.as_ref()),
            checked_at: account.and_then(|a| a.checked_at),
        });
    }
    Ok(out)
}

/// A coordinator makes the direct payout batch of the closed period starting `start`, then
/// sends its transfers (module docs). Refuses as `payouts::make_batch` does, and when the
/// department is not in direct mode or no officer owed money has a ready payout account.
pub async fn make_batch(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    coordinator: AuthUser,
    start: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Batch> {
    coordinator.require(Role::Coordinator)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.clone();
    let (settings, period) = payouts::closed_period(&mut t, start, now).await?;
    if settings.mode != PayoutMode::Direct {
        return Err(ApiError::conflict(
            "The department pays officers through its payroll; direct transfers are made only \
             in direct mode (payout settings).",
        ));
    }
    let preview = payouts::payable(
        t.conn(),
        dept.id,
        period.end_at(dept.tz),
        PayoutMode::Direct,
    )
    .await?;
    if preview.paid.is_empty() {
        return Err(ApiError::invalid(
            "period",
            if preview.held.is_empty() {
                "Nothing to pay: no timecard the customer paid for is waiting."
            } else {
                "Nothing to pay yet: no officer owed money has a ready payout account."
            },
        ));
    }
    let id = Uuid::now_v7();
    let effective = now.with_timezone(&dept.tz).date_naive();
    let csv_lines = payouts::csv_lines(&preview.paid, false);
    let csv = payroll::csv(period, &dept.currency, effective, &csv_lines).map_err(|e| {
        tracing::error!(error = %e, "the payout CSV could not be written");
        ApiError::internal()
    })?;
    let total = preview.total_cents();
    let timecards: usize = preview.paid.iter().map(|o| o.timecards.len()).sum();
    sqlx::query(
        "INSERT INTO payout_batches (id, department_id, period_start_us, period_end_us, \
         total_cents, csv, nacha, created_by, created_us, officers, timecards, effective_date, \
         file_id_modifier, mode) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10, $11, '', \
         'direct')",
    )
    .bind(id.to_string())
    .bind(dept.id.to_string())
    .bind(to_us(period.start_at(dept.tz)))
    .bind(to_us(period.end_at(dept.tz)))
    .bind(total)
    .bind(csv)
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .bind(i64::try_from(preview.paid.len()).unwrap_or(i64::MAX))
    .bind(i64::try_from(timecards).unwrap_or(i64::MAX))
    .bind(effective.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    for o in &preview.paid {
        let Some(account) = &o.connected else {
            continue;
        };
        sqlx::query(
            "INSERT INTO payout_transfers (id, batch_id, department_id, officer_id, \
             gateway_account, amount_cents, timecards_json, idem_key, status, created_us, \
             updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(id.to_string())
        .bind(dept.id.to_string())
        .bind(o.officer_id.to_string())
        .bind(account.clone())
        .bind(o.cents)
        .bind(serde_json::to_string(&o.timecards).map_err(|_| ApiError::internal())?)
        .bind(format!("payout-{id}-{}", o.officer_id))
        .bind(to_us(now))
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
        tie(&mut t, id, o).await?;
    }
    // Timecards worth 0 cents close with the batch: nothing is owed, nothing is sent.
    payouts::mark_paid(&mut t, id, &preview.settled, now).await?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "payout_batch_made",
            entity: "payout_batch",
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "mode": "direct", "period_start": period.start, "period_end": period.last_day(),
                "officers": preview.paid.len(), "timecards": timecards, "total_cents": total,
                "held_officers": preview.held.len(), "settled_officers": preview.settled.len(),
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    send_pending(db, gateway, dept.id, Some(id), now).await?;
    payouts::batch(db, &dept, id).await
}

/// Ties an officer's timecards to the batch while the transfer is out (so no other batch takes
/// them); they become `paid` only once the transfer is sent.
async fn tie(t: &mut DeptTx, batch: Uuid, o: &OfficerPay) -> ApiResult<()> {
    for tc in &o.timecards {
        sqlx::query("UPDATE timecards SET payout_batch_id = $1 WHERE id = $2")
            .bind(batch.to_string())
            .bind(tc.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
    }
    Ok(())
}

/// What the transfers of one call of [`send_pending`] ended with.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
    /// Still pending: the provider could not be reached.
    pub waiting: usize,
}

struct Pending {
    id: Uuid,
    officer_id: Uuid,
    account: String,
    amount_cents: Cents,
    timecards: Vec<Uuid>,
    idem_key: String,
    batch_id: Uuid,
}

/// Sends the department's pending transfers (of one batch, or all), each under its own key,
/// and settles each answer in its own department transaction (module docs).
pub async fn send_pending(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    department_id: Uuid,
    batch: Option<Uuid>,
    now: DateTime<Utc>,
) -> ApiResult<Sent> {
    let (pending, currency) = {
        let mut tx = db.read().await?;
        let rows = sqlx::query(
            "SELECT id, officer_id, gateway_account, amount_cents, timecards_json, idem_key, \
             batch_id FROM payout_transfers WHERE department_id = $1 AND status = 'pending' \
             ORDER BY created_us, id",
        )
        .bind(department_id.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(DbError::from)?;
        let currency: String = get(
            &sqlx::query("SELECT currency FROM departments WHERE id = $1")
                .bind(department_id.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(DbError::from)?,
            "currency",
        )?;
        let mut pending = Vec::new();
        for r in &rows {
            let text: String = get(r, "timecards_json")?;
            let p = Pending {
                id: get_uuid(r, "id")?,
                officer_id: get_uuid(r, "officer_id")?,
                account: get(r, "gateway_account")?,
                amount_cents: get(r, "amount_cents")?,
                timecards: serde_json::from_str(&text)
                    .map_err(|e| DbError::corrupt("payout_transfers", e))?,
                idem_key: get(r, "idem_key")?,
                batch_id: get_uuid(r, "batch_id")?,
            };
            if batch.is_none_or(|b| b == p.batch_id) {
                pending.push(p);
            }
        }
        (pending, currency)
    };
    let currency = Currency::new(&currency).unwrap_or_else(Currency::usd);
    let mut done = Sent::default();
    for p in pending {
        let request = TransferRequest {
            account: ConnectedAccountId(p.account.clone()),
            amount_cents: p.amount_cents,
            currency: currency.clone(),
            idempotency_key: IdempotencyKey::new(p.idem_key.clone())
                .ok_or_else(ApiError::internal)?,
            description: format!("offduty pay, batch {}", p.batch_id),
        };
        let answer = gateway.transfer(&request).await;
        match settle(db, department_id, &p, answer, now).await? {
            Settled::Sent => done.sent += 1,
            Settled::Failed => done.failed += 1,
            Settled::Waiting => done.waiting += 1,
            Settled::Elsewhere => {}
        }
    }
    Ok(done)
}

enum Settled {
    Sent,
    Failed,
    Waiting,
    /// Another process settled it first (same key, same answer): nothing to count here.
    Elsewhere,
}

async fn settle(
    db: &Db,
    department_id: Uuid,
    p: &Pending,
    answer: Result<crate::payments::TransferId, GatewayError>,
    now: DateTime<Utc>,
) -> ApiResult<Settled> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.id;
    // Another process may have settled it meanwhile (same key, same answer): settle once.
    let status: Option<String> = sqlx::query("SELECT status FROM payout_transfers WHERE id = $1")
        .bind(p.id.to_string())
        .fetch_optional(&mut *t.conn())
        .await
        .map_err(DbError::from)?
        .map(|r| get(&r, "status"))
        .transpose()?;
    if status.as_deref() != Some("pending") {
        return Ok(Settled::Elsewhere);
    }
    let (outcome, gateway_id, message) = match &answer {
        Ok(id) => (Settled::Sent, Some(id.as_str().to_string()), None),
        Err(e) if e.retryable() => (Settled::Waiting, None, Some(e.to_string())),
        Err(GatewayError::Declined { message, .. }) => {
            (Settled::Failed, None, Some(message.clone()))
        }
        Err(GatewayError::InvalidRequest { message, .. }) => {
            (Settled::Failed, None, Some(message.clone()))
        }
        Err(e) => (Settled::Failed, None, Some(e.to_string())),
    };
    let new_status = match outcome {
        Settled::Sent => "succeeded",
        Settled::Failed => "failed",
        Settled::Waiting | Settled::Elsewhere => "pending",
    };
    sqlx::query(
        "UPDATE payout_transfers SET status = $1, gateway_id = $2, message = $3, updated_us = $4 \
         WHERE id = $5",
    )
    .bind(new_status)
    .bind(gateway_id.clone())
    .bind(message.clone())
    .bind(to_us(now))
    .bind(p.id.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    match outcome {
        Settled::Sent => {
            let mut ledger = books::load(t.conn(), dept).await?;
            ledger
                .payout(p.officer_id, p.amount_cents)
                .map_err(books::refused)?;
            books::store_last(t.conn(), dept, &ledger, now).await?;
            let officer = OfficerPay {
                officer_id: p.officer_id,
                name: String::new(),
                badge: String::new(),
                timecards: p.timecards.clone(),
                minutes: 0,
                cents: p.amount_cents,
                account: None,
                connected: Some(p.account.clone()),
            };
            payouts::mark_paid(&mut t, p.batch_id, std::slice::from_ref(&officer), now).await?;
        }
        Settled::Failed => {
            for tc in &p.timecards {
                sqlx::query(
                    "UPDATE timecards SET payout_batch_id = NULL WHERE id = $1 \
                     AND payout_batch_id = $2",
                )
                .bind(tc.to_string())
                .bind(p.batch_id.to_string())
                .execute(&mut *t.conn())
                .await
                .map_err(DbError::from)?;
            }
        }
        Settled::Waiting | Settled::Elsewhere => {}
    }
    if matches!(outcome, Settled::Sent | Settled::Failed) {
        audit::append(
            t.conn(),
            dept,
            AuditEntry {
                actor_id: None,
                action: if matches!(outcome, Settled::Sent) {
                    "payout_transferred"
                } else {
                    "payout_transfer_failed"
                },
                entity: "payout_batch",
                entity_id: p.batch_id.to_string(),
                detail: serde_json::json!({
                    "officer_id": p.officer_id, "amount_cents": p.amount_cents,
                    "idempotency_key": p.idem_key, "gateway_id": gateway_id,
                    "message": message, "timecards": p.timecards.len(),
                }),
            },
            now,
        )
        .await?;
    }
    t.commit().await?;
    Ok(outcome)
}

/// One transfer of a batch, as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub officer_id: Uuid,
    pub name: String,
    pub amount_cents: Cents,
    /// pending, succeeded, failed
    pub status: String,
    pub gateway_id: Option<String>,
    pub message: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A batch's transfers, by officer name.
pub async fn transfers(db: &Db, dept: &Department, batch: Uuid) -> ApiResult<Vec<Transfer>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT p.officer_id, u.display_name, p.amount_cents, p.status, p.gateway_id, \
         p.message, p.updated_us FROM payout_transfers p JOIN users u ON u.id = p.officer_id \
         WHERE p.department_id = $1 AND p.batch_id = $2 ORDER BY u.display_name, p.officer_id",
    )
    .bind(dept.id.to_string())
    .bind(batch.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    rows.iter()
        .map(|r| {
            Ok(Transfer {
                officer_id: get_uuid(r, "officer_id")?,
                name: get(r, "display_name")?,
                amount_cents: get(r, "amount_cents")?,
                status: get(r, "status")?,
                gateway_id: get(r, "gateway_id")?,
                message: get(r, "message")?,
                updated_at: from_us(get(r, "updated_us")?),
            })
        })
        .collect::<Result<_, DbError>>()
        .map_err(ApiError::from)
}

/// The amount from which a payer files a 1099-NEC for a calendar year's nonemployee
/// compensation: $600 through 2025; $2,000 for payments made from 2026 (the One Big Beautiful
/// Bill Act, 2025; indexed for inflation after 2026, so later years need their figure here).
pub fn nec_threshold_cents(year: i32) -> Cents {
    if year <= 2025 { 60_000 } else { 200_000 }
}

/// One officer's year of direct payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NecLine {
    pub officer_id: Uuid,
    pub name: String,
    pub badge: String,
    pub gateway_account: String,
    pub transfers: i64,
    pub cents: Cents,
    /// At or above [`nec_threshold_cents`]: a 1099-NEC is filed for this officer.
    pub reportable: bool,
}

/// What each officer was paid directly in calendar `year` (in the department's zone), by name.
pub async fn nec_summary(db: &Db, dept: &Department, year: i32) -> ApiResult<Vec<NecLine>> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| ApiError::invalid("year", "Give a year between 2000 and 2100."))?;
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1)
        .ok_or_else(|| ApiError::invalid("year", "Give a year between 2000 and 2100."))?;
    let local = |d: NaiveDate| {
        dept.tz
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| ApiError::invalid("year", "That year cannot be placed in time."))
    };
    let (from, to) = (local(start)?, local(end)?);
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT p.officer_id, u.display_name, u.badge, MAX(p.gateway_account) AS account, \
         COUNT(*) AS n, CAST(SUM(p.amount_cents) AS BIGINT) AS cents FROM payout_transfers p \
         JOIN users u ON u.id = p.officer_id \
         WHERE p.department_id = $1 AND p.status = 'succeeded' AND p.updated_us >= $2 \
           AND p.updated_us < $3 \
         GROUP BY p.officer_id, u.display_name, u.badge ORDER BY u.display_name, p.officer_id",
    )
    .bind(dept.id.to_string())
    .bind(to_us(from))
    .bind(to_us(to))
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let threshold = nec_threshold_cents(year);
    rows.iter()
        .map(|r| {
            let cents: i64 = get(r, "cents")?;
            Ok(NecLine {
                officer_id: get_uuid(r, "officer_id")?,
                name: get(r, "display_name")?,
                badge: get(r, "badge")?,
                gateway_account: get(r, "account")?,
                transfers: get(r, "n")?,
                cents,
                reportable: cents >= threshold,
            })
        })
        .collect::<Result<_, DbError>>()
        .map_err(ApiError::from)
}

/// The summary as CSV (RFC 4180, CRLF; text cells never run as formulas).
pub fn nec_csv(year: i32, currency: &str, lines: &[NecLine]) -> Result<String, csv::Error> {
    use crate::spreadsheet::text_cell;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "tax_year",
        "officer_id",
        "badge",
        "name",
        "payout_account",
        "transfers",
        "amount",
        "currency",
        "files_1099_nec",
    ])?;
    for l in lines {
        w.write_record([
            year.to_string(),
            l.officer_id.to_string(),
            text_cell(&l.badge),
            text_cell(&l.name),
            text_cell(&l.gateway_account),
            l.transfers.to_string(),
            payroll::decimal(l.cents),
            currency.to_ascii_uppercase(),
            if l.reportable { "yes" } else { "no" }.to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// This year in the department's zone.
pub fn this_year(dept: &Department, now: DateTime<Utc>) -> i32 {
    now.with_timezone(&dept.tz).year()
}
