//! What a notice says on a phone's lock screen, in a mail or a text: a short title, one
//! sentence, and the data the phone needs to open the right screen. A kind this server cannot
//! read (written by a newer version) still gets a plain message, never nothing.

use std::collections::BTreeMap;

use offduty_domain::notice::{AwardedHow, Notice};

use super::Message;

/// The message for notification `id` whose payload is `notice` (`None`: a kind this version
/// does not know, named by `kind`).
pub fn render(id: &str, kind: &str, notice: Option<&Notice>, urgent: bool) -> Message {
    let (title, body) = match notice {
        Some(n) => words(n),
        None => (
            "Off-duty update".to_string(),
            "Open the app to see what changed.".to_string(),
        ),
    };
    let mut data = BTreeMap::new();
    data.insert("notification_id".to_string(), id.to_string());
    data.insert("kind".to_string(), kind.to_string());
    if let Some(n) = notice {
        data.insert("job_id".to_string(), n.job_id().to_string());
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

fn words(n: &Notice) -> (String, String) {
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
        let m = render("n1", n.kind(), Some(&n), true);
        assert_eq!(m.title, "Cancelled: Gate 3");
        assert_eq!(m.data["kind"], "job_cancelled");
        assert_eq!(m.data["job_id"], Uuid::from_u128(5).to_string());
        assert_eq!(m.data["notification_id"], "n1");
        let m = render("n2", "shift_reminder", None, false);
        assert!(!m.title.is_empty() && !m.body.is_empty());
        assert!(!m.data.contains_key("job_id"));
    }
}
