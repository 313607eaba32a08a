//! Wire types of the sync protocol (`/v1`): what the phone and the server exchange as JSON.
//!
//! Every type here is plain data. Times are UTC (`DateTime<Utc>`, RFC 3339 on the wire), money is
//! integer cents, identifiers are UUIDs. Enums are tagged with `"type"` so that a new variant is a
//! clear "unknown" to an old reader rather than a silent misparse.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::award::{AwardRule, ReleaseTier};
use crate::eligibility::{IneligibleReason, Requirements};
use crate::geofence::{GeoPoint, Geofence};
use crate::pay::Cents;
use crate::policy::CancelWindow;
use crate::punch::{PunchReason, PunchVerdict};
use crate::timecard::SignedClockEvent;

/// Version of the wire protocol. Bumped on any incompatible change; sent by both sides.
pub const API_VERSION: u32 = 1;

/// The role a user holds in their department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works details: browses, claims, clocks in and out.
    Officer,
    /// Runs the department's detail office: creates jobs, sets rules, approves timecards.
    Coordinator,
    /// A business that requests and pays for details.
    Customer,
}

impl Role {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Coordinator => "coordinator",
            Role::Customer => "customer",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "officer" => Some(Role::Officer),
            "coordinator" => Some(Role::Coordinator),
            "customer" => Some(Role::Customer),
            _ => None,
        }
    }
}

/// Lifecycle of a job on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Accepting claims (or requests, for ranked award rules).
    Open,
    /// Every slot is awarded; further claims join the waitlist.
    Filled,
    /// Called off by the department or the customer.
    Cancelled,
    /// The shift is over.
    Completed,
}

impl JobStatus {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Open => "open",
            JobStatus::Filled => "filled",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Completed => "completed",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<JobStatus> {
        match s {
            "open" => Some(JobStatus::Open),
            "filled" => Some(JobStatus::Filled),
            "cancelled" => Some(JobStatus::Cancelled),
            "completed" => Some(JobStatus::Completed),
            _ => None,
        }
    }
}

/// A paid off-duty detail as officers see it on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: Uuid,
    pub department_id: Uuid,
    pub title: String,
    /// The business paying for the detail, as officers should see it.
    pub customer_name: String,
    pub site_name: String,
    pub address: String,
    /// Where to report; also the point distances on the board are measured from.
    pub location: GeoPoint,
    /// Where a clock-in or clock-out counts as on site.
    pub geofence: Geofence,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Officers needed.
    pub slots: u32,
    /// Slots currently awarded.
    pub slots_filled: u32,
    /// Awarded slots whose holder offers them back: the next eligible claimer takes one over.
    pub slots_offered: u32,
    /// Job type (e.g. `traffic`, `security`, `event`); decides the hourly rate.
    pub job_type: String,
    /// Hourly rate the officer earns, in cents (before holiday or short-notice multipliers).
    pub rate_cents: Cents,
    /// Multiplier in basis points (10000 = ×1) that applies to this job (holiday, short notice).
    pub multiplier_bp: u32,
    /// Currency of every amount on this job (ISO 4217).
    pub currency: String,
    pub requirements: Requirements,
    pub award_rule: AwardRule,
    /// When signups open (tier 0 of the release) and, for ranked rules, when they close.
    pub signup_opens_at: DateTime<Utc>,
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Staged release: first to the listed groups for some hours, then to everyone.
    pub release_tiers: Vec<ReleaseTier>,
    pub status: JobStatus,
    /// Free-form instructions for the officer (where to park, who to ask for).
    pub notes: String,
    /// Change-log sequence of the last change to this job.
    pub version: u64,
}

impl Job {
    /// Why the job no longer takes officer actions at `now` (called off, over, or started).
    pub fn closed_reason(&self, now: DateTime<Utc>) -> Option<&'static str> {
        match self.status {
            JobStatus::Cancelled => Some("This job was called off."),
            JobStatus::Completed => Some("This job is over."),
            _ if now >= self.starts_at => Some("This job has already started."),
            _ => None,
        }
    }
}

