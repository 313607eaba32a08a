//! How times, money and distances read on a screen: local times in the department's time zone,
//! with the hour cycle of the device's locale (the shell says which).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use offduty_domain::pay::{Cents, format_cents};

/// 24-hour clock (`19:00`) or 12-hour clock (`7:00 PM`), as the device's locale prefers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HourCycle {
    #[default]
    H24,
    H12,
}

/// What the shell tells the screens about the device's locale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    pub hour_cycle: HourCycle,
}

/// Formats times for one department and device.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    pub tz: Tz,
    pub display: Display,
}

impl Fmt {
    fn clock(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        match self.display.hour_cycle {
            HourCycle::H24 => local.format("%H:%M").to_string(),
            HourCycle::H12 => local.format("%-I:%M %p").to_string(),
        }
    }

    /// `Fri 27 Nov 07:00`.
    pub fn day_time(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        format!("{} {}", local.format("%a %-d %b"), self.clock(t))
    }

    /// `Fri 27 Nov 07:00–11:00`, or with the end's day when the shift crosses midnight.
    pub fn range(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let same_day =
            start.with_timezone(&self.tz).date_naive() == end.with_timezone(&self.tz).date_naive();
        if same_day {
            format!("{}–{}", self.day_time(start), self.clock(end))
        } else {
            format!("{}–{}", self.day_time(start), self.day_time(end))
        }
    }

    /// `today 14:05`, `yesterday 09:10`, or `Fri 27 Nov 07:00`, relative to `now`.
    pub fn relative(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let day = t.with_timezone(&self.tz).date_naive();
        let today = now.with_timezone(&self.tz).date_naive();
        if day == today {
            format!("today {}", self.clock(t))
        } else if today.pred_opt() == Some(day) {
            format!("yesterday {}", self.clock(t))
        } else {
            self.day_time(t)
        }
    }
}

/// `$1,234.50`.
pub fn money(cents: Cents, currency: &str) -> String {
    format_cents(cents, currency)
}

/// `350 m`, `1.9 km`, `25 km`.
pub fn distance(m: f64) -> String {
    if !m.is_finite() {
        return String::new();
    }
    if m < 1_000.0 {
        format!("{} m", m.round())
    } else if m < 10_000.0 {
        format!("{:.1} km", m / 1_000.0)
    } else {
        format!("{} km", (m / 1_000.0).round())
    }
}

/// `4 h`, `4 h 30 min`, `45 min`.
pub fn duration_minutes(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn local_times_follow_the_department_zone_and_the_hour_cycle() {
        let ny = Fmt {
            tz: chrono_tz::America::New_York,
            display: Display::default(),
        };
        // 12:00 UTC in November is 07:00 in New York.
        let start = at("2026-11-27T12:00:00Z");
        assert_eq!(ny.day_time(start), "Fri 27 Nov 07:00");
        assert_eq!(
            ny.range(start, at("2026-11-27T16:00:00Z")),
            "Fri 27 Nov 07:00–11:00"
        );
        assert_eq!(
            ny.range(at("2026-11-28T02:00:00Z"), at("2026-11-28T06:00:00Z")),
            "Fri 27 Nov 21:00–Sat 28 Nov 01:00"
        );
        let twelve = Fmt {
            display: Display {
                hour_cycle: HourCycle::H12,
            },
            ..ny
        };
        assert_eq!(twelve.day_time(start), "Fri 27 Nov 7:00 AM");
        assert_eq!(
            ny.relative(at("2026-11-27T13:05:00Z"), at("2026-11-27T20:00:00Z")),
            "today 08:05"
        );
        assert_eq!(
            ny.relative(at("2026-11-26T13:05:00Z"), at("2026-11-27T20:00:00Z")),
            "yesterday 08:05"
        );
    }

    #[test]
    fn distances_and_durations_read_naturally() {
        assert_eq!(distance(349.6), "350 m");
        assert_eq!(distance(1_940.0), "1.9 km");
        assert_eq!(distance(25_300.0), "25 km");
        assert_eq!(duration_minutes(240), "4 h");
        assert_eq!(duration_minutes(270), "4 h 30 min");
        assert_eq!(duration_minutes(45), "45 min");
    }
}
