//! Pay in integer cents: hourly rates by job type, multipliers, minimum billable time and the one
//! rounding rule.
//!
//! # The rounding rule
//!
//! Money is integer cents and is rounded in exactly one place, [`gross_cents`]:
//!
//! ```text
//! gross = rate_cents × billable_minutes × multiplier_bp / (60 × 10000)
//! ```
//!
//! computed exactly in 128-bit integers and rounded **half up** (ties toward +∞) to the cent, once,
//! at the end. Minutes are rounded before that by [`PayPolicy::billable_minutes`] (to the nearest
//! increment, half up, then the minimum). When an amount is divided (an invoice split between
//! officers or cost centres), [`split_largest_remainder`] hands out the leftover cents so the parts
//! always add up to the total.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};

/// Money in integer cents of the department's currency.
pub type Cents = i64;

/// The department's pay rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayPolicy {
    /// Hourly officer rate by job type, cents.
    pub rates_cents: BTreeMap<String, Cents>,
    /// Hourly rate for a job type not in `rates_cents`.
    pub default_rate_cents: Cents,
    /// Multiplier for a shift starting on a listed holiday (basis points, 15000 = ×1.5).
    pub holiday_multiplier_bp: u32,
    /// Multiplier for a job posted less than `short_notice_hours` before it starts.
    pub short_notice_multiplier_bp: u32,
    /// A job posted less than this many hours before it starts is short notice.
    pub short_notice_hours: u32,
    /// Holidays (local dates in the department's time zone).
    pub holidays: Vec<NaiveDate>,
    /// A shift is paid at least this many minutes.
    pub min_billable_minutes: i64,
    /// Worked minutes are rounded to the nearest multiple of this (half rounds up).
    pub rounding_increment_minutes: i64,
}

/// One ×1 multiplier in basis points.
pub const BP_ONE: u32 = 10_000;
/// Largest multiplier a policy may set (×10).
pub const MAX_MULTIPLIER_BP: u32 = 100_000;
/// Largest hourly rate a policy may set, in cents (10,000.00 an hour).
pub const MAX_RATE_CENTS: Cents = 1_000_000;

impl Default for PayPolicy {
    /// Traffic 65.00, security 55.00, event 60.00, construction 70.00 an hour (others 55.00);
    /// holidays ×1.5; short notice (posted under 24 h ahead) ×1.25; at least 3 hours paid; worked
    /// time rounded to 15 minutes; no holidays listed.
    fn default() -> Self {
        let rates = [
            ("traffic", 6500),
            ("security", 5500),
            ("event", 6000),
            ("construction", 7000),
        ];
        PayPolicy {
            rates_cents: rates.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            default_rate_cents: 5500,
            holiday_multiplier_bp: 15_000,
            short_notice_multiplier_bp: 12_500,
            short_notice_hours: 24,
            holidays: Vec::new(),
            min_billable_minutes: 180,
            rounding_increment_minutes: 15,
        }
    }
}

/// What a shift pays, and how that was worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayQuote {
    /// Hourly rate, cents.
    pub rate_cents: Cents,
    /// Multiplier in basis points (10000 = ×1).
    pub multiplier_bp: u32,
    /// Minutes paid, after rounding and the minimum.
    pub billable_minutes: i64,
    /// [`gross_cents`] of the above.
    pub gross_cents: Cents,
}

impl PayPolicy {
    /// Hourly rate for `job_type` (matched exactly), or the default rate.
    pub fn rate_for(&self, job_type: &str) -> Cents {
        self.rates_cents
            .get(job_type)
            .copied()
            .unwrap_or(self.default_rate_cents)
    }

