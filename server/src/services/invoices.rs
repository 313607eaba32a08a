//! Invoices and credit notes (decision 040). A timecard is **billable** when the coordinator
//! approved it (`status = 'approved'`) and its customer approved it, or its review window closed
//! (`auto_approved`), or a coordinator resolved the customer's dispute (`resolved`); it must
//! belong to a job whose customer is in an organization, and not be invoiced yet. A disputed
//! timecard, or one the coordinator rejected, is never billed.
//!
//! [`issue_due`] issues, in one department transaction, one invoice per organization for all
//! its billable timecards: numbered from `departments.invoice_seq` (bumped in the same
//! transaction, so numbers have no gaps), lines from `billing::invoice` (exactly what the
//! officers are paid), the bill stored as issued, the timecards marked `invoiced`, and the
//! ledger's `invoice_issued` entry. A credit note corrects an issued invoice (never edited), with
//! its own gapless number and the ledger's `credit_note` entry. Charging happens after the
//! commit (services::charges).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::billing::{self, Bill, MAX_WORKED, WorkedShift};
use offduty_domain::ledger::Split;
use offduty_domain::protocol::Role;

use crate::db::{Db, DbError, from_us, get, get_json, get_opt_time, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::money::books;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::customers;
use crate::services::rate_card;
use crate::services::txn::DeptTx;

/// An issued invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub id: Uuid,
    pub department_id: Uuid,
    pub organization_id: Uuid,
    pub organization: String,
    pub number: i64,
    /// `card` or `invoice`.
    pub terms: String,
    pub bill: Bill,
    pub worked: Vec<WorkedShift>,
    pub total_cents: i64,
    /// open, paid, failed, credited
    pub status: String,
    pub issued_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub next_charge_at: Option<DateTime<Utc>>,
    /// Taken back by credit notes.
    pub credited_cents: i64,
    /// Collected (card charges and recorded transfers).
    pub collected_cents: i64,
}

impl Invoice {
    /// What is still owed: the total less credit notes and what was collected.
    pub fn due_cents(&self) -> i64 {
        self.total_cents - self.credited_cents - self.collected_cents
    }
}

/// A credit note.
#[derive(Debug, Clone, Serialize)]
pub struct CreditNote {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub number: i64,
    pub split: Split,
    pub amount_cents: i64,
    pub reason: String,
    pub issued_at: DateTime<Utc>,
}

const INVOICE_SQL: &str = "SELECT i.id, i.department_id, i.organization_id, o.name AS org_name, \
     i.number, i.terms, i.bill_json, i.worked_json, i.total_cents, i.status, i.issued_us, \
     i.paid_us, i.next_charge_us, \
     CAST((SELECT COALESCE(SUM(n.amount_cents), 0) FROM credit_notes n \
       WHERE n.invoice_id = i.id) AS BIGINT) AS credited, \
     CAST((SELECT COALESCE(SUM(c.amount_cents), 0) FROM charges c WHERE c.invoice_id = i.id \
       AND c.status = 'succeeded') AS BIGINT) AS collected \
     FROM invoices i JOIN organizations o ON o.id = i.organization_id";

fn invoice_from_row(r: &sqlx::any::AnyRow) -> Result<Invoice, DbError> {
    Ok(Invoice {
        id: get_uuid(r, "id")?,
        department_id: get_uuid(r, "department_id")?,
        organization_id: get_uuid(r, "organization_id")?,
        organization: get(r, "org_name")?,
        number: get(r, "number")?,
        terms: get(r, "terms")?,
        bill: get_json(r, "bill_json")?,
        worked: get_json(r, "worked_json")?,
        total_cents: get(r, "total_cents")?,
        status: get(r, "status")?,
        issued_at: from_us(get(r, "issued_us")?),
        paid_at: get_opt_time(r, "paid_us")?,
        next_charge_at: get_opt_time(r, "next_charge_us")?,
        credited_cents: get(r, "credited")?,
        collected_cents: get(r, "collected")?,
    })
}

async fn select(
    conn: &mut AnyConnection,
    filter: &str,
    binds: &[String],
) -> Result<Vec<Invoice>, DbError> {
    let sql = format!("{INVOICE_SQL} WHERE {filter} ORDER BY i.number DESC");
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(invoice_from_row).collect()
}

