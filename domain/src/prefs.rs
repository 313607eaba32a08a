//! Notification preferences: which channels an officer wants, and quiet hours per weekday in the
//! department's time zone (urgent notices aside, nothing is sent during quiet hours).

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};

/// Most quiet windows an officer may set (three a day).
pub const MAX_QUIET_WINDOWS: usize = 21;

/// Where notices may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channels {
    pub push: bool,
    pub sms: bool,
    pub email: bool,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            push: true,
            sms: false,
            email: true,
        }
    }
}

/// A quiet window starting on `weekday` at `start` (local, `HH:MM`) and lasting until `end`;
/// an `end` not after `start` runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietWindow {
    /// `mon` … `sun`.
    pub weekday: String,
    pub start: String,
    pub end: String,
}

/// An officer's notification preferences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preferences {
    #[serde(default)]
    pub channels: Channels,
    #[serde(default)]
    pub quiet_hours: Vec<QuietWindow>,
    /// Bumped by the server on every change (last writer wins).
    #[serde(default)]
    pub version: u64,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn parse_weekday(s: &str) -> Option<Weekday> {
    DAYS.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
        .map(|(_, d)| *d)
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl QuietWindow {
    /// Checks the fields; the error names the field.
    pub fn validate(&self) -> Result<(), Invalid> {
        if parse_weekday(&self.weekday).is_none() {
            return Err(Invalid::new(
                "weekday",
                InvalidCode::BadFormat,
                format!("{:?} is not mon…sun", self.weekday),
            ));
        }
        for (field, value) in [("start", &self.start), ("end", &self.end)] {
            if parse_time(value).is_none() {
                return Err(Invalid::new(
                    field,
                    InvalidCode::BadFormat,
                    format!("{value:?} is not HH:MM"),
                ));
            }
        }
        Ok(())
    }

    /// Whether local `weekday` at minute-of-day `minute` falls in this window.
    fn covers(&self, weekday: Weekday, minute: u32) -> bool {
        let (Some(day), Some(start), Some(end)) = (
            parse_weekday(&self.weekday),
            parse_time(&self.start),
            parse_time(&self.end),
        ) else {
            return false;
        };
        let (s, e) = (
            start.hour() * 60 + start.minute(),
            end.hour() * 60 + end.minute(),
        );
        if s < e {
            weekday == day && minute >= s && minute < e
        } else {
            (weekday == day && minute >= s) || (weekday == day.succ() && minute < e)
        }
    }
}

impl Preferences {
    /// Checks every window (at most 21); the error names the field.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.quiet_hours.len() > MAX_QUIET_WINDOWS {
            return Err(Invalid::new(
                "quiet_hours",
                InvalidCode::TooMany,
                format!("at most {MAX_QUIET_WINDOWS} windows"),
            ));
        }
        for (i, w) in self.quiet_hours.iter().enumerate() {
            w.validate()
                .map_err(|e| e.within(&format!("quiet_hours[{i}]")))?;
        }
        Ok(())
    }

    /// Whether `at` falls in quiet hours, in the department's time zone.
    pub fn is_quiet(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        let local = at.with_timezone(&tz);
        let minute = local.hour() * 60 + local.minute();
        self.quiet_hours
            .iter()
            .any(|w| w.covers(local.weekday(), minute))
    }
}

/// How far ahead [`Preferences::quiet_until`] looks: a week of windows back to back, plus a day.
const QUIET_HORIZON_MINUTES: i64 = 8 * 24 * 60;

impl Preferences {
    /// When the quiet stretch that `at` falls in ends: the first minute, at or after `at`, that
    /// is not quiet (windows that touch or overlap run together). `None` when `at` is not quiet
    /// — send now. A week where every minute is quiet ends after eight days: a notice is
    /// delayed, never held forever.
    pub fn quiet_until(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        if !self.is_quiet(at, tz) {
            return None;
        }
        // Windows start and end on whole minutes: step to the next minute, then a minute at
        // a time (at most ~11,500 cheap checks, only for a notice held in quiet hours).
        let mut t = at
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(at)
            + chrono::Duration::minutes(1);
        let limit = at + chrono::Duration::minutes(QUIET_HORIZON_MINUTES);
        while t < limit && self.is_quiet(t, tz) {
            t += chrono::Duration::minutes(1);
        }
        Some(t.min(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ny(s: &str) -> DateTime<Utc> {
        use chrono::TimeZone;
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        chrono_tz::America::New_York
            .from_local_datetime(&naive)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    fn nights() -> Preferences {
        Preferences {
            quiet_hours: vec![QuietWindow {
                weekday: "fri".into(),
                start: "22:00".into(),
                end: "06:00".into(),
            }],
            ..Preferences::default()
        }
    }

    #[test]
    fn an_overnight_window_covers_the_next_morning() {
        let p = nights();
        let tz = chrono_tz::America::New_York;
        // 2026-11-27 is a Friday.
        assert!(!p.is_quiet(ny("2026-11-27 21:59"), tz));
        assert!(p.is_quiet(ny("2026-11-27 22:00"), tz));
        assert!(p.is_quiet(ny("2026-11-28 05:59"), tz));
        assert!(!p.is_quiet(ny("2026-11-28 06:00"), tz));
        assert!(
            !p.is_quiet(ny("2026-11-28 23:00"), tz),
            "Saturday night is not quiet"
        );
    }

    #[test]
    fn a_quiet_stretch_ends_at_the_end_of_its_window_and_windows_run_together() {
        let tz = chrono_tz::America::New_York;
        let mut p = nights();
        assert_eq!(p.quiet_until(ny("2026-11-27 21:59"), tz), None);
        assert_eq!(
            p.quiet_until(ny("2026-11-27 23:17"), tz),
            Some(ny("2026-11-28 06:00"))
        );
        p.quiet_hours.push(QuietWindow {
            weekday: "sat".into(),
            start: "06:00".into(),
            end: "08:30".into(),
        });
        assert_eq!(
            p.quiet_until(ny("2026-11-27 23:17"), tz),
            Some(ny("2026-11-28 08:30"))
        );
        let always = Preferences {
            quiet_hours: DAYS
                .iter()
                .map(|(d, _)| QuietWindow {
                    weekday: (*d).into(),
                    start: "00:00".into(),
                    end: "00:00".into(),
                })
                .collect(),
            ..Preferences::default()
        };
        let at = ny("2026-11-27 12:00");
        assert_eq!(
            always.quiet_until(at, tz),
            Some(at + chrono::Duration::days(8))
        );
    }

    #[test]
    fn bad_windows_name_the_field() {
        let mut p = nights();
        p.quiet_hours[0].start = "25:00".into();
        let e = p.validate().unwrap_err();
        assert_eq!(e.field, "quiet_hours[0].start");
        assert_eq!(e.code, crate::validation::InvalidCode::BadFormat);
        assert_eq!(
            e.to_string(),
            "quiet_hours[0].start: \"25:00\" is not HH:MM"
        );
        p.quiet_hours[0].start = "22:00".into();
        p.quiet_hours[0].weekday = "someday".into();
        assert_eq!(p.validate().unwrap_err().field, "quiet_hours[0].weekday");
    }

    proptest! {
        /// A window covering the whole day makes every minute of that weekday quiet.
        #[test]
        fn full_day_windows_are_always_quiet(day in 0usize..7, minute in 0u32..1440) {
            let (name, wd) = DAYS[day];
            let w = QuietWindow { weekday: name.into(), start: "00:00".into(), end: "00:00".into() };
            prop_assert!(w.covers(wd, minute));
        }
    }
}
