//! What the officer reads about a decided action: one sentence per outcome, written here once
//! for every shell (the terminal client, Kotlin, Swift).

use chrono_tz::Tz;

use offduty_domain::protocol::Outcome;
use offduty_domain::punch::PunchVerdict;

use crate::actions::OFFERED_ON_BOARD;

/// What an officer who reported running late reads: when the department expects them, in
/// the department's time (decision 048).
pub fn expected_at(eta: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    format!(
        "Running late: the department expects you at {}.",
        eta.with_timezone(&tz).format("%H:%M")
    )
}

/// A sentence for the officer about what the server decided.
pub fn text(outcome: &Outcome, tz: Tz) -> String {
    match outcome {
        Outcome::Awarded { .. } => {
            "Awarded: the slot is yours — it is now one of your shifts.".into()
        }
        Outcome::Requested { position, .. } => {
            format!("Requested: you are #{position} in line; slots are awarded when signups close.")
        }
        Outcome::Waitlisted { position, .. } => {
            format!("Every slot is taken: you are #{position} on the waitlist.")
        }
        Outcome::Withdrawn { .. } => "Withdrawn: you are out of the line for this job.".into(),
        Outcome::Cancelled { promoted: true, .. } => {
            "Cancelled: an officer from the waitlist took your slot.".into()
        }
        Outcome::Cancelled {
            promoted: false, ..
        } => "Cancelled: the slot is back on the board.".into(),
        Outcome::Transferred {
            to_officer_id: Some(_),
            ..
        } => "Transferred: the shift now belongs to the officer you named.".into(),
        Outcome::Transferred {
            to_officer_id: None,
            ..
        } => OFFERED_ON_BOARD.into(),
        Outcome::LateReported { eta, .. } => expected_at(*eta, tz),
        Outcome::Punched {
            verdict, reasons, ..
        } => {
            let why: Vec<String> = reasons.iter().map(|r| r.explain()).collect();
            match verdict {
                PunchVerdict::Verified => "Recorded and verified by the server.".into(),
                PunchVerdict::NeedsReview => {
                    format!("Recorded by the server; needs review: {}", why.join(" "))
                }
                PunchVerdict::Rejected => {
                    format!("Recorded but rejected by the server: {}", why.join(" "))
                }
            }
        }
        Outcome::Rejected {
            reason, ineligible, ..
        } => {
            if ineligible.is_empty() {
                format!("Refused: {reason}")
            } else {
                let why: Vec<String> = ineligible.iter().map(|r| r.explain(tz)).collect();
                format!("Refused: {}", why.join(" "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offduty_domain::eligibility::IneligibleReason;
    use offduty_domain::protocol::RejectCode;
    use offduty_domain::punch::PunchReason;
    use uuid::Uuid;

    #[test]
    fn every_outcome_reads_as_a_sentence() {
        let id = Uuid::nil();
        let tz = chrono_tz::America::New_York;
        assert_eq!(
            text(
                &Outcome::Waitlisted {
                    assignment_id: id,
                    position: 3
                },
                tz
            ),
            "Every slot is taken: you are #3 on the waitlist."
        );
        assert_eq!(
            text(
                &Outcome::Transferred {
                    assignment_id: id,
                    to_officer_id: None
                },
                tz
            ),
            OFFERED_ON_BOARD
        );
        let review = Outcome::Punched {
            timecard_id: id,
            event_id: id,
            verdict: PunchVerdict::NeedsReview,
            reasons: vec![PunchReason::MockLocation],
        };
        assert_eq!(
            text(&review, tz),
            "Recorded by the server; needs review: Location is from a mock provider."
        );
        let refused = Outcome::Rejected {
            code: RejectCode::NotEligible,
            reason: "ignored when reasons are given".into(),
            ineligible: vec![IneligibleReason::NoPermit],
        };
        assert_eq!(
            text(&refused, tz),
            "Refused: You have no secondary-employment permit on file."
        );
        // 23:15 UTC on Dec 12 is 18:15 in New York.
        let late = Outcome::LateReported {
            assignment_id: id,
            minutes_late: 15,
            eta: chrono::DateTime::from_timestamp(1_765_581_300, 0).unwrap(),
        };
        assert_eq!(
            text(&late, tz),
            "Running late: the department expects you at 18:15."
        );
    }
}
