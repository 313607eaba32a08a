//! My shifts: the shifts the officer holds, the jobs they wait in line for, and past shifts, in
//! sections; each row with its standing, the action waiting to sync or the reason it could not
//! be sent, and the server's refusal of the officer's last action (a cancel nobody could take
//! over); cancel with the window said before confirming, hand a shift to a named officer
//! (directory search, online only) or offer it back to the board.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::board::JobCard;
use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_domain::protocol::AssignmentStatus;

use crate::actions::{self, JobAction, JobActionKind};
use crate::text::Msg;
use crate::transfer::{TransferPicker, Transfers};
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncKind, SyncStatus, lock};

/// Past shifts shown (newest first).
pub const PAST_ROWS: usize = 50;

/// Which part of the list a shift is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShiftSectionKind {
    /// Shifts the officer holds (or held, with a cancel or transfer on its way).
    Upcoming,
    /// Requested, waitlisted, or a claim waiting to sync.
    InLine,
    /// Over (the clock-out window closed).
    Past,
}

/// One shift, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRow {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub standing: StandingKind,
    /// `Your shift`, `Waitlisted #3`, `Cancellation waiting to sync`, `Could not send …`.
    pub standing_text: String,
    /// The action waiting to sync, if any.
    pub pending: Option<ActionKind>,
    /// Why that action could not be sent (retry or discard it on the activity screen).
    pub wedged: Option<String>,
    /// The server's refusal of the officer's last action on this shift, in the rules' words.
    pub refused: Option<String>,
    /// The actions open on this shift now (none on past shifts).
    pub actions: Vec<JobAction>,
}

/// One section of the list (only sections with rows are listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSection {
    pub kind: ShiftSectionKind,
    pub title: String,
    pub rows: Vec<ShiftRow>,
}

/// What my-shifts shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftsState {
    pub sync: SyncStatus,
    /// A pull to refresh is running.
    pub refreshing: bool,
    pub sections: Vec<ShiftSection>,
    /// Why the list is empty, when it is.
    pub empty: Option<String>,
    /// The "give this shift to…" panel, while open.
    pub transfer: Option<TransferPicker>,
    /// An action is being sent.
    pub busy: bool,
    pub notice: Option<Notice>,
}

#[derive(Default)]
struct Ui {
    busy: bool,
    notice: Option<Notice>,
}

/// The my-shifts screen.
pub struct ShiftsScreen {
    root: Arc<Screens>,
    ui: Mutex<Ui>,
    transfers: Transfers,
    notifier: Notifier,
}

impl Live for ShiftsScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

fn section_of(card: &JobCard, current: bool) -> Option<ShiftSectionKind> {
    let s = &card.standing;
    match (current, s.status) {
        (false, Some(AssignmentStatus::Awarded)) => Some(ShiftSectionKind::Past),
        // A place in line on a job that is over: nothing to show.
        (false, _) => None,
        (true, Some(AssignmentStatus::Awarded)) => Some(ShiftSectionKind::Upcoming),
        (true, _) => Some(ShiftSectionKind::InLine),
    }
}

