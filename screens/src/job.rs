//! One job in full — everything a claim needs: who, where (address and the fence for a map),
//! when in local time, pay and estimate, the award rule in words and when it decides, the
//! signup window and staged release, eligibility with every reason, the officer's standing and
//! place in line, notes — and the actions open now, each with its confirmation. Every field is
//! read from the cache on each `state()`, so a sync that changes the job (the last slot taken,
//! the job called off) shows at once.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::board::JobCard;
use offduty_core::standing::StandingKind;
use offduty_domain::actions::ActionKind;
use offduty_domain::award::{AwardRuleKind, SignupState};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::protocol::JobStatus;

use crate::actions::{self, JobAction, JobActionKind, LateChoice};
use crate::board::Eligibility;
use crate::format::{self, Fmt};
use crate::text::{Msg, award_label};
use crate::transfer::{TransferPicker, Transfers};
use crate::{Live, Notice, NoticeKind, Notifier, Screens, SyncStatus, lock};

/// A point on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Where a clock-in counts as on site, to draw on a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MapFence {
    /// Everything within `radius_m` metres of `center`.
    Circle { center: MapPoint, radius_m: f64 },
    /// A polygon (the ring closes itself: the first vertex is not repeated).
    Polygon { vertices: Vec<MapPoint> },
}

/// Where signups stand for this officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignupPhase {
    NotYetOpen,
    Open,
    Closed,
}

/// One reason the officer may not work the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonLine {
    /// A stable code (`overlap`, `rest`, `daily_cap`, `rank_too_low`, …).
    pub code: String,
    pub text: String,
}

/// Everything about the job, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDetail {
    pub title: String,
    pub customer: String,
    pub site: String,
    pub address: String,
    pub job_type: String,
    /// `Fri 27 Nov 07:00–11:00`, in the department's time zone.
    pub when: String,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
    /// `4 h`.
    pub duration: String,
    pub status: JobStatus,
    /// Why the job takes no more actions (called off, over, started), when it does not.
    pub closed: Option<String>,
    /// `$70.00/h`.
    pub pay: String,
    /// `≈ $280.00 for the shift`, once the department's pay rules are synced.
    pub estimate: Option<String>,
    /// `1 of 2 filled`.
    pub slots: String,
    pub full: bool,
    pub award: AwardRuleKind,
    pub award_label: String,
    /// The rule in words.
    pub award_text: String,
    /// When it decides: at once, or when signups close (in local time).
    pub award_decides: String,
    pub signup: SignupPhase,
    pub signup_text: String,
    /// The staged release in words (`Open to everyone.`).
    pub release: String,
    pub eligibility: Eligibility,
    pub eligibility_text: String,
    /// Every reason the officer may not work it (empty when eligible or not known yet).
    pub reasons: Vec<ReasonLine>,
    pub standing: StandingKind,
    pub standing_text: String,
    /// `#3 in line`, when requested or waitlisted.
    pub place_in_line: Option<String>,
    /// The action waiting to sync on this job, if any.
    pub pending: Option<ActionKind>,
    /// Why that action could not be sent (retry or discard it on the activity screen).
    pub wedged: Option<String>,
    /// The server's refusal of the officer's last action on this job, in the rules' words.
    pub refused: Option<String>,
    pub location: MapPoint,
    pub fence: MapFence,
    /// `1.9 km` from the officer, when their location is known.
    pub distance: Option<String>,
    /// The coordinator's instructions, when there are any.
    pub notes: Option<String>,
}

/// What the job screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub job_id: String,
    pub sync: SyncStatus,
    /// `None` when the job is not on this phone (`missing` says so).
    pub detail: Option<JobDetail>,
    pub missing: Option<String>,
    /// The actions open now, in the order to show them.
    pub actions: Vec<JobAction>,
    /// The "give this shift to…" panel, while open.
    pub transfer: Option<TransferPicker>,
    /// How late the officer may say they are (5, 10, 15, 30, 60 minutes), when "running late"
    /// is among the actions; the shell shows them under `late_title` and calls `report_late`.
    pub late_choices: Vec<LateChoice>,
    pub late_title: String,
    /// An action is being sent.
    pub busy: bool,
    pub notice: Option<Notice>,
}

#[derive(Default)]
struct Ui {
    location: Option<GeoPoint>,
    busy: bool,
    notice: Option<Notice>,
}

