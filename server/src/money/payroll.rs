//! Pure parts of paying officers through the department's payroll (decision 042): pay periods,
//! the day the deposit should arrive, the file id modifier, and the payroll CSV.
//!
//! A pay period is `period_days` (7 or 14) local days starting on the department's anchor date
//! and every `period_days` after it (before it too): `[start, start + period_days)`, local
//! midnight to local midnight in the department's zone. A period is *closed* once its end has
//! passed; only closed periods are paid.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use offduty_domain::pay::Cents;

use crate::spreadsheet::text_cell as cell;

/// The period lengths a department may choose.
pub const PERIOD_DAYS: [i64; 2] = [7, 14];

/// One pay period: local dates, the end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
}

impl Period {
    /// The period of `days` days from `anchor` that holds `day`.
    pub fn containing(anchor: NaiveDate, days: i64, day: NaiveDate) -> Period {
        let days = days.max(1);
        let offset = (day - anchor).num_days().div_euclid(days);
        let start = anchor + Duration::days(offset * days);
        Period {
            start,
            end: start + Duration::days(days),
        }
    }

    /// The newest period whose end has passed at `now` (in `tz`).
    pub fn last_closed(anchor: NaiveDate, days: i64, now: DateTime<Utc>, tz: Tz) -> Period {
        let today = now.with_timezone(&tz).date_naive();
        let current = Period::containing(anchor, days, today);
        Period::containing(anchor, days, current.start - Duration::days(1))
    }

    /// Whether `start` begins a period of this anchor and length.
    pub fn starts_on(anchor: NaiveDate, days: i64, start: NaiveDate) -> bool {
        Period::containing(anchor, days, start).start == start
    }

    /// The instant the period starts, local midnight in `tz`.
    pub fn start_at(&self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.start, tz)
    }

    /// The instant the period ends (the next period's start), local midnight in `tz`.
    pub fn end_at(&self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.end, tz)
    }

    /// Its last day, for display.
    pub fn last_day(&self) -> NaiveDate {
        self.end - Duration::days(1)
    }
}

/// The first instant of `day` in `tz` (a day starting in a DST gap starts at the gap's end).
pub fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(l) = t.and_local_timezone(tz).earliest() {
            return l.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    t.and_utc()
}

/// The day the deposit should arrive: the next weekday after the file's local creation day
/// (ACH settles on banking days; bank holidays are left to the bank, which moves the entry to
/// the next banking day).
pub fn effective_date(created: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let mut d = created.with_timezone(&tz).date_naive() + Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

/// The file id modifier of the `n`th file (from 0) the department makes on one day: `A`–`Z`,
/// then `0`–`9`; `None` after 36.
pub fn file_id_modifier(n: usize) -> Option<char> {
    const ALL: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    ALL.get(n).map(|b| char::from(*b))
}

/// One officer's line of the payroll CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLine {
    pub officer_id: String,
    pub badge: String,
    pub name: String,
    pub timecards: usize,
    pub minutes: i64,
    pub gross_cents: Cents,
    pub routing: String,
    pub account_last4: String,
    /// checking or savings
    pub account_type: String,
}

/// The columns of the payroll CSV, in order.
pub const CSV_HEADER: [&str; 13] = [
    "officer_id",
    "badge",
    "name",
    "period_start",
    "period_end",
    "timecards",
    "hours",
    "gross",
    "currency",
    "deposit_routing",
    "deposit_account_last4",
    "deposit_account_type",
    "effective_date",
];