/// One invoice of the department, in the caller's transaction.
pub async fn load(
    conn: &mut AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> Result<Option<Invoice>, DbError> {
    Ok(select(
        conn,
        "i.id = $1 AND i.department_id = $2",
        &[id.to_string(), department_id.to_string()],
    )
    .await?
    .into_iter()
    .next())
}

/// The department's invoices, newest first (coordinators).
pub async fn of_department(db: &Db, department_id: Uuid) -> ApiResult<Vec<Invoice>> {
    let mut tx = db.read().await?;
    Ok(select(
        &mut tx,
        "i.department_id = $1",
        &[department_id.to_string()],
    )
    .await?)
}

/// The customer's organization's invoices, newest first.
pub async fn of_customer(db: &Db, user: AuthUser) -> ApiResult<Vec<Invoice>> {
    let mut tx = db.read().await?;
    let org = customers::of_customer(&mut tx, user).await?;
    Ok(select(&mut tx, "i.organization_id = $1", &[org.id.to_string()]).await?)
}

/// An invoice as `user` may see it: a coordinator any of the department's, a customer only its
/// organization's; anything else is "not found" (never "forbidden": its existence is not told).
pub async fn visible(db: &Db, user: AuthUser, id: Uuid) -> ApiResult<Invoice> {
    let mut tx = db.read().await?;
    let inv = load(&mut tx, user.department_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("invoice"))?;
    match user.role {
        Role::Coordinator => Ok(inv),
        Role::Customer => {
            let org = customers::of_customer(&mut tx, user).await?;
            if org.id == inv.organization_id {
                Ok(inv)
            } else {
                Err(ApiError::not_found("invoice"))
            }
        }
        _ => Err(ApiError::not_found("invoice")),
    }
}

/// The invoice's credit notes, oldest first.
pub async fn credit_notes(
    db: &Db,
    department_id: Uuid,
    invoice_id: Uuid,
) -> ApiResult<Vec<CreditNote>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT id, invoice_id, number, split_json, amount_cents, reason, issued_us \
         FROM credit_notes WHERE invoice_id = $1 AND department_id = $2 ORDER BY number",
    )
    .bind(invoice_id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(CreditNote {
            id: get_uuid(r, "id")?,
            invoice_id: get_uuid(r, "invoice_id")?,
            number: get(r, "number")?,
            split: get_json(r, "split_json")?,
            amount_cents: get(r, "amount_cents")?,
            reason: get(r, "reason")?,
            issued_at: from_us(get(r, "issued_us")?),
        });
    }
    Ok(out)
}

/// Bumps one of the department's document counters inside the transaction; the new number.
pub(crate) async fn next_number(
    conn: &mut AnyConnection,
    department_id: Uuid,
    column: &'static str,
) -> Result<i64, DbError> {
    let sql = format!(
        "UPDATE departments SET {column} = {column} + 1 WHERE id = $1 RETURNING {column} AS n"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    get(&row, "n")
}

struct Billable {
    organization: Uuid,
    terms: String,
    worked: WorkedShift,
}

/// The department's billable timecards (module docs), by organization then clock-in.
async fn billable(conn: &mut AnyConnection, department_id: Uuid) -> Result<Vec<Billable>, DbError> {
    let rows = sqlx::query(
        "SELECT t.id, t.officer_id, u.display_name, j.job_type, t.billable_minutes, \
         t.rate_cents, t.multiplier_bp, COALESCE(e.vehicle, 0) AS vehicle, \
         o.id AS org_id, o.terms \
         FROM timecards t JOIN jobs j ON j.id = t.job_id \
         JOIN users c ON c.id = j.customer_id \
         JOIN organizations o ON o.id = c.organization_id \
         JOIN users u ON u.id = t.officer_id \
         LEFT JOIN event_requests e ON e.id = j.event_id \
         WHERE t.department_id = $1 AND t.status = 'approved' AND t.invoice_id IS NULL \
         AND t.customer_review IN ('approved', 'auto_approved', 'resolved') \
         ORDER BY o.id, t.in_us, t.id",
    )
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(Billable {
            organization: get_uuid(r, "org_id")?,
            terms: get(r, "terms")?,
            worked: WorkedShift {
                timecard_id: get_uuid(r, "id")?,
                officer_id: get_uuid(r, "officer_id")?,
                officer_name: get(r, "display_name")?,
                job_type: get(r, "job_type")?,
                billable_minutes: get::<Option<i64>>(r, "billable_minutes")?.unwrap_or(0),
                rate_cents: get(r, "rate_cents")?,
                multiplier_bp: u32::try_from(get::<i64>(r, "multiplier_bp")?)
                    .map_err(|e| DbError::corrupt("timecards", e))?,
                vehicle: get::<i64>(r, "vehicle")? != 0,
            },
        });
    }
    Ok(out)
}

