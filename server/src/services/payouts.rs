//! Paying officers through the department's payroll (decision 042).
//!
//! A coordinator sets the department's pay period and the originator details its bank gave it
//! ([`Settings`]), then, for each closed pay period, makes one **payout batch**: every timecard
//! the officers earned by then that the customer has paid for, grouped per officer, as a payroll
//! CSV and a NACHA PPD direct-deposit file. In the same department transaction the ledger pays
//! each officer out (`Ledger::payout`, which refuses more than the officer earned or the cash
//! held), the timecards become `paid` (the officer's app hears of it through the change log),
//! and the batch is audited.
//!
//! *Payable*: `status = 'invoiced'`, its invoice `paid`, not taken back by a credit note, not in
//! a batch, and clocked out before the period's end (a timecard whose invoice was paid late is
//! paid with the next period). The amount is the timecard's officer lines on the invoice as
//! issued (`billing::timecard_shares`), cent for cent what the ledger credited the officer.
//! *Held*: an officer without a deposit account is left out of the batch (the page says so);
//! their timecards wait for the next one. The NACHA file carries full account numbers, so it is
//! stored sealed (`SecretSeal::for_purpose(keys, FILE_SEAL_PURPOSE)`, the batch id as
//! authenticated data) and opened only for a coordinator's download, which is audited.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::billing::timecard_shares;
use offduty_domain::pay::Cents;
use offduty_domain::protocol::Role;

use crate::auth::tokens::TokenKeys;
use crate::auth::totp::SecretSeal;
use crate::db::rows::Department;
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::money::books;
use crate::money::nacha::{self, AccountType, Credit, FileOptions, Originator, routing_is_valid};
use crate::money::payroll::{self, CsvLine, PERIOD_DAYS, Period};
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::deposit_accounts;
use crate::services::invoices;
use crate::services::txn::DeptTx;

/// What the NACHA file's seal key is derived for.
pub const FILE_SEAL_PURPOSE: &str = "payout file seal v1";

/// How the department pays its officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PayoutMode {
    /// Through the department's payroll: a payroll CSV and a NACHA direct-deposit file.
    #[default]
    Payroll,
    /// Directly to each officer's payout account at the payment gateway (decision 049).
    Direct,
}

impl PayoutMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutMode::Payroll => "payroll",
            PayoutMode::Direct => "direct",
        }
    }

    pub fn parse(s: &str) -> Option<PayoutMode> {
        match s {
            "payroll" => Some(PayoutMode::Payroll),
            "direct" => Some(PayoutMode::Direct),
            _ => None,
        }
    }
}

/// The department's payroll details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Payroll files, or transfers to officers' payout accounts. The bank details below are
    /// needed only for payroll files.
    pub mode: PayoutMode,
    /// 7 or 14.
    pub period_days: i64,
    /// A local date a period starts on.
    pub period_anchor: NaiveDate,
    pub destination_routing: String,
    pub destination_name: String,
    pub origin_id: String,
    pub origin_name: String,
    pub company_name: String,
    pub company_id: String,
    pub odfi_routing: String,
    /// What the officer's bank statement says ("PAYROLL").
    pub entry_description: String,
}

impl Settings {
    fn originator(&self) -> Originator {
        Originator {
            destination_routing: self.destination_routing.clone(),
            destination_name: self.destination_name.clone(),
            origin_id: self.origin_id.clone(),
            origin_name: self.origin_name.clone(),
            company_name: self.company_name.clone(),
            company_id: self.company_id.clone(),
            odfi_routing: self.odfi_routing.clone(),
        }
    }

    /// The newest closed period at `now`.
    pub fn last_closed(&self, now: DateTime<Utc>, tz: Tz) -> Period {
        Period::last_closed(self.period_anchor, self.period_days, now, tz)
    }

