//! Handing a shift to a named officer: a search of the department's directory by name or badge
//! (online only — offline the panel says so and offers the board instead), results ready to
//! draw with the confirmation for each, and the transfer itself. A panel of the job detail and
//! my-shifts screens; only the latest search's answer is shown, however the answers arrive.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::CoreError;
use offduty_domain::directory::{self, DirectoryEntry, MIN_QUERY_CHARS};
use offduty_domain::eligibility::Rank;

use crate::actions::{ConfirmDialog, JobAction, JobActionKind};
use crate::text::Msg;
use crate::{Notice, Notifier, Screens, SyncKind, lock};

/// One colleague the search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerMatch {
    pub officer_id: String,
    pub display_name: String,
    pub badge: String,
    pub rank: Rank,
    /// `Sergeant Sam Reynolds · #1187`.
    pub line: String,
    /// Show this when the officer picks them; `transfer_to` on confirm.
    pub confirm: ConfirmDialog,
}

/// The "give this shift to…" panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferPicker {
    pub job_id: String,
    pub job_title: String,
    /// `Give this shift to…`.
    pub title: String,
    /// What the officer typed.
    pub query: String,
    /// A search is on its way.
    pub searching: bool,
    pub results: Vec<OfficerMatch>,
    /// What to say instead of (or above) results: type more, no match, needs a connection.
    pub hint: Option<String>,
    /// The search needs a connection and the phone has none.
    pub offline: bool,
    /// The other way to hand the shift on: offer it back to the board.
    pub offer: Option<JobAction>,
}

enum Answer {
    Found(Vec<DirectoryEntry>),
    Offline,
    Failed(String),
}

struct Picker {
    job_id: Uuid,
    job_title: String,
    query: String,
    /// Bumped by every search; an answer for an older one is dropped.
    seq: u64,
    searching: bool,
    answer: Option<Answer>,
}

/// The panel's state inside a screen (closed until `open`).
#[derive(Default)]
pub(crate) struct Transfers {
    picker: Mutex<Option<Picker>>,
}

fn rank_label(rank: Rank) -> String {
    match rank {
        Rank::Officer => Msg::RankOfficer,
        Rank::Corporal => Msg::RankCorporal,
        Rank::Sergeant => Msg::RankSergeant,
        Rank::Lieutenant => Msg::RankLieutenant,
        Rank::Captain => Msg::RankCaptain,
        Rank::Commander => Msg::RankCommander,
        Rank::Chief => Msg::RankChief,
    }
    .text()
}

fn officer(e: &DirectoryEntry) -> OfficerMatch {
    OfficerMatch {
        officer_id: e.id.to_string(),
        display_name: e.display_name.clone(),
        badge: e.badge.clone(),
        rank: e.rank,
        line: Msg::OfficerLine.with(&[
            ("rank", &rank_label(e.rank)),
            ("name", &e.display_name),
            ("badge", &e.badge),
        ]),
        confirm: ConfirmDialog {
            title: Msg::ConfirmTransferTitle.text(),
            message: Msg::ConfirmTransfer.with(&[("name", &e.display_name)]),
            confirm_label: Msg::ActionTransfer.text(),
            cancel_label: Msg::Keep.text(),
            reason_label: None,
        },
    }
}

impl Transfers {
    /// Opens the panel for a job (a fresh search).
    pub(crate) fn open(&self, job_id: Uuid, job_title: String) {
        *lock(&self.picker) = Some(Picker {
            job_id,
            job_title,
            query: String::new(),
            seq: 0,
            searching: false,
            answer: None,
        });
    }

