//! Earnings from the officer's timecards: per shift (hours, rate, gross, status), per pay
//! period and year to date, payments received, and a CSV export. Local dates are in the
//! department's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::earnings::{EarningsTotals, PayPeriodRule};
use offduty_domain::eligibility::parse_time_zone;
use offduty_domain::pay::{Cents, format_cents};
use offduty_domain::protocol::TimecardStatus;

use crate::Core;
use crate::apply;
use crate::error::Result;

/// One shift's pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftEarning {
    pub timecard_id: Uuid,
    pub job_id: Uuid,
    pub title: String,
    pub site: String,
    pub starts_at: DateTime<Utc>,
    /// Local date of the shift.
    pub date: NaiveDate,
    pub worked_minutes: Option<i64>,
    pub billable_minutes: Option<i64>,
    pub rate_cents: Cents,
    pub multiplier_bp: u32,
    pub gross_cents: Option<Cents>,
    /// `open`, `pending`, `needs_review`, `approved`, `invoiced` or `paid`.
    pub status: TimecardStatus,
    pub paid_at: Option<DateTime<Utc>>,
    /// When the customer was invoiced for it.
    #[serde(default)]
    pub invoiced_at: Option<DateTime<Utc>>,
    /// The coordinator's reason, when the timecard was rejected.
    pub rejection_reason: Option<String>,
}

/// Totals over a span of dates (counted by the domain's rule, as the server's statements are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub label: String,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub sums: EarningsTotals,
}

impl Totals {
    fn add(&mut self, s: &ShiftEarning) {
        self.sums.add(s.gross_cents, s.billable_minutes, s.status);
    }
}

/// Money received on one day (timecards marked paid that day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount_cents: Cents,
    pub shifts: u32,
}

/// The officer's earnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsReport {
    pub currency: String,
    /// Newest first.
    pub shifts: Vec<ShiftEarning>,
    /// Pay periods with shifts, newest first.
    pub periods: Vec<Totals>,
    pub year_to_date: Totals,
    /// Newest first.
    pub payments: Vec<Payment>,
}

fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Builds the report from shifts, as of `today` (local), in the department's pay periods.
pub fn report(
    mut shifts: Vec<ShiftEarning>,
    currency: String,
    today: NaiveDate,
    tz: Tz,
    periods_rule: &PayPeriodRule,
) -> EarningsReport {
    shifts.sort_by(|a, b| {
        b.starts_at
            .cmp(&a.starts_at)
            .then(a.timecard_id.cmp(&b.timecard_id))
    });
    let mut periods: Vec<Totals> = Vec::new();
    let mut ytd = Totals {
        label: format!("{} year to date", today.year()),
        from: NaiveDate::from_ymd_opt(today.year(), 1, 1),
        to: Some(today),
        ..Totals::default()
    };
    let mut payments: Vec<Payment> = Vec::new();
    for s in &shifts {
        let (from, to) = periods_rule.period_containing(s.date);
        match periods.iter_mut().find(|p| p.from == Some(from)) {
            Some(p) => p.add(s),
            None => {
                let mut p = Totals {
                    label: format!("{} – {}", from.format("%b %-d"), to.format("%b %-d, %Y")),
                    from: Some(from),
                    to: Some(to),
                    ..Totals::default()
                };
                p.add(s);
                periods.push(p);
            }
        }
        if s.date.year() == today.year() && s.date <= today {
            ytd.add(s);
        }
        if let (TimecardStatus::Paid, Some(at)) = (s.status, s.paid_at) {
            let day = local_date(at, tz);
            match payments.iter_mut().find(|p| p.paid_on == day) {
                Some(p) => {
                    p.amount_cents += s.gross_cents.unwrap_or(0);
                    p.shifts += 1;
                }
                None => payments.push(Payment {
                    paid_on: day,
                    amount_cents: s.gross_cents.unwrap_or(0),
                    shifts: 1,
                }),
            }
        }
    }
    periods.sort_by_key(|p| std::cmp::Reverse(p.from));
    payments.sort_by_key(|p| std::cmp::Reverse(p.paid_on));
    EarningsReport {
        currency,
        shifts,
        periods,
        year_to_date: ytd,
        payments,
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The report's shifts as CSV (one header line; amounts in cents and formatted).
pub fn to_csv(r: &EarningsReport) -> String {
    let mut out = String::from(
        "date,job,site,worked_minutes,billable_minutes,rate_cents,multiplier_bp,gross_cents,gross,status,paid_at\n",
    );
    for s in &r.shifts {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        out.push_str(
            &[
                s.date.to_string(),
                csv_field(&s.title),
                csv_field(&s.site),
                opt(s.worked_minutes),
                opt(s.billable_minutes),
                s.rate_cents.to_string(),
                s.multiplier_bp.to_string(),
                opt(s.gross_cents),
                csv_field(
                    &s.gross_cents
                        .map(|g| format_cents(g, &r.currency))
                        .unwrap_or_default(),
                ),
                s.status.as_str().to_string(),
                s.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ]
            .join(","),
        );
        out.push('\n');
    }
    out
}

impl Core {
    /// The officer's earnings from the synced timecards.
    pub fn earnings(&self) -> Result<EarningsReport> {
        let now = self.services.clock.now();
        self.store.read(|c| {
            let rules = apply::rules(c)?;
            let tz = rules
                .as_ref()
                .and_then(|r| parse_time_zone(&r.time_zone).ok())
                .unwrap_or(chrono_tz::UTC);
            let period_rule = rules.as_ref().map(|r| r.pay_period).unwrap_or_default();
            let currency = rules.map(|r| r.currency).unwrap_or_else(|| "USD".into());
            let mut shifts = Vec::new();
            for t in apply::timecards(c)? {
                let job = apply::job(c, t.job_id)?;
                let starts_at = job
                    .as_ref()
                    .map(|j| j.starts_at)
                    .or(t.clock_in.as_ref().map(|p| p.at))
                    .unwrap_or(now);
                shifts.push(ShiftEarning {
                    timecard_id: t.id,
                    job_id: t.job_id,
                    title: job.as_ref().map(|j| j.title.clone()).unwrap_or_default(),
                    site: job
                        .as_ref()
                        .map(|j| j.site_name.clone())
                        .unwrap_or_default(),
                    starts_at,
                    date: local_date(starts_at, tz),
                    worked_minutes: t.worked_minutes,
                    billable_minutes: t.billable_minutes,
                    rate_cents: t.rate_cents,
                    multiplier_bp: t.multiplier_bp,
                    gross_cents: t.gross_cents,
                    status: t.status,
                    paid_at: t.paid_at,
                    invoiced_at: t.invoiced_at,
                    rejection_reason: t.rejection_reason.clone(),
                });
            }
            Ok(report(
                shifts,
                currency,
                local_date(now, tz),
                tz,
                &period_rule,
            ))
        })
    }

    /// The earnings as CSV.
    pub fn earnings_csv(&self) -> Result<String> {
        Ok(to_csv(&self.earnings()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(day: u32, gross: i64, status: TimecardStatus, paid_day: Option<u32>) -> ShiftEarning {
        let date = NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let at = |d: u32| {
            DateTime::from_timestamp(
                date.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
                    + i64::from(d - day) * 86400,
                0,
            )
            .unwrap()
        };
        ShiftEarning {
            timecard_id: Uuid::now_v7(),
            job_id: Uuid::now_v7(),
            title: "Traffic, \"Gate 3\"".into(),
            site: "Ohio Stadium".into(),
            starts_at: at(day),
            date,
            worked_minutes: Some(240),
            billable_minutes: Some(240),
            rate_cents: 6500,
            multiplier_bp: 10000,
            gross_cents: Some(gross),
            status,
            paid_at: paid_day.map(at),
            invoiced_at: None,
            rejection_reason: None,
        }
    }

    #[test]
    fn the_department_pay_period_groups_the_shifts() {
        let shifts = || {
            vec![
                shift(2, 26000, TimecardStatus::Paid, Some(20)),
                shift(20, 19500, TimecardStatus::Approved, None),
            ]
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let monthly = PayPeriodRule {
            length: offduty_domain::earnings::PeriodLength::Monthly,
            anchor: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        let r = report(shifts(), "USD".into(), today, chrono_tz::UTC, &monthly);
        assert_eq!(r.periods.len(), 1, "one calendar month");
        assert_eq!(r.periods[0].label, "Nov 1 – Nov 30, 2026");
        let r = report(
            shifts(),
            "USD".into(),
            today,
            chrono_tz::UTC,
            &PayPeriodRule::default(),
        );
        assert_eq!(r.periods.len(), 2, "biweekly: Nov 2 and Nov 20 are apart");
    }

    #[test]
    fn totals_split_paid_and_unpaid_and_payments_group_by_day() {
        let shifts = vec![
            shift(2, 26000, TimecardStatus::Paid, Some(20)),
            shift(3, 13000, TimecardStatus::Paid, Some(20)),
            shift(20, 19500, TimecardStatus::Approved, None),
        ];
        let r = report(
            shifts,
            "USD".into(),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            chrono_tz::UTC,
            &PayPeriodRule::default(),
        );
        assert_eq!(r.year_to_date.sums.gross_cents, 58500);
        assert_eq!(
            (
                r.year_to_date.sums.paid_cents,
                r.year_to_date.sums.unpaid_cents
            ),
            (39000, 19500)
        );
        assert_eq!(r.payments.len(), 1);
        assert_eq!(
            (r.payments[0].amount_cents, r.payments[0].shifts),
            (39000, 2)
        );
        assert_eq!(
            r.periods.len(),
            2,
            "Nov 2–3 and Nov 20 are in different periods"
        );
        assert_eq!(
            r.periods.iter().map(|p| p.sums.gross_cents).sum::<i64>(),
            58500
        );
        let csv = to_csv(&r);
        assert!(csv.lines().count() == 4);
        assert!(csv.contains("\"Traffic, \"\"Gate 3\"\"\""), "{csv}");
        assert!(csv.contains("$195.00"));
    }
}
