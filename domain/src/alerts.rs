//! Service-level alerts (decision 043): what the shift watcher raises about a slot that is being
//! worked — or should be — and when a shift reminder and an escalation are due. Pure: the server's
//! watcher feeds these functions what it read and `now`; the phone could show the same verdicts.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The department's thresholds, in minutes (`departments.rules_json` → `alerts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AlertRules {
    /// No clock-in this long after the start is a no-show (default 15).
    pub no_show_grace_minutes: u32,
    /// A clock-in later than this after the start is late (default 5).
    pub late_tolerance_minutes: u32,
    /// A clock-out earlier than this before the end is early (default 10).
    pub early_tolerance_minutes: u32,
    /// Still clocked in this long after the end is an overrun (default 15).
    pub overrun_tolerance_minutes: u32,
    /// An alert nobody acknowledged this long after it was raised is escalated once (default 15).
    pub escalate_after_minutes: u32,
    /// Officers are reminded this long before their shift starts (default 60; 0: no reminder).
    pub reminder_lead_minutes: u32,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            no_show_grace_minutes: 15,
            late_tolerance_minutes: 5,
            early_tolerance_minutes: 10,
            overrun_tolerance_minutes: 15,
            escalate_after_minutes: 15,
            reminder_lead_minutes: 60,
        }
    }
}

/// The longest any threshold may be: a day.
pub const MAX_MINUTES: u32 = 24 * 60;

impl AlertRules {
    /// Checks every threshold is at most [`MAX_MINUTES`] and the late tolerance is shorter
    /// than the no-show grace (else a late clock-in could never be told apart).
    pub fn validate(&self) -> Result<(), crate::validation::Invalid> {
        use crate::validation::{Invalid, InvalidCode};
        for (field, v) in [
            ("no_show_grace_minutes", self.no_show_grace_minutes),
            ("late_tolerance_minutes", self.late_tolerance_minutes),
            ("early_tolerance_minutes", self.early_tolerance_minutes),
            ("overrun_tolerance_minutes", self.overrun_tolerance_minutes),
            ("escalate_after_minutes", self.escalate_after_minutes),
            ("reminder_lead_minutes", self.reminder_lead_minutes),
        ] {
            if v > MAX_MINUTES {
                return Err(Invalid::new(
                    field,
                    InvalidCode::OutOfRange,
                    format!("must be at most {MAX_MINUTES} minutes (got {v})"),
                ));
            }
        }
        if self.late_tolerance_minutes > self.no_show_grace_minutes {
            return Err(Invalid::new(
                "late_tolerance_minutes",
                InvalidCode::Inconsistent,
                format!(
                    "must be at most no_show_grace_minutes ({}; got {})",
                    self.no_show_grace_minutes, self.late_tolerance_minutes
                ),
            ));
        }
        Ok(())
    }

    fn mins(v: u32) -> Duration {
        Duration::minutes(i64::from(v))
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// No clock-in by the start plus the grace period.
    NoShow,
    /// Clocked in after the start plus the tolerance.
    LateClockIn,
    /// Clocked out before the scheduled end minus the tolerance.
    EarlyClockOut,
    /// Still clocked in past the scheduled end plus the tolerance.
    Overrun,
    /// A punch the presence check could not verify (a supervisor must look at it).
    PunchReview,
    /// The officer said from the phone they are running late (decision 048).
    RunningLate,
    /// The officer said from the phone they won't make it and gave the slot up (decision 048).
    WontMakeIt,
    /// A kind a newer server knows and this version does not.
    #[serde(other)]
    Other,
}

impl AlertKind {
    /// Every kind the watcher raises, in the order it checks them.
    pub const WATCHED: [AlertKind; 5] = [
        AlertKind::NoShow,
        AlertKind::LateClockIn,
        AlertKind::EarlyClockOut,
        AlertKind::Overrun,
        AlertKind::PunchReview,
    ];

    /// Every kind: the watcher's, then the ones an officer's action raises.
    pub const ALL: [AlertKind; 7] = [
        AlertKind::NoShow,
        AlertKind::LateClockIn,
        AlertKind::EarlyClockOut,
        AlertKind::Overrun,
        AlertKind::PunchReview,
        AlertKind::RunningLate,
        AlertKind::WontMakeIt,
    ];