    /// The multiplier for a shift starting at `starts_at`, posted at `posted_at`: the holiday
    /// multiplier if the start's local date in `tz` is a listed holiday, the short-notice one if
    /// it was posted less than `short_notice_hours` before the start. When both apply the larger
    /// wins (multipliers never compound); when neither does, 10000 (×1).
    pub fn multiplier_bp(&self, starts_at: DateTime<Utc>, posted_at: DateTime<Utc>, tz: Tz) -> u32 {
        let holiday = self
            .holidays
            .contains(&starts_at.with_timezone(&tz).date_naive());
        let notice =
            TimeDelta::try_hours(i64::from(self.short_notice_hours)).unwrap_or(TimeDelta::MAX);
        let short_notice = starts_at.signed_duration_since(posted_at) < notice;
        [
            holiday.then_some(self.holiday_multiplier_bp),
            short_notice.then_some(self.short_notice_multiplier_bp),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(BP_ONE)
    }

    /// Minutes paid for `worked_minutes`: rounded to the nearest multiple of the increment (half
    /// up), then raised to the minimum. Zero or negative worked time (a no-show) pays 0.
    pub fn billable_minutes(&self, worked_minutes: i64) -> i64 {
        if worked_minutes <= 0 {
            return 0;
        }
        let rounded = if self.rounding_increment_minutes > 0 {
            let inc = i128::from(self.rounding_increment_minutes);
            let w = i128::from(worked_minutes);
            let r = (w + inc / 2).div_euclid(inc) * inc;
            // Rounding up past i64::MAX falls back to the last multiple below it.
            i64::try_from(r).unwrap_or(i64::MAX - i64::MAX % self.rounding_increment_minutes)
        } else {
            worked_minutes
        };
        rounded.max(self.min_billable_minutes)
    }

    /// Scheduled pay for a shift of `job_type` over `[starts_at, ends_at)`, posted at
    /// `posted_at`. Scheduled minutes are whole minutes (seconds dropped) and go through
    /// [`PayPolicy::billable_minutes`].
    pub fn quote(
        &self,
        job_type: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        posted_at: DateTime<Utc>,
        tz: Tz,
    ) -> PayQuote {
        let rate_cents = self.rate_for(job_type);
        let multiplier_bp = self.multiplier_bp(starts_at, posted_at, tz);
        let worked = ends_at.signed_duration_since(starts_at).num_minutes();
        let billable_minutes = self.billable_minutes(worked);
        PayQuote {
            rate_cents,
            multiplier_bp,
            billable_minutes,
            gross_cents: gross_cents(rate_cents, billable_minutes, multiplier_bp),
        }
    }

    /// Checks the policy: rates 0..=1,000,000 cents an hour with non-blank job types, multipliers
    /// from ×1 to ×10, short notice at most 720 h, a minimum of 0..=1440 minutes and a rounding
    /// increment of 1..=60 minutes.
    pub fn validate(&self) -> Result<(), Invalid> {
        let rate_ok = |r: Cents| (0..=MAX_RATE_CENTS).contains(&r);
        for (job_type, rate) in &self.rates_cents {
            if job_type.trim().is_empty() {
                return Err(Invalid::new(
                    "rates_cents",
                    InvalidCode::Required,
                    "job types must not be blank",
                ));
            }
            if !rate_ok(*rate) {
                return Err(Invalid::new(
                    format!("rates_cents.{job_type}"),
                    InvalidCode::OutOfRange,
                    format!("must be between 0 and {MAX_RATE_CENTS} cents (got {rate})"),
                ));
            }
        }
        if !rate_ok(self.default_rate_cents) {
            return Err(Invalid::new(
                "default_rate_cents",
                InvalidCode::OutOfRange,
                format!(
                    "must be between 0 and {MAX_RATE_CENTS} (got {})",
                    self.default_rate_cents
                ),
            ));
        }
        for (name, bp) in [
            ("holiday_multiplier_bp", self.holiday_multiplier_bp),
            (
                "short_notice_multiplier_bp",
                self.short_notice_multiplier_bp,
            ),
        ] {
            if !(BP_ONE..=MAX_MULTIPLIER_BP).contains(&bp) {
                return Err(Invalid::new(
                    name,
                    InvalidCode::OutOfRange,
                    format!("must be between {BP_ONE} and {MAX_MULTIPLIER_BP} (got {bp})"),
                ));
            }
        }
        let range = |field: &str, value: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(Invalid::new(
                    field,
                    InvalidCode::OutOfRange,
                    format!("must be between {lo} and {hi} (got {value})"),
                ))
            }
        };
        range(
            "short_notice_hours",
            i64::from(self.short_notice_hours),
            0,
            720,
        )?;
        range("min_billable_minutes", self.min_billable_minutes, 0, 1440)?;
        range(
            "rounding_increment_minutes",
            self.rounding_increment_minutes,
            1,
            60,
        )?;
        Ok(())
    }
}

