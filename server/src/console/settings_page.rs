//! Department settings (issue 11, decision 045): the rules `PUT /v1/department` sets, on a form
//! (hour limits and rest, the officers' cancellation windows, the punch check's thresholds, the
//! pay period), saved through `services::department::update` (the API's service: the domain's
//! validators, change log, audit). The time zone and currency are shown, not edited (the API
//! does not change them); the two-factor requirement (decision 038) is shown with a link to
//! where it is changed; the pay policy is on the rate card page. No payout settings here.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};

use offduty_domain::earnings::PeriodLength;

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, html, signed_form};
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator};
use crate::db::DbError;
use crate::db::rows::RulesJson;
use crate::services::award::load_department;
use crate::services::{department, two_factor};

const PAGE: &str = "/console/settings";

/// The number inputs: form name (the service's field path), label, hint.
const NUMBERS: [(&str, &str, &str); 15] = [
    (
        "rules.limits.max_hours_per_day",
        "Most hours an officer may work in a day",
        "On-duty and off-duty together, in the department's local day.",
    ),
    (
        "rules.limits.max_hours_per_week",
        "Most hours an officer may work in a week",
        "On-duty and off-duty together.",
    ),
    (
        "rules.limits.min_rest_hours",
        "Least rest between shifts (hours)",
        "From the end of one shift to the start of the next.",
    ),
    (
        "rules.cancel_policy.free_hours",
        "An officer may cancel freely until (hours before the shift)",
        "Must be at least the next value.",
    ),
    (
        "rules.cancel_policy.replacement_hours",
        "Later than this, an officer must call the coordinator (hours before)",
        "Between the two, the slot goes back to the board for a replacement.",
    ),
    (
        "rules.punch_thresholds.max_accuracy_m",
        "Punch check: least precise fix accepted (metres)",
        "Less precise fixes need review.",
    ),
    (
        "rules.punch_thresholds.max_fix_age_s",
        "Punch check: oldest fix accepted (seconds)",
        "Older fixes need review.",
    ),
    (
        "rules.punch_thresholds.max_speed_mps",
        "Punch check: fastest plausible movement (metres a second)",
        "70 m/s is about 250 km/h.",
    ),
    (
        "rules.punch_thresholds.max_clock_drift_s",
        "Punch check: largest device clock error (seconds)",
        "A larger one needs review.",
    ),
    (
        "rules.alerts.no_show_grace_minutes",
        "Alerts: no clock-in this long after the start is a no-show (minutes)",
        "The coordinators and the customer are told, and the waitlist is offered the slot.",
    ),
    (
        "rules.alerts.late_tolerance_minutes",
        "Alerts: a clock-in later than this after the start is late (minutes)",
        "Must be shorter than the no-show time.",
    ),
    (
        "rules.alerts.early_tolerance_minutes",
        "Alerts: a clock-out earlier than this before the end is early (minutes)",
        "The coordinators are told.",
    ),
    (
        "rules.alerts.overrun_tolerance_minutes",
        "Alerts: still clocked in this long after the end is an overrun (minutes)",
        "The coordinators are told.",
    ),
    (
        "rules.alerts.escalate_after_minutes",
        "Alerts: escalate an alert nobody acknowledged after (minutes)",
        "Escalated once, to every coordinator.",
    ),
    (
        "rules.alerts.reminder_lead_minutes",
        "Remind officers this long before their shift (minutes)",
        "0: no reminder. At most a day (1440) for every alert setting.",
    ),
];

pub struct NumberField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    chrome: Option<Chrome>,
    csrf: String,
    time_zone: String,
    currency: String,
    two_factor_required: bool,
    numbers: Vec<NumberField>,
    permit_required: bool,
    reliability_tie_break: bool,
    period_length: String,
    period_anchor: String,
    period_error: Option<String>,
    error: Option<String>,
    notice: Option<String>,
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsValues {
    pub numbers: HashMap<&'static str, String>,
    pub permit_required: bool,
    /// Ranked awards break ties by reliability (decision 046).
    pub reliability_tie_break: bool,
    pub period_length: String,
    pub period_anchor: String,
}

