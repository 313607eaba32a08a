//! Records and enums a UI renders directly. Identifiers are strings (UUIDs), times are
//! `SystemTime` (Kotlin `Instant`, Swift `Date`), money carries its currency and a formatted
//! string.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_core::{board, clock, earnings, outbox, session, sync};
use offduty_domain::pay::format_cents;

pub use offduty_domain::geofence::{GeoPoint, Geofence};
pub use offduty_domain::punch::PunchVerdict;
pub use offduty_domain::timecard::PunchKind;

use crate::enums::*;
use crate::error::ApiError;

pub(crate) fn time(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

pub(crate) fn from_time(t: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(t)
}

pub(crate) fn parse_id(field: &str, s: &str) -> Result<Uuid, ApiError> {
    s.trim().parse().map_err(|_| ApiError::Invalid {
        field: field.to_string(),
        code: InvalidCode::BadFormat,
        detail: format!("{s:?} is not an id"),
    })
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// Integer cents.
    pub cents: i64,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    /// Ready to show, e.g. `$1,234.50`.
    pub formatted: String,
}

impl Money {
    pub(crate) fn new(cents: i64, currency: &str) -> Money {
        Money {
            cents,
            currency: currency.to_string(),
            formatted: format_cents(cents, currency),
        }
    }
}

/// A point in WGS 84 degrees.
#[uniffi::remote(Record)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A job's fence: a circle, or a simple polygon (the ring closes implicitly).
#[uniffi::remote(Enum)]
pub enum Geofence {
    Circle { center: GeoPoint, radius_m: f64 },
    Polygon { vertices: Vec<GeoPoint> },
}

/// Filters for the job board (all optional).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BoardFilter {
    #[uniffi(default = None)]
    pub near: Option<GeoPoint>,
    #[uniffi(default = None)]
    pub max_distance_m: Option<f64>,
    #[uniffi(default = None)]
    pub from: Option<SystemTime>,
    #[uniffi(default = None)]
    pub to: Option<SystemTime>,
    #[uniffi(default = None)]
    pub min_hourly_cents: Option<i64>,
    #[uniffi(default = [])]
    pub job_types: Vec<String>,
    #[uniffi(default = false)]
    pub only_eligible: bool,
    #[uniffi(default = false)]
    pub include_closed: bool,
    /// Soonest, nearest (needs `near`) or best pay first.
    pub sort: crate::screens::BoardSort,
    #[uniffi(default = None)]
    pub limit: Option<u32>,
}

impl From<BoardFilter> for board::BoardQuery {
    fn from(f: BoardFilter) -> Self {
        board::BoardQuery {
            near: f.near,
            max_distance_m: f.max_distance_m,
            from: f.from.map(from_time),
            to: f.to.map(from_time),
            min_hourly_cents: f.min_hourly_cents,
            job_types: f.job_types,
            only_eligible: f.only_eligible,
            include_closed: f.include_closed,
            sort: match f.sort {
                crate::screens::BoardSort::Soonest => board::Sort::StartTime,
                crate::screens::BoardSort::Nearest => board::Sort::Distance,
                crate::screens::BoardSort::BestPay => board::Sort::Pay,
            },
            limit: f.limit.map(|l| l as usize),
        }
    }
}

/// A reason, as a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reason {
    /// e.g. `overlap`, `daily_cap`, `rank_too_low`, `outside_fence`, `low_accuracy`.
    pub code: String,
    pub text: String,
}

/// The `type` tag of a serde-tagged wire enum value (`overlap`, `outside_fence`, …).
pub(crate) fn type_code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// Where the officer stands on a job.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Standing {
    /// What to draw (badge, colour).
    pub kind: StandingKind,
    /// The server's status, when the officer ever had a part in the job.
    pub status: Option<AssignmentStatus>,
    pub position: Option<u32>,
    pub offered: bool,
    /// The action waiting to sync, if any.
    pub pending: Option<ActionKind>,
    /// Why that action could not be sent, if the queue gave up on it.
    pub wedged: Option<String>,
    /// One line to show: "Waitlisted #3", "Claim waiting to sync", "Your shift".
    pub text: String,
    /// The officer holds the slot (optimistically).
    pub holds_slot: bool,
}