/// Issues one invoice per organization for all of the department's billable timecards (module
/// docs); returns the new invoices' ids. Nothing billable: nothing written.
pub async fn issue_due(db: &Db, department_id: Uuid, now: DateTime<Utc>) -> ApiResult<Vec<Uuid>> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let (seq, dept) = (t.seq, t.dept.clone());
    let due = billable(t.conn(), dept.id).await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let card = rate_card::load(t.conn(), &dept).await?;
    let mut ledger = books::load(t.conn(), dept.id).await?;
    let mut by_org: BTreeMap<Uuid, (String, Vec<WorkedShift>)> = BTreeMap::new();
    for b in due {
        by_org
            .entry(b.organization)
            .or_insert_with(|| (b.terms.clone(), Vec::new()))
            .1
            .push(b.worked);
    }
    let mut issued = Vec::new();
    for (org, (terms, all)) in by_org {
        for worked in all.chunks(MAX_WORKED) {
            let bill =
                billing::invoice(&card, worked).map_err(|e| ApiError::invalid_at("invoice", e))?;
            let id = Uuid::now_v7();
            let number = next_number(t.conn(), dept.id, "invoice_seq").await?;
            let charged = terms == "card" && bill.total_cents > 0;
            let status = if bill.total_cents == 0 {
                "paid"
            } else {
                "open"
            };
            if bill.total_cents > 0 {
                let split = Split::of_invoice(&bill, worked)
                    .map_err(|e| ApiError::invalid_at("invoice", e))?;
                ledger
                    .invoice_issued(id, org, &split)
                    .map_err(books::refused)?;
                books::store_last(t.conn(), dept.id, &ledger, now).await?;
            }
            sqlx::query(
                "INSERT INTO invoices (id, department_id, organization_id, number, terms, \
                 bill_json, worked_json, total_cents, status, issued_us, paid_us, next_charge_us) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id.to_string())
            .bind(dept.id.to_string())
            .bind(org.to_string())
            .bind(number)
            .bind(terms.clone())
            .bind(json(&bill))
            .bind(json(&worked))
            .bind(bill.total_cents)
            .bind(status)
            .bind(to_us(now))
            .bind((bill.total_cents == 0).then(|| to_us(now)))
            .bind(charged.then(|| to_us(now)))
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            for w in worked {
                sqlx::query(
                    "UPDATE timecards SET status = 'invoiced', invoice_id = $1, version = $2 \
                     WHERE id = $3",
                )
                .bind(id.to_string())
                .bind(seq)
                .bind(w.timecard_id.to_string())
                .execute(&mut *t.conn())
                .await
                .map_err(DbError::from)?;
                changes::record(
                    t.conn(),
                    dept.id,
                    seq,
                    Entity::Timecard,
                    w.timecard_id,
                    Some(w.officer_id),
                )
                .await?;
            }
            audit::append(
                t.conn(),
                dept.id,
                AuditEntry {
                    actor_id: None,
                    action: "invoice_issued",
                    entity: "invoice",
                    entity_id: id.to_string(),
                    detail: serde_json::json!({
                        "number": number, "organization": org,
                        "total_cents": bill.total_cents, "timecards": worked.len(),
                    }),
                },
                now,
            )
            .await?;
            issued.push(id);
        }
    }
    t.commit().await?;
    Ok(issued)
}

/// A coordinator issues a credit note on invoice `invoice_id` for the timecards `timecards`
/// (every timecard of the invoice when `None`), with a reason. The ledger refuses what was
/// already taken back; returns the credit note.
pub async fn credit_note(
    db: &Db,
    coordinator: AuthUser,
    invoice_id: Uuid,
    timecards: Option<BTreeSet<Uuid>>,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<CreditNote> {
    coordinator.require(Role::Coordinator)?;
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::invalid(
            "reason",
            "say why, in at most 1000 characters: the customer reads it",
        ));
    }
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.clone();
    let inv = load(t.conn(), dept.id, invoice_id)
        .await?
        .ok_or_else(|| ApiError::not_found("invoice"))?;
    let selected = timecards.unwrap_or_else(|| inv.worked.iter().map(|w| w.timecard_id).collect());
    let split = Split::of_timecards(&inv.bill, &inv.worked, &selected)
        .map_err(|e| ApiError::invalid_at("credit_note", e))?;
    let amount = split
        .total()
        .ok_or_else(|| ApiError::invalid("timecards", "the amounts are too large"))?;
    if amount <= 0 {
        return Err(ApiError::invalid(
            "timecards",
            "there is nothing to credit on these timecards",
        ));
    }
    let mut ledger = books::load(t.conn(), dept.id).await?;
    ledger
        .credit_note(invoice_id, &split)
        .map_err(books::refused)?;
    books::store_last(t.conn(), dept.id, &ledger, now).await?;
    let id = Uuid::now_v7();
    let number = next_number(t.conn(), dept.id, "credit_note_seq").await?;
    // The timecards taken back are never paid out (services::payouts).
    for timecard in &selected {
        sqlx::query(
            "UPDATE timecards SET credit_note_id = $1 WHERE id = $2 AND invoice_id = $3 \
             AND credit_note_id IS NULL",
        )
        .bind(id.to_string())
        .bind(timecard.to_string())
        .bind(invoice_id.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    }
    sqlx::query(
        "INSERT INTO credit_notes (id, department_id, invoice_id, number, split_json, \
         amount_cents, reason, issued_by, issued_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(dept.id.to_string())
    .bind(invoice_id.to_string())
    .bind(number)
    .bind(json(&split))
    .bind(amount)
    .bind(reason.clone())
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    if inv.status != "paid" && inv.due_cents() - amount <= 0 {
        sqlx::query("UPDATE invoices SET status = 'credited', next_charge_us = NULL WHERE id = $1")
            .bind(invoice_id.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
    }
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "credit_note_issued",
            entity: "invoice",
            entity_id: invoice_id.to_string(),
            detail: serde_json::json!({"number": number, "amount_cents": amount, "reason": reason}),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(CreditNote {
        id,
        invoice_id,
        number,
        split,
        amount_cents: amount,
        reason,
        issued_at: now,
    })
}