    /// Checks every field; the first refusal names its field.
    pub fn check(&self) -> ApiResult<()> {
        if !PERIOD_DAYS.contains(&self.period_days) {
            return Err(ApiError::invalid(
                "period_days",
                "A pay period is 7 or 14 days.",
            ));
        }
        if self.mode == PayoutMode::Direct {
            // Transfers need no bank file: the names below are checked only if given.
            for (field, v) in [
                ("destination_name", &self.destination_name),
                ("origin_name", &self.origin_name),
                ("company_name", &self.company_name),
                ("entry_description", &self.entry_description),
            ] {
                if v.chars().count() > 100 {
                    return Err(ApiError::invalid(field, "At most 100 characters."));
                }
            }
            return Ok(());
        }
        for (field, v) in [
            ("destination_routing", &self.destination_routing),
            ("odfi_routing", &self.odfi_routing),
        ] {
            if !routing_is_valid(v) {
                return Err(ApiError::invalid(
                    field,
                    "Give the bank's 9-digit routing number (this one's check digit does not match).",
                ));
            }
        }
        let origin = self.origin_id.as_str();
        let origin_ok = (origin.len() == 9 && routing_is_valid(origin))
            || (origin.len() == 10 && origin.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !origin_ok {
            return Err(ApiError::invalid(
                "origin_id",
                "The immediate origin is 10 letters or digits (usually 1 and the department's \
                 tax id), or a 9-digit routing number, as the bank gave it.",
            ));
        }
        if self.company_id.len() != 10
            || !self.company_id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(ApiError::invalid(
                "company_id",
                "The company identification is exactly 10 letters or digits, as the bank gave it.",
            ));
        }
        // Names are labels: the file keeps the first 23 (16, 10) characters, made ASCII.
        for (field, v) in [
            ("destination_name", &self.destination_name),
            ("origin_name", &self.origin_name),
            ("company_name", &self.company_name),
            ("entry_description", &self.entry_description),
        ] {
            if !v.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Err(ApiError::invalid(
                    field,
                    "This is required (letters or digits).",
                ));
            }
            if v.chars().count() > 100 {
                return Err(ApiError::invalid(field, "At most 100 characters."));
            }
        }
        Ok(())
    }
}

fn settings_from_row(r: &sqlx::any::AnyRow) -> Result<Settings, DbError> {
    let anchor: String = get(r, "period_anchor")?;
    let mode: String = get(r, "payout_mode")?;
    Ok(Settings {
        mode: PayoutMode::parse(&mode)
            .ok_or_else(|| DbError::corrupt("departments", "unknown payout_mode"))?,
        period_days: get(r, "period_days")?,
        period_anchor: anchor
            .parse()
            .map_err(|e| DbError::corrupt("payroll_settings", e))?,
        destination_routing: get(r, "destination_routing")?,
        destination_name: get(r, "destination_name")?,
        origin_id: get(r, "origin_id")?,
        origin_name: get(r, "origin_name")?,
        company_name: get(r, "company_name")?,
        company_id: get(r, "company_id")?,
        odfi_routing: get(r, "odfi_routing")?,
        entry_description: get(r, "entry_description")?,
    })
}