/// Where an officer stands on a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    /// Asked for a job whose award rule ranks requests when signups close.
    Requested,
    /// Holds a slot: this is a shift.
    Awarded,
    /// In line for a slot.
    Waitlisted,
    /// Took back a request or left the waitlist.
    Withdrawn,
    /// Gave up an awarded slot.
    Cancelled,
    /// Handed the slot to another officer or back to the board.
    TransferredOut,
    /// Lost the slot because the job was called off.
    JobCancelled,
}

impl AssignmentStatus {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentStatus::Requested => "requested",
            AssignmentStatus::Awarded => "awarded",
            AssignmentStatus::Waitlisted => "waitlisted",
            AssignmentStatus::Withdrawn => "withdrawn",
            AssignmentStatus::Cancelled => "cancelled",
            AssignmentStatus::TransferredOut => "transferred_out",
            AssignmentStatus::JobCancelled => "job_cancelled",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<AssignmentStatus> {
        Some(match s {
            "requested" => AssignmentStatus::Requested,
            "awarded" => AssignmentStatus::Awarded,
            "waitlisted" => AssignmentStatus::Waitlisted,
            "withdrawn" => AssignmentStatus::Withdrawn,
            "cancelled" => AssignmentStatus::Cancelled,
            "transferred_out" => AssignmentStatus::TransferredOut,
            "job_cancelled" => AssignmentStatus::JobCancelled,
            _ => return None,
        })
    }

    /// Whether the officer still has a stake in the job (holds, asked for or waits for a slot).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            AssignmentStatus::Requested | AssignmentStatus::Awarded | AssignmentStatus::Waitlisted
        )
    }
}

/// One officer's standing on one job, as that officer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub id: Uuid,
    pub job_id: Uuid,
    pub officer_id: Uuid,
    pub status: AssignmentStatus,
    /// 1-based place in line while waitlisted or requested (ranked rules), else `None`.
    pub position: Option<u32>,
    /// The officer holds the slot but has offered it back to the board: the first eligible
    /// officer to claim the job takes it over.
    pub offered: bool,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// Review state of a timecard, and how far its money has travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimecardStatus {
    /// Clocked in, not yet out.
    Open,
    /// Both punches verified; waiting for a coordinator's approval.
    Pending,
    /// A punch is doubtful; a coordinator must look before it can be approved.
    NeedsReview,
    Approved,
    Invoiced,
    Paid,
    /// A coordinator refused it; the timecard's `rejection_reason` says why. Not owed unless a
    /// coordinator reconsiders and approves it.
    Rejected,
}

impl TimecardStatus {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TimecardStatus::Open => "open",
            TimecardStatus::Pending => "pending",
            TimecardStatus::NeedsReview => "needs_review",
            TimecardStatus::Approved => "approved",
            TimecardStatus::Invoiced => "invoiced",
            TimecardStatus::Paid => "paid",
            TimecardStatus::Rejected => "rejected",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<TimecardStatus> {
        Some(match s {
            "open" => TimecardStatus::Open,
            "pending" => TimecardStatus::Pending,
            "needs_review" => TimecardStatus::NeedsReview,
            "approved" => TimecardStatus::Approved,
            "invoiced" => TimecardStatus::Invoiced,
            "paid" => TimecardStatus::Paid,
            "rejected" => TimecardStatus::Rejected,
            _ => return None,
        })
    }
}

/// One punch as recorded by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PunchRecord {
    pub event_id: Uuid,
    /// Device time of the punch.
    pub at: DateTime<Utc>,
    pub verdict: PunchVerdict,
    pub reasons: Vec<PunchReason>,
    /// The fix the punch was made with (so the officer's other devices judge the speed of
    /// their own punches against it; absent from servers before this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::timecard::EventFix>,
}

