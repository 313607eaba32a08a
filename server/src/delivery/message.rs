//! What a notice says on a phone's lock screen, in a mail or a text: a short title, one
//! sentence, and the data the phone needs to open the right screen. A kind this server cannot
//! read (written by a newer version) still gets a plain message, never nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use offduty_domain::notice::{AwardedHow, Notice};
use offduty_domain::policy::CancelWindow;

use super::Message;

/// The message for notification `id` whose payload is `notice` (`None`: a kind this version
/// does not know, named by `kind`). Times are written in `tz`, the addressee's department's.
pub fn render(id: &str, kind: &str, notice: Option<&Notice>, urgent: bool, tz: Tz) -> Message {
    let (title, body) = match notice {
        Some(n) => words(n, tz),
        None => (
            "Off-duty update".to_string(),
            "Open the app to see what changed.".to_string(),
        ),
    };
    let mut data = BTreeMap::new();
    data.insert("notification_id".to_string(), id.to_string());
    data.insert("kind".to_string(), kind.to_string());
    if let Some(job_id) = notice.and_then(Notice::job_id) {
        data.insert("job_id".to_string(), job_id.to_string());
    }
    Message {
        id: id.to_string(),
        title,
        body,
        urgent,
        data,
        attachments: Vec::new(),
    }
}

/// `Sat Dec 12, 18:00` in the department's zone.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %b %-d, %H:%M").to_string()
}

