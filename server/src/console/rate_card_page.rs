//! The rate card page (issue 11, decision 045): every member of the domain's `RateCard` shown
//! and edited on one form. Amounts are typed as decimals and become integer cents here, parsed
//! strictly (a bad amount is an error on its field, never a guess); the card is checked by the
//! domain's `RateCard::validate` inside `services::rate_card::save` (the API's service), which
//! also audits it. A refused form comes back with the values as typed and the error beside its
//! field; a saved one redirects (post/redirect/get).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};

use offduty_domain::billing::RateCard;
use offduty_domain::pay::PayPolicy;

use crate::app::AppState;
use crate::console::approvals::parse_money;
use crate::console::pages::{Chrome, chrome, html, signed_form};
use crate::console::{ConsoleError, Coordinator};
use crate::services::rate_card;

const PAGE: &str = "/console/rate-card";
/// Blank job-type rows offered for adding a type.
const SPARE_ROWS: usize = 2;

/// One input of the form, as shown.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// One job type and its hourly rate, as shown.
pub struct TypeRow {
    pub job_type: String,
    pub rate: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/rate_card.html")]
struct RateCardPage {
    chrome: Option<Chrome>,
    csrf: String,
    currency: String,
    time_zone: String,
    types: Vec<TypeRow>,
    fields: Vec<FieldView>,
    error: Option<String>,
    notice: Option<String>,
}

/// The form's inputs other than the job-type rows: name, label, hint, and the card's field.
const FIELDS: [(&str, &str, &str, &str); 11] = [
    (
        "default_rate",
        "Hourly rate for any other job type",
        "An amount, e.g. 55.00.",
        "pay.default_rate_cents",
    ),
    (
        "holiday_multiplier",
        "Holiday multiplier",
        "e.g. 1.5 for time and a half; 1 for none.",
        "pay.holiday_multiplier_bp",
    ),
    (
        "holidays",
        "Holidays",
        "One date a line, as YYYY-MM-DD (the department's local dates).",
        "pay.holidays",
    ),
    (
        "short_notice_multiplier",
        "Short-notice multiplier",
        "e.g. 1.25; applies to a job posted less than the hours below before it starts.",
        "pay.short_notice_multiplier_bp",
    ),
    (
        "short_notice_hours",
        "Short notice means posted less than (hours)",
        "Whole hours.",
        "pay.short_notice_hours",
    ),
    (
        "min_billable_minutes",
        "Minimum paid and billed per shift (minutes)",
        "Whole minutes, e.g. 180 for three hours.",
        "pay.min_billable_minutes",
    ),
    (
        "rounding_increment_minutes",
        "Worked time rounded to the nearest (minutes)",
        "Whole minutes, e.g. 15; half rounds up.",
        "pay.rounding_increment_minutes",
    ),
    (
        "vehicle_fee",
        "Vehicle fee per officer-hour",
        "An amount; billed when a shift asks for a vehicle.",
        "vehicle_fee_cents_per_hour",
    ),
    (
        "admin_fee",
        "Administrative fee per officer-hour",
        "An amount; the department's fee.",
        "admin_fee_cents_per_hour",
    ),
    (
        "event_fee",
        "Event fee (percent of the invoice's subtotal)",
        "e.g. 3 or 3.5.",
        "event_fee_bp",
    ),
    (
        "late_cancel_hours",
        "Cancelling less than this many hours before a shift is late",
        "Whole hours; a late cancellation is billed the shift's minimum.",
        "late_cancel_hours",
    ),
];

/// The review window is the twelfth input.
const REVIEW_FIELD: (&str, &str, &str, &str) = (
    "timecard_review_hours",
    "Customers review timecards within (hours of clock-out)",
    "Whole hours; then timecards are approved automatically.",
    "timecard_review_hours",
);

fn all_fields() -> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    FIELDS.into_iter().chain(std::iter::once(REVIEW_FIELD))
}

