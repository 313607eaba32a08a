//! The money pages (decision 040). Customers: timecards to review (approve, or dispute with a
//! reason), their invoices, an invoice with its PDF and payment history. Coordinators: invoices
//! (status, charge attempts and the gateway's message, "retry now", a transfer received, a
//! credit note) and disputes (the punch times and the customer's reason; confirm or adjust).
//! Pages only parse and authorize; the services decide.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::pay::format_cents;

use crate::app::AppState;
use crate::console::pages::{Chrome, attachment, chrome, html, read_form};
use crate::console::portal::BillView;
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator, Customer};
use crate::db::DbError;
use crate::money::pdf;
use crate::services::charges::{self, Attempt};
use crate::services::invoices::{self, CreditNote, Invoice};
use crate::services::review::{self, Resolution, Review, ReviewItem};

struct Place {
    name: String,
    tz: Tz,
    currency: String,
}

async fn place(state: &AppState, s: &ConsoleSession) -> Result<Place, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok(Place {
        name: d.name.clone(),
        tz: d.tz,
        currency: d.currency.clone(),
    })
}

fn parse_id(id: Result<Path<String>, PathRejection>) -> Result<Uuid, ConsoleError> {
    id.ok()
        .and_then(|Path(raw)| Uuid::parse_str(&raw).ok())
        .ok_or(ConsoleError::NotFound)
}

fn check_csrf(
    state: &AppState,
    s: &ConsoleSession,
    form: &std::collections::HashMap<String, String>,
) -> Result<(), ConsoleError> {
    let token = form.get("csrf").map(String::as_str).unwrap_or("");
    if s.csrf_ok(&state.tokens, token) {
        Ok(())
    } else {
        Err(ConsoleError::csrf())
    }
}

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %b %-d, %Y %-I:%M %p")
        .to_string()
}

/// A timecard row on the review pages.
pub struct CardRow {
    pub id: Uuid,
    pub job: String,
    pub organization: String,
    pub officer: String,
    pub clock_in: String,
    pub clock_out: String,
    pub worked: String,
    pub pay: String,
    pub review: String,
    pub reason: String,
    pub open: bool,
    pub closes: String,
}

fn card_row(i: &ReviewItem, p: &Place, now: DateTime<Utc>) -> CardRow {
    CardRow {
        id: i.timecard_id,
        job: i.job_title.clone(),
        organization: i.organization.clone(),
        officer: i.officer_name.clone(),
        clock_in: i.clock_in.map(|t| when(t, p.tz)).unwrap_or_default(),
        clock_out: when(i.clock_out, p.tz),
        worked: crate::console::view::worked(i.worked_minutes),
        pay: format_cents(i.gross_cents, &p.currency),
        review: match i.review.as_deref() {
            None => "To review".into(),
            Some("auto_approved") => "Approved automatically".into(),
            Some(r) => {
                let mut s = r.to_string();
                if let Some(f) = s.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                s
            }
        },
        reason: i.dispute_reason.clone().unwrap_or_default(),
        open: i.review.is_none()
            && i.review_closes_at > now
            && matches!(i.status.as_str(), "pending" | "needs_review" | "approved"),
        closes: when(i.review_closes_at, p.tz),
    }
}

#[derive(Template)]
#[template(path = "console/review.html")]
struct ReviewPage {
    chrome: Option<Chrome>,
    csrf: String,
    cards: Vec<CardRow>,
    coordinator: bool,
    /// An affiliate's portal calls the page "Work by our officers" (decision 047).
    affiliate: bool,
}

/// An invoice row.
pub struct InvoiceRow {
    pub id: Uuid,
    pub number: i64,
    pub organization: String,
    pub issued: String,
    pub total: String,
    pub due: String,
    pub status: String,
    pub terms: String,
}

fn invoice_row(i: &Invoice, p: &Place) -> InvoiceRow {
    InvoiceRow {
        id: i.id,
        number: i.number,
        organization: i.organization.clone(),
        issued: when(i.issued_at, p.tz),
        total: format_cents(i.total_cents, &p.currency),
        due: format_cents(i.due_cents().max(0), &p.currency),
        status: i.status.clone(),
        terms: i.terms.clone(),
    }
}

