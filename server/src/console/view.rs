//! What the console's pages show, in words: job times in the department's time zone, award
//! rules, statuses. Pure functions from the domain's values to text.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use offduty_domain::award::AwardRule;
use offduty_domain::protocol::{AssignmentStatus, JobStatus};

/// A shift's start and end in the department's zone: `Tue 8 Dec 2026, 07:00–15:00 EST`, or both
/// dates when it ends on another day.
pub fn shift(starts: DateTime<Utc>, ends: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (starts.with_timezone(&tz), ends.with_timezone(&tz));
    if s.date_naive() == e.date_naive() {
        format!(
            "{}–{} {}",
            s.format("%a %-d %b %Y, %H:%M"),
            e.format("%H:%M"),
            e.format("%Z")
        )
    } else {
        format!(
            "{} – {} {}",
            s.format("%a %-d %b %Y, %H:%M"),
            e.format("%a %-d %b, %H:%M"),
            e.format("%Z")
        )
    }
}

/// How a job's slots are awarded.
pub fn award_rule(rule: &AwardRule) -> String {
    match rule {
        AwardRule::FirstCome => "First come".into(),
        AwardRule::Seniority => "Seniority".into(),
        AwardRule::FewestHours { window_days } => format!("Fewest hours ({window_days} days)"),
        AwardRule::Rotation => "Rotation".into(),
        AwardRule::Lottery { .. } => "Lottery".into(),
    }
}

/// An hourly rate: `45.00 USD an hour`, with the job's multiplier when it is not ×1.
pub fn rate(cents: i64, multiplier_bp: u32, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let base = format!("{sign}{}.{:02} {currency} an hour", c / 100, c % 100);
    if multiplier_bp == 10_000 {
        base
    } else {
        let m = f64::from(multiplier_bp) / 10_000.0;
        format!("{base} × {m}")
    }
}

/// A job's status.
pub fn job_status(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Open => "Open",
        JobStatus::Filled => "Filled",
        JobStatus::Cancelled => "Called off",
        JobStatus::Completed => "Completed",
    }
}

/// Where an officer stands on a job.
pub fn assignment_status(s: AssignmentStatus) -> &'static str {
    match s {
        AssignmentStatus::Requested => "Requested",
        AssignmentStatus::Awarded => "Awarded",
        AssignmentStatus::Waitlisted => "Waitlisted",
        AssignmentStatus::Withdrawn => "Withdrew",
        AssignmentStatus::Cancelled => "Cancelled",
        AssignmentStatus::TransferredOut => "Transferred",
        AssignmentStatus::JobCancelled => "Job called off",
    }
}

/// Minutes worked as people read them: `4 h 05 min`.
pub fn worked(minutes: i64) -> String {
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shifts_read_in_the_departments_zone() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let s = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
        assert_eq!(
            shift(s, s + chrono::Duration::hours(8), tz),
            "Tue 8 Dec 2026, 07:00–15:00 EST"
        );
        assert_eq!(
            shift(
                s + chrono::Duration::hours(10),
                s + chrono::Duration::hours(18),
                tz
            ),
            "Tue 8 Dec 2026, 17:00 – Wed 9 Dec, 01:00 EST"
        );
    }

    #[test]
    fn rates_show_cents_and_a_multiplier() {
        assert_eq!(rate(4500, 10_000, "USD"), "45.00 USD an hour");
        assert_eq!(rate(4505, 15_000, "USD"), "45.05 USD an hour × 1.5");
    }

    #[test]
    fn award_rules_name_their_window() {
        assert_eq!(
            award_rule(&AwardRule::FewestHours { window_days: 90 }),
            "Fewest hours (90 days)"
        );
        assert_eq!(award_rule(&AwardRule::Lottery { seed: 7 }), "Lottery");
    }
}
