//! Collecting invoices (decision 040). After an invoice's transaction commits (never inside it),
//! a card-terms customer is charged through the payment gateway with the idempotency key
//! `invoice-<id>-attempt-<n>`: a retry of the same attempt (after `Unavailable`, a lost answer
//! or a crash) reuses the key and so never charges twice; a new attempt after a decline takes
//! the next `n`. Every attempt is a `charges` row, written before the gateway is called.
//!
//! Schedule ([`after_decline`]): a decline is retried after 1 day, then after 3 days; a third
//! decline marks the invoice `failed` for the coordinator ("retry now" starts a new attempt).
//! `Unavailable` is retried after [`UNAVAILABLE_RETRY`] with the same key. Invoice-terms
//! customers are never charged: a coordinator records their transfer ([`record_transfer`]).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::db::{Db, DbError, from_us, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::money::books;
use crate::payments::{
    ChargeRequest, ChargeStatus, Currency, GatewayError, IdempotencyKey, PaymentGateway,
};
use crate::services::audit::{self, AuditEntry};
use crate::services::customers;
use crate::services::invoices;
use crate::services::txn::DeptTx;

/// How soon an attempt the gateway could not answer is tried again (same key).
pub const UNAVAILABLE_RETRY: TimeDelta = TimeDelta::minutes(5);
/// How long an attempt being sent holds the invoice against the other server processes.
pub const LEASE: TimeDelta = TimeDelta::minutes(10);

/// When to try again after the `declines`-th decline, or `None` when the invoice has failed.
pub fn after_decline(declines: i64) -> Option<TimeDelta> {
    match declines {
        1 => Some(TimeDelta::days(1)),
        2 => Some(TimeDelta::days(3)),
        _ => None,
    }
}

/// The idempotency key of attempt `n` on an invoice.
pub fn key(invoice_id: Uuid, attempt: i64) -> String {
    format!("invoice-{invoice_id}-attempt-{attempt}")
}

/// One attempt to collect an invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub attempt: i64,
    pub method: String,
    pub idem_key: String,
    pub amount_cents: i64,
    pub status: String,
    pub gateway_id: Option<String>,
    pub message: Option<String>,
    pub at: DateTime<Utc>,
}

/// The invoice's attempts, oldest first.
pub async fn attempts(db: &Db, department_id: Uuid, invoice_id: Uuid) -> ApiResult<Vec<Attempt>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT attempt, method, idem_key, amount_cents, status, gateway_id, message, \
         updated_us FROM charges WHERE invoice_id = $1 AND department_id = $2 ORDER BY attempt",
    )
    .bind(invoice_id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(Attempt {
            attempt: get(r, "attempt")?,
            method: get(r, "method")?,
            idem_key: get(r, "idem_key")?,
            amount_cents: get(r, "amount_cents")?,
            status: get(r, "status")?,
            gateway_id: get(r, "gateway_id")?,
            message: get(r, "message")?,
            at: from_us(get(r, "updated_us")?),
        });
    }
    Ok(out)
}

/// What one call of [`charge`] ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to do (not open, not card terms, nothing due, or another process holds it).
    Skipped,
    Paid,
    /// Accepted; the money settles later (a bank debit).
    Processing,
    /// Declined; tried again at the time given, or never (`None`: the invoice failed).
    Declined {
        retry_at: Option<DateTime<Utc>>,
    },
    /// The gateway could not be reached; the same attempt is tried again later.
    Unavailable,
    /// The gateway refused the request itself; the invoice failed.
    Refused,
}

struct Plan {
    department_id: Uuid,
    organization_id: Uuid,
    attempt: i64,
    request: ChargeRequest,
}