fn words(n: &Notice, tz: Tz) -> (String, String) {
    match n {
        Notice::Awarded { title, how, .. } => {
            let how = match how {
                AwardedHow::Waitlist => "You moved up from the waitlist.",
                AwardedHow::Transfer => "A colleague handed the shift to you.",
                AwardedHow::Award => "The award rule chose you.",
                AwardedHow::SlotAdded => "A slot was added for you.",
                AwardedHow::Other => "The slot is yours.",
            };
            (format!("Shift awarded: {title}"), how.to_string())
        }
        Notice::Waitlisted {
            title, position, ..
        } => (
            format!("Waitlisted: {title}"),
            format!("Signups closed; you are number {position} on the waitlist."),
        ),
        Notice::SlotTakenOver { title, .. } => (
            format!("Slot taken over: {title}"),
            "Someone took over the slot you offered.".to_string(),
        ),
        Notice::JobCancelled { title, .. } => (
            format!("Cancelled: {title}"),
            "The department called off this job. You are no longer expected there.".to_string(),
        ),
        Notice::JobChanged {
            title,
            changed,
            still_eligible,
            reasons,
            ..
        } => {
            let mut body = format!("Changed: {}.", changed.join(", "));
            if !still_eligible {
                body.push_str(&format!(
                    " You may no longer work it: {}.",
                    reasons.join("; ")
                ));
            }
            (format!("Job changed: {title}"), body)
        }
        Notice::HolderNoLongerEligible {
            title,
            display_name,
            reasons,
            ..
        } => (
            format!("Reassign: {title}"),
            format!(
                "{display_name} may no longer work this job: {}.",
                reasons.join("; ")
            ),
        ),
        Notice::TimecardRejected { reason, .. } => (
            "Timecard rejected".to_string(),
            format!("Your coordinator rejected a timecard: {reason}"),
        ),
        Notice::ShiftAlert {
            title,
            alert,
            display_name,
            starts_at,
            escalated,
            ..
        } => {
            let what = offduty_domain::alerts::AlertKind::label(*alert);
            let head = if *escalated {
                format!("Escalated — {what}: {title}")
            } else {
                format!("{what}: {title}")
            };
            let mut body = format!(
                "{display_name}, shift starting {}. Acknowledge it in the console's Alerts page.",
                local(*starts_at, tz)
            );
            if *escalated {
                body.push_str(" Nobody has acknowledged it yet.");
            }
            (head, body)
        }
        Notice::NoShowAtEvent {
            title,
            starts_at,
            replaced,
            ..
        } => (
            format!("Officer late or absent: {title}"),
            format!(
                "An officer did not clock in for the shift starting {}. {}",
                local(*starts_at, tz),
                if *replaced {
                    "Another officer from the waitlist has been assigned."
                } else {
                    "The department is finding a replacement."
                }
            ),
        ),
        Notice::ShiftReminder {
            title,
            site_name,
            starts_at,
            ..
        } => (
            format!("Shift soon: {title}"),
            format!(
                "Your shift at {site_name} starts {}. Clock in on site.",
                local(*starts_at, tz)
            ),
        ),
        Notice::AffiliateInvitation {
            organization,
            department,
            link,
            expires_at,
            ..
        } => (
            format!("{department} invites {organization}"),
            format!(
                "{department} invites {organization} to request officers as an affiliate. Open \
                 {link} to set your password; the link works once, until {}.",
                local(*expires_at, tz)
            ),
        ),
        Notice::LateCancellation {
            title,
            display_name,
            starts_at,
            window,
            replaced,
            ..
        } => {
            let how = match window {
                CancelWindow::Free => "",
                CancelWindow::NeedsReplacement => " inside the late-cancellation window",
                CancelWindow::CallCoordinator => " at short notice",
            };
            (
                format!("Late cancellation: {title}"),
                format!(
                    "{display_name} cancelled the shift starting {}{how}. {}",
                    local(*starts_at, tz),
                    if *replaced {
                        "The next officer in line took the slot."
                    } else {
                        "The slot is open: reassign it."
                    }
                ),
            )
        }
        Notice::RunningLate {
            title,
            display_name,
            starts_at,
            expected_at,
            ..
        } => (
            format!("Running late: {title}"),
            format!(
                "{display_name} is running late for the shift starting {} and expects to arrive \
                 at {}.",
                local(*starts_at, tz),
                local(*expected_at, tz)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_message_carries_the_deep_link_and_an_unknown_kind_still_says_something() {
        let n = Notice::JobCancelled {
            job_id: Uuid::from_u128(5),
            title: "Gate 3".into(),
        };
        let m = render("n1", n.kind(), Some(&n), true, Tz::UTC);
        assert_eq!(m.title, "Cancelled: Gate 3");
        assert_eq!(m.data["kind"], "job_cancelled");
        assert_eq!(m.data["job_id"], Uuid::from_u128(5).to_string());
        assert_eq!(m.data["notification_id"], "n1");
        let m = render("n2", "from_the_future", None, false, Tz::UTC);
        assert!(!m.title.is_empty() && !m.body.is_empty());
        assert!(!m.data.contains_key("job_id"));
    }

    #[test]
    fn alerts_reminders_and_late_cancellations_say_when_in_the_departments_zone() {
        let job_id = Uuid::from_u128(5);
        // 23:00 UTC on Dec 12 is 18:00 in New York.
        let starts_at = chrono::DateTime::from_timestamp(1_765_580_400, 0).unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        let alert = Notice::ShiftAlert {
            job_id,
            title: "Gate 3".into(),
            alert_id: Uuid::from_u128(1),
            alert: offduty_domain::alerts::AlertKind::NoShow,
            officer_id: Uuid::from_u128(2),
            display_name: "Officer Ruiz".into(),
            starts_at,
            escalated: true,
        };
        let m = render("n", alert.kind(), Some(&alert), true, ny);
        assert_eq!(m.title, "Escalated — No-show: Gate 3");
        assert!(m.body.contains("Fri Dec 12, 18:00"), "{}", m.body);
        assert!(m.body.contains("Nobody has acknowledged"));
        let reminder = Notice::ShiftReminder {
            job_id,
            title: "Gate 3".into(),
            site_name: "Stadium".into(),
            starts_at,
        };
        let m = render("n", reminder.kind(), Some(&reminder), true, ny);
        assert_eq!(m.title, "Shift soon: Gate 3");
        assert_eq!(
            m.body,
            "Your shift at Stadium starts Fri Dec 12, 18:00. Clock in on site."
        );
        let late = Notice::LateCancellation {
            job_id,
            title: "Gate 3".into(),
            officer_id: Uuid::from_u128(2),
            display_name: "Officer Ruiz".into(),
            starts_at,
            window: CancelWindow::NeedsReplacement,
            replaced: false,
        };
        let m = render("n", late.kind(), Some(&late), true, ny);
        assert_eq!(
            m.body,
            "Officer Ruiz cancelled the shift starting Fri Dec 12, 18:00 inside the \
             late-cancellation window. The slot is open: reassign it."
        );
    }

    #[test]
    fn an_invitation_mail_carries_its_link_and_expiry_and_no_job() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let invitation = Notice::AffiliateInvitation {
            organization_id: Uuid::from_u128(1),
            organization: "Buckeye Security Group".into(),
            department: "Columbus PD".into(),
            link: "https://console.example/console/invitation?token=oda1.abc".into(),
            expires_at: "2026-12-12T23:00:00Z".parse().unwrap(),
        };
        let m = render("n", invitation.kind(), Some(&invitation), false, ny);
        assert_eq!(m.title, "Columbus PD invites Buckeye Security Group");
        assert!(
            m.body
                .contains("https://console.example/console/invitation?token=oda1.abc")
                && m.body.contains("until Sat Dec 12, 18:00"),
            "{}",
            m.body
        );
        assert!(!m.data.contains_key("job_id"), "an invitation opens no job");
    }

    #[test]
    fn running_late_says_the_expected_arrival_in_the_departments_zone() {
        // 23:00 UTC on Dec 12 is 18:00 in New York.
        let starts_at = chrono::DateTime::from_timestamp(1_765_580_400, 0).unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        let late = Notice::RunningLate {
            job_id: Uuid::from_u128(5),
            title: "Gate 3".into(),
            officer_id: Uuid::from_u128(2),
            display_name: "Officer Ruiz".into(),
            starts_at,
            expected_at: starts_at + chrono::Duration::minutes(15),
        };
        let m = render("n", late.kind(), Some(&late), true, ny);
        assert_eq!(m.title, "Running late: Gate 3");
        assert_eq!(
            m.body,
            "Officer Ruiz is running late for the shift starting Fri Dec 12, 18:00 and expects \
             to arrive at Fri Dec 12, 18:15."
        );
    }
}
