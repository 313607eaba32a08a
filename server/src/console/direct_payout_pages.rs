//! Paying officers directly (decision 049), coordinators' pages: officers' payout accounts,
//! "send the waiting transfers again", and the year's 1099-NEC summary (page and CSV). Also the
//! two public pages the payment provider sends an officer back to after onboarding. Pages parse
//! and authorize; `services::direct_payouts` decides.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use offduty_domain::pay::format_cents;

use crate::app::AppState;
use crate::console::pages::{
    Chrome, attachment, chrome, department_row, html, path_id, signed_form,
};
use crate::console::{ConsoleError, Coordinator};
use crate::services::direct_payouts::{self, AccountStatus};

const PAYOUTS: &str = "/console/payouts";

struct AccountRow {
    name: String,
    badge: String,
    status: &'static str,
    checked: String,
}

#[derive(Template)]
#[template(path = "console/payout_accounts.html")]
struct AccountsPage {
    chrome: Option<Chrome>,
    direct: bool,
    officers: Vec<AccountRow>,
    not_ready: usize,
}

/// `GET /console/payouts/payout-accounts`: where each officer's payout account stands.
pub async fn accounts(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let dept = department_row(&state, s.user.department_id).await?;
    let all = direct_payouts::of_department(&state.db, dept.id).await?;
    let direct = all
        .first()
        .is_none_or(|o| o.status != AccountStatus::NotNeeded);
    let page = AccountsPage {
        chrome: Some(chrome(&s, &dept.name, "payouts")),
        direct,
        not_ready: all
            .iter()
            .filter(|o| o.status != AccountStatus::Ready)
            .count(),
        officers: all
            .into_iter()
            .map(|o| AccountRow {
                name: o.name,
                badge: o.badge,
                status: match o.status {
                    AccountStatus::NotNeeded => "Not needed (payroll)",
                    AccountStatus::NotStarted => "Not set up: pay held",
                    AccountStatus::Onboarding => "Set-up not finished: pay held",
                    AccountStatus::Ready => "Ready",
                },
                checked: o
                    .checked_at
                    .map(|t| {
                        t.with_timezone(&dept.tz)
                            .format("%-d %b %Y %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/payouts/{id}/send`: send a batch's waiting transfers again (same keys).
pub async fn send_again(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    signed_form(&state, &s, &headers, body)?;
    let dept = department_row(&state, s.user.department_id).await?;
    // 404 for another department's batch, before anything is sent.
    crate::services::payouts::batch(&state.db, &dept, id).await?;
    let Some(gateway) = state.payments.clone() else {
        return Err(ConsoleError::BadRequest(
            "This server has no payment provider configured.".into(),
        ));
    };
    direct_payouts::send_pending(&state.db, &gateway, dept.id, Some(id), Utc::now()).await?;
    Ok(Redirect::to(PAYOUTS).into_response())
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

fn year_of(q: &YearQuery, this: i32) -> Result<i32, ConsoleError> {
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(this),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| ConsoleError::BadRequest("Give a year such as 2026.".into())),
    }
}

struct NecRow {
    name: String,
    badge: String,
    transfers: i64,
    amount: String,
    reportable: bool,
}

#[derive(Template)]
#[template(path = "console/nec_summary.html")]
struct NecPage {
    chrome: Option<Chrome>,
    year: i32,
    previous: i32,
    next: Option<i32>,
    threshold: String,
    rows: Vec<NecRow>,
    total: String,
    reportable: usize,
}

/// `GET /console/payouts/1099?year=`: what each officer was paid directly in a year.
pub async fn nec_page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    Query(q): Query<YearQuery>,
) -> Result<Response, ConsoleError> {
    let dept = department_row(&state, s.user.department_id).await?;
    let this = direct_payouts::this_year(&dept, Utc::now());
    let year = year_of(&q, this)?;
    let lines = direct_payouts::nec_summary(&state.db, &dept, year).await?;
    let page = NecPage {
        chrome: Some(chrome(&s, &dept.name, "payouts")),
        year,
        previous: year - 1,
        next: (year < this).then_some(year + 1),
        threshold: format_cents(direct_payouts::nec_threshold_cents(year), &dept.currency),
        total: format_cents(lines.iter().map(|l| l.cents).sum(), &dept.currency),
        reportable: lines.iter().filter(|l| l.reportable).count(),
        rows: lines
            .iter()
            .map(|l| NecRow {
                name: l.name.clone(),
                badge: l.badge.clone(),
                transfers: l.transfers,
                amount: format_cents(l.cents, &dept.currency),
                reportable: l.reportable,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// `GET /console/payouts/1099/csv?year=`.
pub async fn nec_csv(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    Query(q): Query<YearQuery>,
) -> Result<Response, ConsoleError> {
    let dept = department_row(&state, s.user.department_id).await?;
    let year = year_of(&q, direct_payouts::this_year(&dept, Utc::now()))?;
    let lines = direct_payouts::nec_summary(&state.db, &dept, year).await?;
    let text = direct_payouts::nec_csv(year, &dept.currency, &lines).map_err(|e| {
        tracing::error!(error = %e, "the 1099-NEC summary could not be written");
        ConsoleError::Internal
    })?;
    Ok(attachment(
        text.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("1099-nec-{year}.csv"),
    ))
}

#[derive(Template)]
#[template(path = "console/payout_setup.html")]
struct SetupPage {
    chrome: Option<Chrome>,
    title: &'static str,
    detail: &'static str,
}

/// `GET /console/payout-setup/done`: where the provider sends an officer after onboarding.
pub async fn setup_done() -> Response {
    html(
        StatusCode::OK,
        &SetupPage {
            chrome: None,
            title: "Back from the payment provider",
            detail: "You can close this page and go back to the offduty app: it shows whether \
                     your payout account is ready, or what the provider still needs.",
        },
    )
}

/// `GET /console/payout-setup/expired`: where an expired onboarding link leads.
pub async fn setup_expired() -> Response {
    html(
        StatusCode::OK,
        &SetupPage {
            chrome: None,
            title: "This set-up link has expired",
            detail: "Set-up links work once and for a few minutes. Go back to the offduty app \
                     and open the payout set-up again: it makes a fresh link.",
        },
    )
}