#[derive(Template)]
#[template(path = "console/invoices.html")]
struct InvoicesPage {
    chrome: Option<Chrome>,
    base: &'static str,
    invoices: Vec<InvoiceRow>,
}

pub struct AttemptRow {
    pub attempt: i64,
    pub method: String,
    pub amount: String,
    pub status: String,
    pub message: String,
    pub at: String,
}

pub struct NoteRow {
    pub number: i64,
    pub amount: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/invoice.html")]
struct InvoicePage {
    chrome: Option<Chrome>,
    csrf: String,
    base: &'static str,
    coordinator: bool,
    i: InvoiceRow,
    bill: BillView,
    attempts: Vec<AttemptRow>,
    notes: Vec<NoteRow>,
    timecards: Vec<(Uuid, String)>,
}

fn attempt_row(a: &Attempt, p: &Place) -> AttemptRow {
    AttemptRow {
        attempt: a.attempt,
        method: a.method.clone(),
        amount: format_cents(a.amount_cents, &p.currency),
        status: a.status.clone(),
        message: a.message.clone().unwrap_or_default(),
        at: when(a.at, p.tz),
    }
}

fn note_row(n: &CreditNote, p: &Place) -> NoteRow {
    NoteRow {
        number: n.number,
        amount: format_cents(n.amount_cents, &p.currency),
        reason: n.reason.clone(),
    }
}

/// `GET /console/portal/timecards`: the organization's worked time to review.
pub async fn customer_timecards(
    State(state): State<AppState>,
    Customer(s): Customer,
) -> Result<Response, ConsoleError> {
    let p = place(&state, &s).await?;
    let now = Utc::now();
    let affiliate = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        crate::services::customers::of_customer(&mut conn, s.user)
            .await?
            .kind
            == crate::services::customers::OrganizationKind::Affiliate
    };
    let mut cards: Vec<CardRow> = review::of_customer(&state.db, s.user)
        .await?
        .iter()
        .map(|i| card_row(i, &p, now))
        .collect();
    cards.sort_by_key(|c| !c.open);
    Ok(html(
        StatusCode::OK,
        &ReviewPage {
            chrome: Some(chrome(&s, &p.name, "timecards")),
            csrf: s.csrf.clone(),
            cards,
            coordinator: false,
            affiliate,
        },
    ))
}

/// `POST /console/portal/timecards/{id}`: approve (`decision=approve`) or dispute with a reason.
pub async fn customer_review(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = parse_id(id)?;
    let form = read_form(&headers, body)?;
    check_csrf(&state, &s, &form)?;
    let decision = match form.get("decision").map(String::as_str) {
        Some("approve") => Review::Approve,
        Some("dispute") => Review::Dispute {
            reason: form.get("reason").cloned().unwrap_or_default(),
        },
        _ => {
            return Err(ConsoleError::BadRequest(
                "Approve or dispute the timecard.".into(),
            ));
        }
    };
    review::customer_review(&state.db, s.user, id, decision, Utc::now()).await?;
    Ok(Redirect::to("/console/portal/timecards").into_response())
}

/// `GET /console/disputes`: timecards customers disputed, for a coordinator to resolve.
pub async fn disputes(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let p = place(&state, &s).await?;
    let now = Utc::now();
    let cards = review::disputes(&state.db, s.user.department_id)
        .await?
        .iter()
        .map(|i| card_row(i, &p, now))
        .collect();
    Ok(html(
        StatusCode::OK,
        &ReviewPage {
            chrome: Some(chrome(&s, &p.name, "disputes")),
            csrf: s.csrf.clone(),
            cards,
            coordinator: true,
            affiliate: false,
        },
    ))
}

