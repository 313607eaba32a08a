//! The earnings screen: each shift's pay with its status (waiting for approval, needs review,
//! approved, invoiced, paid), grouped in the department's pay periods (the synced
//! `pay_period` rule) with their totals, the year to date, the payments received, and an
//! export (CSV the shell writes or shares). Totals are the domain's (`EarningsTotals`), as on
//! the server's statements.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use offduty_core::earnings::{ShiftEarning, Totals};
use offduty_domain::earnings::PeriodLength;
use offduty_domain::protocol::TimecardStatus;

use crate::format;
use crate::text::Msg;
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncKind, SyncStatus, lock};

/// One shift's pay, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsRow {
    pub timecard_id: String,
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov` (local date of the shift).
    pub date: String,
    pub starts_at: SystemTime,
    /// Paid time, `4 h 30 min`, once clocked out.
    pub hours: Option<String>,
    /// `$65.00/h`, or `$65.00/h × 1.5` with a multiplier.
    pub rate: String,
    /// `$292.50`, once clocked out.
    pub gross: Option<String>,
    pub gross_cents: Option<i64>,
    pub status: TimecardStatus,
    /// `Waiting for approval`, `Needs review`, `Approved`, `Invoiced`, `Paid`.
    pub status_label: String,
    /// `Invoiced Tue 1 Dec`: when the customer was billed for it, once it was.
    pub invoiced: Option<String>,
    /// `Paid Fri 4 Dec`.
    pub paid: Option<String>,
    /// Why the coordinator rejected the timecard, when they did.
    pub rejection_reason: Option<String>,
}

/// Totals over a pay period or the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsSummary {
    /// `Nov 16 – Nov 29, 2026`, `2026 year to date`.
    pub label: String,
    pub shifts: u32,
    /// `3 shifts`.
    pub shifts_text: String,
    /// Paid time, `12 h 30 min`.
    pub hours: String,
    pub gross: String,
    pub paid: String,
    pub unpaid: String,
    /// `Paid $1,234.00 · unpaid $240.00`.
    pub paid_text: String,
    pub gross_cents: i64,
    pub paid_cents: i64,
    pub unpaid_cents: i64,
}

/// A pay period with its shifts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsPeriod {
    pub summary: EarningsSummary,
    /// Today falls in it.
    pub current: bool,
    pub rows: Vec<EarningsRow>,
}

/// Money received on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    /// `Fri 4 Dec`.
    pub paid_on: String,
    pub amount: String,
    pub amount_cents: i64,
    /// `2 shifts`.
    pub shifts: String,
}

/// What the earnings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsState {
    pub sync: SyncStatus,
    pub refreshing: bool,
    /// The department's pay period in words: `Two-week pay periods`.
    pub pay_period: String,
    /// Newest first.
    pub periods: Vec<EarningsPeriod>,
    pub year_to_date: EarningsSummary,
    /// Newest first.
    pub payments: Vec<PaymentRow>,
    /// Why there is nothing to show, when there is not.
    pub empty: Option<String>,
    pub notice: Option<Notice>,
}

/// The earnings as a file for the shell to write or share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsExport {
    /// `offduty-earnings-2026-12-07.csv`.
    pub file_name: String,
    /// `text/csv`.
    pub mime_type: String,
    pub csv: String,
    pub shifts: u32,
}

/// The status of a timecard in words.
pub fn status_label(status: TimecardStatus) -> String {
    match status {
        TimecardStatus::Open => Msg::EarningsStatusOpen,
        TimecardStatus::Pending => Msg::EarningsStatusPending,
        TimecardStatus::NeedsReview => Msg::EarningsStatusNeedsReview,
        TimecardStatus::Approved => Msg::EarningsStatusApproved,
        TimecardStatus::Invoiced => Msg::EarningsStatusInvoiced,
        TimecardStatus::Paid => Msg::EarningsStatusPaid,
        TimecardStatus::Rejected => Msg::EarningsStatusRejected,
    }
    .text()
}

fn period_label(length: PeriodLength) -> String {
    match length {
        PeriodLength::Weekly => Msg::EarningsPeriodWeekly,
        PeriodLength::Biweekly => Msg::EarningsPeriodBiweekly,
        PeriodLength::Semimonthly => Msg::EarningsPeriodSemimonthly,
        PeriodLength::Monthly => Msg::EarningsPeriodMonthly,
    }
    .text()
}

fn date(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

fn shifts_text(n: u32) -> String {
    if n == 1 {
        Msg::EarningsOneShift.text()
    } else {
        Msg::EarningsShiftCount.with(&[("count", &n.to_string())])
    }
}

pub(crate) fn summary(t: &Totals, cur: &str) -> EarningsSummary {
    let s = &t.sums;
    EarningsSummary {
        label: t.label.clone(),
        shifts: s.shifts,
        shifts_text: shifts_text(s.shifts),
        hours: format::duration_minutes(s.billable_minutes),
        gross: format::money(s.gross_cents, cur),
        paid: format::money(s.paid_cents, cur),
        unpaid: format::money(s.unpaid_cents, cur),
        paid_text: Msg::EarningsPaidUnpaid.with(&[
            ("paid", &format::money(s.paid_cents, cur)),
            ("unpaid", &format::money(s.unpaid_cents, cur)),
        ]),
        gross_cents: s.gross_cents,
        paid_cents: s.paid_cents,
        unpaid_cents: s.unpaid_cents,
    }
}

pub(crate) fn row(s: &ShiftEarning, cur: &str, fmt: &format::Fmt) -> EarningsRow {
    let rate = Msg::PerHour.with(&[("amount", &format::money(s.rate_cents, cur))]);
    let rate = if s.multiplier_bp == 10_000 {
        rate
    } else {
        let factor = format!("{}", f64::from(s.multiplier_bp) / 10_000.0);
        Msg::EarningsMultiplier.with(&[("rate", &rate), ("factor", &factor)])
    };
    EarningsRow {
        timecard_id: s.timecard_id.to_string(),
        job_id: s.job_id.to_string(),
        title: s.title.clone(),
        site: s.site.clone(),
        date: date(s.date),
        starts_at: SystemTime::from(s.starts_at),
        hours: s.billable_minutes.map(format::duration_minutes),
        rate,
        gross: s.gross_cents.map(|g| format::money(g, cur)),
        gross_cents: s.gross_cents,
        status: s.status,
        status_label: status_label(s.status),
        invoiced: s.invoiced_at.map(|t| {
            let day = t.with_timezone(&fmt.tz).date_naive();
            Msg::EarningsInvoicedOn.with(&[("date", &date(day))])
        }),
        paid: s.paid_at.map(|t| {
            let day = t.with_timezone(&fmt.tz).date_naive();
            Msg::EarningsPaidOn.with(&[("date", &date(day))])
        }),
        rejection_reason: s.rejection_reason.clone(),
    }
}

/// The earnings screen.
pub struct EarningsScreen {
    root: Arc<Screens>,
    notice: Mutex<Option<Notice>>,
    notifier: Notifier,
}

impl Live for EarningsScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

impl EarningsScreen {
    pub(crate) fn new(root: Arc<Screens>) -> EarningsScreen {
        EarningsScreen {
            root,
            notice: Mutex::new(None),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    fn set_notice(&self, notice: Option<Notice>) {
        *lock(&self.notice) = notice;
        self.notifier.notify();
    }

    /// What to draw now.
    pub fn state(&self) -> EarningsState {
        let sync = self.root.sync_status();
        let core = self.root.core();
        let fmt = self.root.fmt();
        let mut notice = lock(&self.notice).clone();
        let rule = core
            .rules()
            .ok()
            .flatten()
            .map(|r| r.pay_period)
            .unwrap_or_default();
        let report = match core.earnings() {
            Ok(r) => r,
            Err(e) => {
                notice = Some(Notice::from_error(&e));
                offduty_core::earnings::report(
                    Vec::new(),
                    "USD".into(),
                    core.now().date_naive(),
                    fmt.tz,
                    &rule,
                )
            }
        };
        let cur = report.currency.clone();
        let today = core.now().with_timezone(&fmt.tz).date_naive();
        let periods = report
            .periods
            .iter()
            .map(|p| {
                let within =
                    |d: NaiveDate| p.from.is_none_or(|f| f <= d) && p.to.is_none_or(|t| d <= t);
                EarningsPeriod {
                    summary: summary(p, &cur),
                    current: within(today),
                    rows: report
                        .shifts
                        .iter()
                        .filter(|s| within(s.date))
                        .map(|s| row(s, &cur, &fmt))
                        .collect(),
                }
            })
            .collect();
        let empty = report.shifts.is_empty().then(|| {
            match sync.kind {
                SyncKind::Never => Msg::EarningsNeverSynced,
                SyncKind::Offline if sync.last_sync.is_none() => Msg::EarningsNeverSynced,
                _ => Msg::EarningsEmpty,
            }
            .text()
        });
        EarningsState {
            refreshing: sync.kind == SyncKind::Syncing,
            sync,
            pay_period: period_label(rule.length),
            periods,
            year_to_date: summary(&report.year_to_date, &cur),
            payments: report
                .payments
                .iter()
                .map(|p| PaymentRow {
                    paid_on: date(p.paid_on),
                    amount: format::money(p.amount_cents, &cur),
                    amount_cents: p.amount_cents,
                    shifts: shifts_text(p.shifts),
                })
                .collect(),
            empty,
            notice,
        }
    }

    /// The earnings as CSV, for the shell to write or share (a failure becomes the notice,
    /// and `None`).
    pub fn export(&self) -> Option<EarningsExport> {
        let core = self.root.core();
        match core.earnings() {
            Ok(report) => {
                let csv = offduty_core::earnings::to_csv(&report);
                let shifts = u32::try_from(report.shifts.len()).unwrap_or(u32::MAX);
                let day = core.now().with_timezone(&self.root.fmt().tz).date_naive();
                self.set_notice(Some(Notice::new(
                    NoticeKind::Success,
                    Msg::EarningsExported.with(&[("count", &shifts.to_string())]),
                )));
                Some(EarningsExport {
                    file_name: format!("offduty-earnings-{day}.csv"),
                    mime_type: "text/csv".into(),
                    csv,
                    shifts,
                })
            }
            Err(e) => {
                self.set_notice(Some(Notice::from_error(&e)));
                None
            }
        }
    }

    /// Pull to refresh: syncs (approvals and payments arrive this way).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.set_notice(Some(Notice::from_error(&e)));
        }
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.set_notice(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    #[test]
    fn a_row_says_when_it_was_invoiced_and_paid_in_the_departments_zone() {
        let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let fmt = format::Fmt {
            tz,
            display: format::Display::default(),
        };
        let starts_at = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let mut s = ShiftEarning {
            timecard_id: Uuid::from_u128(1),
            job_id: Uuid::from_u128(2),
            title: "Gate 3".into(),
            site: "Ohio Stadium".into(),
            starts_at,
            date: starts_at.date_naive(),
            worked_minutes: Some(240),
            billable_minutes: Some(240),
            rate_cents: 6_500,
            multiplier_bp: 10_000,
            gross_cents: Some(26_000),
            status: TimecardStatus::Invoiced,
            paid_at: None,
            // 02:30 UTC on Wed 2 Dec is still Tue 1 Dec in New York.
            invoiced_at: Some(Utc.with_ymd_and_hms(2026, 12, 2, 2, 30, 0).unwrap()),
            rejection_reason: None,
        };
        let r = row(&s, "USD", &fmt);
        assert_eq!(r.invoiced.as_deref(), Some("Invoiced Tue 1 Dec"));
        assert_eq!(r.paid, None);
        s.status = TimecardStatus::Paid;
        s.paid_at = Some(Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap());
        let r = row(&s, "USD", &fmt);
        assert_eq!(r.invoiced.as_deref(), Some("Invoiced Tue 1 Dec"));
        assert_eq!(r.paid.as_deref(), Some("Paid Mon 7 Dec"));
        // Time a coordinator marked paid without an invoice shows no invoice date.
        s.invoiced_at = None;
        assert_eq!(row(&s, "USD", &fmt).invoiced, None);
    }
}