/// The job detail screen for one job.
pub struct JobScreen {
    root: Arc<Screens>,
    /// `None` when the shell passed something that is not a job id.
    job_id: Option<Uuid>,
    raw_id: String,
    ui: Mutex<Ui>,
    transfers: Transfers,
    notifier: Notifier,
}

impl Live for JobScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

fn point(p: GeoPoint) -> MapPoint {
    MapPoint {
        lat: p.lat,
        lon: p.lon,
    }
}

fn detail(card: &JobCard, refused: Option<String>, fmt: &Fmt, now: SystemTime) -> JobDetail {
    let job = &card.job;
    let cur = &job.currency;
    let board = crate::board::row(card, fmt);
    let award_decides = if job.award_rule.is_immediate() {
        Msg::AwardDecidesNow.text()
    } else {
        match job.signup_closes_at {
            Some(t) if SystemTime::from(t) <= now => {
                Msg::AwardDecidedAt.with(&[("when", &fmt.day_time(t))])
            }
            Some(t) => Msg::AwardDecidesAt.with(&[("when", &fmt.day_time(t))]),
            None => Msg::AwardDecidesByCoordinator.text(),
        }
    };
    let standing = &card.standing;
    JobDetail {
        title: job.title.clone(),
        customer: job.customer_name.clone(),
        site: job.site_name.clone(),
        address: job.address.clone(),
        job_type: job.job_type.clone(),
        when: board.when,
        starts_at: SystemTime::from(job.starts_at),
        ends_at: SystemTime::from(job.ends_at),
        duration: format::duration_minutes((job.ends_at - job.starts_at).num_minutes()),
        status: job.status,
        closed: job
            .closed_reason(chrono::DateTime::from(now))
            .map(String::from),
        pay: board.pay,
        estimate: card
            .estimate
            .as_ref()
            .map(|q| Msg::Estimate.with(&[("amount", &format::money(q.gross_cents, cur))])),
        slots: board.slots,
        full: board.full,
        award: job.award_rule.kind(),
        award_label: award_label(job.award_rule.kind()),
        award_text: card.award_rule.clone(),
        award_decides,
        signup: match card.signup {
            SignupState::NotYetOpen { .. } => SignupPhase::NotYetOpen,
            SignupState::Open => SignupPhase::Open,
            SignupState::Closed { .. } => SignupPhase::Closed,
        },
        signup_text: card.signup_text.clone(),
        release: card.release.clone(),
        eligibility: board.eligibility,
        eligibility_text: board.eligibility_text,
        reasons: card
            .reasons
            .iter()
            .map(|r| ReasonLine {
                code: reason_code(&r.reason),
                text: r.text.clone(),
            })
            .collect(),
        standing: board.standing,
        standing_text: board.standing_text,
        place_in_line: standing
            .position
            .filter(|_| {
                matches!(
                    standing.kind(),
                    StandingKind::Requested | StandingKind::Waitlisted
                )
            })
            .map(|p| Msg::PlaceInLine.with(&[("position", &p.to_string())])),
        pending: standing.pending,
        wedged: standing.wedged.clone(),
        refused,
        location: point(job.location),
        fence: match &job.geofence {
            Geofence::Circle { center, radius_m } => MapFence::Circle {
                center: point(*center),
                radius_m: *radius_m,
            },
            Geofence::Polygon { vertices } => MapFence::Polygon {
                vertices: vertices.iter().copied().map(point).collect(),
            },
        },
        distance: board.distance,
        notes: Some(job.notes.trim())
            .filter(|n| !n.is_empty())
            .map(String::from),
    }
}

/// The stable code of an eligibility reason: its `type` on the wire (`overlap`, `rest`, …).
fn reason_code(r: &offduty_domain::eligibility::IneligibleReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(String::from))
        .unwrap_or_default()
}

/// The server's last refusal on a job, in the core's sentence for the officer.
pub(crate) fn refused_text(root: &Screens, job_id: Uuid) -> Option<String> {
    Some(root.core().refusals().ok()?.remove(&job_id)?.text)
}

