//! The quiet-hours editor of one weekday: the times a picker may choose (every hour, minutes in
//! steps of [`MINUTE_STEP`]), the window a day starts with, the sentence that says what the
//! window means in the officer's hour cycle ("Quiet from 22:00 to 07:00 the next morning"),
//! and the check of a picked time. The shells show a time picker and forward what it picks.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use offduty_domain::prefs::QuietWindow;

use super::Weekday;
use crate::format::HourCycle;
use crate::text::Msg;

/// Quiet hours are set in five-minute steps; a picked minute is taken down to its step.
pub const MINUTE_STEP: u32 = 5;

/// The window a day without quiet hours starts with: 22:00 to 07:00.
pub const DEFAULT_WINDOW: (ClockTime, ClockTime) = (
    ClockTime {
        hour: 22,
        minute: 0,
    },
    ClockTime { hour: 7, minute: 0 },
);

/// A time of day on the 24-hour clock (what a time picker sets and shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockTime {
    /// 0–23.
    pub hour: u32,
    /// 0–59, on the step.
    pub minute: u32,
}

impl ClockTime {
    /// A picked time, checked and taken down to the minute step; out of range is an error
    /// sentence.
    pub fn picked(hour: u32, minute: u32) -> Result<ClockTime, String> {
        if hour > 23 || minute > 59 {
            return Err(Msg::QuietEditOutOfRange.with(&[("first", "00:00"), ("last", "23:59")]));
        }
        Ok(ClockTime {
            hour,
            minute: minute - minute % MINUTE_STEP,
        })
    }

    /// `HH:MM`, as the preferences store it.
    pub fn key(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    /// Parses a stored `HH:MM`.
    pub fn parse(s: &str) -> Option<ClockTime> {
        use chrono::Timelike;
        let t = NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
        Some(ClockTime {
            hour: t.hour(),
            minute: t.minute(),
        })
    }

    /// `22:05` or `10:05 PM`.
    pub fn show(self, cycle: HourCycle) -> String {
        match cycle {
            HourCycle::H24 => self.key(),
            HourCycle::H12 => {
                let half = if self.hour < 12 { "AM" } else { "PM" };
                let h = match self.hour % 12 {
                    0 => 12,
                    h => h,
                };
                format!("{h}:{:02} {half}", self.minute)
            }
        }
    }

    fn minutes(self) -> u32 {
        self.hour * 60 + self.minute
    }
}

/// What is being edited (kept by the screen until saved or cancelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Draft {
    pub day: Weekday,
    pub start: ClockTime,
    pub end: ClockTime,
    pub error: Option<String>,
}

impl Draft {
    /// The day's first window, or the default.
    pub fn open(day: Weekday, start: Option<&str>, end: Option<&str>) -> Draft {
        let (start, end) = match (
            start.and_then(ClockTime::parse),
            end.and_then(ClockTime::parse),
        ) {
            (Some(s), Some(e)) => (s, e),
            _ => DEFAULT_WINDOW,
        };
        Draft {
            day,
            start,
            end,
            error: None,
        }
    }

    /// The window to save; the domain's check (the server's) decides whether it is one.
    pub fn window(&self) -> Result<QuietWindow, String> {
        let w = QuietWindow {
            weekday: self.day.key().to_string(),
            start: self.start.key(),
            end: self.end.key(),
        };
        w.validate().map(|()| w).map_err(|e| e.message)
    }
}

/// What the window means, in words: the same day, past midnight, or a whole day when it ends
/// when it starts (the domain's reading of such a window).
pub fn sentence(start: ClockTime, end: ClockTime, cycle: HourCycle) -> String {
    let args = [("start", start.show(cycle)), ("end", end.show(cycle))];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match start.minutes().cmp(&end.minutes()) {
        std::cmp::Ordering::Less => Msg::QuietEditWindow.with(&args),
        std::cmp::Ordering::Greater => Msg::QuietEditOvernight.with(&args),
        std::cmp::Ordering::Equal => Msg::QuietEditFullDay.with(&args),
    }
}