async fn settings_in(
    conn: &mut AnyConnection,
    department_id: Uuid,
) -> Result<Option<Settings>, DbError> {
    let row = sqlx::query(
        "SELECT p.*, d.payout_mode FROM payroll_settings p \
         JOIN departments d ON d.id = p.department_id WHERE p.department_id = $1",
    )
    .bind(department_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(settings_from_row).transpose()
}

/// The department's payroll details, if set.
pub async fn settings(db: &Db, department_id: Uuid) -> ApiResult<Option<Settings>> {
    let mut tx = db.read().await?;
    Ok(settings_in(&mut tx, department_id).await?)
}

/// A coordinator sets the department's payroll details (checked first; audited).
pub async fn set_settings(
    db: &Db,
    coordinator: AuthUser,
    new: Settings,
    now: DateTime<Utc>,
) -> ApiResult<Settings> {
    coordinator.require(Role::Coordinator)?;
    let s = Settings {
        destination_routing: new.destination_routing.trim().to_string(),
        destination_name: new.destination_name.trim().to_string(),
        origin_id: new.origin_id.trim().to_string(),
        origin_name: new.origin_name.trim().to_string(),
        company_name: new.company_name.trim().to_string(),
        company_id: new.company_id.trim().to_ascii_uppercase(),
        odfi_routing: new.odfi_routing.trim().to_string(),
        entry_description: new.entry_description.trim().to_string(),
        ..new
    };
    s.check()?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    sqlx::query("DELETE FROM payroll_settings WHERE department_id = $1")
        .bind(dept.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    sqlx::query(
        "INSERT INTO payroll_settings (department_id, period_days, period_anchor, \
         destination_routing, destination_name, origin_id, origin_name, company_name, \
         company_id, odfi_routing, entry_description, updated_by, updated_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(dept.to_string())
    .bind(s.period_days)
    .bind(s.period_anchor.to_string())
    .bind(s.destination_routing.clone())
    .bind(s.destination_name.clone())
    .bind(s.origin_id.clone())
    .bind(s.origin_name.clone())
    .bind(s.company_name.clone())
    .bind(s.company_id.clone())
    .bind(s.odfi_routing.clone())
    .bind(s.entry_description.clone())
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    sqlx::query("UPDATE departments SET payout_mode = $1 WHERE id = $2")
        .bind(s.mode.as_str())
        .bind(dept.to_string())
        .execute(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "payroll_settings_set",
            entity: "department",
            entity_id: dept.to_string(),
            detail: serde_json::json!({
                "mode": s.mode, "period_days": s.period_days, "period_anchor": s.period_anchor,
                "odfi_routing": s.odfi_routing, "company_id": s.company_id,
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(s)
}

/// One officer's part of a pay period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficerPay {
    pub officer_id: Uuid,
    pub name: String,
    pub badge: String,
    pub timecards: Vec<Uuid>,
    pub minutes: i64,
    pub cents: Cents,
    /// Their deposit account, when set (the last four digits only).
    pub account: Option<deposit_accounts::Shown>,
    /// Their payout account at the gateway, when it can receive payouts (direct mode).
    pub connected: Option<String>,
}

/// What a batch for a period would pay: officers with somewhere to pay them (a deposit account
/// for payroll files, a ready payout account for transfers), and those held. `settled` are
/// officers owed nothing (every timecard's share is 0 cents, e.g. no billable minutes): their
/// timecards are closed as paid with the batch, with no payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub paid: Vec<OfficerPay>,
    pub held: Vec<OfficerPay>,
    pub settled: Vec<OfficerPay>,
}

impl Preview {
    pub fn total_cents(&self) -> Cents {
        self.paid.iter().map(|o| o.cents).sum()
    }
}

/// The payable timecards clocked out before `end`, per officer (module docs).
pub(crate) async fn payable(
    conn: &mut AnyConnection,
    department_id: Uuid,
    end: DateTime<Utc>,
    mode: PayoutMode,
) -> ApiResult<Preview> {
    let rows = sqlx::query(
        "SELECT t.id, t.officer_id, t.invoice_id, t.billable_minutes, u.display_name, u.badge, \
         d.routing, d.account_last4, d.kind, pa.gateway_account \
         FROM timecards t JOIN invoices i ON i.id = t.invoice_id \
         JOIN users u ON u.id = t.officer_id \
         LEFT JOIN deposit_accounts d ON d.officer_id = t.officer_id \
           AND d.department_id = t.department_id \
         LEFT JOIN payout_accounts pa ON pa.officer_id = t.officer_id \
           AND pa.department_id = t.department_id AND pa.ready = 1 \
         WHERE t.department_id = $1 AND t.status = 'invoiced' AND i.status = 'paid' \
           AND t.credit_note_id IS NULL AND t.payout_batch_id IS NULL AND t.out_us < $2 \
         ORDER BY u.display_name, t.officer_id, t.out_us",
    )
    .bind(department_id.to_string())
    .bind(to_us(end))
    .fetch_all(&mut *conn)
    .await
    .map_err(DbError::from)?;
    // Each invoice's shares, read once.
    let mut shares: BTreeMap<Uuid, BTreeMap<Uuid, (Uuid, Cents)>> = BTreeMap::new();
    let mut by_officer: BTreeMap<Uuid, OfficerPay> = BTreeMap::new();
    let mut order: Vec<Uuid> = Vec::new();
    for r in &rows {
        let id = get_uuid(r, "id")?;
        let officer = get_uuid(r, "officer_id")?;
        let invoice = get_uuid(r, "invoice_id")?;
        if let std::collections::btree_map::Entry::Vacant(slot) = shares.entry(invoice) {
            let inv = invoices::load(conn, department_id, invoice)
                .await?
                .ok_or_else(|| DbError::corrupt("timecards", "invoice not found"))?;
            slot.insert(
                timecard_shares(&inv.bill, &inv.worked)
                    .map_err(|e| DbError::corrupt("invoices", e.message))?,
            );
        }
        let cents = shares
            .get(&invoice)
            .and_then(|s| s.get(&id))
            .map(|(_, c)| *c)
            .unwrap_or(0);
        let minutes: Option<i64> = get(r, "billable_minutes")?;
        let routing: Option<String> = get(r, "routing")?;
        let entry = by_officer.entry(officer).or_insert_with(|| {
            order.push(officer);
            OfficerPay {
                officer_id: officer,
                name: String::new(),
                badge: String::new(),
                timecards: Vec::new(),
                minutes: 0,
                cents: 0,
                account: None,
                connected: None,
            }
        });
        if entry.timecards.is_empty() {
            entry.name = get(r, "display_name")?;
            entry.badge = get(r, "badge")?;
            entry.connected = get(r, "gateway_account")?;
            entry.account = match routing {
                Some(routing) => Some(deposit_accounts::Shown {
                    officer_id: officer,
                    routing,
                    last4: get(r, "account_last4")?,
                    kind: get(r, "kind")?,
                }),
                None => None,
            };
        }
        entry.timecards.push(id);
        entry.minutes += minutes.unwrap_or(0);
        entry.cents = entry
            .cents
            .checked_add(cents)
            .ok_or_else(|| ApiError::invalid("timecards", "the amounts are too large"))?;
    }
    let mut preview = Preview {
        paid: Vec::new(),
        held: Vec::new(),
        settled: Vec::new(),
    };
    for officer in order {
        if let Some(o) = by_officer.remove(&officer) {
            if o.cents <= 0 {
                preview.settled.push(o);
                continue;
            }
            let can_pay = match mode {
                PayoutMode::Payroll => o.account.is_some(),
                PayoutMode::Direct => o.connected.is_some(),
            };
            if can_pay {
                preview.paid.push(o);
            } else {
                preview.held.push(o);
            }
        }
    }
    Ok(preview)
}

/// What a batch for `period` would pay now.
pub async fn preview(
    db: &Db,
    dept: &Department,
    period: Period,
    mode: PayoutMode,
) -> ApiResult<Preview> {
    let mut tx = db.read().await?;
    payable(&mut tx, dept.id, period.end_at(dept.tz), mode).await
}

/// A payout batch as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub id: Uuid,
    pub period: (NaiveDate, NaiveDate),
    pub officers: i64,
    pub timecards: i64,
    pub total_cents: Cents,
    pub effective_date: String,
    pub file_id_modifier: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub mode: PayoutMode,
}

fn batch_from_row(r: &sqlx::any::AnyRow, tz: Tz) -> Result<Batch, DbError> {
    let start = crate::db::from_us(get(r, "period_start_us")?);
    let end = crate::db::from_us(get(r, "period_end_us")?);
    Ok(Batch {
        id: get_uuid(r, "id")?,
        period: (
            start.with_timezone(&tz).date_naive(),
            (end - chrono::Duration::hours(1))
                .with_timezone(&tz)
                .date_naive(),
        ),
        officers: get(r, "officers")?,
        timecards: get(r, "timecards")?,
        total_cents: get(r, "total_cents")?,
        effective_date: get(r, "effective_date")?,
        file_id_modifier: get(r, "file_id_modifier")?,
        created_by: get(r, "created_by_name")?,
        created_at: crate::db::from_us(get(r, "created_us")?),
        mode: PayoutMode::parse(&get::<String>(r, "mode")?)
            .ok_or_else(|| DbError::corrupt("payout_batches", "unknown mode"))?,
    })
}

/// The department's batches, newest first.
pub async fn batches(db: &Db, dept: &Department) -> ApiResult<Vec<Batch>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT b.id, b.period_start_us, b.period_end_us, b.officers, b.timecards, \
         b.total_cents, b.effective_date, b.file_id_modifier, b.created_us, b.mode, \
         COALESCE(u.display_name, '') AS created_by_name FROM payout_batches b \
         LEFT JOIN users u ON u.id = b.created_by \
         WHERE b.department_id = $1 ORDER BY b.period_start_us DESC",
    )
    .bind(dept.id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    Ok(rows
        .iter()
        .map(|r| batch_from_row(r, dept.tz))
        .collect::<Result<_, _>>()?)
}

/// One batch of the department.
pub async fn batch(db: &Db, dept: &Department, id: Uuid) -> ApiResult<Batch> {
    let mut tx = db.read().await?;
    let row = sqlx::query(
        "SELECT b.id, b.period_start_us, b.period_end_us, b.officers, b.timecards, \
         b.total_cents, b.effective_date, b.file_id_modifier, b.created_us, b.mode, \
         COALESCE(u.display_name, '') AS created_by_name FROM payout_batches b \
         LEFT JOIN users u ON u.id = b.created_by \
         WHERE b.department_id = $1 AND b.id = $2",
    )
    .bind(dept.id.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(DbError::from)?
    .ok_or_else(|| ApiError::not_found("payout batch"))?;
    Ok(batch_from_row(&row, dept.tz)?)
}

/// The timecards a batch paid: (officer name, job title, clock-out, minutes).
pub async fn batch_lines(db: &Db, dept: &Department, id: Uuid) -> ApiResult<Vec<OfficerPay>> {
    let mut tx = db.read().await?;
    let rows = sqlx::query(
        "SELECT t.id, t.officer_id, t.billable_minutes, u.display_name, u.badge \
         FROM timecards t JOIN users u ON u.id = t.officer_id \
         WHERE t.department_id = $1 AND t.payout_batch_id = $2 \
         ORDER BY u.display_name, t.officer_id, t.out_us",
    )
    .bind(dept.id.to_string())
    .bind(id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut out: Vec<OfficerPay> = Vec::new();
    for r in &rows {
        let officer = get_uuid(r, "officer_id")?;
        let minutes: Option<i64> = get(r, "billable_minutes")?;
        if out.last().map(|o| o.officer_id) != Some(officer) {
            out.push(OfficerPay {
                officer_id: officer,
                name: get(r, "display_name")?,
                badge: get(r, "badge")?,
                timecards: Vec::new(),
                minutes: 0,
                cents: 0,
                account: None,
                connected: None,
            });
        }
        if let Some(o) = out.last_mut() {
            o.timecards.push(get_uuid(r, "id")?);
            o.minutes += minutes.unwrap_or(0);
        }
    }
    Ok(out)
}

/// Which file of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Nacha,
}

/// A batch's file for a coordinator: (file name, text). The NACHA file is opened from its seal
/// and its download audited.
pub async fn file(
    db: &Db,
    keys: &TokenKeys,
    coordinator: AuthUser,
    id: Uuid,
    kind: FileKind,
    now: DateTime<Utc>,
) -> ApiResult<(String, String)> {
    coordinator.require(Role::Coordinator)?;
    let dept = coordinator.department_id;
    let row = {
        let mut tx = db.read().await?;
        sqlx::query(
            "SELECT csv, nacha, period_start_us FROM payout_batches \
             WHERE department_id = $1 AND id = $2",
        )
        .bind(dept.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(DbError::from)?
        .ok_or_else(|| ApiError::not_found("payout batch"))?
    };
    let day = crate::db::from_us(get(&row, "period_start_us")?)
        .format("%Y%m%d")
        .to_string();
    match kind {
        FileKind::Csv => Ok((format!("payroll-{day}.csv"), get(&row, "csv")?)),
        FileKind::Nacha => {
            let sealed: String = get(&row, "nacha")?;
            let text = file_seal(keys)
                .open(id, &sealed)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    ApiError::conflict(
                        "the direct-deposit file does not open with this server's key (was the \
                         key changed?); the payroll CSV still has every amount",
                    )
                })?;
            audit::append_now(
                db,
                dept,
                AuditEntry {
                    actor_id: Some(coordinator.user_id),
                    action: "payout_file_downloaded",
                    entity: "payout_batch",
                    entity_id: id.to_string(),
                    detail: serde_json::json!({"file": "nacha", "at": now}),
                },
            )
            .await?;
            Ok((format!("payroll-{day}.ach"), text))
        }
    }
}

fn file_seal(keys: &TokenKeys) -> SecretSeal {
    SecretSeal::for_purpose(keys, FILE_SEAL_PURPOSE)
}

/// The payout CSV's lines for `paid`, with each officer's deposit account when `accounts`
/// (payroll files), without (transfers: the provider holds the bank details).
pub(crate) fn csv_lines(paid: &[OfficerPay], accounts: bool) -> Vec<CsvLine> {
    paid.iter()
        .map(|o| {
            let account = o.account.as_ref().filter(|_| accounts);
            CsvLine {
                officer_id: o.officer_id.to_string(),
                badge: o.badge.clone(),
                name: o.name.clone(),
                timecards: o.timecards.len(),
                minutes: o.minutes,
                gross_cents: o.cents,
                routing: account.map(|a| a.routing.clone()).unwrap_or_default(),
                account_last4: account.map(|a| a.last4.clone()).unwrap_or_default(),
                account_type: account.map(|a| a.kind.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// The department's settings and the closed pay period starting `start`, checked for a new
/// batch: settings set, a day that starts a period, the period over, not paid before.
pub(crate) async fn closed_period(
    t: &mut DeptTx,
    start: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<(Settings, Period)> {
    let dept = t.dept.clone();
    let settings = settings_in(t.conn(), dept.id).await?.ok_or_else(|| {
        ApiError::invalid(
            "payroll",
            "Set the department's pay period and bank details first.",
        )
    })?;
    if !Period::starts_on(settings.period_anchor, settings.period_days, start) {
        return Err(ApiError::invalid(
            "period",
            "That day does not start one of the department's pay periods.",
        ));
    }
    let period = Period::containing(settings.period_anchor, settings.period_days, start);
    if period.end_at(dept.tz) > now {
        return Err(ApiError::invalid(
            "period",
            "That pay period has not ended yet: a period is paid once it is over.",
        ));
    }
    let taken: i64 = get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM payout_batches WHERE department_id = $1 \
             AND period_start_us = $2",
        )
        .bind(dept.id.to_string())
        .bind(to_us(period.start_at(dept.tz)))
        .fetch_one(&mut *t.conn())
        .await
        .map_err(DbError::from)?,
        "n",
    )?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "This pay period was already paid; its files are on the payouts page.",
        ));
    }
    Ok((settings, period))
}

/// Marks the batch's timecards `paid` (officers' apps hear through the change log).
pub(crate) async fn mark_paid(
    t: &mut DeptTx,
    batch: Uuid,
    officers: &[OfficerPay],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (seq, dept) = (t.seq, t.dept.id);
    for o in officers {
        for tc in &o.timecards {
            sqlx::query(
                "UPDATE timecards SET status = 'paid', paid_us = $1, payout_batch_id = $2, \
                 version = $3 WHERE id = $4",
            )
            .bind(to_us(now))
            .bind(batch.to_string())
            .bind(seq)
            .bind(tc.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            changes::record(
                t.conn(),
                dept,
                seq,
                Entity::Timecard,
                *tc,
                Some(o.officer_id),
            )
            .await?;
        }
    }
    Ok(())
}

/// A coordinator makes the payout batch of the closed period starting `start` (module docs).
/// Refuses: no payroll details, a date that does not start a period, a period still running,
/// a period already paid, nothing to pay, a deposit account that does not open, and whatever
/// the ledger refuses.
pub async fn make_batch(
    db: &Db,
    keys: &TokenKeys,
    coordinator: AuthUser,
    start: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Batch> {
    coordinator.require(Role::Coordinator)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.clone();
    let (settings, period) = closed_period(&mut t, start, now).await?;
    if settings.mode != PayoutMode::Payroll {
        return Err(ApiError::conflict(
            "The department pays officers directly through the payment provider; payroll files \
             are made only in payroll mode (payout settings).",
        ));
    }
    let preview = payable(
        t.conn(),
        dept.id,
        period.end_at(dept.tz),
        PayoutMode::Payroll,
    )
    .await?;
    if preview.paid.is_empty() {
        return Err(ApiError::invalid(
            "period",
            if preview.held.is_empty() {
                "Nothing to pay: no timecard the customer paid for is waiting."
            } else {
                "Nothing to pay yet: no officer owed money has a deposit account."
            },
        ));
    }
    // The ledger pays each officer out first: it refuses more than was earned or is held.
    let mut ledger = books::load(t.conn(), dept.id).await?;
    for o in &preview.paid {
        ledger
            .payout(o.officer_id, o.cents)
            .map_err(books::refused)?;
        books::store_last(t.conn(), dept.id, &ledger, now).await?;
    }
    let id = Uuid::now_v7();
    let effective = payroll::effective_date(now, dept.tz);
    let today_start = payroll::local_midnight(now.with_timezone(&dept.tz).date_naive(), dept.tz);
    let made_today: i64 = get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM payout_batches WHERE department_id = $1 \
             AND created_us >= $2",
        )
        .bind(dept.id.to_string())
        .bind(to_us(today_start))
        .fetch_one(&mut *t.conn())
        .await
        .map_err(DbError::from)?,
        "n",
    )?;
    let modifier = payroll::file_id_modifier(usize::try_from(made_today).unwrap_or(usize::MAX))
        .ok_or_else(|| {
            ApiError::conflict("36 direct-deposit files were made today already; make it tomorrow")
        })?;
    let mut credits = Vec::with_capacity(preview.paid.len());
    let seal = deposit_accounts::seal(keys);
    for o in &preview.paid {
        let Some(account) = &o.account else { continue };
        let sealed: String = get(
            &sqlx::query("SELECT account_sealed FROM deposit_accounts WHERE officer_id = $1")
                .bind(o.officer_id.to_string())
                .fetch_one(&mut *t.conn())
                .await
                .map_err(DbError::from)?,
            "account_sealed",
        )?;
        let number = seal
            .open(o.officer_id, &sealed)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                ApiError::conflict(format!(
                    "{}'s deposit account does not open with this server's key; set it again",
                    o.name
                ))
            })?;
        credits.push(Credit {
            routing: account.routing.clone(),
            account_number: number,
            account_type: if account.kind == "savings" {
                AccountType::Savings
            } else {
                AccountType::Checking
            },
            amount_cents: o.cents,
            individual_id: if o.badge.trim().is_empty() {
                o.officer_id.simple().to_string()[..15].to_string()
            } else {
                o.badge.chars().take(15).collect()
            },
            individual_name: o.name.clone(),
        });
    }
    let file = nacha::write_ppd(
        &settings.originator(),
        &FileOptions {
            created_at: now,
            tz: dept.tz,
            file_id_modifier: modifier,
            effective_date: effective,
            entry_description: settings.entry_description.clone(),
            reference_code: String::new(),
        },
        &credits,
    )
    .map_err(|e| ApiError::invalid_at("payroll", e))?;
    let csv_lines = csv_lines(&preview.paid, true);
    let csv = payroll::csv(period, &dept.currency, effective, &csv_lines).map_err(|e| {
        tracing::error!(error = %e, "the payroll CSV could not be written");
        ApiError::internal()
    })?;
    let total = preview.total_cents();
    let timecards: usize = preview.paid.iter().map(|o| o.timecards.len()).sum();
    sqlx::query(
        "INSERT INTO payout_batches (id, department_id, period_start_us, period_end_us, \
         total_cents, csv, nacha, created_by, created_us, officers, timecards, effective_date, \
         file_id_modifier) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(dept.id.to_string())
    .bind(to_us(period.start_at(dept.tz)))
    .bind(to_us(period.end_at(dept.tz)))
    .bind(total)
    .bind(csv)
    .bind(file_seal(keys).seal(id, file.text.as_bytes()))
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .bind(i64::try_from(preview.paid.len()).unwrap_or(i64::MAX))
    .bind(i64::try_from(timecards).unwrap_or(i64::MAX))
    .bind(effective.to_string())
    .bind(modifier.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    mark_paid(&mut t, id, &preview.paid, now).await?;
    // Timecards worth 0 cents close with the batch: nothing is owed, nothing is sent.
    mark_paid(&mut t, id, &preview.settled, now).await?;
    audit::append(
        t.conn(),
        dept.id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "payout_batch_made",
            entity: "payout_batch",
            entity_id: id.to_string(),
            detail: serde_json::json!({
                "period_start": period.start, "period_end": period.last_day(),
                "officers": preview.paid.len(), "timecards": timecards,
                "total_cents": total, "held_officers": preview.held.len(),
                "settled_officers": preview.settled.len(),
                "effective_date": effective, "entry_hash": file.entry_hash,
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    batch(db, &dept, id).await
}
