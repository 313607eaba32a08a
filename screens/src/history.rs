//! The officer's own history (issue 12): the shifts they worked, month by month (newest
//! first) with each month's totals — date, site, paid hours, amount, and when it was invoiced
//! and paid — drawn from the same synced timecards as the earnings screen (its rows and
//! totals), plus the department's PDF of the same history (`GET /v1/me/history.pdf`), saved to
//! a file the shell names.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use offduty_core::earnings::Totals;
use offduty_domain::earnings::EarningsTotals;

use crate::earnings::{EarningsRow, EarningsSummary, row, summary};
use crate::text::Msg;
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncKind, SyncStatus, lock};

/// One month of past shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryMonth {
    /// `November 2026` (the shifts' local dates).
    pub label: String,
    pub summary: EarningsSummary,
    /// Newest first.
    pub rows: Vec<EarningsRow>,
}

/// What the history screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryState {
    pub sync: SyncStatus,
    /// Newest first.
    pub months: Vec<HistoryMonth>,
    /// Every past shift shown.
    pub total: EarningsSummary,
    /// Why there is nothing to show, when there is not.
    pub empty: Option<String>,
    /// `Download as PDF`.
    pub pdf_label: String,
    /// The PDF is being fetched.
    pub downloading: bool,
    /// Where the last download was saved (for the shell to open or share).
    pub saved_pdf: Option<String>,
    pub notice: Option<Notice>,
}

#[derive(Default)]
struct Ui {
    downloading: bool,
    saved: Option<String>,
    notice: Option<Notice>,
}

/// The history screen.
pub struct HistoryScreen {
    root: Arc<Screens>,
    ui: Mutex<Ui>,
    notifier: Notifier,
}

impl Live for HistoryScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

/// A calendar month, newest first in a `BTreeMap`.
type MonthKey = std::cmp::Reverse<(i32, u32)>;
/// A month being gathered: a day in it, its totals and its rows.
type Month = (NaiveDate, Totals, Vec<EarningsRow>);

fn month_label(d: NaiveDate) -> String {
    d.format("%B %Y").to_string()
}

impl HistoryScreen {
    pub(crate) fn new(root: Arc<Screens>) -> HistoryScreen {
        HistoryScreen {
            root,
            ui: Mutex::new(Ui::default()),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        f(&mut lock(&self.ui));
        self.notifier.notify();
    }

    /// What to draw now: the shifts that have started, by month.
    pub fn state(&self) -> HistoryState {
        let sync = self.root.sync_status();
        let core = self.root.core();
        let fmt = self.root.fmt();
        let (downloading, saved_pdf, mut notice) = {
            let ui = lock(&self.ui);
            (ui.downloading, ui.saved.clone(), ui.notice.clone())
        };
        let report = match core.earnings() {
            Ok(r) => Some(r),
            Err(e) => {
                notice = Some(Notice::from_error(&e));
                None
            }
        };
        let now = core.now();
        let cur = report
            .as_ref()
            .map_or_else(|| "USD".to_string(), |r| r.currency.clone());
        // Months keyed by (year, month), newest first; shifts keep the report's order (newest
        // first).
        let mut months: BTreeMap<MonthKey, Month> = BTreeMap::new();
        let mut total = Totals {
            label: Msg::HistoryTotal.text(),
            ..Totals::default()
        };
        for s in report.iter().flat_map(|r| &r.shifts) {
            if s.starts_at > now {
                continue;
            }
            let key = std::cmp::Reverse((s.date.year(), s.date.month()));
            let (_, totals, rows) = months.entry(key).or_insert_with(|| {
                (
                    s.date,
                    Totals {
                        label: month_label(s.date),
                        sums: EarningsTotals::default(),
                        ..Totals::default()
                    },
                    Vec::new(),
                )
            });
            totals.sums.add(s.gross_cents, s.billable_minutes, s.status);
            total.sums.add(s.gross_cents, s.billable_minutes, s.status);
            rows.push(row(s, &cur, &fmt));
        }
        let months: Vec<HistoryMonth> = months
            .into_values()
            .map(|(day, totals, rows)| HistoryMonth {
                label: month_label(day),
                summary: summary(&totals, &cur),
                rows,
            })
            .collect();
        let empty = months.is_empty().then(|| {
            match sync.kind {
                SyncKind::Never => Msg::EarningsNeverSynced,
                SyncKind::Offline if sync.last_sync.is_none() => Msg::EarningsNeverSynced,
                _ => Msg::HistoryEmpty,
            }
            .text()
        });
        HistoryState {
            sync,
            months,
            total: summary(&total, &cur),
            empty,
            pdf_label: Msg::HistoryPdf.text(),
            downloading,
            saved_pdf,
            notice,
        }
    }

    /// Downloads the department's PDF of this history to `path` (a file in the shell's cache
    /// or downloads folder); the notice says it was saved, or why not (offline, session ended).
    pub async fn download_pdf(&self, path: String) {
        self.update(|ui| {
            ui.downloading = true;
            ui.notice = None;
        });
        let target = PathBuf::from(&path);
        let saved = self.root.core().save_history_pdf(&target).await;
        self.update(|ui| {
            ui.downloading = false;
            match saved {
                Ok(bytes) => {
                    ui.saved = Some(path);
                    let kb = bytes.div_ceil(1024).to_string();
                    ui.notice = Some(Notice::new(
                        NoticeKind::Success,
                        Msg::HistoryPdfSaved.with(&[("kb", &kb)]),
                    ));
                }
                Err(offduty_core::CoreError::Offline(_)) => {
                    ui.notice = Some(Notice::new(NoticeKind::Info, Msg::HistoryPdfOffline.text()));
                }
                Err(e) => ui.notice = Some(Notice::from_error(&e)),
            }
        });
    }

    /// Pull to refresh: syncs (approvals, invoices and payments arrive this way).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.update(|ui| ui.notice = None);
    }
}