impl From<&offduty_core::standing::Standing> for Standing {
    fn from(s: &offduty_core::standing::Standing) -> Self {
        Standing {
            kind: s.kind(),
            status: s.status,
            position: s.position,
            offered: s.offered,
            pending: s.pending,
            wedged: s.wedged.clone(),
            text: s.describe(),
            holds_slot: s.holds_slot(),
        }
    }
}

/// A job as the board and the detail screen show it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct JobCard {
    pub id: String,
    pub title: String,
    pub customer_name: String,
    pub site_name: String,
    pub address: String,
    pub location: GeoPoint,
    pub starts_at: SystemTime,
    pub ends_at: SystemTime,
    pub status: JobStatus,
    pub job_type: String,
    pub slots: u32,
    pub slots_filled: u32,
    pub slots_offered: u32,
    /// Hourly pay with multipliers.
    pub hourly: Money,
    /// Pay for the scheduled shift, rounding and minimum applied.
    pub estimate: Option<Money>,
    /// Metres from the point the board was asked about.
    pub distance_m: Option<f64>,
    pub eligible: bool,
    /// Why not eligible (empty when eligible).
    pub reasons: Vec<Reason>,
    /// How slots are awarded (the badge)…
    pub award_rule_kind: AwardRuleKind,
    /// …and in plain words.
    pub award_rule: String,
    pub release: String,
    /// Signups open now for this officer.
    pub signup_open: bool,
    pub signup_text: String,
    pub notes: String,
    pub standing: Standing,
}

impl From<board::JobCard> for JobCard {
    fn from(c: board::JobCard) -> Self {
        let cur = c.job.currency.clone();
        JobCard {
            id: c.job.id.to_string(),
            title: c.job.title,
            customer_name: c.job.customer_name,
            site_name: c.job.site_name,
            address: c.job.address,
            location: GeoPoint {
                lat: c.job.location.lat,
                lon: c.job.location.lon,
            },
            starts_at: time(c.job.starts_at),
            ends_at: time(c.job.ends_at),
            status: c.job.status,
            job_type: c.job.job_type,
            slots: c.job.slots,
            slots_filled: c.job.slots_filled,
            slots_offered: c.job.slots_offered,
            hourly: Money::new(c.hourly_cents, &cur),
            estimate: c.estimate.map(|q| Money::new(q.gross_cents, &cur)),
            distance_m: c.distance_m,
            eligible: c.eligible,
            reasons: c
                .reasons
                .iter()
                .map(|r| Reason {
                    code: type_code(&r.reason),
                    text: r.text.clone(),
                })
                .collect(),
            award_rule_kind: c.job.award_rule.kind(),
            award_rule: c.award_rule,
            release: c.release,
            signup_open: matches!(c.signup, offduty_domain::award::SignupState::Open),
            signup_text: c.signup_text,
            notes: c.job.notes,
            standing: Standing::from(&c.standing),
        }
    }
}

/// An action accepted into the queue.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QueuedAction {
    pub idempotency_key: String,
    pub kind: ActionKind,
    pub job_id: String,
    /// Something to tell the officer now (e.g. the cancellation window).
    pub note: Option<String>,
}

impl From<offduty_core::actions::Queued> for QueuedAction {
    fn from(q: offduty_core::actions::Queued) -> Self {
        QueuedAction {
            idempotency_key: q.idempotency_key.to_string(),
            kind: q.kind,
            job_id: q.job_id.to_string(),
            note: q.note,
        }
    }
}

/// A location fix from the platform's location service.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LocationFix {
    pub lat: f64,
    pub lon: f64,
    /// Horizontal accuracy, metres (68 %).
    pub accuracy_m: f64,
    pub fix_time: SystemTime,
    /// `gps`, `fused`, `network`, …
    pub provider: String,
    /// Android `Location.isMock()`, iOS `isSimulatedBySoftware`.
    pub is_mock: bool,
}

impl From<LocationFix> for offduty_domain::punch::LocationFix {
    fn from(f: LocationFix) -> Self {
        offduty_domain::punch::LocationFix {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
            fix_time: from_time(f.fix_time),
            provider: f.provider,
            is_mock: f.is_mock,
        }
    }
}

/// The verdict on a punch.
#[uniffi::remote(Enum)]
pub enum PunchVerdict {
    /// On site and trustworthy.
    Verified,
    /// Recorded, but a coordinator must look at it.
    NeedsReview,
    /// Not on site, or not a location that can be trusted at all.
    Rejected,
}