/// The record of one shift's work: punches, hours and pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timecard {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub job_id: Uuid,
    pub officer_id: Uuid,
    pub clock_in: Option<PunchRecord>,
    pub clock_out: Option<PunchRecord>,
    /// Minutes worked between the punches, before rounding.
    pub worked_minutes: Option<i64>,
    /// Minutes paid, after the rounding rule and the minimum.
    pub billable_minutes: Option<i64>,
    pub rate_cents: Cents,
    pub multiplier_bp: u32,
    pub gross_cents: Option<Cents>,
    pub currency: String,
    pub status: TimecardStatus,
    pub paid_at: Option<DateTime<Utc>>,
    /// When the customer was invoiced for it (its invoice's issue time), once invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoiced_at: Option<DateTime<Utc>>,
    pub version: u64,
    /// Why a coordinator rejected the timecard (status `rejected`), in their words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

/// A block of work the department knows of, used for hour caps and rest rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyBlock {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub kind: DutyKind,
}

/// Whether a block of work was a regular (on-duty) shift or an off-duty detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    OnDuty,
    OffDuty,
}

/// What an officer does. Each is sent inside an [`ActionEnvelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Take a slot (first come) or ask for one (ranked rules); joins the waitlist when full.
    Claim { job_id: Uuid },
    /// Take back a request or leave the waitlist (not for an awarded slot: that is `cancel`).
    Withdraw { job_id: Uuid },
    /// Give up an awarded slot, subject to the department's cancellation windows.
    Cancel {
        job_id: Uuid,
        #[serde(default)]
        reason: Option<String>,
    },
    /// Hand an awarded slot to a named officer, or back to the board (`to_officer_id: null`).
    Transfer {
        job_id: Uuid,
        #[serde(default)]
        to_officer_id: Option<Uuid>,
    },
    /// A signed clock-in punch.
    ClockIn { event: SignedClockEvent },
    /// A signed clock-out punch.
    ClockOut { event: SignedClockEvent },
    /// Tell the department the officer will arrive `minutes_late` minutes after the start (or,
    /// once the shift has started, after now): 1 to 180, from two hours before the start to
    /// the end (decision 048).
    ReportLate { job_id: Uuid, minutes_late: u16 },
    /// Give up an awarded slot at short notice because the officer cannot come: a cancellation
    /// in every window, from two hours before the start to the end (decision 048).
    WontMakeIt {
        job_id: Uuid,
        #[serde(default)]
        reason: Option<String>,
    },
}

impl Action {
    /// The kind of action (`claim`, `clock_in`, …).
    pub fn kind(&self) -> crate::actions::ActionKind {
        use crate::actions::ActionKind;
        match self {
            Action::Claim { .. } => ActionKind::Claim,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::Cancel { .. } => ActionKind::Cancel,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::ClockIn { .. } => ActionKind::ClockIn,
            Action::ClockOut { .. } => ActionKind::ClockOut,
            Action::ReportLate { .. } => ActionKind::ReportLate,
            Action::WontMakeIt { .. } => ActionKind::WontMakeIt,
        }
    }

    /// The job the action is about.
    pub fn job_id(&self) -> Uuid {
        match self {
            Action::Claim { job_id }
            | Action::Withdraw { job_id }
            | Action::Cancel { job_id, .. }
            | Action::Transfer { job_id, .. }
            | Action::ReportLate { job_id, .. }
            | Action::WontMakeIt { job_id, .. } => *job_id,
            Action::ClockIn { event } | Action::ClockOut { event } => event.event.job_id,
        }
    }
}

/// An action with the idempotency key that makes retries safe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionEnvelope {
    /// UUIDv7 chosen by the device when the officer acted. The same key with the same action
    /// returns the stored outcome; with a different action it is refused (422).
    pub idempotency_key: Uuid,
    /// Device time when the officer acted (informational: the server decides by receipt order).
    pub created_at: DateTime<Utc>,
    pub action: Action,
}

