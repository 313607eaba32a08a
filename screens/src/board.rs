//! The job board: filters (near me with a radius, dates, minimum pay, job types, only
//! eligible), sort, rows ready to draw, the sync line, empty and offline states, pull to
//! refresh, and paging through a board of any size (50 rows at a time).

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use offduty_core::board::{BoardQuery, JobCard, Sort};
use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_domain::geofence::GeoPoint;
use offduty_domain::protocol::JobStatus;

use crate::format::{self, Fmt};
use crate::text::{Msg, award_label};
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncKind, SyncStatus, lock};

/// Rows per page.
pub const PAGE: u32 = 50;

/// How the board is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BoardSort {
    /// Soonest first.
    #[default]
    Soonest,
    /// Nearest first (needs the officer's location).
    Nearest,
    /// Best hourly pay first.
    BestPay,
}

/// The filters the officer set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardFilters {
    /// Only jobs within `radius_km` of the officer's location.
    pub near_me: bool,
    pub radius_km: f64,
    /// Only jobs starting at or after this (default: now).
    pub from: Option<SystemTime>,
    /// Only jobs starting before this.
    pub to: Option<SystemTime>,
    /// Only jobs paying at least this much an hour (cents, multipliers included).
    pub min_hourly_cents: Option<i64>,
    /// Only these job types (empty: all).
    pub job_types: Vec<String>,
    /// Only jobs the officer may work.
    pub only_eligible: bool,
}

impl Default for BoardFilters {
    fn default() -> Self {
        BoardFilters {
            near_me: false,
            radius_km: 25.0,
            from: None,
            to: None,
            min_hourly_cents: None,
            job_types: Vec::new(),
            only_eligible: false,
        }
    }
}

/// Whether the officer may work a job, as a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Eligibility {
    Eligible,
    NotEligible,
    /// Not known before the first sync.
    Unknown,
}

/// One row of the board, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRow {
    pub job_id: String,
    pub title: String,
    pub site: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub status: JobStatus,
    /// `$70.00/h`.
    pub pay: String,
    /// `≈ $280.00 for the shift`, once the department's pay rules are synced.
    pub estimate: Option<String>,
    /// `1 of 2 filled`.
    pub slots: String,
    /// Every slot is taken (a claim joins the waitlist, or takes an offered slot).
    pub full: bool,
    pub award: AwardRuleKind,
    /// `First come`, `Seniority`, …
    pub award_label: String,
    pub eligibility: Eligibility,
    /// `You can work this`, or the first reason not.
    pub eligibility_text: String,
    pub standing: StandingKind,
    /// `Your shift`, `Waitlisted #3`, `Claim waiting to sync`, or empty.
    pub standing_text: String,
    /// `1.9 km`, when the officer's location is known.
    pub distance: Option<String>,
}

/// What the board shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardState {
    pub sync: SyncStatus,
    /// A pull to refresh is running.
    pub refreshing: bool,
    pub filters: BoardFilters,
    /// The filters in words: `All upcoming jobs`, `within 10 km · $50.00/h or more`.
    pub filter_summary: String,
    pub sort: BoardSort,
    pub rows: Vec<BoardRow>,
    /// Jobs matching the date, pay, type and distance filters (before "only eligible").
    pub matched: u32,
    /// More rows follow: `load_more` shows them.
    pub has_more: bool,
    /// Why the board is empty, when it is.
    pub empty: Option<String>,
    /// Job types to offer in the filter.
    pub job_types: Vec<String>,
    pub notice: Option<Notice>,
}

#[derive(Default)]
struct Ui {
    filters: BoardFilters,
    sort: BoardSort,
    pages: u32,
    location: Option<GeoPoint>,
    notice: Option<Notice>,
}

/// The job board screen.
pub struct BoardScreen {
    root: Arc<Screens>,
    ui: Mutex<Ui>,
    notifier: Notifier,
}

impl Live for BoardScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

fn to_utc(t: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(t)
}