/// The editor, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietEditor {
    pub day: Weekday,
    /// `Quiet hours on Monday`.
    pub title: String,
    pub start: ClockTime,
    pub end: ClockTime,
    /// `From`, `To`: the pickers' labels.
    pub start_label: String,
    pub end_label: String,
    /// The picked times as the officer reads them (`22:00`, `10:00 PM`).
    pub start_text: String,
    pub end_text: String,
    /// `Quiet from 22:00 to 07:00 the next morning`.
    pub text: String,
    /// Whether the pickers show 24 hours (else AM/PM), as the device's locale prefers.
    pub uses_24_hour: bool,
    /// The minutes a picker should offer are multiples of this.
    pub minute_step: u32,
    /// Why the last pick or save was refused.
    pub error: Option<String>,
    pub can_save: bool,
    pub save_label: String,
    pub cancel_label: String,
}

impl Draft {
    pub fn editor(&self, day_label: &str, cycle: HourCycle) -> QuietEditor {
        QuietEditor {
            day: self.day,
            title: Msg::QuietEditTitle.with(&[("day", day_label)]),
            start: self.start,
            end: self.end,
            start_label: Msg::QuietEditFrom.text(),
            end_label: Msg::QuietEditTo.text(),
            start_text: self.start.show(cycle),
            end_text: self.end.show(cycle),
            text: sentence(self.start, self.end, cycle),
            uses_24_hour: cycle == HourCycle::H24,
            minute_step: MINUTE_STEP,
            error: self.error.clone(),
            can_save: self.window().is_ok(),
            save_label: Msg::LabelSave.text(),
            cancel_label: Msg::LabelCancel.text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hour: u32, minute: u32) -> ClockTime {
        ClockTime { hour, minute }
    }

    #[test]
    fn the_sentence_says_whether_the_window_crosses_midnight_in_the_officers_hour_cycle() {
        assert_eq!(
            sentence(t(22, 0), t(7, 0), HourCycle::H24),
            "Quiet from 22:00 to 07:00 the next morning"
        );
        assert_eq!(
            sentence(t(22, 0), t(7, 0), HourCycle::H12),
            "Quiet from 10:00 PM to 7:00 AM the next morning"
        );
        assert_eq!(
            sentence(t(13, 30), t(15, 0), HourCycle::H24),
            "Quiet from 13:30 to 15:00"
        );
        assert_eq!(
            sentence(t(0, 0), t(12, 5), HourCycle::H12),
            "Quiet from 12:00 AM to 12:05 PM"
        );
        assert_eq!(
            sentence(t(6, 0), t(6, 0), HourCycle::H24),
            "Quiet for 24 hours from 06:00"
        );
    }

    #[test]
    fn a_picked_time_is_taken_down_to_its_step_and_out_of_range_is_refused() {
        assert_eq!(ClockTime::picked(22, 7), Ok(t(22, 5)));
        assert_eq!(ClockTime::picked(0, 0), Ok(t(0, 0)));
        assert_eq!(ClockTime::picked(23, 59), Ok(t(23, 55)));
        assert_eq!(
            ClockTime::picked(24, 0),
            Err("Choose a time from 00:00 to 23:59.".to_string())
        );
        assert!(ClockTime::picked(7, 60).is_err());
    }

    #[test]
    fn a_day_opens_on_its_window_or_the_default_and_saves_what_the_domain_accepts() {
        let d = Draft::open(Weekday::Mon, Some("23:00"), Some("06:30"));
        assert_eq!((d.start, d.end), (t(23, 0), t(6, 30)));
        let fresh = Draft::open(Weekday::Tue, None, None);
        assert_eq!((fresh.start, fresh.end), DEFAULT_WINDOW);
        let w = fresh.window().unwrap();
        assert_eq!(
            (w.weekday.as_str(), w.start.as_str(), w.end.as_str()),
            ("tue", "22:00", "07:00")
        );
        let e = fresh.editor("Tuesday", HourCycle::H24);
        assert_eq!(e.title, "Quiet hours on Tuesday");
        assert_eq!(e.text, "Quiet from 22:00 to 07:00 the next morning");
        assert!(e.can_save && e.uses_24_hour && e.minute_step == 5);
        assert_eq!(
            (e.start_label.as_str(), e.end_label.as_str()),
            ("From", "To")
        );
    }
}