/// Clock-in or clock-out.
#[uniffi::remote(Enum)]
pub enum PunchKind {
    In,
    Out,
}

/// What the core thinks of a punch: the verdict, why, and one line to show.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PunchPreview {
    pub verdict: PunchVerdict,
    pub reasons: Vec<Reason>,
    /// "On site: inside the fence (35 m from the edge)." or the reasons joined.
    pub summary: String,
    pub distance_outside_m: f64,
    pub distance_inside_m: f64,
}

impl From<clock::PunchPreview> for PunchPreview {
    fn from(p: clock::PunchPreview) -> Self {
        PunchPreview {
            verdict: p.verdict,
            reasons: p
                .reasons
                .iter()
                .map(|r| Reason {
                    code: type_code(&r.reason),
                    text: r.text.clone(),
                })
                .collect(),
            summary: p.summary,
            distance_outside_m: p.distance_outside_m,
            distance_inside_m: p.distance_inside_m,
        }
    }
}

/// A punch accepted into the queue.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PunchResult {
    pub idempotency_key: String,
    pub event_id: String,
    pub preview: PunchPreview,
}

impl From<clock::Punched> for PunchResult {
    fn from(p: clock::Punched) -> Self {
        PunchResult {
            idempotency_key: p.idempotency_key.to_string(),
            event_id: p.event_id.to_string(),
            preview: p.preview.into(),
        }
    }
}

/// An action not yet confirmed by the server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingAction {
    pub idempotency_key: String,
    pub kind: ActionKind,
    pub job_id: String,
    pub created_at: SystemTime,
    pub attempts: i64,
    /// When the queue will try again (after a failure), if it is backing off.
    pub next_attempt_at: Option<SystemTime>,
    pub last_error: Option<String>,
    /// Set when the queue gave up: show it, offer retry or discard.
    pub wedged_reason: Option<String>,
}

impl From<outbox::PendingAction> for PendingAction {
    fn from(p: outbox::PendingAction) -> Self {
        PendingAction {
            idempotency_key: p.idempotency_key.to_string(),
            kind: p.kind,
            job_id: p.job_id.to_string(),
            created_at: time(p.created_at),
            attempts: p.attempts,
            next_attempt_at: p.next_attempt_at.map(time),
            last_error: p.last_error,
            wedged_reason: p.wedged_reason,
        }
    }
}

/// Sync phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Done,
}

/// Progress of a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

impl From<&sync::Progress> for SyncProgress {
    fn from(p: &sync::Progress) -> Self {
        SyncProgress {
            phase: match p.phase {
                sync::Phase::Pushing => SyncPhase::Pushing,
                sync::Phase::Pulling => SyncPhase::Pulling,
                sync::Phase::Done => SyncPhase::Done,
            },
            done: p.done,
            total: p.total,
        }
    }
}

/// What a pull changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncChange {
    pub full: bool,
    pub jobs: u32,
    pub assignments: u32,
    pub timecards: u32,
    pub rules_changed: bool,
    pub preferences_changed: bool,
}

impl From<&offduty_core::apply::ChangeSummary> for SyncChange {
    fn from(c: &offduty_core::apply::ChangeSummary) -> Self {
        SyncChange {
            full: c.full,
            jobs: c.jobs,
            assignments: c.assignments,
            timecards: c.timecards,
            rules_changed: c.rules_changed,
            preferences_changed: c.preferences_changed,
        }
    }
}

/// One action the server decided during a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecidedAction {
    pub idempotency_key: String,
    pub kind: ActionKind,
    pub job_id: String,
    pub outcome: OutcomeKind,
    /// Place in line, for `Requested` / `Waitlisted`.
    pub position: Option<u32>,
    /// For `Punched`: the server's verdict.
    pub verdict: Option<PunchVerdict>,
    /// For `Rejected`: what to do about it.
    pub code: Option<RejectCode>,
    /// A sentence for the officer (the core's, as every shell shows it).
    pub text: String,
}

