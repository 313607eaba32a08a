//! The payroll pages (decision 042), coordinators only: the payouts page (the last closed pay
//! period — who is paid, who is held and why — the button that makes its files, and every batch
//! with its payroll CSV and NACHA file), the payroll details form, and officers' deposit
//! accounts. Pages parse and authorize; `services::payouts` and `services::deposit_accounts`
//! decide.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use offduty_domain::pay::format_cents;

use crate::app::AppState;
use crate::console::forms::FieldError;
use crate::console::pages::{
    Chrome, attachment, chrome, department_row, html, path_id, signed_form,
};
use crate::console::portal::sentence;
use crate::console::{ConsoleError, Coordinator};
use crate::db::rows::Department;
use crate::error::ApiError;
use crate::money::payroll::hours;
use crate::services::deposit_accounts::{self, NewAccount};
use crate::services::direct_payouts;
use crate::services::payouts::{self, FileKind, OfficerPay, PayoutMode, Settings};

const PAYOUTS: &str = "/console/payouts";

async fn department(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
) -> Result<Department, ConsoleError> {
    department_row(state, s.user.department_id).await
}

fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// A row of the period's table.
struct PayRow {
    name: String,
    badge: String,
    timecards: usize,
    hours: String,
    amount: String,
    account: String,
}

fn pay_row(o: &OfficerPay, currency: &str) -> PayRow {
    let account = match (&o.account, &o.connected) {
        (_, Some(c)) => format!("payout account {c}"),
        (Some(a), None) => format!("{} ····{}", a.kind, a.last4),
        (None, None) => String::new(),
    };
    PayRow {
        name: o.name.clone(),
        badge: o.badge.clone(),
        timecards: o.timecards.len(),
        hours: hours(o.minutes),
        amount: format_cents(o.cents, currency),
        account,
    }
}

struct BatchRow {
    id: Uuid,
    period: String,
    officers: i64,
    timecards: i64,
    total: String,
    effective: String,
    made: String,
    /// Paid by transfers (direct mode), not payroll files.
    direct: bool,
    /// Direct batches: "2 sent, 1 failed (…), 1 waiting".
    transfers: String,
    /// Direct batches: transfers still waiting for the provider.
    waiting: bool,
}

#[derive(Template)]
#[template(path = "console/payouts.html")]
struct PayoutsPage {
    chrome: Option<Chrome>,
    csrf: String,
    done: bool,
    error: Option<String>,
    /// "Every 14 days from Mon 2 Nov 2026", when set.
    schedule: Option<String>,
    /// The last closed period: its first day (the form's value) and its dates in words.
    period_start: String,
    period: String,
    already_paid: bool,
    paid: Vec<PayRow>,
    held: Vec<PayRow>,
    total: String,
    batches: Vec<BatchRow>,
    /// Officers are paid directly through the payment provider (decision 049).
    direct: bool,
    /// The current tax year, for the 1099-NEC summary link.
    year: i32,
}

#[derive(Deserialize)]
pub struct PayoutsQuery {
    done: Option<String>,
}