/// `6500` → `65.00`.
fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// `value` scaled by `10^places` written as a short decimal: (15000, 4) → `1.5`, (300, 2) → `3`.
fn decimal(value: u32, places: u32) -> String {
    let scale = 10u32.pow(places);
    let (whole, frac) = (value / scale, value % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = places as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// A decimal with at most `places` decimals, scaled to an integer: (`1.25`, 4) → 12500. Digits
/// and one point only; no sign, no exponent, nothing else.
pub(crate) fn parse_scaled(v: &str, places: u32) -> Option<u32> {
    let v = v.trim();
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || !digits(whole) {
        return None;
    }
    if frac.len() > places as usize || !digits(frac) || (v.contains('.') && frac.is_empty()) {
        return None;
    }
    let scale = 10u64.pow(places);
    let f = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * 10u64.pow(places - frac.len() as u32)
    };
    u32::try_from(whole.parse::<u64>().ok()? * scale + f).ok()
}

fn whole<T: std::str::FromStr>(v: &str) -> Option<T> {
    let v = v.trim();
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// The form as typed (kept to show it again).
#[derive(Debug, Clone, Default)]
pub struct CardValues {
    pub types: Vec<(String, String)>,
    pub fields: BTreeMap<&'static str, String>,
}

/// A field to fix: the form's name and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub field: String,
    pub message: String,
}

impl CardValues {
    /// The card as the form shows it.
    pub fn of(card: &RateCard) -> Self {
        let p = &card.pay;
        let mut fields = BTreeMap::new();
        let mut set = |k: &'static str, v: String| {
            fields.insert(k, v);
        };
        set("default_rate", amount(p.default_rate_cents));
        set("holiday_multiplier", decimal(p.holiday_multiplier_bp, 4));
        set(
            "holidays",
            p.holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        set(
            "short_notice_multiplier",
            decimal(p.short_notice_multiplier_bp, 4),
        );
        set("short_notice_hours", p.short_notice_hours.to_string());
        set("min_billable_minutes", p.min_billable_minutes.to_string());
        set(
            "rounding_increment_minutes",
            p.rounding_increment_minutes.to_string(),
        );
        set("vehicle_fee", amount(card.vehicle_fee_cents_per_hour));
        set("admin_fee", amount(card.admin_fee_cents_per_hour));
        set("event_fee", decimal(card.event_fee_bp, 2));
        set("late_cancel_hours", card.late_cancel_hours.to_string());
        set(
            "timecard_review_hours",
            card.timecard_review_hours.to_string(),
        );
        CardValues {
            types: p
                .rates_cents
                .iter()
                .map(|(t, c)| (t.clone(), amount(*c)))
                .collect(),
            fields,
        }
    }

    /// The values of a posted form (`type0`/`rate0`… rows and the named fields).
    pub fn from_form(form: &HashMap<String, String>) -> Self {
        let mut types = Vec::new();
        let mut i = 0;
        while let Some(t) = form.get(&format!("type{i}")) {
            let r = form.get(&format!("rate{i}")).cloned().unwrap_or_default();
            types.push((t.clone(), r));
            i += 1;
            if i > 200 {
                break;
            }
        }
        CardValues {
            types,
            fields: all_fields()
                .map(|(name, ..)| (name, form.get(name).cloned().unwrap_or_default()))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// The card typed, or the first field that cannot be read. Whether the card's values are
    /// acceptable is the domain's question, not this one's.
    pub fn to_card(&self) -> Result<RateCard, CardError> {
        let err = |field: &str, message: &str| CardError {
            field: field.to_string(),
            message: message.to_string(),
        };
        let money = |name: &'static str| {
            parse_money(self.get(name)).ok_or_else(|| {
                err(
                    name,
                    "Enter an amount in dollars and cents, like 65 or 65.50.",
                )
            })
        };
        let multiplier = |name: &'static str| {
            parse_scaled(self.get(name), 4)
                .ok_or_else(|| err(name, "Enter a multiplier like 1, 1.25 or 1.5."))
        };
        let count = |name: &'static str| {
            whole::<u32>(self.get(name)).ok_or_else(|| err(name, "Enter a whole number."))
        };
        let minutes = |name: &'static str| {
            whole::<i64>(self.get(name))
                .ok_or_else(|| err(name, "Enter a whole number of minutes."))
        };
        let mut rates = BTreeMap::new();
        for (i, (t, r)) in self.types.iter().enumerate() {
            let (t, r) = (t.trim(), r.trim());
            if t.is_empty() && r.is_empty() {
                continue;
            }
            if t.is_empty() {
                return Err(err(&format!("type{i}"), "Name the job type of this rate."));
            }
            let cents = parse_money(r).ok_or_else(|| {
                err(
                    &format!("rate{i}"),
                    "Enter an amount in dollars and cents, like 65 or 65.50 (clear both boxes to remove the type).",
                )
            })?;
            if rates.insert(t.to_string(), cents).is_some() {
                return Err(err(&format!("type{i}"), "This job type is listed twice."));
            }
        }
        let mut holidays = Vec::new();
        for d in self
            .get("holidays")
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
        {
            let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                err(
                    "holidays",
                    &format!("“{d}” is not a date; write each as YYYY-MM-DD."),
                )
            })?;
            if !holidays.contains(&day) {
                holidays.push(day);
            }
        }
        holidays.sort();
        let event_fee_bp = parse_scaled(self.get("event_fee"), 2).ok_or_else(|| {
            err(
                "event_fee",
                "Enter a percentage with at most two decimals, like 3 or 3.25.",
            )
        })?;
        Ok(RateCard {
            pay: PayPolicy {
                rates_cents: rates,
                default_rate_cents: money("default_rate")?,
                holiday_multiplier_bp: multiplier("holiday_multiplier")?,
                short_notice_multiplier_bp: multiplier("short_notice_multiplier")?,
                short_notice_hours: count("short_notice_hours")?,
                holidays,
                min_billable_minutes: minutes("min_billable_minutes")?,
                rounding_increment_minutes: minutes("rounding_increment_minutes")?,
            },
            vehicle_fee_cents_per_hour: money("vehicle_fee")?,
            admin_fee_cents_per_hour: money("admin_fee")?,
            event_fee_bp,
            late_cancel_hours: count("late_cancel_hours")?,
            timecard_review_hours: count("timecard_review_hours")?,
        })
    }

    /// The form's name of a field of the card as the domain names it (`rate_card.` stripped):
    /// `pay.rates_cents.traffic` is the row of `traffic`.
    pub fn form_field(&self, card_field: &str) -> String {
        let f = card_field.strip_prefix("rate_card.").unwrap_or(card_field);
        if let Some(t) = f.strip_prefix("pay.rates_cents") {
            let t = t.trim_start_matches('.');
            let row = self
                .types
                .iter()
                .position(|(name, _)| name.trim() == t)
                .unwrap_or(0);
            return if t.is_empty() {
                format!("type{row}")
            } else {
                format!("rate{row}")
            };
        }
        all_fields()
            .find(|(.., card)| *card == f)
            .map(|(name, ..)| name.to_string())
            .unwrap_or_else(|| f.to_string())
    }
}