fn number(v: f64) -> String {
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

impl SettingsValues {
    pub fn of(r: &RulesJson) -> Self {
        let values = [
            r.limits.max_hours_per_day.to_string(),
            r.limits.max_hours_per_week.to_string(),
            r.limits.min_rest_hours.to_string(),
            r.cancel_policy.free_hours.to_string(),
            r.cancel_policy.replacement_hours.to_string(),
            number(r.punch_thresholds.max_accuracy_m),
            r.punch_thresholds.max_fix_age_s.to_string(),
            number(r.punch_thresholds.max_speed_mps),
            r.punch_thresholds.max_clock_drift_s.to_string(),
            r.alerts.no_show_grace_minutes.to_string(),
            r.alerts.late_tolerance_minutes.to_string(),
            r.alerts.early_tolerance_minutes.to_string(),
            r.alerts.overrun_tolerance_minutes.to_string(),
            r.alerts.escalate_after_minutes.to_string(),
            r.alerts.reminder_lead_minutes.to_string(),
        ];
        SettingsValues {
            numbers: NUMBERS.iter().map(|f| f.0).zip(values).collect(),
            permit_required: r.limits.permit_required,
            reliability_tie_break: r.reliability_tie_break,
            period_length: length_name(r.pay_period.length).to_string(),
            period_anchor: r.pay_period.anchor.format("%Y-%m-%d").to_string(),
        }
    }

    pub fn from_form(form: &HashMap<String, String>) -> Self {
        SettingsValues {
            numbers: NUMBERS
                .iter()
                .map(|f| (f.0, form.get(f.0).cloned().unwrap_or_default()))
                .collect(),
            permit_required: form.contains_key("rules.limits.permit_required"),
            reliability_tie_break: form.contains_key("rules.reliability_tie_break"),
            period_length: form
                .get("rules.pay_period.length")
                .cloned()
                .unwrap_or_default(),
            period_anchor: form
                .get("rules.pay_period.anchor")
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The rules typed (on top of `current`), or the first field that cannot be read.
    pub fn to_rules(&self, current: &RulesJson) -> Result<RulesJson, (String, String)> {
        let get = |name: &'static str| self.numbers.get(name).map(|v| v.trim()).unwrap_or("");
        let whole = |name: &'static str| -> Result<i64, (String, String)> {
            let v = get(name);
            if v.is_empty() || v.len() > 9 || !v.chars().all(|c| c.is_ascii_digit()) {
                return Err((name.to_string(), "Enter a whole number.".to_string()));
            }
            v.parse()
                .map_err(|_| (name.to_string(), "Enter a whole number.".to_string()))
        };
        let decimal = |name: &'static str| -> Result<f64, (String, String)> {
            let v = get(name);
            let (w, f) = v.split_once('.').unwrap_or((v, "0"));
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 9 && s.chars().all(|c| c.is_ascii_digit());
            if !digits(w) || !digits(f) {
                return Err((
                    name.to_string(),
                    "Enter a number, like 50 or 12.5.".to_string(),
                ));
            }
            v.parse().map_err(|_| {
                (
                    name.to_string(),
                    "Enter a number, like 50 or 12.5.".to_string(),
                )
            })
        };
        let small = |name: &'static str| -> Result<u32, (String, String)> {
            u32::try_from(whole(name)?)
                .map_err(|_| (name.to_string(), "That number is too large.".to_string()))
        };
        let mut r = current.clone();
        r.limits.max_hours_per_day = small(NUMBERS[0].0)?;
        r.limits.max_hours_per_week = small(NUMBERS[1].0)?;
        r.limits.min_rest_hours = small(NUMBERS[2].0)?;
        r.limits.permit_required = self.permit_required;
        r.reliability_tie_break = self.reliability_tie_break;
        r.cancel_policy.free_hours = small(NUMBERS[3].0)?;
        r.cancel_policy.replacement_hours = small(NUMBERS[4].0)?;
        r.punch_thresholds.max_accuracy_m = decimal(NUMBERS[5].0)?;
        r.punch_thresholds.max_fix_age_s = whole(NUMBERS[6].0)?;
        r.punch_thresholds.max_speed_mps = decimal(NUMBERS[7].0)?;
        r.punch_thresholds.max_clock_drift_s = whole(NUMBERS[8].0)?;
        r.alerts.no_show_grace_minutes = small(NUMBERS[9].0)?;
        r.alerts.late_tolerance_minutes = small(NUMBERS[10].0)?;
        r.alerts.early_tolerance_minutes = small(NUMBERS[11].0)?;
        r.alerts.overrun_tolerance_minutes = small(NUMBERS[12].0)?;
        r.alerts.escalate_after_minutes = small(NUMBERS[13].0)?;
        r.alerts.reminder_lead_minutes = small(NUMBERS[14].0)?;
        r.pay_period.length = parse_length(&self.period_length).ok_or_else(|| {
            (
                "rules.pay_period.length".to_string(),
                "Choose a pay period.".to_string(),
            )
        })?;
        r.pay_period.anchor = NaiveDate::parse_from_str(self.period_anchor.trim(), "%Y-%m-%d")
            .map_err(|_| {
                (
                    "rules.pay_period.anchor".to_string(),
                    "Enter the date as YYYY-MM-DD.".to_string(),
                )
            })?;
        Ok(r)
    }
}