    /// How a screen that offers job actions (the job, my shifts) performs one. A transfer with
    /// no colleague picked yet opens the search (the notice cleared: `show(None, None)`);
    /// anything else runs with the screen busy (`show(Some(true), None)`), then leaves its
    /// notice (`show(Some(false), Some(notice))`); a transfer that went through closes the
    /// search. `show(busy, notice)`: `None` busy leaves it as it is.
    pub(crate) async fn perform(
        &self,
        root: &Screens,
        job_id: Uuid,
        kind: JobActionKind,
        reason: Option<String>,
        to: Option<Uuid>,
        show: impl Fn(Option<bool>, Option<Notice>),
    ) {
        if kind == JobActionKind::Transfer && to.is_none() {
            let title = root
                .core()
                .job(job_id, None)
                .map(|c| c.job.title)
                .unwrap_or_default();
            self.open(job_id, title);
            return show(None, None);
        }
        show(Some(true), None);
        let notice = crate::actions::perform(root, job_id, kind, reason, to).await;
        if notice.kind != crate::NoticeKind::Refused && kind == JobActionKind::Transfer {
            self.close();
        }
        show(Some(false), Some(notice));
    }

    /// Closes the panel.
    pub(crate) fn close(&self) {
        *lock(&self.picker) = None;
    }

    /// The job the panel is for, if open.
    pub(crate) fn job(&self) -> Option<Uuid> {
        lock(&self.picker).as_ref().map(|p| p.job_id)
    }

    /// What the panel shows; `offer` is the job's offer action, if the officer has one.
    pub(crate) fn state(&self, root: &Screens, offer: Option<JobAction>) -> Option<TransferPicker> {
        let guard = lock(&self.picker);
        let p = guard.as_ref()?;
        let me = root.core().session().ok().flatten().map(|s| s.officer_id);
        let mut results = Vec::new();
        let mut offline = root.sync_status().kind == SyncKind::Offline;
        let short = directory::search_query(&p.query).is_err();
        let hint = match (&p.answer, p.searching) {
            _ if short => Some(Msg::TransferHint.with(&[("min", &MIN_QUERY_CHARS.to_string())])),
            (_, true) => Some(Msg::TransferSearching.text()),
            (Some(Answer::Found(found)), false) => {
                // An answer means the server was reached, whatever the last sync said.
                offline = false;
                results = found
                    .iter()
                    .filter(|e| Some(e.id) != me)
                    .map(officer)
                    .collect();
                results
                    .is_empty()
                    .then(|| Msg::TransferNoMatch.with(&[("query", p.query.trim())]))
            }
            (Some(Answer::Offline), false) => {
                offline = true;
                None
            }
            (Some(Answer::Failed(why)), false) => Some(why.clone()),
            (None, false) => None,
        };
        let hint = match (offline, hint) {
            (true, None) => Some(Msg::TransferOffline.text()),
            (_, hint) => hint,
        };
        Some(TransferPicker {
            job_id: p.job_id.to_string(),
            job_title: p.job_title.clone(),
            title: Msg::TransferTitle.text(),
            query: p.query.clone(),
            searching: p.searching && !short,
            results,
            hint,
            offline,
            offer: offer.filter(|a| a.kind == JobActionKind::Offer),
        })
    }

    /// Searches the directory for `query` (as the officer types). Short queries ask for more
    /// letters without asking the server. `notifier` hears when the search starts and ends.
    pub(crate) async fn search(&self, root: &Arc<Screens>, query: String, notifier: &Notifier) {
        let seq = {
            let mut guard = lock(&self.picker);
            let Some(p) = guard.as_mut() else { return };
            p.seq += 1;
            p.query = query.clone();
            p.answer = None;
            p.searching = directory::search_query(&query).is_ok();
            if !p.searching {
                drop(guard);
                notifier.notify();
                return;
            }
            p.seq
        };
        notifier.notify();
        let answer = match root.core().search_officers(&query, None).await {
            Ok(found) => Answer::Found(found),
            Err(CoreError::Offline(_)) => Answer::Offline,
            Err(e) => Answer::Failed(Notice::from_error(&e).text),
        };
        {
            let mut guard = lock(&self.picker);
            let Some(p) = guard.as_mut().filter(|p| p.seq == seq) else {
                return;
            };
            p.searching = false;
            p.answer = Some(answer);
        }
        notifier.notify();
    }
}