impl DecidedAction {
    pub(crate) fn new(d: sync::Decided, tz: chrono_tz::Tz) -> Self {
        use offduty_domain::protocol::Outcome as O;
        DecidedAction {
            idempotency_key: d.idempotency_key.to_string(),
            kind: d.kind,
            job_id: d.job_id.to_string(),
            outcome: (&d.outcome).into(),
            position: match &d.outcome {
                O::Requested { position, .. } | O::Waitlisted { position, .. } => Some(*position),
                _ => None,
            },
            verdict: match &d.outcome {
                O::Punched { verdict, .. } => Some(*verdict),
                _ => None,
            },
            code: match &d.outcome {
                O::Rejected { code, .. } => Some((*code).into()),
                _ => None,
            },
            text: d.text(tz),
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub decided: Vec<DecidedAction>,
    pub changed: Option<SyncChange>,
    pub pending: u64,
    pub wedged: u64,
    /// Set when the server could not be reached (everything stays queued).
    pub offline: Option<String>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

impl SyncReport {
    pub(crate) fn new(r: sync::SyncReport, tz: chrono_tz::Tz) -> Self {
        SyncReport {
            changed: r.pulled.as_ref().map(SyncChange::from),
            decided: r
                .decided
                .into_iter()
                .map(|d| DecidedAction::new(d, tz))
                .collect(),
            pending: r.pending,
            wedged: r.wedged,
            offline: r.offline,
            bytes_sent: r.bytes.sent,
            bytes_received: r.bytes.received,
        }
    }
}

/// The signed-in officer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Session {
    pub officer_id: String,
    pub department_id: String,
    pub email: String,
    pub display_name: String,
    pub server_url: String,
    pub device_id: Option<String>,
}

impl From<session::Session> for Session {
    fn from(s: session::Session) -> Self {
        Session {
            officer_id: s.officer_id.to_string(),
            department_id: s.department_id.to_string(),
            email: s.email,
            display_name: s.display_name,
            server_url: s.server_url,
            device_id: s.device_id.map(|d| d.to_string()),
        }
    }
}

/// One shift's pay.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShiftPay {
    pub timecard_id: String,
    pub job_id: String,
    pub title: String,
    pub site: String,
    pub starts_at: SystemTime,
    /// Local date, `YYYY-MM-DD`.
    pub date: String,
    pub worked_minutes: Option<i64>,
    pub billable_minutes: Option<i64>,
    pub rate: Money,
    pub multiplier_bp: u32,
    pub gross: Option<Money>,
    pub status: TimecardStatus,
    pub paid_at: Option<SystemTime>,
    /// When the customer was invoiced for it.
    pub invoiced_at: Option<SystemTime>,
}

/// Totals over a pay period or the year.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PayTotals {
    pub label: String,
    pub shifts: u32,
    pub billable_minutes: i64,
    pub gross: Money,
    pub paid: Money,
    pub unpaid: Money,
}

/// Money received on one day.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentReceived {
    pub paid_on: String,
    pub amount: Money,
    pub shifts: u32,
}

/// The officer's earnings.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Earnings {
    pub shifts: Vec<ShiftPay>,
    pub periods: Vec<PayTotals>,
    pub year_to_date: PayTotals,
    pub payments: Vec<PaymentReceived>,
}

fn totals(t: &earnings::Totals, cur: &str) -> PayTotals {
    PayTotals {
        label: t.label.clone(),
        shifts: t.sums.shifts,
        billable_minutes: t.sums.billable_minutes,
        gross: Money::new(t.sums.gross_cents, cur),
        paid: Money::new(t.sums.paid_cents, cur),
        unpaid: Money::new(t.sums.unpaid_cents, cur),
    }
}

impl From<earnings::EarningsReport> for Earnings {
    fn from(r: earnings::EarningsReport) -> Self {
        let cur = r.currency.clone();
        Earnings {
            shifts: r
                .shifts
                .iter()
                .map(|s| ShiftPay {
                    timecard_id: s.timecard_id.to_string(),
                    job_id: s.job_id.to_string(),
                    title: s.title.clone(),
                    site: s.site.clone(),
                    starts_at: time(s.starts_at),
                    date: s.date.to_string(),
                    worked_minutes: s.worked_minutes,
                    billable_minutes: s.billable_minutes,
                    rate: Money::new(s.rate_cents, &cur),
                    multiplier_bp: s.multiplier_bp,
                    gross: s.gross_cents.map(|g| Money::new(g, &cur)),
                    status: s.status,
                    paid_at: s.paid_at.map(time),
                    invoiced_at: s.invoiced_at.map(time),
                })
                .collect(),
            periods: r.periods.iter().map(|p| totals(p, &cur)).collect(),
            year_to_date: totals(&r.year_to_date, &cur),
            payments: r
                .payments
                .iter()
                .map(|p| PaymentReceived {
                    paid_on: p.paid_on.to_string(),
                    amount: Money::new(p.amount_cents, &cur),
                    shifts: p.shifts,
                })
                .collect(),
        }
    }
}