async fn payouts_page(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    done: bool,
    error: Option<String>,
) -> Result<Response, ConsoleError> {
    let dept = department(state, s).await?;
    let settings = payouts::settings(&state.db, dept.id).await?;
    let batches = payouts::batches(&state.db, &dept).await?;
    let mut rows = Vec::with_capacity(batches.len());
    for b in &batches {
        let direct = b.mode == PayoutMode::Direct;
        let (transfers, waiting) = if direct {
            let all = direct_payouts::transfers(&state.db, &dept, b.id).await?;
            let count = |st: &str| all.iter().filter(|t| t.status == st).count();
            let failed: Vec<String> = all
                .iter()
                .filter(|t| t.status == "failed")
                .map(|t| {
                    format!(
                        "{}: {}",
                        t.name,
                        t.message.as_deref().unwrap_or("refused by the provider")
                    )
                })
                .collect();
            let mut text = format!("{} sent", count("succeeded"));
            if !failed.is_empty() {
                text.push_str(&format!(
                    ", {} failed ({}; paid with the next period)",
                    failed.len(),
                    failed.join("; ")
                ));
            }
            if count("pending") > 0 {
                text.push_str(&format!(", {} waiting for the provider", count("pending")));
            }
            (text, count("pending") > 0)
        } else {
            (String::new(), false)
        };
        rows.push(BatchRow {
            id: b.id,
            period: format!("{} – {}", day(b.period.0), day(b.period.1)),
            officers: b.officers,
            timecards: b.timecards,
            total: format_cents(b.total_cents, &dept.currency),
            effective: b
                .effective_date
                .parse::<NaiveDate>()
                .map(day)
                .unwrap_or_else(|_| b.effective_date.clone()),
            made: format!(
                "{} by {}",
                b.created_at
                    .with_timezone(&dept.tz)
                    .format("%-d %b %Y %H:%M"),
                b.created_by
            ),
            direct,
            transfers,
            waiting,
        });
    }
    let mode = settings.as_ref().map(|s| s.mode).unwrap_or_default();
    let mut page = PayoutsPage {
        chrome: Some(chrome(s, &dept.name, "payouts")),
        csrf: s.csrf.clone(),
        done,
        schedule: None,
        period_start: String::new(),
        period: String::new(),
        already_paid: false,
        paid: Vec::new(),
        held: Vec::new(),
        total: format_cents(0, &dept.currency),
        batches: rows,
        error: error.clone(),
        direct: mode == PayoutMode::Direct,
        year: direct_payouts::this_year(&dept, Utc::now()),
    };
    if let Some(st) = settings {
        let period = st.last_closed(Utc::now(), dept.tz);
        page.schedule = Some(format!(
            "Pay periods of {} days; one starts on {}",
            st.period_days,
            day(st.period_anchor)
        ));
        page.period_start = period.start.to_string();
        page.period = format!("{} – {}", day(period.start), day(period.last_day()));
        page.already_paid = batches.iter().any(|b| b.period.0 == period.start);
        let preview = payouts::preview(&state.db, &dept, period, st.mode).await?;
        page.total = format_cents(preview.total_cents(), &dept.currency);
        page.paid = preview
            .paid
            .iter()
            .map(|o| pay_row(o, &dept.currency))
            .collect();
        page.held = preview
            .held
            .iter()
            .map(|o| pay_row(o, &dept.currency))
            .collect();
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}

/// `GET /console/payouts`.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    Query(q): Query<PayoutsQuery>,
) -> Result<Response, ConsoleError> {
    payouts_page(&state, &s, q.done.as_deref() == Some("batch"), None).await
}