/// The device's clocks at the moment a batch is sent, so the server can place offline punches
/// on its own timeline (same boot id: monotonic time is trustworthy; device time may not be).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceClock {
    pub device_time: DateTime<Utc>,
    pub monotonic_ms: u64,
    pub boot_id: String,
}

/// Body of `POST /v1/actions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionBatch {
    pub actions: Vec<ActionEnvelope>,
    #[serde(default)]
    pub device_clock: Option<DeviceClock>,
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    /// The officer holds a slot.
    Awarded { assignment_id: Uuid },
    /// The request is recorded; slots are awarded by the job's rule when signups close.
    Requested { assignment_id: Uuid, position: u32 },
    /// Every slot is taken; the officer is in line.
    Waitlisted { assignment_id: Uuid, position: u32 },
    /// The request or waitlist place is given up.
    Withdrawn { assignment_id: Uuid },
    /// The slot is given up; `promoted` is whether someone from the waitlist took it.
    Cancelled {
        assignment_id: Uuid,
        window: CancelWindow,
        promoted: bool,
    },
    /// The slot now belongs to `to_officer_id`, or is back on the board when `None`.
    Transferred {
        assignment_id: Uuid,
        to_officer_id: Option<Uuid>,
    },
    /// The department knows the officer is running late and expects them at `eta`; the
    /// no-show alert waits until then (plus the grace).
    LateReported {
        assignment_id: Uuid,
        minutes_late: u16,
        eta: DateTime<Utc>,
    },
    /// The punch is recorded with the server's verdict.
    Punched {
        timecard_id: Uuid,
        event_id: Uuid,
        verdict: PunchVerdict,
        reasons: Vec<PunchReason>,
    },
    /// The action was refused; nothing changed.
    Rejected {
        code: RejectCode,
        /// A sentence an officer can read.
        reason: String,
        /// Why the officer is not eligible, when that is the cause.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ineligible: Vec<IneligibleReason>,
    },
}

impl Outcome {
    /// A refusal with a sentence for the officer and no eligibility reasons.
    pub fn rejected(code: RejectCode, reason: impl Into<String>) -> Outcome {
        Outcome::Rejected {
            code,
            reason: reason.into(),
            ineligible: Vec::new(),
        }
    }
}

/// Why an action was refused, as a stable code a client can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    JobNotFound,
    /// The job is cancelled, over, or otherwise not taking this action.
    JobClosed,
    /// Signups have not opened for this officer yet (release tier), or have closed.
    SignupClosed,
    NotEligible,
    /// The officer already holds, asked for or waits for a slot on this job.
    AlreadyClaimed,
    /// The officer has nothing on this job to withdraw, cancel, transfer or punch.
    NotAssigned,
    /// Inside the window where the officer must find a replacement, and none is available.
    NeedsReplacement,
    /// Too close to the start: only a coordinator can release the officer.
    CallCoordinator,
    /// The named officer cannot take the slot.
    TransferTargetInvalid,
    /// The clock event's signature does not verify against the device's registered key.
    BadSignature,
    /// The clock event's sequence number was already used (a replay), or goes backwards.
    Replayed,
    /// The clock event does not follow the device's previous event (hash chain broken).
    ChainMismatch,
    /// The device is unknown, revoked or belongs to someone else.
    UnknownDevice,
    /// Clock-in twice, or clock-out without a clock-in.
    PunchOutOfOrder,
    /// Too many claims in a short time.
    RateLimited,
    /// The action is malformed in a way the schema could not catch.
    Invalid,
}

/// One decided action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionOutcome {
    pub idempotency_key: Uuid,
    /// True when this outcome was stored earlier under the same key (a retry).
    pub replayed: bool,
    pub outcome: Outcome,
}

