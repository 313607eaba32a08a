//! The clock screen's reading of a shift's punches — made on this phone, decided by the server
//! (from the synced timecard, in the core's words) — and what to advise about a preview.

use std::time::SystemTime;

use uuid::Uuid;

use offduty_core::clock::PunchPreview;
use offduty_domain::protocol::{Outcome, PunchRecord};
use offduty_domain::punch::{PunchReason, PunchVerdict};
use offduty_domain::timecard::PunchKind;

use super::PunchLine;
use crate::Screens;
use crate::text::Msg;

/// What the phone knows of the shift's punches.
pub(super) struct Made {
    pub(super) clock_in: Option<PunchLine>,
    pub(super) clock_out: Option<PunchLine>,
    /// The server's record of each, with reasons (from the synced timecard).
    pub(super) records: [Option<PunchRecord>; 2],
}

impl Made {
    pub(super) fn line(&self, kind: PunchKind) -> Option<&PunchLine> {
        match kind {
            PunchKind::In => self.clock_in.as_ref(),
            PunchKind::Out => self.clock_out.as_ref(),
        }
    }

    pub(super) fn next(&self) -> Option<PunchKind> {
        match (&self.clock_in, &self.clock_out) {
            (None, _) => Some(PunchKind::In),
            (Some(_), None) => Some(PunchKind::Out),
            (Some(_), Some(_)) => None,
        }
    }
}

pub(super) fn reason_code(r: &PunchReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v["type"].as_str().map(String::from))
        .unwrap_or_default()
}

pub(super) fn kind_index(kind: PunchKind) -> usize {
    match kind {
        PunchKind::In => 0,
        PunchKind::Out => 1,
    }
}

/// The shift's punches as this phone made them and as the server decided them.
pub(super) fn made(root: &Screens, job: Uuid) -> Made {
    let core = root.core();
    let fmt = root.fmt();
    let local = core.punches(job).unwrap_or_default();
    let card = core.timecard(job).ok().flatten();
    let tz = fmt.tz;
    let line = |kind: PunchKind| -> Option<PunchLine> {
        let mine = local.iter().find(|p| p.kind == kind);
        let record = card.as_ref().and_then(|t| match kind {
            PunchKind::In => t.clock_in.as_ref(),
            PunchKind::Out => t.clock_out.as_ref(),
        });
        let at = mine.map(|p| p.at).or(record.map(|r| r.at))?;
        let server_verdict = record
            .map(|r| r.verdict)
            .or(mine.and_then(|p| p.server_verdict));
        let verdict_text = server_verdict.map(|verdict| {
            let outcome = Outcome::Punched {
                timecard_id: card.as_ref().map(|t| t.id).unwrap_or_default(),
                event_id: record.map(|r| r.event_id).unwrap_or_default(),
                verdict,
                reasons: record.map(|r| r.reasons.clone()).unwrap_or_default(),
            };
            offduty_core::outcome::text(&outcome, tz)
        });
        let msg = match kind {
            PunchKind::In => Msg::ClockLineIn,
            PunchKind::Out => Msg::ClockLineOut,
        };
        Some(PunchLine {
            kind,
            at: SystemTime::from(at),
            text: msg.with(&[("time", &fmt.relative(at, core.now()))]),
            local_verdict: mine.map(|p| p.local_verdict),
            server_verdict,
            verdict_text,
        })
    };
    Made {
        clock_in: line(PunchKind::In),
        clock_out: line(PunchKind::Out),
        records: [
            card.as_ref().and_then(|t| t.clock_in.clone()),
            card.as_ref().and_then(|t| t.clock_out.clone()),
        ],
    }
}

/// What to do about a previewed verdict: nothing when verified; for a rejected punch, what
/// would fix the first reason that rejects it; for one that needs review, that it can go
/// ahead.
pub(super) fn advice(kind: PunchKind, p: &PunchPreview) -> Option<String> {
    match p.verdict {
        PunchVerdict::Verified => None,
        PunchVerdict::NeedsReview => {
            let punch = match kind {
                PunchKind::In => Msg::ClockPunchIn,
                PunchKind::Out => Msg::ClockPunchOut,
            };
            Some(Msg::ClockAdviceReview.with(&[("punch", &punch.text())]))
        }
        PunchVerdict::Rejected => {
            let first = p
                .reasons
                .iter()
                .find(|r| r.reason.verdict() == PunchVerdict::Rejected);
            Some(
                match first.map(|r| &r.reason) {
                    Some(PunchReason::OutsideFence { .. }) => Msg::ClockAdviceMoveInside,
                    Some(PunchReason::MockLocation) => Msg::ClockAdviceNoMock,
                    _ => Msg::ClockAdviceRetry,
                }
                .text(),
            )
        }
    }
}
