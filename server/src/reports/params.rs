//! A report's parameters: the period — `from` and `to`, dates in the department's zone, both
//! included — and the optional filters (an officer, a customer organization, an award rule),
//! read from a query string and checked against the department. Every mistake is a
//! [`ParamsError`] naming the field, shown to the user (422), never a 500.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use offduty_domain::award::AwardRuleKind;
use uuid::Uuid;

use crate::db::{Db, DbError, get};

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;

/// An optional filter a report may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Officer,
    Customer,
    Rule,
}

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub officer: Option<Uuid>,
    pub organization: Option<Uuid>,
    pub rule: Option<AwardRuleKind>,
}

/// A parameter that cannot be used, with what the user is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamsError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> ParamsError {
    ParamsError {
        field,
        message: message.into(),
    }
}

/// The award rule's name in `jobs.award_rule_json` (`{"type":"…"}`) and in forms.
pub fn rule_name(r: AwardRuleKind) -> &'static str {
    match r {
        AwardRuleKind::FirstCome => "first_come",
        AwardRuleKind::Seniority => "seniority",
        AwardRuleKind::FewestHours => "fewest_hours",
        AwardRuleKind::Rotation => "rotation",
        AwardRuleKind::Lottery => "lottery",
    }
}

/// Every award rule, for forms.
pub const RULES: [AwardRuleKind; 5] = [
    AwardRuleKind::FirstCome,
    AwardRuleKind::Seniority,
    AwardRuleKind::FewestHours,
    AwardRuleKind::Rotation,
    AwardRuleKind::Lottery,
];

/// The midnight that starts `d` in `tz` (the earliest, if a change of clocks repeats it; the
/// first moment after a skipped midnight).
pub fn start_of(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(x) = tz.from_local_datetime(&t).earliest() {
            return x.with_timezone(&Utc);
        }
        t += chrono::TimeDelta::minutes(30);
    }
    Utc.from_utc_datetime(&t)
}

impl Params {
    /// The period as `[from midnight, the midnight after to)` in `_us`.
    pub fn range_us(&self, tz: Tz) -> (i64, i64) {
        let end = self.to.checked_add_days(Days::new(1)).unwrap_or(self.to);
        (
            start_of(self.from, tz).timestamp_micros(),
            start_of(end, tz).timestamp_micros(),
        )
    }

    /// The default period: the current month to today, in `tz`.
    pub fn this_month(now: DateTime<Utc>, tz: Tz) -> Params {
        let today = now.with_timezone(&tz).date_naive();
        Params {
            from: today.with_day(1).unwrap_or(today),
            to: today,
            officer: None,
            organization: None,
            rule: None,
        }
    }

    /// The query string's pairs for these parameters (links to CSV and PDF, schedules).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("from", self.from.to_string()), ("to", self.to.to_string())];
        if let Some(o) = self.officer {
            q.push(("officer", o.to_string()));
        }
        if let Some(o) = self.organization {
            q.push(("customer", o.to_string()));
        }
        if let Some(r) = self.rule {
            q.push(("rule", rule_name(r).to_string()));
        }
        q
    }

    /// The query string (URL-encoded) of [`Params::query_pairs`].
    pub fn query_string(&self) -> String {
        self.query_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", urlencoding(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn date(
    form: &HashMap<String, String>,
    field: &'static str,
) -> Result<Option<NaiveDate>, ParamsError> {
    match form.get(field).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad(field, format!("{s:?} is not a date (YYYY-MM-DD)"))),
    }
}

fn id(form: &HashMap<String, String>, field: &'static str) -> Result<Option<Uuid>, ParamsError> {
    match form.get(field).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| bad(field, "not a known choice")),
    }
}