/// Response of `POST /v1/actions`: one outcome per action, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionResults {
    pub api_version: u32,
    pub outcomes: Vec<ActionOutcome>,
}

/// Department settings the phone needs to apply the same rules offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRules {
    pub department_id: Uuid,
    pub name: String,
    /// IANA time zone that decides "day" and "week" for hour caps and reports.
    pub time_zone: String,
    pub currency: String,
    pub limits: crate::eligibility::Limits,
    pub cancel_policy: crate::policy::CancelPolicy,
    pub punch_thresholds: crate::punch::PunchThresholds,
    /// Rates, multipliers, minimum and rounding (for estimates shown before a shift).
    pub pay: crate::pay::PayPolicy,
    /// How earnings are grouped into pay periods (absent from servers before this field: the
    /// default biweekly periods).
    #[serde(default)]
    pub pay_period: crate::earnings::PayPeriodRule,
}

/// The officer's own profile, as used for eligibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerProfile {
    pub id: Uuid,
    pub display_name: String,
    pub badge: String,
    pub rank: crate::eligibility::Rank,
    pub certifications: Vec<String>,
    pub groups: Vec<String>,
    /// 1 = most senior.
    pub seniority: u32,
    pub permit_expires_at: Option<DateTime<Utc>>,
}

/// Response of `GET /v1/sync?cursor=N`: what this officer may see that changed since `N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub api_version: u32,
    /// Pass this back as `cursor` next time.
    pub cursor: u64,
    /// True when this is a full snapshot (cursor 0, or a cursor the server no longer knows):
    /// the client replaces its cache instead of merging.
    pub full: bool,
    pub jobs: Vec<Job>,
    pub assignments: Vec<Assignment>,
    pub timecards: Vec<Timecard>,
    /// Present on a full snapshot, or when the officer's own duty blocks changed.
    pub duty_blocks: Option<Vec<DutyBlock>>,
    /// Present on a full snapshot, or when the department's rules changed.
    pub rules: Option<DepartmentRules>,
    /// Present on a full snapshot, or when the officer's profile changed.
    pub profile: Option<OfficerProfile>,
    /// Present on a full snapshot, or when the officer's notification preferences changed.
    #[serde(default)]
    pub preferences: Option<crate::prefs::Preferences>,
}

/// Body of `POST /v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// A coordinator with two-factor sign-in: the current 6-digit TOTP code or a recovery code
    /// (decision 038). Without it such a login is refused with the `totp-required` problem.
    /// Officers never send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
}

impl std::fmt::Debug for LoginRequest {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &"…")
            .field("otp", &self.otp.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Body of `POST /v1/auth/refresh` and `POST /v1/auth/logout`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshRequest {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest { refresh_token: … }")
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: Uuid,
    pub department_id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub email: String,
}

/// Tokens returned by login and refresh.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one. The same refresh retried within 60 seconds
    /// (its response was lost) returns the same new one; any other reuse of an old one signs out
    /// every session of that login.
    pub refresh_token: String,
    pub user: UserInfo,
}

impl std::fmt::Debug for TokenResponse {
    /// Never prints the tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterDevice {
    /// The device's P-256 public key: PEM, base64 SubjectPublicKeyInfo DER, or base64 SEC1.
    pub public_key: String,
    /// A name the officer recognizes ("Pixel 8", "iPhone 15").
    pub label: String,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: Uuid,
    pub label: String,
    /// Base64 SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// Sequence of the last accepted clock event (0: none yet).
    pub last_seq: u64,
    /// Hash of the last accepted clock event, if any.
    pub last_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Base of every problem `type` URI.
pub const PROBLEM_BASE: &str = "https://offduty.dev/problems/";

/// The kinds of problem the API answers with (the `type` of a [`Problem`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    /// 422: a field has a value the server cannot accept (`field` and `code` say which and why).
    Validation,
    /// 400: the body or query could not be parsed.
    Malformed,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: this role or user may not do this.
    Forbidden,
    /// 404: no such thing visible to this user.
    NotFound,
    /// 405: the route does not take that method.
    MethodNotAllowed,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 422: an idempotency key was reused with a different action (`index` names it).
    IdempotencyKeyReused,
    /// 429: too many attempts (`retry_after_s`).
    RateLimited,
    /// 401: the password was right, but this account signs in with a second factor: send the
    /// current TOTP code (or a recovery code) as `otp` (decision 038).
    TotpRequired,
    /// 503: the database is unavailable or busy; retry.
    Unavailable,
    /// 503: the request took longer than the server allows (decision 015).
    Timeout,
    /// 500: a bug on the server.
    Internal,
}