    /// The name stored in `alerts.kind` and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NoShow => "no_show",
            AlertKind::LateClockIn => "late_clock_in",
            AlertKind::EarlyClockOut => "early_clock_out",
            AlertKind::Overrun => "overrun",
            AlertKind::PunchReview => "punch_review",
            AlertKind::RunningLate => "running_late",
            AlertKind::WontMakeIt => "wont_make_it",
            AlertKind::Other => "other",
        }
    }

    /// Reads a stored name; `Other` for one this version does not know.
    pub fn parse(s: &str) -> AlertKind {
        AlertKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(AlertKind::Other)
    }

    /// A short label a coordinator reads (`No-show`).
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::NoShow => "No-show",
            AlertKind::LateClockIn => "Late clock-in",
            AlertKind::EarlyClockOut => "Early clock-out",
            AlertKind::Overrun => "Running past the end",
            AlertKind::PunchReview => "Punch needs review",
            AlertKind::RunningLate => "Running late",
            AlertKind::WontMakeIt => "Won't make it",
            AlertKind::Other => "Alert",
        }
    }
}

/// What the watcher knows about one awarded slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotFacts {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// When the slot became this officer's. An officer given the slot after the start (from
    /// the waitlist, after a no-show) is expected from then, not from the start.
    pub held_since: DateTime<Utc>,
    /// When the officer clocked in (the event's accepted time), if they did.
    pub clock_in: Option<DateTime<Utc>>,
    pub clock_out: Option<DateTime<Utc>>,
    /// A punch of this slot was classified `needs_review`.
    pub punch_needs_review: bool,
    /// The officer reported running late and is expected then (decision 048): no no-show
    /// before this time plus the grace.
    pub late_eta: Option<DateTime<Utc>>,
}

/// The alerts due for a slot at `now`, in [`AlertKind::WATCHED`] order. The caller raises each
/// one not raised yet (one per slot and kind). An officer who reported running late is a
/// no-show only once their reported arrival plus the grace has passed; a late clock-in is
/// still judged against the start (the coordinator's record of the shift).
pub fn due(rules: &AlertRules, slot: &SlotFacts, now: DateTime<Utc>) -> Vec<AlertKind> {
    let mins = AlertRules::mins;
    let expected = slot.starts_at.max(slot.held_since);
    let mut out = Vec::new();
    match slot.clock_in {
        None => {
            let awaited = slot.late_eta.map_or(expected, |eta| expected.max(eta));
            if now >= awaited + mins(rules.no_show_grace_minutes) {
                out.push(AlertKind::NoShow);
            }
        }
        Some(clock_in) => {
            if clock_in > expected + mins(rules.late_tolerance_minutes) {
                out.push(AlertKind::LateClockIn);
            }
            match slot.clock_out {
                Some(out_at) => {
                    if out_at < slot.ends_at - mins(rules.early_tolerance_minutes) {
                        out.push(AlertKind::EarlyClockOut);
                    }
                }
                None => {
                    if now > slot.ends_at + mins(rules.overrun_tolerance_minutes) {
                        out.push(AlertKind::Overrun);
                    }
                }
            }
        }
    }
    if slot.punch_needs_review {
        out.push(AlertKind::PunchReview);
    }
    out
}

/// Whether an alert raised at `raised_at`, neither acknowledged nor escalated yet, is due for
/// its one escalation at `now`.
pub fn escalation_due(rules: &AlertRules, raised_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= raised_at + AlertRules::mins(rules.escalate_after_minutes)
}