/// The payroll CSV (RFC 4180, CRLF line ends, a header row): one line per officer, hours to two
/// decimals, gross as a decimal amount. Text cells go through [`crate::spreadsheet::text_cell`]
/// (no formula runs when the file is opened).
pub fn csv(
    period: Period,
    currency: &str,
    effective: NaiveDate,
    lines: &[CsvLine],
) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for l in lines {
        w.write_record([
            cell(&l.officer_id),
            cell(&l.badge),
            cell(&l.name),
            period.start.to_string(),
            period.last_day().to_string(),
            l.timecards.to_string(),
            hours(l.minutes),
            decimal(l.gross_cents),
            cell(currency),
            cell(&l.routing),
            cell(&l.account_last4),
            cell(&l.account_type),
            effective.to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Minutes as hours with two decimals, rounded half up: 195 → "3.25", 100 → "1.67".
pub fn hours(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30).div_euclid(60);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Cents as a decimal amount: 123456 → "1234.56".
pub fn decimal(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_run_from_the_anchor_both_ways() {
        let anchor = d(2026, 11, 2); // a Monday
        assert_eq!(
            Period::containing(anchor, 14, d(2026, 11, 15)),
            Period {
                start: d(2026, 11, 2),
                end: d(2026, 11, 16)
            }
        );
        assert_eq!(
            Period::containing(anchor, 14, d(2026, 11, 16)).start,
            d(2026, 11, 16)
        );
        // Before the anchor.
        assert_eq!(
            Period::containing(anchor, 7, d(2026, 10, 28)),
            Period {
                start: d(2026, 10, 26),
                end: d(2026, 11, 2)
            }
        );
        assert!(Period::starts_on(anchor, 7, d(2026, 11, 9)));
        assert!(!Period::starts_on(anchor, 14, d(2026, 11, 9)));
    }

    #[test]
    fn the_last_closed_period_ended_before_today_in_the_departments_zone() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let anchor = d(2026, 11, 2);
        // Monday 16 Nov, 03:00 UTC is still Sunday 15 Nov in New York: the period of 2–15 Nov
        // is still running, so the last closed one is 19 Oct – 1 Nov.
        let sunday_night = Utc.with_ymd_and_hms(2026, 11, 16, 3, 0, 0).unwrap();
        assert_eq!(
            Period::last_closed(anchor, 14, sunday_night, tz).start,
            d(2026, 10, 19)
        );
        let monday = Utc.with_ymd_and_hms(2026, 11, 16, 6, 0, 0).unwrap();
        let p = Period::last_closed(anchor, 14, monday, tz);
        assert_eq!((p.start, p.last_day()), (d(2026, 11, 2), d(2026, 11, 15)));
        assert_eq!(
            p.end_at(tz),
            Utc.with_ymd_and_hms(2026, 11, 16, 5, 0, 0).unwrap()
        );
    }

    #[test]
    fn deposits_arrive_on_the_next_weekday() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // Friday 4 Dec 2026 at 20:00 local → Monday 7 Dec.
        let friday = Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap();
        assert_eq!(effective_date(friday, tz), d(2026, 12, 7));
        let tuesday = Utc.with_ymd_and_hms(2026, 12, 8, 15, 0, 0).unwrap();
        assert_eq!(effective_date(tuesday, tz), d(2026, 12, 9));
    }

    #[test]
    fn file_id_modifiers_run_through_letters_then_digits() {
        assert_eq!(file_id_modifier(0), Some('A'));
        assert_eq!(file_id_modifier(25), Some('Z'));
        assert_eq!(file_id_modifier(26), Some('0'));
        assert_eq!(file_id_modifier(35), Some('9'));
        assert_eq!(file_id_modifier(36), None);
    }

    #[test]
    fn the_csv_quotes_what_it_must_and_defuses_formulas() {
        let p = Period {
            start: d(2026, 11, 2),
            end: d(2026, 11, 16),
        };
        let text = csv(
            p,
            "USD",
            d(2026, 11, 17),
            &[CsvLine {
                officer_id: "o-1".into(),
                badge: "=1+2".into(),
                name: "Ruiz, Dana \"DJ\"".into(),
                timecards: 2,
                minutes: 425,
                gross_cents: 42_500,
                routing: "011000015".into(),
                account_last4: "6789".into(),
                account_type: "checking".into(),
            }],
        )
        .unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "o-1,'=1+2,\"Ruiz, Dana \"\"DJ\"\"\",2026-11-02,2026-11-15,2,7.08,425.00,USD,\
             011000015,6789,checking,2026-11-17"
        );
        assert_eq!(lines[2], "");
    }

    #[test]
    fn hours_and_amounts_read_as_decimals() {
        assert_eq!(hours(195), "3.25");
        assert_eq!(hours(100), "1.67");
        assert_eq!(hours(0), "0.00");
        assert_eq!(decimal(123_456), "1234.56");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(-5), "-0.05");
    }
}