impl JobScreen {
    pub(crate) fn new(root: Arc<Screens>, job_id: &str) -> JobScreen {
        JobScreen {
            root,
            job_id: job_id.trim().parse().ok(),
            raw_id: job_id.to_string(),
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
    pub fn state(&self) -> JobState {
        let (location, busy, mut notice) = {
            let ui = lock(&self.ui);
            (ui.location, ui.busy, ui.notice.clone())
        };
        let sync = self.root.sync_status();
        let fmt = self.root.fmt();
        let core = self.root.core();
        let card = self.job_id.map(|id| core.job(id, location));
        let (detail, actions) = match card {
            Some(Ok(card)) => {
                let actions = actions::for_job(&self.root, &card).unwrap_or_else(|e| {
                    notice.get_or_insert_with(|| Notice::from_error(&e));
                    Vec::new()
                });
                let refused = refused_text(&self.root, card.job.id);
                let now = SystemTime::from(core.now());
                (Some(detail(&card, refused, &fmt, now)), actions)
            }
            Some(Err(offduty_core::CoreError::NotFound(_))) | None => (None, Vec::new()),
            Some(Err(e)) => {
                notice.get_or_insert_with(|| Notice::from_error(&e));
                (None, Vec::new())
            }
        };
        let offer = actions
            .iter()
            .find(|a| a.kind == JobActionKind::Offer)
            .cloned();
        let late_choices = if actions
            .iter()
            .any(|a| a.kind == JobActionKind::RunningLate && a.enabled)
        {
            actions::late_choices()
        } else {
            Vec::new()
        };
        JobState {
            job_id: self.raw_id.clone(),
            sync,
            missing: detail.is_none().then(|| Msg::JobMissing.text()),
            detail,
            actions,
            transfer: self.transfers.state(&self.root, offer),
            late_choices,
            late_title: Msg::LatePickTitle.text(),
            busy,
            notice,
        }
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        f(&mut lock(&self.ui));
        self.notifier.notify();
    }

    /// Where the officer is (the distance to the job uses it).
    pub fn set_location(&self, lat: f64, lon: f64) {
        let p = GeoPoint::new(lat, lon);
        self.update(|ui| ui.location = p.validate().is_ok().then_some(p));
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.update(|ui| ui.notice = None);
    }

    /// Performs an action the state offers, after its confirmation (`reason`: a cancel's
    /// optional reason). `Transfer` opens the officer search instead (`transfer_to` finishes
    /// it). The rules are checked again; a refusal, the server's decision, or "saved, will be
    /// sent" becomes the notice.
    pub async fn perform(&self, kind: JobActionKind, reason: Option<String>) {
        let Some(job_id) = self.job_id else {
            return self.update(|ui| ui.notice = Some(missing()));
        };
        self.run(job_id, kind, reason, None).await;
    }

    async fn run(
        &self,
        job_id: Uuid,
        kind: JobActionKind,
        reason: Option<String>,
        to: Option<Uuid>,
    ) {
        let show = |busy: Option<bool>, notice: Option<Notice>| {
            self.update(|ui| {
                if let Some(b) = busy {
                    ui.busy = b;
                }
                ui.notice = notice;
            })
        };
        self.transfers
            .perform(&self.root, job_id, kind, reason, to, show)
            .await;
    }

    /// Says the officer will be `minutes` late (one of `late_choices`): queued, sent when
    /// online; the notice says when the department expects them, or why not.
    pub async fn report_late(&self, minutes: u16) {
        let Some(job_id) = self.job_id else {
            return self.update(|ui| ui.notice = Some(missing()));
        };
        self.update(|ui| {
            ui.busy = true;
            ui.notice = None;
        });
        let notice = actions::report_late(&self.root, job_id, minutes).await;
        self.update(|ui| {
            ui.busy = false;
            ui.notice = Some(notice);
        });
    }

    /// Searches the department's officers by name or badge for the transfer (online only).
    pub async fn search_officers(&self, query: String) {
        self.transfers
            .search(&self.root, query, &self.notifier)
            .await;
    }

    /// Hands the shift to the officer the officer picked (after the match's confirmation).
    pub async fn transfer_to(&self, officer_id: String) {
        let (Some(job_id), Ok(to)) = (self.job_id, officer_id.trim().parse::<Uuid>()) else {
            // Only a shell bug gets here (an id it did not get from the search).
            return tracing::warn!(%officer_id, "transfer_to without a valid job or officer id");
        };
        self.run(job_id, JobActionKind::Transfer, None, Some(to))
            .await;
    }

    /// Closes the officer search.
    pub fn close_transfer(&self) {
        self.transfers.close();
        self.notifier.notify();
    }

    /// Pull to refresh: syncs (every live screen hears of it).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }
}

fn missing() -> Notice {
    Notice::new(NoticeKind::Refused, Msg::JobMissing.text())
}