/// Reads the parameters of a report taking `filters` from `form` (a query string's pairs):
/// syntax and ranges only; [`check_department`] then checks the ids belong to the department.
/// Missing dates default to this month; a filter the report does not take is refused.
pub fn parse(
    form: &HashMap<String, String>,
    filters: &[Filter],
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Params, ParamsError> {
    let default = Params::this_month(now, tz);
    let from = date(form, "from")?;
    let to = date(form, "to")?;
    let (from, to) = match (from, to) {
        (None, None) => (default.from, default.to),
        (Some(f), None) => (f, f.max(default.to)),
        (None, Some(t)) => (t.with_day(1).unwrap_or(t), t),
        (Some(f), Some(t)) => (f, t),
    };
    if to < from {
        return Err(bad("to", "the period ends before it starts"));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(bad(
            "to",
            format!("a report covers at most {MAX_DAYS} days"),
        ));
    }
    let officer = id(form, "officer")?;
    let organization = id(form, "customer")?;
    let rule = match form.get("rule").map(|s| s.trim()) {
        None | Some("") => None,
        Some(s) => Some(
            RULES
                .into_iter()
                .find(|r| rule_name(*r) == s)
                .ok_or_else(|| bad("rule", format!("{s:?} is not an award rule")))?,
        ),
    };
    for (given, f, field) in [
        (officer.is_some(), Filter::Officer, "officer"),
        (organization.is_some(), Filter::Customer, "customer"),
        (rule.is_some(), Filter::Rule, "rule"),
    ] {
        if given && !filters.contains(&f) {
            return Err(bad(field, "this report has no such filter"));
        }
    }
    Ok(Params {
        from,
        to,
        officer,
        organization,
        rule,
    })
}

/// Refuses an officer or organization that is not the department's (the same answer as an id
/// that does not exist).
pub async fn check_department(db: &Db, department_id: Uuid, p: &Params) -> Result<(), ReportCheck> {
    if let Some(o) = p.officer {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND department_id = $2 \
             AND role = 'officer'",
        )
        .bind(o.to_string())
        .bind(department_id.to_string())
        .fetch_one(&db.pool)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Err(bad("officer", "no such officer in this department").into());
        }
    }
    if let Some(o) = p.organization {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM organizations WHERE id = $1 AND department_id = $2",
        )
        .bind(o.to_string())
        .bind(department_id.to_string())
        .fetch_one(&db.pool)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Err(bad("customer", "no such customer in this department").into());
        }
    }
    Ok(())
}

/// What [`check_department`] refuses with.
#[derive(Debug, thiserror::Error)]
pub enum ReportCheck {
    #[error(transparent)]
    Params(#[from] ParamsError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ReportCheck {
    fn from(e: sqlx::Error) -> Self {
        ReportCheck::Db(DbError::from(e))
    }
}

impl From<ReportCheck> for super::ReportError {
    fn from(e: ReportCheck) -> Self {
        match e {
            ReportCheck::Params(p) => super::ReportError::Params(p),
            ReportCheck::Db(d) => super::ReportError::Db(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 18, 15, 0, 0).unwrap()
    }

    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn the_default_is_this_month_and_the_period_is_local_midnight_to_midnight() {
        let p = parse(&form(&[]), &[], now(), NY).unwrap();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2026-03-01".into(), "2026-03-18".into())
        );
        let p = parse(
            &form(&[("from", "2026-03-08"), ("to", "2026-03-08")]),
            &[],
            now(),
            NY,
        )
        .unwrap();
        let (a, b) = p.range_us(NY);
        // 8 March 2026 is the spring-forward day in New York: 23 hours long.
        assert_eq!((b - a) / 3_600_000_000, 23);
        assert_eq!(
            a,
            Utc.with_ymd_and_hms(2026, 3, 8, 5, 0, 0)
                .unwrap()
                .timestamp_micros()
        );
    }

    #[test]
    fn mistakes_name_their_field() {
        let e = parse(&form(&[("from", "2026-13-01")]), &[], now(), NY).unwrap_err();
        assert_eq!(e.field, "from");
        let e = parse(
            &form(&[("from", "2026-03-05"), ("to", "2026-03-01")]),
            &[],
            now(),
            NY,
        )
        .unwrap_err();
        assert_eq!(e.field, "to");
        let e = parse(
            &form(&[("from", "2024-01-01"), ("to", "2026-03-01")]),
            &[],
            now(),
            NY,
        )
        .unwrap_err();
        assert!(e.message.contains("366"), "{e}");
        let e = parse(&form(&[("rule", "coin_toss")]), &[Filter::Rule], now(), NY).unwrap_err();
        assert_eq!(e.field, "rule");
        let e = parse(&form(&[("officer", "nope")]), &[Filter::Officer], now(), NY).unwrap_err();
        assert_eq!(e.field, "officer");
        let u = Uuid::now_v7().to_string();
        let e = parse(&form(&[("officer", &u)]), &[], now(), NY).unwrap_err();
        assert_eq!(e.message, "this report has no such filter");
    }

    #[test]
    fn the_query_string_round_trips() {
        let u = Uuid::now_v7();
        let p = parse(
            &form(&[
                ("from", "2026-02-01"),
                ("to", "2026-02-28"),
                ("officer", &u.to_string()),
                ("rule", "seniority"),
            ]),
            &[Filter::Officer, Filter::Rule],
            now(),
            NY,
        )
        .unwrap();
        let back: HashMap<String, String> = crate::extract::form_pairs(&p.query_string())
            .into_iter()
            .collect();
        assert_eq!(
            parse(&back, &[Filter::Officer, Filter::Rule], now(), NY).unwrap(),
            p
        );
    }
}