/// Notification channels.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Channels {
    pub push: bool,
    pub sms: bool,
    pub email: bool,
}

/// A quiet window: from `start` on `weekday` until `end` (local `HH:MM`; past midnight when
/// `end` is not after `start`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuietWindow {
    /// `mon` … `sun`.
    pub weekday: String,
    pub start: String,
    pub end: String,
}

/// Notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Preferences {
    pub channels: Channels,
    pub quiet_hours: Vec<QuietWindow>,
}

impl From<offduty_domain::prefs::Preferences> for Preferences {
    fn from(p: offduty_domain::prefs::Preferences) -> Self {
        Preferences {
            channels: Channels {
                push: p.channels.push,
                sms: p.channels.sms,
                email: p.channels.email,
            },
            quiet_hours: p
                .quiet_hours
                .into_iter()
                .map(|w| QuietWindow {
                    weekday: w.weekday,
                    start: w.start,
                    end: w.end,
                })
                .collect(),
        }
    }
}

impl From<Preferences> for offduty_domain::prefs::Preferences {
    fn from(p: Preferences) -> Self {
        offduty_domain::prefs::Preferences {
            channels: offduty_domain::prefs::Channels {
                push: p.channels.push,
                sms: p.channels.sms,
                email: p.channels.email,
            },
            quiet_hours: p
                .quiet_hours
                .into_iter()
                .map(|w| offduty_domain::prefs::QuietWindow {
                    weekday: w.weekday,
                    start: w.start,
                    end: w.end,
                })
                .collect(),
            version: 0,
        }
    }
}

/// What opening the local database found.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StorageNotice {
    /// The file was corrupt and has been rebuilt (the board comes back on the next sync).
    pub rebuilt: bool,
    /// Unsent actions carried over from the corrupt file.
    pub rescued_actions: u32,
    /// Where they were exported first.
    pub export_path: Option<String>,
    /// Set when the unsent actions could not be read at all.
    pub unreadable: Option<String>,
}

/// Where the officer's notification preferences stand.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PreferencesSync {
    /// The server has them.
    Synced,
    /// Edited on this device; sent on the next sync.
    Pending,
    /// The server refused the edit: show `reason` (and `field`), offer to edit again or
    /// discard the edit.
    Refused {
        reason: String,
        field: Option<String>,
        at: SystemTime,
    },
}

impl From<offduty_core::prefs::PrefsSync> for PreferencesSync {
    fn from(p: offduty_core::prefs::PrefsSync) -> Self {
        use offduty_core::prefs::PrefsSync as P;
        match p {
            P::Synced => PreferencesSync::Synced,
            P::Pending => PreferencesSync::Pending,
            P::Refused(r) => PreferencesSync::Refused {
                reason: r.reason,
                field: r.field,
                at: time(r.at),
            },
        }
    }
}

/// The cancellation window that applies to a shift now, and what it means: shown before the
/// officer confirms a cancel.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CancelTerms {
    pub window: CancelWindow,
    pub text: String,
}

/// The officer's payout account when the department pays officers directly (decision 049).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PayoutAccountInfo {
    /// `not_needed`, `not_started`, `onboarding` or `ready`.
    pub status: String,
    /// What to tell the officer (written once, in the domain).
    pub sentence: String,
    /// Whether the officer has something to do: open the set-up link.
    pub needs_setup: bool,
    pub checked_at: Option<SystemTime>,
}

impl From<offduty_domain::payouts::PayoutAccount> for PayoutAccountInfo {
    fn from(a: offduty_domain::payouts::PayoutAccount) -> Self {
        PayoutAccountInfo {
            status: serde_json::to_value(a.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            sentence: a.sentence,
            needs_setup: a.status.needs_setup(),
            checked_at: a.checked_at.map(time),
        }
    }
}

/// A one-time link to the payment provider's set-up pages: the shell opens it in the browser.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PayoutSetupLinkInfo {
    pub url: String,
    pub expires_at: SystemTime,
}