/// Whether the officer holding a slot starting at `starts_at` is due the shift reminder at
/// `now`: inside the lead time and before the start (a slot awarded inside the lead time is
/// reminded at once). Never when the department turned reminders off (lead 0).
pub fn reminder_due(rules: &AlertRules, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    rules.reminder_lead_minutes > 0
        && now < starts_at
        && now >= starts_at - AlertRules::mins(rules.reminder_lead_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::minutes(min)
    }

    /// A shift from minute 0 to minute 240.
    fn slot(clock_in: Option<i64>, clock_out: Option<i64>) -> SlotFacts {
        SlotFacts {
            starts_at: at(0),
            ends_at: at(240),
            held_since: at(-600),
            clock_in: clock_in.map(at),
            clock_out: clock_out.map(at),
            punch_needs_review: false,
            late_eta: None,
        }
    }

    #[test]
    fn a_reported_late_arrival_moves_the_no_show() {
        let r = AlertRules::default();
        let mut s = slot(None, None);
        s.late_eta = Some(at(30));
        assert!(due(&r, &s, at(15)).is_empty(), "not before the arrival");
        assert!(due(&r, &s, at(44)).is_empty(), "grace after the arrival");
        assert_eq!(due(&r, &s, at(45)), vec![AlertKind::NoShow]);
        s.late_eta = Some(at(-5));
        assert_eq!(
            due(&r, &s, at(15)),
            vec![AlertKind::NoShow],
            "never earlier"
        );
        s.clock_in = Some(at(28));
        assert_eq!(
            due(&r, &s, at(60)),
            vec![AlertKind::LateClockIn],
            "the clock-in is still late against the start"
        );
    }

    #[test]
    fn no_clock_in_is_a_no_show_only_after_the_grace_period() {
        let r = AlertRules::default();
        assert!(due(&r, &slot(None, None), at(-30)).is_empty());
        assert!(due(&r, &slot(None, None), at(14)).is_empty());
        assert_eq!(due(&r, &slot(None, None), at(15)), vec![AlertKind::NoShow]);
    }

    #[test]
    fn a_clean_shift_raises_nothing() {
        let r = AlertRules::default();
        assert!(due(&r, &slot(Some(-10), None), at(60)).is_empty());
        assert!(due(&r, &slot(Some(5), Some(235)), at(300)).is_empty());
        assert!(
            due(&r, &slot(Some(0), None), at(255)).is_empty(),
            "inside the overrun tolerance"
        );
    }

    #[test]
    fn late_early_and_overrun_follow_their_tolerances() {
        let r = AlertRules::default();
        assert_eq!(
            due(&r, &slot(Some(6), None), at(60)),
            vec![AlertKind::LateClockIn]
        );
        assert_eq!(
            due(&r, &slot(Some(0), Some(229)), at(300)),
            vec![AlertKind::EarlyClockOut]
        );
        assert!(due(&r, &slot(Some(0), Some(230)), at(300)).is_empty());
        assert_eq!(
            due(&r, &slot(Some(40), None), at(256)),
            vec![AlertKind::LateClockIn, AlertKind::Overrun]
        );
    }

    #[test]
    fn an_officer_given_the_slot_after_the_start_is_expected_from_then() {
        let r = AlertRules::default();
        let mut s = slot(None, None);
        s.held_since = at(20);
        assert!(due(&r, &s, at(34)).is_empty());
        assert_eq!(due(&r, &s, at(35)), vec![AlertKind::NoShow]);
        s.clock_in = Some(at(24));
        assert!(due(&r, &s, at(60)).is_empty(), "on time from the award");
    }

    #[test]
    fn a_doubtful_punch_is_raised_whatever_the_times() {
        let r = AlertRules::default();
        let mut s = slot(Some(0), None);
        s.punch_needs_review = true;
        assert_eq!(due(&r, &s, at(10)), vec![AlertKind::PunchReview]);
    }

    #[test]
    fn escalation_and_reminder_windows() {
        let r = AlertRules::default();
        assert!(!escalation_due(&r, at(0), at(14)));
        assert!(escalation_due(&r, at(0), at(15)));
        assert!(!reminder_due(&r, at(120), at(59)));
        assert!(reminder_due(&r, at(120), at(60)));
        assert!(reminder_due(&r, at(120), at(119)));
        assert!(!reminder_due(&r, at(120), at(120)), "started: too late");
        let off = AlertRules {
            reminder_lead_minutes: 0,
            ..AlertRules::default()
        };
        assert!(!reminder_due(&off, at(120), at(119)));
    }

    #[test]
    fn kinds_read_back_and_rules_are_checked() {
        for k in AlertKind::ALL {
            assert_eq!(AlertKind::parse(k.as_str()), k);
            assert_eq!(
                serde_json::to_value(k).expect("json"),
                serde_json::json!(k.as_str())
            );
        }
        assert_eq!(AlertKind::parse("running_late"), AlertKind::RunningLate);
        assert_eq!(AlertKind::parse("from_the_future"), AlertKind::Other);
        assert!(AlertRules::default().validate().is_ok());
        let bad = AlertRules {
            late_tolerance_minutes: 30,
            ..AlertRules::default()
        };
        assert_eq!(
            bad.validate().expect_err("inconsistent").field,
            "late_tolerance_minutes"
        );
        let long = AlertRules {
            escalate_after_minutes: MAX_MINUTES + 1,
            ..AlertRules::default()
        };
        assert!(long.validate().is_err());
        let partial: AlertRules =
            serde_json::from_value(serde_json::json!({"no_show_grace_minutes": 20}))
                .expect("partial rules");
        assert_eq!(partial.no_show_grace_minutes, 20);
        assert_eq!(partial.reminder_lead_minutes, 60);
    }
}