/// `POST /console/payouts`: make the batch of the period starting `period_start`.
pub async fn make(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let Some(start) = form
        .get("period_start")
        .and_then(|v| v.trim().parse::<NaiveDate>().ok())
    else {
        return Err(ConsoleError::BadRequest(
            "Choose the pay period to pay.".into(),
        ));
    };
    let mode = payouts::settings(&state.db, s.user.department_id)
        .await?
        .map(|st| st.mode)
        .unwrap_or_default();
    let made = match (mode, state.payments.as_ref()) {
        (PayoutMode::Payroll, _) => {
            payouts::make_batch(&state.db, &state.tokens, s.user, start, Utc::now()).await
        }
        (PayoutMode::Direct, Some(gateway)) => {
            direct_payouts::make_batch(&state.db, gateway, s.user, start, Utc::now()).await
        }
        (PayoutMode::Direct, None) => Err(ApiError::conflict(
            "This server has no payment provider configured, so it cannot pay officers \
             directly; configure one or switch to payroll files in the payout settings.",
        )),
    };
    match made {
        Ok(_) => Ok(Redirect::to(&format!("{PAYOUTS}?done=batch")).into_response()),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            payouts_page(&state, &s, false, Some(sentence(&e.detail))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    id: Uuid,
    kind: FileKind,
) -> Result<Response, ConsoleError> {
    let (name, text) =
        payouts::file(&state.db, &state.tokens, s.user, id, kind, Utc::now()).await?;
    let content_type = match kind {
        FileKind::Csv => "text/csv; charset=utf-8",
        FileKind::Nacha => "text/plain; charset=us-ascii",
    };
    Ok(attachment(text.into_bytes(), content_type, &name))
}

/// `GET /console/payouts/{id}/csv`.
pub async fn csv(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    download(&state, &s, path_id(id)?, FileKind::Csv).await
}

/// `GET /console/payouts/{id}/nacha`.
pub async fn nacha(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    download(&state, &s, path_id(id)?, FileKind::Nacha).await
}

#[derive(Template)]
#[template(path = "console/payroll_settings.html")]
struct SettingsPage {
    chrome: Option<Chrome>,
    csrf: String,
    error: Option<FieldError>,
    /// "payroll" or "direct".
    mode: String,
    period_days: String,
    period_anchor: String,
    destination_routing: String,
    destination_name: String,
    origin_id: String,
    origin_name: String,
    company_name: String,
    company_id: String,
    odfi_routing: String,
    entry_description: String,
}

impl SettingsPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

/// `GET /console/payouts/settings`.
pub async fn settings_form(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let dept = department(&state, &s).await?;
    let st = payouts::settings(&state.db, dept.id).await?;
    let v = |f: fn(&Settings) -> String, default: &str| {
        st.as_ref().map(f).unwrap_or_else(|| default.to_string())
    };
    let page = SettingsPage {
        chrome: Some(chrome(&s, &dept.name, "payouts")),
        csrf: s.csrf.clone(),
        error: None,
        mode: v(|s| s.mode.as_str().to_string(), "payroll"),
        period_days: v(|s| s.period_days.to_string(), "14"),
        period_anchor: v(|s| s.period_anchor.to_string(), ""),
        destination_routing: v(|s| s.destination_routing.clone(), ""),
        destination_name: v(|s| s.destination_name.clone(), ""),
        origin_id: v(|s| s.origin_id.clone(), ""),
        origin_name: v(|s| s.origin_name.clone(), ""),
        company_name: v(|s| s.company_name.clone(), ""),
        company_id: v(|s| s.company_id.clone(), ""),
        odfi_routing: v(|s| s.odfi_routing.clone(), ""),
        entry_description: v(|s| s.entry_description.clone(), "PAYROLL"),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/payouts/settings`.
pub async fn settings_save(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let dept = department(&state, &s).await?;
    let mut page = SettingsPage {
        chrome: Some(chrome(&s, &dept.name, "payouts")),
        csrf: s.csrf.clone(),
        error: None,
        mode: f("mode"),
        period_days: f("period_days"),
        period_anchor: f("period_anchor"),
        destination_routing: f("destination_routing"),
        destination_name: f("destination_name"),
        origin_id: f("origin_id"),
        origin_name: f("origin_name"),
        company_name: f("company_name"),
        company_id: f("company_id"),
        odfi_routing: f("odfi_routing"),
        entry_description: f("entry_description"),
    };
    let refuse = |mut page: SettingsPage, field: &str, message: String| {
        page.error = Some(FieldError {
            field: field.into(),
            message,
        });
        Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    let Ok(period_days) = page.period_days.trim().parse::<i64>() else {
        return refuse(
            page,
            "period_days",
            "Choose a pay period of 7 or 14 days.".into(),
        );
    };
    let Ok(period_anchor) = page.period_anchor.trim().parse::<NaiveDate>() else {
        return refuse(
            page,
            "period_anchor",
            "Give the first day of a pay period as a date, such as 2026-11-02.".into(),
        );
    };
    // A form without the choice keeps the department's current mode.
    if page.mode.trim().is_empty() {
        page.mode = payouts::settings(&state.db, dept.id)
            .await?
            .map(|st| st.mode)
            .unwrap_or_default()
            .as_str()
            .to_string();
    }
    let Some(mode) = PayoutMode::parse(page.mode.trim()) else {
        return refuse(
            page,
            "mode",
            "Choose how officers are paid: payroll files or directly.".into(),
        );
    };
    let new = Settings {
        mode,
        period_days,
        period_anchor,
        destination_routing: page.destination_routing.clone(),
        destination_name: page.destination_name.clone(),
        origin_id: page.origin_id.clone(),
        origin_name: page.origin_name.clone(),
        company_name: page.company_name.clone(),
        company_id: page.company_id.clone(),
        odfi_routing: page.odfi_routing.clone(),
        entry_description: page.entry_description.clone(),
    };
    match payouts::set_settings(&state.db, s.user, new, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(PAYOUTS).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = e.field.clone().unwrap_or_default();
            page.error = Some(FieldError {
                field,
                message: sentence(&e.detail),
            });
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

struct AccountRow {
    id: Uuid,
    name: String,
    badge: String,
    account: String,
}

#[derive(Template)]
#[template(path = "console/deposit_accounts.html")]
struct AccountsPage {
    chrome: Option<Chrome>,
    done: bool,
    officers: Vec<AccountRow>,
    missing: usize,
}

/// `GET /console/payouts/accounts`.
pub async fn accounts(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    Query(q): Query<PayoutsQuery>,
) -> Result<Response, ConsoleError> {
    let dept = department(&state, &s).await?;
    let all = deposit_accounts::of_department(&state.db, dept.id).await?;
    let page = AccountsPage {
        chrome: Some(chrome(&s, &dept.name, "payouts")),
        done: q.done.as_deref() == Some("account"),
        missing: all.iter().filter(|o| o.account.is_none()).count(),
        officers: all
            .into_iter()
            .map(|o| AccountRow {
                id: o.officer_id,
                name: o.name,
                badge: o.badge,
                account: o
                    .account
                    .map(|a| format!("{} ····{} at {}", a.kind, a.last4, a.routing))
                    .unwrap_or_default(),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "console/deposit_account.html")]
struct AccountPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: Uuid,
    name: String,
    current: String,
    error: Option<FieldError>,
    routing: String,
    kind: String,
}

impl AccountPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

async fn account_page(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    id: Uuid,
) -> Result<AccountPage, ConsoleError> {
    let dept = department(state, s).await?;
    let officer = deposit_accounts::of_department(&state.db, dept.id)
        .await?
        .into_iter()
        .find(|o| o.officer_id == id)
        .ok_or(ConsoleError::NotFound)?;
    Ok(AccountPage {
        chrome: Some(chrome(s, &dept.name, "payouts")),
        csrf: s.csrf.clone(),
        id,
        name: officer.name,
        current: officer
            .account
            .as_ref()
            .map(|a| {
                format!(
                    "{} account ····{} at routing number {}",
                    a.kind, a.last4, a.routing
                )
            })
            .unwrap_or_default(),
        error: None,
        routing: officer
            .account
            .as_ref()
            .map(|a| a.routing.clone())
            .unwrap_or_default(),
        kind: officer
            .account
            .map(|a| a.kind)
            .unwrap_or_else(|| "checking".into()),
    })
}

/// `GET /console/payouts/accounts/{id}`.
pub async fn account_form(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    let page = account_page(&state, &s, path_id(id)?).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/payouts/accounts/{id}`: the account number is never shown back, even on an
/// error (the officer's routing number and type are kept).
pub async fn account_save(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut page = account_page(&state, &s, id).await?;
    page.routing = f("routing");
    page.kind = f("kind");
    let result = deposit_accounts::set(
        &state.db,
        &state.tokens,
        s.user,
        id,
        NewAccount {
            routing: &page.routing,
            account: &f("account"),
            kind: &page.kind,
        },
        Utc::now(),
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{PAYOUTS}/accounts?done=account")).into_response()),
        Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field,
            detail,
            ..
        }) => {
            page.error = Some(FieldError {
                field: field.unwrap_or_default(),
                message: sentence(&detail),
            });
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