/// The page for `values`, with `error` on its field.
async fn page(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    values: &CardValues,
    error: Option<CardError>,
    notice: Option<String>,
) -> Result<RateCardPage, ConsoleError> {
    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .map_err(crate::db::DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    drop(conn);
    let on = |name: &str| {
        error
            .as_ref()
            .filter(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let mut types: Vec<TypeRow> = values
        .types
        .iter()
        .enumerate()
        .map(|(i, (t, r))| TypeRow {
            job_type: t.clone(),
            rate: r.clone(),
            error: on(&format!("type{i}")).or_else(|| on(&format!("rate{i}"))),
        })
        .collect();
    let spare = types
        .iter()
        .rev()
        .take_while(|r| r.job_type.trim().is_empty() && r.rate.trim().is_empty())
        .count();
    for _ in spare..SPARE_ROWS {
        types.push(TypeRow {
            job_type: String::new(),
            rate: String::new(),
            error: None,
        });
    }
    let fields = all_fields()
        .map(|(name, label, hint, _)| FieldView {
            name,
            label,
            hint,
            value: values.get(name).to_string(),
            error: on(name),
        })
        .collect();
    Ok(RateCardPage {
        chrome: Some(chrome(s, &d.name, "rate-card")),
        csrf: s.csrf.clone(),
        currency: d.currency.clone(),
        time_zone: d.tz.name().to_string(),
        types,
        fields,
        error: error.map(|e| e.message),
        notice,
    })
}

/// The form again, as typed, with `e` beside its field (422).
async fn refused(
    state: &AppState,
    s: &crate::console::session::ConsoleSession,
    values: &CardValues,
    e: CardError,
) -> Result<Response, ConsoleError> {
    let p = page(state, s, values, Some(e), None).await?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(serde::Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /console/rate-card`: the department's rate card on a form.
pub async fn show(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<Saved>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let card = rate_card::current(&state.db, s.user.department_id).await?;
    let saved = q.ok().and_then(|Query(q)| q.saved).is_some();
    let notice = saved.then(|| "Rate card saved. New estimates and invoices use it.".to_string());
    let p = page(&state, &s, &CardValues::of(&card), None, notice).await?;
    Ok(html(StatusCode::OK, &p))
}

/// `POST /console/rate-card`: saves the card through `services::rate_card::save` (checked by
/// the domain, audited) and redirects, or shows the form again with the field to fix.
pub async fn save(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let values = CardValues::from_form(&form);
    let card = match values.to_card() {
        Ok(c) => c,
        Err(e) => return refused(&state, &s, &values, e).await,
    };
    match rate_card::save(&state.db, s.user, &card, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{PAGE}?saved=1")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = values.form_field(e.field.as_deref().unwrap_or(""));
            let label = all_fields()
                .find(|(name, ..)| *name == field)
                .map(|(_, label, ..)| label.to_string())
                .unwrap_or_else(|| "Job type rate".into());
            let e = CardError {
                field,
                message: format!("{label}: {}.", e.detail),
            };
            refused(&state, &s, &values, e).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_decimals_parse_strictly() {
        assert_eq!(parse_scaled("1.5", 4), Some(15_000));
        assert_eq!(parse_scaled("1", 4), Some(10_000));
        assert_eq!(parse_scaled("1.2501", 4), Some(12_501));
        assert_eq!(parse_scaled("3.25", 2), Some(325));
        for bad in [
            "", "1.", ".5", "-1", "1e3", "1.23456", "abc", "1,5", "3.255",
        ] {
            let places = if bad == "3.255" { 2 } else { 4 };
            assert_eq!(parse_scaled(bad, places), None, "{bad}");
        }
        assert_eq!(decimal(15_000, 4), "1.5");
        assert_eq!(decimal(12_500, 4), "1.25");
        assert_eq!(decimal(300, 2), "3");
        assert_eq!(decimal(325, 2), "3.25");
        assert_eq!(amount(6500), "65.00");
        assert_eq!(amount(5), "0.05");
    }

    #[test]
    fn a_card_shown_and_posted_back_is_the_same_card() {
        let mut card = RateCard::default();
        card.pay.holidays = vec![
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        ];
        card.event_fee_bp = 325;
        assert_eq!(CardValues::of(&card).to_card().unwrap(), card);
    }

    #[test]
    fn unreadable_values_are_errors_on_their_field() {
        let card = RateCard::default();
        let mut v = CardValues::of(&card);
        v.fields.insert("vehicle_fee", "12.345".into());
        assert_eq!(v.to_card().unwrap_err().field, "vehicle_fee");
        let mut v = CardValues::of(&card);
        v.types[1].1 = "abc".into();
        assert_eq!(v.to_card().unwrap_err().field, "rate1");
        let mut v = CardValues::of(&card);
        v.fields.insert("holidays", "2026-12-25\nChristmas".into());
        assert_eq!(v.to_card().unwrap_err().field, "holidays");
        let mut v = CardValues::of(&card);
        v.types.push(("".into(), "10".into()));
        assert_eq!(v.to_card().unwrap_err().field, "type4");
        // A row cleared entirely removes its job type.
        let mut v = CardValues::of(&card);
        v.types[0] = (String::new(), String::new());
        assert_eq!(v.to_card().unwrap().pay.rates_cents.len(), 3);
    }

    #[test]
    fn the_domains_field_names_map_to_the_forms() {
        let v = CardValues::of(&RateCard::default());
        assert_eq!(v.form_field("rate_card.pay.rates_cents.event"), "rate1");
        assert_eq!(
            v.form_field("rate_card.pay.min_billable_minutes"),
            "min_billable_minutes"
        );
        assert_eq!(v.form_field("rate_card.event_fee_bp"), "event_fee");
        assert_eq!(
            v.form_field("rate_card.timecard_review_hours"),
            "timecard_review_hours"
        );
    }
}