/// `POST /console/disputes/{id}`: confirm, or adjust to `worked_minutes`, with a note.
pub async fn resolve(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = parse_id(id)?;
    let form = read_form(&headers, body)?;
    check_csrf(&state, &s, &form)?;
    let note = form.get("note").cloned().unwrap_or_default();
    let resolution = match form.get("decision").map(String::as_str) {
        Some("confirm") => Resolution::Confirm { note },
        Some("adjust") => {
            let minutes = form
                .get("worked_minutes")
                .and_then(|m| m.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    ConsoleError::BadRequest("Give the minutes worked as a whole number.".into())
                })?;
            Resolution::Adjust {
                worked_minutes: minutes,
                note,
            }
        }
        _ => {
            return Err(ConsoleError::BadRequest(
                "Confirm or adjust the hours.".into(),
            ));
        }
    };
    review::resolve(&state.db, s.user, id, resolution, Utc::now()).await?;
    Ok(Redirect::to("/console/disputes").into_response())
}

async fn list(
    state: &AppState,
    s: &ConsoleSession,
    customer: bool,
) -> Result<Response, ConsoleError> {
    let p = place(state, s).await?;
    let all = if customer {
        invoices::of_customer(&state.db, s.user).await?
    } else {
        invoices::of_department(&state.db, s.user.department_id).await?
    };
    Ok(html(
        StatusCode::OK,
        &InvoicesPage {
            chrome: Some(chrome(s, &p.name, "invoices")),
            base: if customer {
                "/console/portal/invoices"
            } else {
                "/console/invoices"
            },
            invoices: all.iter().map(|i| invoice_row(i, &p)).collect(),
        },
    ))
}

/// `GET /console/portal/invoices`.
pub async fn customer_invoices(
    State(state): State<AppState>,
    Customer(s): Customer,
) -> Result<Response, ConsoleError> {
    list(&state, &s, true).await
}

/// `GET /console/invoices`.
pub async fn coordinator_invoices(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    list(&state, &s, false).await
}

async fn one(
    state: &AppState,
    s: &ConsoleSession,
    id: Uuid,
    customer: bool,
) -> Result<Response, ConsoleError> {
    let p = place(state, s).await?;
    let inv = invoices::visible(&state.db, s.user, id).await?;
    let attempts = charges::attempts(&state.db, s.user.department_id, id).await?;
    let notes = invoices::credit_notes(&state.db, s.user.department_id, id).await?;
    Ok(html(
        StatusCode::OK,
        &InvoicePage {
            chrome: Some(chrome(s, &p.name, "invoices")),
            csrf: s.csrf.clone(),
            base: if customer {
                "/console/portal/invoices"
            } else {
                "/console/invoices"
            },
            coordinator: !customer,
            bill: BillView::of(&inv.bill, &p.currency),
            timecards: inv
                .worked
                .iter()
                .map(|w| (w.timecard_id, w.officer_name.clone()))
                .collect(),
            i: invoice_row(&inv, &p),
            attempts: attempts.iter().map(|a| attempt_row(a, &p)).collect(),
            notes: notes.iter().map(|n| note_row(n, &p)).collect(),
        },
    ))
}

/// `GET /console/portal/invoices/{id}`: the organization's invoice; another's is 404.
pub async fn customer_invoice(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    one(&state, &s, parse_id(id)?, true).await
}

/// `GET /console/invoices/{id}`.
pub async fn coordinator_invoice(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    one(&state, &s, parse_id(id)?, false).await
}

/// The invoice as PDF lines.
pub fn pdf_lines(
    inv: &Invoice,
    department: &str,
    currency: &str,
    notes: &[CreditNote],
) -> Vec<pdf::Line> {
    let mut l = vec![
        pdf::Line::heading(format!("{department}: invoice {}", inv.number)),
        pdf::Line::new(format!("Bill to: {}", inv.organization)),
        pdf::Line::new(format!("Issued: {}", inv.issued_at.format("%Y-%m-%d"))),
        pdf::Line::new(""),
    ];
    for line in &inv.bill.lines {
        l.push(pdf::Line::new(format!(
            "{}    {}",
            line.description,
            format_cents(line.amount_cents, currency)
        )));
    }
    l.push(pdf::Line::new(""));
    l.push(pdf::Line::new(format!(
        "Subtotal: {}",
        format_cents(inv.bill.subtotal_cents, currency)
    )));
    l.push(pdf::Line::new(format!(
        "Event fee: {}",
        format_cents(inv.bill.event_fee_cents, currency)
    )));
    l.push(pdf::Line {
        text: format!("Total: {}", format_cents(inv.total_cents, currency)),
        size: 12,
        bold: true,
    });
    for n in notes {
        l.push(pdf::Line::new(format!(
            "Credit note {}: -{} ({})",
            n.number,
            format_cents(n.amount_cents, currency),
            n.reason
        )));
    }
    l.push(pdf::Line::new(format!(
        "Due: {}",
        format_cents(inv.due_cents().max(0), currency)
    )));
    l
}