impl BoardScreen {
    pub(crate) fn new(root: Arc<Screens>) -> BoardScreen {
        BoardScreen {
            root,
            ui: Mutex::new(Ui {
                pages: 1,
                ..Ui::default()
            }),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    /// What to draw now.
    pub fn state(&self) -> BoardState {
        let ui = lock(&self.ui);
        let fmt = self.root.fmt();
        let sync = self.root.sync_status();
        let core = self.root.core();
        let near = ui.location;
        let query = BoardQuery {
            near,
            max_distance_m: (ui.filters.near_me && near.is_some())
                .then_some(ui.filters.radius_km * 1000.0),
            from: ui.filters.from.map(to_utc),
            to: ui.filters.to.map(to_utc),
            min_hourly_cents: ui.filters.min_hourly_cents,
            job_types: ui.filters.job_types.clone(),
            only_eligible: ui.filters.only_eligible,
            include_closed: false,
            sort: match (ui.sort, near) {
                (BoardSort::Nearest, Some(_)) => Sort::Distance,
                (BoardSort::BestPay, _) => Sort::Pay,
                _ => Sort::StartTime,
            },
            limit: Some((ui.pages.max(1) * PAGE) as usize),
        };
        let mut notice = ui.notice.clone();
        let (rows, matched, has_more) = match core.board_page(&query) {
            Ok(page) => (
                page.cards.iter().map(|c| row(c, &fmt)).collect::<Vec<_>>(),
                page.matched,
                page.has_more,
            ),
            Err(e) => {
                notice = Some(Notice::from_error(&e));
                (Vec::new(), 0, false)
            }
        };
        if ui.filters.near_me && near.is_none() && notice.is_none() {
            notice = Some(Notice::new(
                NoticeKind::Info,
                Msg::NearMeNeedsLocation.text(),
            ));
        }
        let filtered = ui.filters != BoardFilters::default();
        let empty = rows.is_empty().then(|| {
            match (sync.kind, filtered) {
                (SyncKind::Never, _) => Msg::BoardEmptyNeverSynced,
                (SyncKind::Offline, _) if sync.last_sync.is_none() => Msg::BoardEmptyNeverSynced,
                (_, true) => Msg::BoardEmptyFiltered,
                (_, false) => Msg::BoardEmpty,
            }
            .text()
        });
        BoardState {
            refreshing: sync.kind == SyncKind::Syncing,
            sync,
            filter_summary: summary(&ui.filters, near.is_some(), &fmt, core),
            filters: ui.filters.clone(),
            sort: ui.sort,
            rows,
            matched: u32::try_from(matched).unwrap_or(u32::MAX),
            has_more,
            empty,
            job_types: core.job_types().unwrap_or_default(),
            notice,
        }
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        {
            let mut ui = lock(&self.ui);
            f(&mut ui);
        }
        self.notifier.notify();
    }

    /// Changes the filters; the board goes back to its first page.
    pub fn set_filters(&self, filters: BoardFilters) {
        self.update(|ui| {
            ui.filters = filters;
            ui.filters.radius_km = if ui.filters.radius_km.is_finite() {
                ui.filters.radius_km.clamp(1.0, 500.0)
            } else {
                BoardFilters::default().radius_km
            };
            ui.pages = 1;
            ui.notice = None;
        });
    }

    /// Changes the order; back to the first page.
    pub fn set_sort(&self, sort: BoardSort) {
        self.update(|ui| {
            ui.sort = sort;
            ui.pages = 1;
        });
    }

    /// Where the officer is (from the platform's location service), or `None` when unknown:
    /// distances, "near me" and "nearest first" use it.
    pub fn set_location(&self, lat: f64, lon: f64) {
        let p = GeoPoint::new(lat, lon);
        self.update(|ui| {
            ui.location = p.validate().is_ok().then_some(p);
        });
    }

    /// The officer's location is not available (permission denied, no fix).
    pub fn clear_location(&self) {
        self.update(|ui| ui.location = None);
    }

    /// Shows the next page.
    pub fn load_more(&self) {
        self.update(|ui| ui.pages = ui.pages.saturating_add(1));
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

pub(crate) fn row(c: &JobCard, fmt: &Fmt) -> BoardRow {
    let cur = &c.job.currency;
    // Before the first sync the department's rules are unknown (and so is the estimate).
    let eligibility = match c.eligible {
        true if c.estimate.is_none() => Eligibility::Unknown,
        true => Eligibility::Eligible,
        false => Eligibility::NotEligible,
    };
    let eligibility_text = match eligibility {
        Eligibility::Eligible => Msg::Eligible.text(),
        Eligibility::Unknown => Msg::EligibilityUnknown.text(),
        Eligibility::NotEligible => c
            .reasons
            .first()
            .map(|r| r.text.clone())
            .unwrap_or_default(),
    };
    let mut slots = Msg::SlotsFilled.with(&[
        ("filled", &c.job.slots_filled.to_string()),
        ("slots", &c.job.slots.to_string()),
    ]);
    if c.job.slots_offered > 0 {
        slots = format!(
            "{slots} · {}",
            Msg::SlotsOffered.with(&[("offered", &c.job.slots_offered.to_string())])
        );
    }
    BoardRow {
        job_id: c.job.id.to_string(),
        title: c.job.title.clone(),
        site: c.job.site_name.clone(),
        when: fmt.range(c.job.starts_at, c.job.ends_at),
        starts_at: SystemTime::from(c.job.starts_at),
        status: c.job.status,
        pay: Msg::PerHour.with(&[("amount", &format::money(c.hourly_cents, cur))]),
        estimate: c
            .estimate
            .as_ref()
            .map(|q| Msg::Estimate.with(&[("amount", &format::money(q.gross_cents, cur))])),
        slots,
        full: c.job.slots_filled >= c.job.slots,
        award: c.job.award_rule.kind(),
        award_label: award_label(c.job.award_rule.kind()),
        eligibility,
        eligibility_text,
        standing: c.standing.kind(),
        standing_text: c.standing_text.clone(),
        distance: c.distance_m.map(format::distance),
    }
}

fn summary(f: &BoardFilters, located: bool, fmt: &Fmt, core: &offduty_core::Core) -> String {
    let mut parts = Vec::new();
    if f.near_me && located {
        parts
            .push(Msg::FilterWithin.with(&[("distance", &format::distance(f.radius_km * 1000.0))]));
    }
    if let Some(t) = f.from {
        parts.push(Msg::FilterFrom.with(&[("when", &fmt.day_time(to_utc(t)))]));
    }
    if let Some(t) = f.to {
        parts.push(Msg::FilterTo.with(&[("when", &fmt.day_time(to_utc(t)))]));
    }
    if let Some(c) = f.min_hourly_cents {
        let cur = core
            .rules()
            .ok()
            .flatten()
            .map(|r| r.currency)
            .unwrap_or_else(|| "USD".into());
        parts.push(Msg::FilterMinPay.with(&[("amount", &format::money(c, &cur))]));
    }
    if !f.job_types.is_empty() {
        parts.push(f.job_types.join(", "));
    }
    if f.only_eligible {
        parts.push(Msg::FilterEligibleOnly.text());
    }
    if parts.is_empty() {
        Msg::BoardFiltersNone.text()
    } else {
        parts.join(" · ")
    }
}