/// Converts an exact i128 amount to cents, saturating at the ends of `i64`.
fn saturate(x: i128) -> Cents {
    Cents::try_from(x).unwrap_or(if x < 0 { Cents::MIN } else { Cents::MAX })
}

/// Gross pay: `rate_cents × billable_minutes × multiplier_bp / 600000`, exact in 128-bit integers
/// and rounded half up to the cent. This is the crate's one rounding rule for money.
pub fn gross_cents(rate_cents: Cents, billable_minutes: i64, multiplier_bp: u32) -> Cents {
    const DENOMINATOR: i128 = 60 * BP_ONE as i128;
    // |rate × minutes| < 2^126 always fits; only the multiplier can overflow, far beyond i64.
    let rate_minutes = i128::from(rate_cents) * i128::from(billable_minutes);
    let Some(exact) = rate_minutes.checked_mul(i128::from(multiplier_bp)) else {
        return if rate_minutes < 0 {
            Cents::MIN
        } else {
            Cents::MAX
        };
    };
    let (whole, rest) = (exact.div_euclid(DENOMINATOR), exact.rem_euclid(DENOMINATOR));
    saturate(if rest * 2 >= DENOMINATOR {
        whole + 1
    } else {
        whole
    })
}

/// Splits `total` in proportion to `weights`, by largest remainder: each part gets the floor of
/// its exact share, then the cents left over go one each to the parts with the largest
/// remainders (ties to the earlier index). The parts always sum to `total`, and each is within
/// one cent of its exact share. All-zero weights split evenly; no weights give no parts. A
/// negative total is split as its absolute value, then negated.
pub fn split_largest_remainder(total: Cents, weights: &[u64]) -> Vec<Cents> {
    if weights.is_empty() {
        return Vec::new();
    }
    let even = weights.iter().all(|w| *w == 0);
    let weight = |w: u64| if even { 1 } else { u128::from(w) };
    let sum: u128 = weights.iter().map(|w| weight(*w)).sum();
    let amount = u128::from(total.unsigned_abs());
    let mut parts: Vec<(u128, u128)> = weights
        .iter()
        .map(|w| {
            let share = amount * weight(*w);
            (share / sum, share % sum)
        })
        .collect();
    let handed: u128 = parts.iter().map(|(p, _)| p).sum();
    // Fewer than `weights.len()` cents are left over.
    let leftover = usize::try_from(amount - handed).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(leftover) {
        parts[i].0 += 1;
    }
    let sign: i128 = if total < 0 { -1 } else { 1 };
    parts
        .into_iter()
        .map(|(p, _)| saturate(sign * i128::try_from(p).unwrap_or(i128::MAX)))
        .collect()
}

/// Formats cents for people: "$1,234.56" and "-$3.00" for USD, "1,234.56 EUR" for any other
/// currency code (always two decimals: amounts are hundredths of the unit).
pub fn format_cents(cents: Cents, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut units = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            units.push(',');
        }
        units.push(ch);
    }
    let number = format!("{units}.{:02}", abs % 100);
    let code = currency.trim();
    if code.eq_ignore_ascii_case("USD") {
        format!("{sign}${number}")
    } else {
        format!("{sign}{number} {}", code.to_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests;