async fn pdf_of(state: &AppState, s: &ConsoleSession, id: Uuid) -> Result<Response, ConsoleError> {
    let p = place(state, s).await?;
    let inv = invoices::visible(&state.db, s.user, id).await?;
    let notes = invoices::credit_notes(&state.db, s.user.department_id, id).await?;
    let bytes = pdf::document(
        &format!("Invoice {}", inv.number),
        &pdf_lines(&inv, &p.name, &p.currency, &notes),
    );
    Ok(attachment(
        bytes,
        "application/pdf",
        &format!("invoice-{}.pdf", inv.number),
    ))
}

/// `GET /console/portal/invoices/{id}/pdf`.
pub async fn customer_pdf(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    pdf_of(&state, &s, parse_id(id)?).await
}

/// `GET /console/invoices/{id}/pdf`.
pub async fn coordinator_pdf(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    pdf_of(&state, &s, parse_id(id)?).await
}

/// `POST /console/invoices/{id}`: `action` = `retry` (charge now), `transfer` (`amount` in
/// dollars, `reference`) or `credit` (`reason`, the `timecard` boxes ticked; none = all).
pub async fn coordinator_action(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = parse_id(id)?;
    let raw = match &body {
        Ok(b) => String::from_utf8_lossy(b).to_string(),
        Err(_) => String::new(),
    };
    let form = read_form(&headers, body)?;
    check_csrf(&state, &s, &form)?;
    let now = Utc::now();
    match form.get("action").map(String::as_str) {
        Some("retry") => {
            let Some(g) = &state.payments else {
                return Err(ConsoleError::BadRequest(
                    "No payment gateway is configured: record the customer's transfer instead."
                        .into(),
                ));
            };
            charges::retry_now(&state.db, g, s.user, id, now).await?;
        }
        Some("transfer") => {
            let cents = form
                .get("amount")
                .and_then(|a| parse_dollars(a))
                .ok_or_else(|| {
                    ConsoleError::BadRequest("Give the amount received, like 1250.00.".into())
                })?;
            let reference = form.get("reference").cloned().unwrap_or_default();
            charges::record_transfer(&state.db, s.user, id, cents, &reference, now).await?;
        }
        Some("credit") => {
            // Repeated `timecard` fields: read them from the raw body.
            let picked: std::collections::BTreeSet<Uuid> = crate::extract::form_pairs(&raw)
                .into_iter()
                .filter(|(k, _)| k == "timecard")
                .filter_map(|(_, v)| Uuid::parse_str(&v).ok())
                .collect();
            let reason = form.get("reason").cloned().unwrap_or_default();
            invoices::credit_note(
                &state.db,
                s.user,
                id,
                (!picked.is_empty()).then_some(picked),
                &reason,
                now,
            )
            .await?;
        }
        _ => {
            return Err(ConsoleError::BadRequest(
                "Choose what to do with the invoice.".into(),
            ));
        }
    }
    Ok(Redirect::to(&format!("/console/invoices/{id}")).into_response())
}

/// "1250", "1250.5", "$1,250.05" → cents; `None` for anything else or ≤ 0.
fn parse_dollars(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    let v = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    (v > 0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::parse_dollars;

    #[test]
    fn dollars_are_read_to_the_cent() {
        assert_eq!(parse_dollars("1250"), Some(125_000));
        assert_eq!(parse_dollars("$1,250.5"), Some(125_050));
        assert_eq!(parse_dollars("0.05"), Some(5));
        assert_eq!(parse_dollars("0"), None);
        assert_eq!(parse_dollars("1.234"), None);
        assert_eq!(parse_dollars("-3"), None);
        assert_eq!(parse_dollars("abc"), None);
    }
}