impl ShiftsScreen {
    pub(crate) fn new(root: Arc<Screens>) -> ShiftsScreen {
        ShiftsScreen {
            root,
            ui: Mutex::new(Ui::default()),
            transfers: Transfers::default(),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    /// What to draw now.
    pub fn state(&self) -> ShiftsState {
        let (busy, mut notice) = {
            let ui = lock(&self.ui);
            (ui.busy, ui.notice.clone())
        };
        let sync = self.root.sync_status();
        let fmt = self.root.fmt();
        let core = self.root.core();
        let cards = core.my_jobs(true).unwrap_or_else(|e| {
            notice.get_or_insert_with(|| Notice::from_error(&e));
            Vec::new()
        });
        let mut upcoming = Vec::new();
        let mut in_line = Vec::new();
        let mut past = Vec::new();
        let mut picker_offer = None;
        let refusals = core.refusals().unwrap_or_default();
        for card in &cards {
            let Some(kind) = section_of(card, core.is_current_shift(card)) else {
                continue;
            };
            let actions = match kind {
                ShiftSectionKind::Past => Vec::new(),
                _ => actions::for_job(&self.root, card).unwrap_or_default(),
            };
            if self.transfers.job() == Some(card.job.id) {
                picker_offer = actions
                    .iter()
                    .find(|a| a.kind == JobActionKind::Offer)
                    .cloned();
            }
            let row = ShiftRow {
                job_id: card.job.id.to_string(),
                title: card.job.title.clone(),
                site: card.job.site_name.clone(),
                when: fmt.range(card.job.starts_at, card.job.ends_at),
                starts_at: SystemTime::from(card.job.starts_at),
                standing: card.standing.kind(),
                standing_text: card.standing_text.clone(),
                pending: card.standing.pending,
                wedged: card.standing.wedged.clone(),
                refused: refusals.get(&card.job.id).map(|r| r.text.clone()),
                actions,
            };
            match kind {
                ShiftSectionKind::Upcoming => upcoming.push(row),
                ShiftSectionKind::InLine => in_line.push(row),
                ShiftSectionKind::Past => past.push(row),
            }
        }
        past.reverse();
        past.truncate(PAST_ROWS);
        let sections: Vec<ShiftSection> = [
            (ShiftSectionKind::Upcoming, Msg::ShiftsUpcoming, upcoming),
            (ShiftSectionKind::InLine, Msg::ShiftsInLine, in_line),
            (ShiftSectionKind::Past, Msg::ShiftsPast, past),
        ]
        .into_iter()
        .filter(|(_, _, rows)| !rows.is_empty())
        .map(|(kind, title, rows)| ShiftSection {
            kind,
            title: title.text(),
            rows,
        })
        .collect();
        let empty = sections.is_empty().then(|| {
            match sync.last_sync {
                None => Msg::ShiftsEmptyNeverSynced,
                Some(_) => Msg::ShiftsEmpty,
            }
            .text()
        });
        ShiftsState {
            refreshing: sync.kind == SyncKind::Syncing,
            sync,
            sections,
            empty,
            transfer: self.transfers.state(&self.root, picker_offer),
            busy,
            notice,
        }
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        f(&mut lock(&self.ui));
        self.notifier.notify();
    }

    /// Performs an action a row offers, after its confirmation (`reason`: a cancel's optional
    /// reason). `Transfer` opens the officer search for that shift (`transfer_to` finishes
    /// it). A refusal, the server's decision, or "saved, will be sent" becomes the notice.
    pub async fn perform(&self, job_id: String, kind: JobActionKind, reason: Option<String>) {
        let Ok(id) = job_id.trim().parse::<Uuid>() else {
            return self.update(|ui| {
                ui.notice = Some(Notice::new(NoticeKind::Refused, Msg::JobMissing.text()));
            });
        };
        self.run(id, kind, reason, None).await;
    }

    async fn run(&self, id: Uuid, kind: JobActionKind, reason: Option<String>, to: Option<Uuid>) {
        let show = |busy: Option<bool>, notice: Option<Notice>| {
            self.update(|ui| {
                if let Some(b) = busy {
                    ui.busy = b;
                }
                ui.notice = notice;
            })
        };
        self.transfers
            .perform(&self.root, id, kind, reason, to, show)
            .await;
    }

    /// Searches the department's officers by name or badge for the open transfer (online
    /// only: offline, the panel says so).
    pub async fn search_officers(&self, query: String) {
        self.transfers
            .search(&self.root, query, &self.notifier)
            .await;
    }

    /// Hands the shift of the open transfer to the officer picked (after the match's
    /// confirmation).
    pub async fn transfer_to(&self, officer_id: String) {
        let (Some(job_id), Ok(to)) = (self.transfers.job(), officer_id.trim().parse::<Uuid>())
        else {
            // Only a shell bug gets here (no search open, or an id it did not get from us).
            return tracing::warn!(%officer_id, "transfer_to without an open search or a valid officer id");
        };
        self.run(job_id, JobActionKind::Transfer, None, Some(to))
            .await;
    }

    /// Closes the officer search.
    pub fn close_transfer(&self) {
        self.transfers.close();
        self.notifier.notify();
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.update(|ui| ui.notice = None);
    }

    /// Pull to refresh: syncs (every live screen hears of it).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }
}