impl ProblemType {
    /// Every kind, for tests and documentation.
    pub const ALL: [ProblemType; 14] = [
        ProblemType::Validation,
        ProblemType::Malformed,
        ProblemType::Unauthorized,
        ProblemType::Forbidden,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::Conflict,
        ProblemType::PayloadTooLarge,
        ProblemType::IdempotencyKeyReused,
        ProblemType::RateLimited,
        ProblemType::TotpRequired,
        ProblemType::Unavailable,
        ProblemType::Timeout,
        ProblemType::Internal,
    ];

    /// The last segment of the type URI.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::Validation => "validation",
            ProblemType::Malformed => "malformed",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::Forbidden => "forbidden",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::Conflict => "conflict",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::IdempotencyKeyReused => "idempotency-key-reused",
            ProblemType::RateLimited => "rate-limited",
            ProblemType::TotpRequired => "totp-required",
            ProblemType::Unavailable => "unavailable",
            ProblemType::Timeout => "timeout",
            ProblemType::Internal => "internal",
        }
    }

    /// The full `type` URI.
    pub fn uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    /// The kind a `type` URI names (exact match); `None` for a URI this version does not know.
    pub fn from_uri(uri: &str) -> Option<ProblemType> {
        let slug = uri.strip_prefix(PROBLEM_BASE)?;
        ProblemType::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// An RFC 9457 problem detail (`application/problem+json`): how the server says no, and what
/// the phone keeps of it, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI identifying the kind of problem (stable; see [`ProblemType`]).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A sentence for a person.
    pub detail: String,
    /// JSON path of the request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why that field was refused, as a stable code (validation problems).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<crate::validation::InvalidCode>,
    /// For a batch (`POST /v1/actions`): the index of the action at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// For a reused idempotency key: whether the actions before `index` were applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_before: Option<bool>,
    /// For rate limits: seconds to wait before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// The request's id (also in the `x-request-id` header), for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The kind of problem, when this version knows its `type`.
    pub fn problem_type(&self) -> Option<ProblemType> {
        ProblemType::from_uri(&self.kind)
    }
}

#[cfg(test)]
mod problem_tests {
    use super::*;

    #[test]
    fn problem_types_round_trip_their_uris_exactly() {
        for k in ProblemType::ALL {
            assert_eq!(ProblemType::from_uri(&k.uri()), Some(k));
        }
        assert_eq!(
            ProblemType::from_uri("https://offduty.dev/problems/nope"),
            None
        );
        assert_eq!(
            ProblemType::from_uri("https://example.com/problems/conflict"),
            None,
            "a foreign type is not ours even when its suffix matches"
        );
    }

    #[test]
    fn a_problem_keeps_its_structured_members() {
        let json = r#"{"type":"https://offduty.dev/problems/validation","title":"Invalid request",
            "status":422,"detail":"must not be empty","field":"title","code":"required","extra":1}"#;
        let p: Problem = serde_json::from_str(json).unwrap();
        assert_eq!(p.problem_type(), Some(ProblemType::Validation));
        assert_eq!(p.field.as_deref(), Some("title"));
        assert_eq!(p.code, Some(crate::validation::InvalidCode::Required));
        assert_eq!(p.index, None);
    }
}