const LENGTHS: [(PeriodLength, &str); 4] = [
    (PeriodLength::Weekly, "weekly"),
    (PeriodLength::Biweekly, "biweekly"),
    (PeriodLength::Semimonthly, "semimonthly"),
    (PeriodLength::Monthly, "monthly"),
];

fn length_name(l: PeriodLength) -> &'static str {
    LENGTHS
        .iter()
        .find(|(x, _)| *x == l)
        .map(|(_, n)| *n)
        .unwrap_or("biweekly")
}

fn parse_length(s: &str) -> Option<PeriodLength> {
    LENGTHS
        .iter()
        .find(|(_, n)| *n == s.trim())
        .map(|(l, _)| *l)
}

async fn render(
    state: &AppState,
    s: &ConsoleSession,
    status: StatusCode,
    values: &SettingsValues,
    error: Option<(String, String)>,
    notice: Option<String>,
) -> Result<Response, ConsoleError> {
    let d = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        load_department(&mut conn, s.user.department_id)
            .await?
            .ok_or(ConsoleError::NotFound)?
    };
    // An error on a whole group (`rules.punch_thresholds`) is shown on each of its fields.
    let on = |name: &str| {
        error
            .as_ref()
            .and_then(|(f, m)| (name == f || name.starts_with(&format!("{f}."))).then(|| m.clone()))
    };
    let numbers = NUMBERS
        .iter()
        .map(|(name, label, hint)| NumberField {
            name,
            label,
            hint,
            value: values.numbers.get(name).cloned().unwrap_or_default(),
            error: on(name),
        })
        .collect();
    let page = SettingsPage {
        chrome: Some(chrome(s, &d.name, "settings")),
        csrf: s.csrf.clone(),
        time_zone: d.tz.name().to_string(),
        currency: d.currency.clone(),
        two_factor_required: two_factor::required(&state.db, d.id).await?,
        numbers,
        permit_required: values.permit_required,
        reliability_tie_break: values.reliability_tie_break,
        period_length: values.period_length.clone(),
        period_anchor: values.period_anchor.clone(),
        period_error: on("rules.pay_period.length").or_else(|| on("rules.pay_period.anchor")),
        error: error.map(|(_, m)| m),
        notice,
    };
    Ok(html(status, &page))
}

#[derive(serde::Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /console/settings`.
pub async fn show(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<Saved>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let d = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        load_department(&mut conn, s.user.department_id)
            .await?
            .ok_or(ConsoleError::NotFound)?
    };
    let notice = q
        .ok()
        .and_then(|Query(q)| q.saved)
        .map(|_| "Settings saved. Officers' phones pick them up on their next sync.".to_string());
    render(
        &state,
        &s,
        StatusCode::OK,
        &SettingsValues::of(&d.rules),
        None,
        notice,
    )
    .await
}

/// `POST /console/settings`: saved through `services::department::update`, or the form again
/// with the field to fix.
pub async fn save(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let values = SettingsValues::from_form(&form);
    let d = {
        let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
        load_department(&mut conn, s.user.department_id)
            .await?
            .ok_or(ConsoleError::NotFound)?
    };
    let refused = |e: (String, String)| {
        render(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            &values,
            Some(e),
            None,
        )
    };
    let rules = match values.to_rules(&d.rules) {
        Ok(r) => r,
        Err(e) => return refused(e).await,
    };
    match department::update(&state.db, s.user, &rules, &d.pay, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{PAGE}?saved=1")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = e.field.clone().unwrap_or_default();
            let label = NUMBERS
                .iter()
                .find(|f| f.0 == field || f.0.starts_with(&format!("{field}.")))
                .map(|f| f.1)
                .unwrap_or("This setting");
            refused((field, format!("{label}: {}.", e.detail))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_shown_and_posted_back_are_the_same_rules() {
        let r = RulesJson::default();
        assert_eq!(SettingsValues::of(&r).to_rules(&r).unwrap(), r);
    }

    #[test]
    fn unreadable_numbers_are_errors_on_their_field() {
        let r = RulesJson::default();
        for (field, bad) in [
            ("rules.limits.max_hours_per_day", "sixteen"),
            ("rules.limits.min_rest_hours", "-1"),
            ("rules.punch_thresholds.max_accuracy_m", "1e3"),
            ("rules.punch_thresholds.max_speed_mps", "NaN"),
            ("rules.punch_thresholds.max_fix_age_s", "99999999999"),
        ] {
            let mut v = SettingsValues::of(&r);
            v.numbers
                .insert(NUMBERS.iter().find(|f| f.0 == field).unwrap().0, bad.into());
            assert_eq!(v.to_rules(&r).unwrap_err().0, field, "{bad}");
        }
        let mut v = SettingsValues::of(&r);
        v.period_length = "fortnightly".into();
        assert_eq!(v.to_rules(&r).unwrap_err().0, "rules.pay_period.length");
    }
}