/// Phase 1, in a department transaction: choose the attempt and write it down before calling.
async fn plan(
    db: &Db,
    department_id: Uuid,
    invoice_id: Uuid,
    now: DateTime<Utc>,
    forced: bool,
) -> ApiResult<Option<Plan>> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.clone();
    let Some(inv) = invoices::load(t.conn(), dept.id, invoice_id).await? else {
        return Err(ApiError::not_found("invoice"));
    };
    let due = inv.due_cents();
    let leased = inv.next_charge_at.is_none_or(|at| at > now);
    if inv.terms != "card" || due <= 0 || inv.status != "open" || (leased && !forced) {
        return Ok(None);
    }
    let org = customers::load(t.conn(), dept.id, inv.organization_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let last = sqlx::query(
        "SELECT attempt, status, amount_cents FROM charges WHERE invoice_id = $1 \
         ORDER BY attempt DESC LIMIT 1",
    )
    .bind(invoice_id.to_string())
    .fetch_optional(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    let (attempt, reuse) = match &last {
        Some(r) => {
            let n: i64 = get(r, "attempt")?;
            let status: String = get(r, "status")?;
            let same_amount = get::<i64>(r, "amount_cents")? == due;
            if (status == "pending" || status == "unavailable") && same_amount {
                (n, true)
            } else {
                (n + 1, false)
            }
        }
        None => (1, false),
    };
    let (Some(customer), Some(method)) = (org.gateway_customer.clone(), org.payment_method.clone())
    else {
        fail(
            &mut t,
            invoice_id,
            "The organization has no saved payment method.",
            now,
        )
        .await?;
        t.commit().await?;
        return Ok(None);
    };
    let idem = key(invoice_id, attempt);
    if reuse {
        sqlx::query("UPDATE charges SET status = 'pending', updated_us = $1 WHERE idem_key = $2")
            .bind(to_us(now))
            .bind(idem.clone())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
    } else {
        sqlx::query(
            "INSERT INTO charges (id, department_id, invoice_id, attempt, method, idem_key, \
             amount_cents, status, created_us, updated_us) \
             VALUES ($1, $2, $3, $4, 'card', $5, $6, 'pending', $7, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(dept.id.to_string())
        .bind(invoice_id.to_string())
        .bind(attempt)
        .bind(idem.clone())
        .bind(due)
        .bind(to_us(now))
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    }
    sqlx::query("UPDATE invoices SET next_charge_us = $1 WHERE id = $2")
        .bind(to_us(now + LEASE))
        .bind(invoice_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    t.commit().await?;
    let currency = Currency::new(&dept.currency)
        .or_else(|| Currency::new("usd"))
        .ok_or_else(ApiError::internal)?;
    Ok(Some(Plan {
        department_id: dept.id,
        organization_id: org.id,
        attempt,
        request: ChargeRequest {
            customer: customer.as_str().into(),
            payment_method: method.as_str().into(),
            amount_cents: due,
            currency,
            invoice_id: format!("{} no. {}", invoice_id, inv.number),
            idempotency_key: IdempotencyKey::new(idem).ok_or_else(ApiError::internal)?,
        },
    }))
}

async fn fail(t: &mut DeptTx, invoice_id: Uuid, why: &str, now: DateTime<Utc>) -> ApiResult<()> {
    sqlx::query("UPDATE invoices SET status = 'failed', next_charge_us = NULL WHERE id = $1")
        .bind(invoice_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    let dept = t.dept.id;
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: None,
            action: "invoice_charge_failed",
            entity: "invoice",
            entity_id: invoice_id.to_string(),
            detail: serde_json::json!({"reason": why}),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Charges invoice `invoice_id` if it is due (open, card terms, its next attempt time passed);
/// `forced` ignores the time (the coordinator's "retry now").
pub async fn charge(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    department_id: Uuid,
    invoice_id: Uuid,
    now: DateTime<Utc>,
    forced: bool,
) -> ApiResult<Outcome> {
    let Some(plan) = plan(db, department_id, invoice_id, now, forced).await? else {
        return Ok(Outcome::Skipped);
    };
    let answer = gateway.charge(&plan.request).await;
    let idem = plan.request.idempotency_key.as_str().to_string();
    let mut t = DeptTx::begin(db, plan.department_id).await?;
    let dept = t.dept.id;
    let (status, gateway_id, message, outcome) = match &answer {
        Ok(c) => match &c.status {
            ChargeStatus::Succeeded => ("succeeded", Some(c.id.to_string()), None, Outcome::Paid),
            ChargeStatus::Processing => (
                "processing",
                Some(c.id.to_string()),
                None,
                Outcome::Processing,
            ),
            ChargeStatus::RequiresAction => (
                "declined",
                Some(c.id.to_string()),
                Some("The card asks the customer to authenticate the payment.".to_string()),
                Outcome::Declined { retry_at: None },
            ),
            ChargeStatus::Other(s) => (
                "declined",
                Some(c.id.to_string()),
                Some(format!("The payment ended as {s}.")),
                Outcome::Declined { retry_at: None },
            ),
        },
        Err(GatewayError::Declined { message, .. }) => (
            "declined",
            None,
            Some(message.clone()),
            Outcome::Declined { retry_at: None },
        ),
        Err(GatewayError::Unavailable { detail }) => (
            "unavailable",
            None,
            Some(detail.clone()),
            Outcome::Unavailable,
        ),
        Err(e) => ("refused", None, Some(e.to_string()), Outcome::Refused),
    };
    sqlx::query(
        "UPDATE charges SET status = $1, gateway_id = $2, message = $3, updated_us = $4 \
         WHERE idem_key = $5",
    )
    .bind(status)
    .bind(gateway_id.clone())
    .bind(message.clone())
    .bind(to_us(now))
    .bind(idem.clone())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    let mut outcome = outcome;
    match outcome {
        Outcome::Paid => {
            paid(
                &mut t,
                invoice_id,
                plan.organization_id,
                plan.request.amount_cents,
                now,
            )
            .await?;
        }
        Outcome::Processing => {
            // The outcome arrives by webhook ([`settle`]): no automatic retry.
            sqlx::query("UPDATE invoices SET next_charge_us = NULL WHERE id = $1")
                .bind(invoice_id.to_string())
                .execute(&mut *t.conn())
                .await
                .map_err(DbError::from)?;
        }
        Outcome::Declined { .. } => {
            outcome = declined(
                &mut t,
                invoice_id,
                message.as_deref().unwrap_or("declined"),
                now,
            )
            .await?;
        }
        Outcome::Unavailable => {
            sqlx::query("UPDATE invoices SET next_charge_us = $1 WHERE id = $2")
                .bind(to_us(now + UNAVAILABLE_RETRY))
                .bind(invoice_id.to_string())
                .execute(&mut *t.conn())
                .await
                .map_err(DbError::from)?;
        }
        Outcome::Refused => {
            fail(
                &mut t,
                invoice_id,
                message.as_deref().unwrap_or("refused"),
                now,
            )
            .await?;
        }
        Outcome::Skipped => {}
    }
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: None,
            action: "invoice_charge_attempt",
            entity: "invoice",
            entity_id: invoice_id.to_string(),
            detail: serde_json::json!({
                "attempt": plan.attempt, "idempotency_key": idem, "status": status,
                "amount_cents": plan.request.amount_cents, "gateway_id": gateway_id,
                "message": message,
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(outcome)
}

/// The invoice is paid: the ledger takes the money in, the invoice is `paid`.
async fn paid(
    t: &mut DeptTx,
    invoice_id: Uuid,
    organization_id: Uuid,
    amount_cents: i64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let dept = t.dept.id;
    let mut ledger = books::load(t.conn(), dept).await?;
    ledger
        .charge_succeeded(organization_id, amount_cents)
        .map_err(books::refused)?;
    books::store_last(t.conn(), dept, &ledger, now).await?;
    sqlx::query(
        "UPDATE invoices SET status = 'paid', paid_us = $1, next_charge_us = NULL WHERE id = $2",
    )
    .bind(to_us(now))
    .bind(invoice_id.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    Ok(())
}

/// A charge was declined (the new `declined` row is written): try again after the wait
/// [`after_decline`] gives for the number of declines, or fail the invoice.
async fn declined(
    t: &mut DeptTx,
    invoice_id: Uuid,
    message: &str,
    now: DateTime<Utc>,
) -> ApiResult<Outcome> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM charges WHERE invoice_id = $1 AND status = 'declined'",
    )
    .bind(invoice_id.to_string())
    .fetch_one(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    let declines: i64 = get(&row, "n")?;
    match after_decline(declines) {
        Some(wait) => {
            let at = now + wait;
            sqlx::query("UPDATE invoices SET next_charge_us = $1 WHERE id = $2")
                .bind(to_us(at))
                .bind(invoice_id.to_string())
                .execute(&mut *t.conn())
                .await
                .map_err(DbError::from)?;
            Ok(Outcome::Declined { retry_at: Some(at) })
        }
        None => {
            fail(t, invoice_id, message, now).await?;
            Ok(Outcome::Declined { retry_at: None })
        }
    }
}

/// How a charge the gateway took as `processing` (a bank debit) ended, as its webhook says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Succeeded,
    Failed { message: String },
}

/// Settles the charge the gateway knows as `gateway_id` if it is still `processing`: paid (the
/// ledger and the invoice, as for a card), or declined (retried later, or the invoice failed).
/// Returns whether it changed anything: a repeated or late event, or a charge not ours, does
/// not.
pub async fn settle(
    db: &Db,
    gateway_id: &str,
    how: Settlement,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    if gateway_id.is_empty() || gateway_id.len() > 255 {
        return Ok(false);
    }
    let department = {
        let mut tx = db.read().await?;
        sqlx::query("SELECT department_id FROM charges WHERE gateway_id = $1")
            .bind(gateway_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(DbError::from)?
            .map(|r| get_uuid(&r, "department_id"))
            .transpose()?
    };
    let Some(department) = department else {
        return Ok(false);
    };
    let mut t = DeptTx::begin(db, department).await?;
    let row = sqlx::query(
        "SELECT c.invoice_id, c.amount_cents, c.attempt, c.idem_key, c.status, \
         i.organization_id FROM charges c JOIN invoices i ON i.id = c.invoice_id \
         WHERE c.gateway_id = $1 AND c.department_id = $2",
    )
    .bind(gateway_id)
    .bind(department.to_string())
    .fetch_one(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    let status: String = get(&row, "status")?;
    if status != "processing" {
        return Ok(false);
    }
    let invoice_id = get_uuid(&row, "invoice_id")?;
    let amount: i64 = get(&row, "amount_cents")?;
    let (new_status, message) = match &how {
        Settlement::Succeeded => ("succeeded", None),
        Settlement::Failed { message } => ("declined", Some(message.clone())),
    };
    sqlx::query(
        "UPDATE charges SET status = $1, message = $2, updated_us = $3 WHERE gateway_id = $4",
    )
    .bind(new_status)
    .bind(message.clone())
    .bind(to_us(now))
    .bind(gateway_id)
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    match &how {
        Settlement::Succeeded => {
            paid(
                &mut t,
                invoice_id,
                get_uuid(&row, "organization_id")?,
                amount,
                now,
            )
            .await?;
        }
        Settlement::Failed { message } => {
            declined(&mut t, invoice_id, message, now).await?;
        }
    }
    audit::append(
        t.conn(),
        department,
        AuditEntry {
            actor_id: None,
            action: "invoice_charge_settled",
            entity: "invoice",
            entity_id: invoice_id.to_string(),
            detail: serde_json::json!({
                "attempt": get::<i64>(&row, "attempt")?,
                "idempotency_key": get::<String>(&row, "idem_key")?,
                "status": new_status, "amount_cents": amount, "gateway_id": gateway_id,
                "message": message,
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(true)
}

/// Charges every invoice of the department whose next attempt is due.
pub async fn charge_due(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    department_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let ids: Vec<String> = {
        let mut tx = db.read().await?;
        let rows = sqlx::query(
            "SELECT id FROM invoices WHERE department_id = $1 AND status = 'open' \
             AND terms = 'card' AND next_charge_us IS NOT NULL AND next_charge_us <= $2 \
             ORDER BY number",
        )
        .bind(department_id.to_string())
        .bind(to_us(now))
        .fetch_all(&mut *tx)
        .await
        .map_err(DbError::from)?;
        rows.iter()
            .map(|r| get(r, "id"))
            .collect::<Result<_, _>>()?
    };
    let mut n = 0;
    for id in ids {
        let Ok(id) = Uuid::parse_str(&id) else {
            continue;
        };
        if charge(db, gateway, department_id, id, now, false).await? != Outcome::Skipped {
            n += 1;
        }
    }
    Ok(n)
}

/// The coordinator's "retry now" on a failed or waiting card invoice: a new attempt at once
/// (after a decline, a new key).
pub async fn retry_now(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    coordinator: AuthUser,
    invoice_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Outcome> {
    coordinator.require(Role::Coordinator)?;
    {
        let mut t = DeptTx::begin(db, coordinator.department_id).await?;
        let dept = t.dept.id;
        let inv = invoices::load(t.conn(), dept, invoice_id)
            .await?
            .ok_or_else(|| ApiError::not_found("invoice"))?;
        if inv.terms != "card" || !(inv.status == "open" || inv.status == "failed") {
            return Err(ApiError::conflict(format!(
                "this invoice is {} on {} terms: there is nothing to charge",
                inv.status, inv.terms
            )));
        }
        sqlx::query("UPDATE invoices SET status = 'open', next_charge_us = $1 WHERE id = $2")
            .bind(to_us(now))
            .bind(invoice_id.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
        audit::append(
            t.conn(),
            dept,
            AuditEntry {
                actor_id: Some(coordinator.user_id),
                action: "invoice_charge_retried",
                entity: "invoice",
                entity_id: invoice_id.to_string(),
                detail: serde_json::json!({"was": inv.status}),
            },
            now,
        )
        .await?;
        t.commit().await?;
    }
    charge(
        db,
        gateway,
        coordinator.department_id,
        invoice_id,
        now,
        true,
    )
    .await
}

/// A coordinator records a customer's transfer against an invoice (invoice terms, or a card
/// customer who paid otherwise): ledger `charge_succeeded` (the ledger refuses more than the
/// customer owes; the invoice refuses more than is due on it).
pub async fn record_transfer(
    db: &Db,
    coordinator: AuthUser,
    invoice_id: Uuid,
    cents: i64,
    reference: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    coordinator.require(Role::Coordinator)?;
    let reference = reference.trim().to_string();
    if reference.is_empty() || reference.chars().count() > 200 {
        return Err(ApiError::invalid(
            "reference",
            "give the transfer's reference (at most 200 characters)",
        ));
    }
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    let inv = invoices::load(t.conn(), dept, invoice_id)
        .await?
        .ok_or_else(|| ApiError::not_found("invoice"))?;
    if cents <= 0 || cents > inv.due_cents() {
        return Err(ApiError::invalid(
            "amount",
            format!(
                "must be more than 0 and at most the {} cents due",
                inv.due_cents().max(0)
            ),
        ));
    }
    let mut ledger = books::load(t.conn(), dept).await?;
    ledger
        .charge_succeeded(inv.organization_id, cents)
        .map_err(books::refused)?;
    books::store_last(t.conn(), dept, &ledger, now).await?;
    let row =
        sqlx::query("SELECT COALESCE(MAX(attempt), 0) AS n FROM charges WHERE invoice_id = $1")
            .bind(invoice_id.to_string())
            .fetch_one(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
    let attempt = get::<i64>(&row, "n")? + 1;
    sqlx::query(
        "INSERT INTO charges (id, department_id, invoice_id, attempt, method, idem_key, \
         amount_cents, status, message, created_us, updated_us) \
         VALUES ($1, $2, $3, $4, 'transfer', $5, $6, 'succeeded', $7, $8, $8)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(dept.to_string())
    .bind(invoice_id.to_string())
    .bind(attempt)
    .bind(format!("invoice-{invoice_id}-transfer-{attempt}"))
    .bind(cents)
    .bind(reference.clone())
    .bind(to_us(now))
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    if cents == inv.due_cents() {
        sqlx::query(
            "UPDATE invoices SET status = 'paid', paid_us = $1, next_charge_us = NULL \
             WHERE id = $2",
        )
        .bind(to_us(now))
        .bind(invoice_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    }
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "invoice_transfer_recorded",
            entity: "invoice",
            entity_id: invoice_id.to_string(),
            detail: serde_json::json!({"amount_cents": cents, "reference": reference}),
        },
        now,
    )
    .await?;
    t.commit().await
}
