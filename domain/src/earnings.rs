//! Earnings: the department's pay period (a setting synced to phones) and the totals of an
//! officer's shifts — counted the same way on the phone's earnings screen and the server's
//! statements.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::pay::Cents;
use crate::protocol::TimecardStatus;
use crate::validation::{Invalid, InvalidCode};

/// How long a pay period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodLength {
    /// Seven days from the anchor date.
    Weekly,
    /// Fourteen days from the anchor date.
    Biweekly,
    /// The 1st to the 15th, and the 16th to the end of the month.
    Semimonthly,
    /// Calendar months.
    Monthly,
}

/// The department's pay period: its length and, for weekly and biweekly periods, a date on
/// which one period starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayPeriodRule {
    pub length: PeriodLength,
    /// A first day of a period (weekly, biweekly); ignored for semimonthly and monthly.
    pub anchor: NaiveDate,
}

impl Default for PayPeriodRule {
    /// Biweekly, periods starting on Mondays counted from Monday 5 January 2026.
    fn default() -> Self {
        PayPeriodRule {
            length: PeriodLength::Biweekly,
            anchor: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
        }
    }
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

impl PayPeriodRule {
    /// The period containing `date`: its first and last day (inclusive).
    pub fn period_containing(&self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let stride = |days: i64| {
            let offset = (date - self.anchor).num_days().div_euclid(days) * days;
            let start = self.anchor + Duration::days(offset);
            (start, start + Duration::days(days - 1))
        };
        match self.length {
            PeriodLength::Weekly => stride(7),
            PeriodLength::Biweekly => stride(14),
            PeriodLength::Semimonthly => {
                let first = date.with_day(1).unwrap_or(date);
                let sixteenth = date.with_day(16).unwrap_or(date);
                if date.day() <= 15 {
                    (first, date.with_day(15).unwrap_or(date))
                } else {
                    (sixteenth, last_day_of_month(date.year(), date.month()))
                }
            }
            PeriodLength::Monthly => (
                date.with_day(1).unwrap_or(date),
                last_day_of_month(date.year(), date.month()),
            ),
        }
    }

    /// Checks the anchor is a plausible date (years 2000 to 2100).
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(2000..=2100).contains(&self.anchor.year()) {
            return Err(Invalid::new(
                "anchor",
                InvalidCode::OutOfRange,
                format!("must be a date between 2000 and 2100 (got {})", self.anchor),
            ));
        }
        Ok(())
    }
}

/// Totals over some shifts: how many, minutes paid, gross, and how much of it was paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarningsTotals {
    pub shifts: u32,
    pub billable_minutes: i64,
    pub gross_cents: Cents,
    /// Gross of the shifts marked paid.
    pub paid_cents: Cents,
    /// Gross of every other shift (open, pending, under review, approved, invoiced).
    pub unpaid_cents: Cents,
}

impl EarningsTotals {
    /// Counts one shift's timecard. A rejected timecard counts as a shift, but nothing on it is
    /// owed: no minutes, no money.
    pub fn add(
        &mut self,
        gross_cents: Option<Cents>,
        billable_minutes: Option<i64>,
        status: TimecardStatus,
    ) {
        self.shifts += 1;
        if status == TimecardStatus::Rejected {
            return;
        }
        let gross = gross_cents.unwrap_or(0);
        self.billable_minutes += billable_minutes.unwrap_or(0);
        self.gross_cents += gross;
        if status == TimecardStatus::Paid {
            self.paid_cents += gross;
        } else {
            self.unpaid_cents += gross;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rule(length: PeriodLength) -> PayPeriodRule {
        PayPeriodRule {
            length,
            anchor: d(2026, 1, 5),
        }
    }

    #[test]
    fn biweekly_periods_count_from_the_anchor_both_ways() {
        let r = rule(PeriodLength::Biweekly);
        assert_eq!(
            r.period_containing(d(2026, 1, 5)),
            (d(2026, 1, 5), d(2026, 1, 18))
        );
        assert_eq!(
            r.period_containing(d(2026, 1, 18)),
            (d(2026, 1, 5), d(2026, 1, 18))
        );
        assert_eq!(
            r.period_containing(d(2026, 1, 19)),
            (d(2026, 1, 19), d(2026, 2, 1))
        );
        assert_eq!(
            r.period_containing(d(2026, 1, 4)),
            (d(2025, 12, 22), d(2026, 1, 4))
        );
    }

    #[test]
    fn weekly_semimonthly_and_monthly_periods() {
        assert_eq!(
            rule(PeriodLength::Weekly).period_containing(d(2026, 11, 25)),
            (d(2026, 11, 23), d(2026, 11, 29))
        );
        let semi = rule(PeriodLength::Semimonthly);
        assert_eq!(
            semi.period_containing(d(2028, 2, 15)),
            (d(2028, 2, 1), d(2028, 2, 15))
        );
        assert_eq!(
            semi.period_containing(d(2028, 2, 16)),
            (d(2028, 2, 16), d(2028, 2, 29))
        );
        let monthly = rule(PeriodLength::Monthly);
        assert_eq!(
            monthly.period_containing(d(2026, 12, 31)),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(
            monthly.period_containing(d(2027, 2, 10)),
            (d(2027, 2, 1), d(2027, 2, 28))
        );
    }

    #[test]
    fn totals_split_paid_from_unpaid() {
        let mut t = EarningsTotals::default();
        t.add(Some(26_000), Some(240), TimecardStatus::Paid);
        t.add(Some(19_500), Some(180), TimecardStatus::Approved);
        t.add(None, None, TimecardStatus::Open);
        t.add(Some(9_999), Some(60), TimecardStatus::Rejected);
        assert_eq!(
            t,
            EarningsTotals {
                shifts: 4,
                billable_minutes: 420,
                gross_cents: 45_500,
                paid_cents: 26_000,
                unpaid_cents: 19_500,
            }
        );
    }

    #[test]
    fn anchors_outside_the_century_are_refused() {
        let mut r = rule(PeriodLength::Weekly);
        assert_eq!(r.validate(), Ok(()));
        r.anchor = d(1999, 12, 31);
        assert_eq!(r.validate().unwrap_err().field, "anchor");
    }

    fn any_length() -> impl Strategy<Value = PeriodLength> {
        prop_oneof![
            Just(PeriodLength::Weekly),
            Just(PeriodLength::Biweekly),
            Just(PeriodLength::Semimonthly),
            Just(PeriodLength::Monthly),
        ]
    }

    proptest! {
        /// Every day is in exactly one period: its own period contains it, and the periods of
        /// consecutive days are the same or adjacent.
        #[test]
        fn periods_tile_the_calendar(len in any_length(), anchor in 0i64..3000, day in 0i64..4000) {
            let r = PayPeriodRule { length: len, anchor: d(2020, 1, 1) + Duration::days(anchor) };
            let date = d(2020, 1, 1) + Duration::days(day);
            let (from, to) = r.period_containing(date);
            prop_assert!(from <= date && date <= to);
            prop_assert!((to - from).num_days() < 31);
            let next = r.period_containing(date + Duration::days(1));
            prop_assert!(next == (from, to) || (next.0 == to + Duration::days(1)));
        }
    }
}
