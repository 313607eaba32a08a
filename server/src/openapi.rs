//! The OpenAPI 3.1 document of `/v1`: schemas derived from the Rust types (utoipa), operations
//! from the table below, which lists every route the router serves (a test keeps them equal).

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use offduty_domain::protocol as p;

/// Every schema the API exchanges.
#[derive(OpenApi)]
#[openapi(components(schemas(
    offduty_domain::protocol::Problem,
    crate::routes::auth::LoginRequest,
    crate::routes::auth::TokenResponse,
    crate::routes::auth::RefreshRequest,
    crate::routes::auth::MeResponse,
    crate::routes::devices::RegisterDevice,
    crate::routes::devices::Device,
    offduty_domain::push::PushToken,
    offduty_domain::push::PushPlatform,
    crate::routes::push_tokens::DevicePushToken,
    crate::routes::jobs::NewJob,
    crate::routes::jobs::RosterEntry,
    crate::services::job_edit::JobPatch,
    crate::services::job_edit::JobUpdate,
    crate::services::award::AwardReport,
    p::Job,
    p::ActionBatch,
    p::ActionResults,
    p::SyncResponse,
    p::Timecard,
    crate::routes::timecards::ApproveRequest,
    crate::routes::timecards::RejectRequest,
    crate::routes::timecards::Earnings,
    offduty_domain::protocol::OfficerProfile,
    crate::services::accounts::NewOfficer,
    crate::services::accounts::CreatedAccount,
    crate::services::accounts::UserAccount,
    crate::services::access::AccountChange,
    crate::services::access::PasswordReset,
    crate::services::access::SetPassword,
    crate::routes::accounts::ResetPassword,
    crate::routes::accounts::RoleChange,
    crate::services::roster::RosterImport,
    crate::services::roster::RowError,
    crate::routes::admin::DutyImport,
    crate::routes::admin::ImportResult,
    crate::routes::admin::DepartmentSettings,
    crate::routes::admin::DepartmentRulesView,
    crate::routes::admin::DepartmentView,
    crate::routes::admin::UpdateDepartment,
    crate::routes::admin::Notification,
    crate::services::audit::AuditEntryRecord,
    crate::services::audit::ChainReport,
    offduty_domain::prefs::Preferences,
    offduty_domain::directory::DirectoryEntry,
    crate::services::customers::Organization,
    crate::services::customers::Terms,
    crate::services::customers::OrganizationKind,
    crate::services::customers::Site,
    crate::services::customers::NewSite,
    crate::services::event_requests::EventForm,
    crate::services::event_requests::ShiftForm,
    crate::services::event_requests::EventRequest,
    crate::services::event_requests::RequestStatus,
    crate::services::event_requests::Approval,
    crate::routes::marketplace::CancelRequest,
    crate::routes::marketplace::CancelledEvent,
    crate::routes::marketplace::ApprovedEvent,
    crate::routes::marketplace::DecisionReason,
    crate::routes::marketplace::TermsChange,
    offduty_domain::billing::Bill,
    offduty_domain::billing::RateCard,
    offduty_domain::payouts::PayoutAccount,
    offduty_domain::payouts::PayoutAccountStatus,
    offduty_domain::payouts::PayoutSetupLink,
    crate::routes::payouts::StripeEvent,
    crate::routes::payouts::WebhookReceipt,
    offduty_domain::ratings::OfficerRatingForm,
    offduty_domain::ratings::SiteRatingForm,
    offduty_domain::ratings::OfficerTag,
    offduty_domain::ratings::SiteTag,
    offduty_domain::ratings::Reliability,
    crate::services::ratings::OfficerRating,
    crate::services::ratings::SiteRating,
    crate::services::ratings::MyReliability,
    crate::services::ratings::TagCount,
)))]
struct Schemas;

/// Who may call an operation.
const ANY: &str = "any signed-in user";
const OFFICER: &str = "officer";
const COORD: &str = "coordinator";
const PUBLIC: &str = "public";
const STAFF: &str = "officer or coordinator";
const CUSTOMER: &str = "customer";
const BUSINESS: &str = "customer or coordinator";

/// The `body` of an operation that takes a CSV file instead of JSON.
pub const CSV: &str = "text/csv";

/// The `ok` schema of an operation that answers a PDF file.
pub const PDF: &str = "application/pdf";

/// Operations whose body may be left out.
const OPTIONAL_BODY: &[&str] = &[
    "/v1/timecards/{id}/approve",
    "/v1/users/{id}/reset-password",
];

/// Public operations that answer 401 when the password or token they are given is refused.
const REFUSES_CREDENTIALS: &[&str] = &[
    "/v1/auth/login",
    "/v1/auth/refresh",
    "/v1/auth/reset-password",
];

/// Operations that answer 409 when the record's state does not allow the request.
const CONFLICTS: &[(&str, &str)] = &[
    ("patch", "/v1/jobs/{id}"),
    ("post", "/v1/jobs/{id}/cancel"),
    ("post", "/v1/jobs/{id}/award"),
    ("post", "/v1/timecards/{id}/approve"),
    ("post", "/v1/timecards/{id}/reject"),
    ("post", "/v1/timecards/{id}/paid"),
    ("post", "/v1/officers"),
    ("post", "/v1/users/{id}/disable"),
    ("put", "/v1/users/{id}/role"),
    ("put", "/v1/event-requests/{id}"),
    ("post", "/v1/event-requests/{id}/cancel"),
    ("post", "/v1/event-requests/{id}/approve"),
    ("post", "/v1/event-requests/{id}/changes"),
    ("post", "/v1/event-requests/{id}/reject"),
    ("post", "/v1/me/payout-account/link"),
    ("put", "/v1/timecards/{id}/rating"),
    ("put", "/v1/me/timecards/{id}/site-rating"),
];

/// One operation: method, path, roles, summary, request schema, success status and schema
/// (`[Name]` for an array, empty for no body), query parameters (name, type, description).
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub roles: &'static str,
    pub summary: &'static str,
    pub body: Option<&'static str>,
    pub ok: (u16, &'static str),
    pub query: &'static [(&'static str, &'static str, &'static str)],
}

const TIME_RANGE: &[(&str, &str, &str)] = &[
    (
        "officer_id",
        "uuid",
        "coordinators: one officer (officers always get their own)",
    ),
    ("status", "string", "only this timecard status"),
    ("from", "date-time", "shifts starting at or after"),
    ("to", "date-time", "shifts starting before"),
];

/// Every route of `/v1`.
pub const OPERATIONS: &[Op] = &[
    Op {
        method: "get",
        path: "/v1/health",
        roles: PUBLIC,
        summary: "The process is up (no database access)",
        body: None,
        ok: (200, ""),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/ready",
        roles: PUBLIC,
        summary: "The database answers",
        body: None,
        ok: (200, ""),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/openapi.json",
        roles: PUBLIC,
        summary: "This document",
        body: None,
        ok: (200, ""),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/auth/login",
        roles: PUBLIC,
        summary: "Sign in with e-mail and password (and `otp`, for a coordinator with two-factor sign-in)",
        body: Some("LoginRequest"),
        ok: (200, "TokenResponse"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/auth/refresh",
        roles: PUBLIC,
        summary: "Rotate a refresh token (a retry within 60 s gets the same successor; other reuse revokes the family)",
        body: Some("RefreshRequest"),
        ok: (200, "TokenResponse"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/auth/logout",
        roles: PUBLIC,
        summary: "End the session of a refresh token",
        body: Some("RefreshRequest"),
        ok: (204, ""),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/auth/reset-password",
        roles: PUBLIC,
        summary: "Set a password with a one-time token (new account or a coordinator's reset)",
        body: Some("SetPassword"),
        ok: (204, ""),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/me",
        roles: ANY,
        summary: "The signed-in user and officer profile",
        body: None,
        ok: (200, "MeResponse"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/devices",
        roles: OFFICER,
        summary: "Register a device's P-256 public key",
        body: Some("RegisterDevice"),
        ok: (201, "Device"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/devices",
        roles: ANY,
        summary: "My devices",
        body: None,
        ok: (200, "[Device]"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/devices/{id}/push-token",
        roles: OFFICER,
        summary: "Set where the push service (FCM, APNs) reaches one of my devices; the same token on another device moves here",
        body: Some("PushToken"),
        ok: (200, "DevicePushToken"),
        query: &[],
    },
    Op {
        method: "delete",
        path: "/v1/devices/{id}/push-token",
        roles: OFFICER,
        summary: "Stop pushes to one of my devices (signing out); idempotent",
        body: None,
        ok: (204, ""),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/devices/{id}/revoke",
        roles: ANY,
        summary: "Revoke one of my devices",
        body: None,
        ok: (204, ""),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/jobs",
        roles: ANY,
        summary: "The department's jobs (customers: their own)",
        body: None,
        ok: (200, "[Job]"),
        query: &[
            ("from", "date-time", "jobs ending after (default: 24 h ago)"),
            ("to", "date-time", "jobs starting before"),
            ("status", "string", "open, filled, cancelled or completed"),
            (
                "limit",
                "integer",
                "at most this many (default 500, max 2000)",
            ),
        ],
    },
    Op {
        method: "post",
        path: "/v1/jobs",
        roles: COORD,
        summary: "Post a job",
        body: Some("NewJob"),
        ok: (201, "Job"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/jobs/{id}",
        roles: ANY,
        summary: "One job",
        body: None,
        ok: (200, "Job"),
        query: &[],
    },
    Op {
        method: "patch",
        path: "/v1/jobs/{id}",
        roles: COORD,
        summary: "Edit or reschedule a job (everyone on it is told and re-checked)",
        body: Some("JobPatch"),
        ok: (200, "JobUpdate"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/jobs/{id}/cancel",
        roles: COORD,
        summary: "Call a job off",
        body: None,
        ok: (200, "Job"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/jobs/{id}/award",
        roles: COORD,
        summary: "Close signups on a ranked job and award it now",
        body: None,
        ok: (200, "AwardReport"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/jobs/{id}/roster",
        roles: COORD,
        summary: "Who holds, asked for or waits for each slot",
        body: None,
        ok: (200, "[RosterEntry]"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/actions",
        roles: OFFICER,
        summary: "Submit queued actions (idempotent, decided in order)",
        body: Some("ActionBatch"),
        ok: (200, "ActionResults"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/sync",
        roles: OFFICER,
        summary: "What changed for me since a cursor",
        body: None,
        ok: (200, "SyncResponse"),
        query: &[(
            "cursor",
            "integer",
            "the cursor of the previous sync; 0 for a full snapshot",
        )],
    },
    Op {
        method: "get",
        path: "/v1/timecards",
        roles: ANY,
        summary: "Timecards (officers: their own)",
        body: None,
        ok: (200, "[Timecard]"),
        query: TIME_RANGE,
    },
    Op {
        method: "post",
        path: "/v1/timecards/{id}/approve",
        roles: COORD,
        summary: "Approve a timecard (a note is required if it needs review)",
        body: Some("ApproveRequest"),
        ok: (200, "Timecard"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/timecards/{id}/reject",
        roles: COORD,
        summary: "Reject a timecard with a reason the officer sees",
        body: Some("RejectRequest"),
        ok: (200, "Timecard"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/timecards/{id}/paid",
        roles: COORD,
        summary: "Mark a timecard paid (time no customer was invoiced for; invoiced time is paid with the payroll: 409)",
        body: None,
        ok: (200, "Timecard"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/earnings",
        roles: ANY,
        summary: "Earnings: shifts, hours, gross, paid and unpaid",
        body: None,
        ok: (200, "Earnings"),
        query: TIME_RANGE,
    },
    Op {
        method: "get",
        path: "/v1/me/history.pdf",
        roles: OFFICER,
        summary: "My jobs, hours and pay history as a PDF (the same figures as JSON: /v1/earnings)",
        body: None,
        ok: (200, PDF),
        query: &[
            (
                "from",
                "date",
                "first day, YYYY-MM-DD in the department's zone (default: a year ago)",
            ),
            (
                "to",
                "date",
                "last day, included (default: today); at most 366 days",
            ),
        ],
    },
    Op {
        method: "get",
        path: "/v1/me/payout-account",
        roles: OFFICER,
        summary: "Where my payout account stands when the department pays officers directly (asks the provider again while set-up is unfinished)",
        body: None,
        ok: (200, "PayoutAccount"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/me/payout-account/link",
        roles: OFFICER,
        summary: "A fresh one-time link to the payment provider's set-up pages for my payout account (409 when the department pays through its payroll)",
        body: None,
        ok: (200, "PayoutSetupLink"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/webhooks/stripe",
        roles: PUBLIC,
        summary: "Stripe's signed events: bank debits settling, officers' payout accounts becoming payable (checked by the Stripe-Signature header)",
        body: Some("StripeEvent"),
        ok: (200, "WebhookReceipt"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/me/reliability",
        roles: OFFICER,
        summary: "My reliability over the last 180 days, computed from the record, and what customers said (never who)",
        body: None,
        ok: (200, "MyReliability"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/me/timecards/{id}/site-rating",
        roles: OFFICER,
        summary: "Rate the site of a shift I worked (1-5, tags, comment), for the department only; changeable for 14 days",
        body: Some("SiteRatingForm"),
        ok: (200, "SiteRating"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/timecards/{id}/rating",
        roles: CUSTOMER,
        summary: "Rate the officer who worked a timecard of my organization (1-5, tags, comment); changeable for 14 days",
        body: Some("OfficerRatingForm"),
        ok: (200, "OfficerRating"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/officers",
        roles: COORD,
        summary: "The department's officers",
        body: None,
        ok: (200, "[OfficerProfile]"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/officers",
        roles: COORD,
        summary: "Add an officer (with a password or a one-time setup token)",
        body: Some("NewOfficer"),
        ok: (201, "CreatedAccount"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/officers/import",
        roles: COORD,
        summary: "Import the roster CSV (all or nothing; re-importing changes nothing)",
        body: Some(CSV),
        ok: (200, "RosterImport"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/users",
        roles: COORD,
        summary: "Every account of the department",
        body: None,
        ok: (200, "[UserAccount]"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/users/{id}/disable",
        roles: COORD,
        summary: "Disable an account (its sessions end at once)",
        body: None,
        ok: (200, "AccountChange"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/users/{id}/enable",
        roles: COORD,
        summary: "Enable a disabled account",
        body: None,
        ok: (200, "AccountChange"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/users/{id}/reset-password",
        roles: COORD,
        summary: "Reset a password (to a given one, or a one-time token); sessions end",
        body: Some("ResetPassword"),
        ok: (200, "PasswordReset"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/users/{id}/role",
        roles: COORD,
        summary: "Make an account an officer or a coordinator (sessions end)",
        body: Some("RoleChange"),
        ok: (200, "AccountChange"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/duty-blocks",
        roles: COORD,
        summary: "Import on-duty shifts (count toward hour caps)",
        body: Some("DutyImport"),
        ok: (200, "ImportResult"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/department",
        roles: ANY,
        summary: "The department's rules (and pay policy for coordinators)",
        body: None,
        ok: (200, "DepartmentView"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/department",
        roles: COORD,
        summary: "Replace the department's rules and pay policy",
        body: Some("UpdateDepartment"),
        ok: (200, "DepartmentSettings"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/notifications",
        roles: ANY,
        summary: "My notifications, newest first",
        body: None,
        ok: (200, "[Notification]"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/preferences",
        roles: OFFICER,
        summary: "My notification channels and quiet hours",
        body: None,
        ok: (200, "Preferences"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/preferences",
        roles: OFFICER,
        summary: "Replace my notification preferences (last writer wins)",
        body: Some("Preferences"),
        ok: (200, "Preferences"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/audit",
        roles: COORD,
        summary: "The department's hash-chained audit log",
        body: None,
        ok: (200, "[AuditEntryRecord]"),
        query: &[
            ("after", "integer", "entries after this sequence"),
            (
                "limit",
                "integer",
                "at most this many (default 500, max 5000)",
            ),
        ],
    },
    Op {
        method: "get",
        path: "/v1/audit/verify",
        roles: COORD,
        summary: "Recompute the audit hash chain",
        body: None,
        ok: (200, "ChainReport"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/directory",
        roles: STAFF,
        summary: "Search the department's active officers by name or badge (id, name, badge, rank; no contact details), by name",
        body: None,
        ok: (200, "[DirectoryEntry]"),
        query: &[
            (
                "q",
                "string",
                "part of a name or badge number, 2 to 64 characters (required)",
            ),
            (
                "limit",
                "integer",
                "at most this many matches (default 20, max 50)",
            ),
        ],
    },
    Op {
        method: "get",
        path: "/v1/organization",
        roles: CUSTOMER,
        summary: "My organization: its terms and saved payment method",
        body: None,
        ok: (200, "Organization"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/sites",
        roles: CUSTOMER,
        summary: "My organization's sites, by name",
        body: None,
        ok: (200, "[Site]"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/sites",
        roles: CUSTOMER,
        summary: "Add a site: a typed pin and the circle officers clock in within",
        body: Some("NewSite"),
        ok: (201, "Site"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/event-requests/estimate",
        roles: CUSTOMER,
        summary: "What an event request would cost, from the rate card (nothing is written)",
        body: Some("EventForm"),
        ok: (200, "Bill"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/event-requests",
        roles: BUSINESS,
        summary: "Event requests, oldest first (customers: their organization's; coordinators: the department's)",
        body: None,
        ok: (200, "[EventRequest]"),
        query: &[(
            "status",
            "string",
            "submitted, changes_requested, approved, rejected or cancelled",
        )],
    },
    Op {
        method: "post",
        path: "/v1/event-requests",
        roles: CUSTOMER,
        summary: "Request an event (403 without a validated payment method or invoice terms)",
        body: Some("EventForm"),
        ok: (201, "EventRequest"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/event-requests/{id}",
        roles: BUSINESS,
        summary: "One event request (customers: their organization's)",
        body: None,
        ok: (200, "EventRequest"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/event-requests/{id}",
        roles: CUSTOMER,
        summary: "Change a request still waiting or sent back for changes (it is submitted again)",
        body: Some("EventForm"),
        ok: (200, "EventRequest"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/event-requests/{id}/cancellation",
        roles: CUSTOMER,
        summary: "What cancelling the request would cost now (nothing before approval)",
        body: None,
        ok: (200, "Bill"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/event-requests/{id}/cancel",
        roles: CUSTOMER,
        summary: "Cancel a request at the cost shown (409 when it has changed); its jobs are called off",
        body: Some("CancelRequest"),
        ok: (200, "CancelledEvent"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/event-requests/{id}/approve",
        roles: COORD,
        summary: "Approve a submitted request (rate, award rule, signup close and officers may be changed): one job per shift",
        body: Some("Approval"),
        ok: (200, "ApprovedEvent"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/event-requests/{id}/changes",
        roles: COORD,
        summary: "Send a submitted request back to its customer with what to change",
        body: Some("DecisionReason"),
        ok: (200, "EventRequest"),
        query: &[],
    },
    Op {
        method: "post",
        path: "/v1/event-requests/{id}/reject",
        roles: COORD,
        summary: "Decline a submitted request with a reason the customer reads",
        body: Some("DecisionReason"),
        ok: (200, "EventRequest"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/organizations",
        roles: COORD,
        summary: "The department's customer organizations, by name",
        body: None,
        ok: (200, "[Organization]"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/organizations/{id}/terms",
        roles: COORD,
        summary: "Grant (invoice) or withdraw (card) an organization's invoice terms",
        body: Some("TermsChange"),
        ok: (200, "Organization"),
        query: &[],
    },
    Op {
        method: "get",
        path: "/v1/rate-card",
        roles: BUSINESS,
        summary: "The rate card: what customers are billed (its pay policy is what officers are paid)",
        body: None,
        ok: (200, "RateCard"),
        query: &[],
    },
    Op {
        method: "put",
        path: "/v1/rate-card",
        roles: COORD,
        summary: "Replace the rate card (pay policy and fees); phones sync the new pay",
        body: Some("RateCard"),
        ok: (200, "RateCard"),
        query: &[],
    },
];

fn schema_ref(name: &str) -> Value {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(inner) => {
            json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{inner}")}})
        }
        None => json!({"$ref": format!("#/components/schemas/{name}")}),
    }
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn operation(op: &Op) -> Value {
    let mut o = Map::new();
    o.insert("summary".into(), json!(op.summary));
    o.insert(
        "description".into(),
        json!(format!("Allowed: {}.", op.roles)),
    );
    let tag = op
        .path
        .trim_start_matches("/v1/")
        .split('/')
        .next()
        .unwrap_or("misc");
    o.insert("tags".into(), json!([tag]));
    let mut params: Vec<Value> = op
        .query
        .iter()
        .map(|(name, ty, desc)| {
            let schema = match *ty {
                "date-time" | "uuid" | "date" => json!({"type": "string", "format": ty}),
                other => json!({"type": other}),
            };
            let required = op.path == "/v1/directory" && *name == "q";
            json!({"name": name, "in": "query", "required": required, "description": desc, "schema": schema})
        })
        .collect();
    if op.path.contains("{id}") {
        params.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}));
    }
    if !params.is_empty() {
        o.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = op.body {
        let content = if body == CSV {
            json!({"text/csv": {"schema": {"type": "string",
                "description": "header row: email, name, badge; optional rank, seniority_date, \
                    certifications, groups, permit_expires (lists `;`-separated, dates YYYY-MM-DD)"}}})
        } else {
            json!({"application/json": {"schema": schema_ref(body)}})
        };
        o.insert(
            "requestBody".into(),
            json!({"required": !OPTIONAL_BODY.contains(&op.path), "content": content}),
        );
    }
    if op.roles != PUBLIC {
        o.insert("security".into(), json!([{"bearer": []}]));
    }
    let mut responses = Map::new();
    let (status, schema) = op.ok;
    let ok = if schema.is_empty() {
        json!({"description": "success"})
    } else if schema == PDF {
        json!({"description": "success", "content": {"application/pdf":
            {"schema": {"type": "string", "format": "binary"}}}})
    } else {
        json!({"description": "success", "content": {"application/json": {"schema": schema_ref(schema)}}})
    };
    responses.insert(status.to_string(), ok);
    if op.body.is_some() || !op.query.is_empty() {
        responses.insert("400".into(), problem("malformed request"));
        responses.insert(
            "422".into(),
            problem("a field is invalid (the `field` member names it)"),
        );
    }
    if op.roles != PUBLIC {
        responses.insert("401".into(), problem("not signed in"));
        responses.insert("403".into(), problem("this role may not do this"));
    } else if REFUSES_CREDENTIALS.contains(&op.path) {
        responses.insert(
            "401".into(),
            problem("the credentials or token are refused"),
        );
    }
    if CONFLICTS.contains(&(op.method, op.path)) {
        responses.insert(
            "409".into(),
            problem("the record's state does not allow this (the detail says why)"),
        );
    }
    if op.path.contains("{id}") {
        responses.insert("404".into(), problem("no such record in your department"));
    }
    if op.path == "/v1/devices/{id}/push-token" && op.method == "put" {
        responses.insert(
            "409".into(),
            problem("the device was revoked: sign in again to register it"),
        );
    }
    if op.path == "/v1/auth/login" {
        responses.insert(
            "401".into(),
            problem(
                "wrong e-mail or password (type `unauthorized`); or the password was right but \
                 the coordinator signs in with two-factor and `otp` is missing, wrong or already \
                 used, or the department requires two-factor and the coordinator has not set it \
                 up in the web console (type `totp-required`)",
            ),
        );
        responses.insert("429".into(), problem("too many attempts"));
    }
    if op.path == "/v1/auth/refresh" {
        responses.insert(
            "401".into(),
            problem(
                "unknown, expired or revoked refresh token; or a used one presented again \
                 after the 60-second retry window or after its successor was used (this \
                 revokes every token of the sign-in)",
            ),
        );
    }
    if op.path == "/v1/directory" {
        responses.insert(
            "403".into(),
            problem("customers may not search the directory"),
        );
        responses.insert(
            "422".into(),
            problem(
                "`q` is missing, shorter than 2 or longer than 64 characters, or `limit` is \
                 outside 1 to 50 (the `field` member names which)",
            ),
        );
    }
    if op.path == "/v1/webhooks/stripe" {
        responses.insert(
            "404".into(),
            problem("this server has no Stripe webhook signing secret configured"),
        );
        responses.insert(
            "422".into(),
            problem(
                "the Stripe-Signature header is missing, malformed, does not match the body, or \
                 is more than 5 minutes from the server's clock (`field`: stripe-signature)",
            ),
        );
    }
    if op.body.is_some() {
        responses.insert(
            "413".into(),
            problem("the body is larger than 1 MiB (type `payload-too-large`)"),
        );
    }
    responses.insert(
        "503".into(),
        problem(
            "retry: the database is unavailable (type `unavailable`), or the request was not \
             answered within the server's deadline (type `timeout`; 30 s unless configured)",
        ),
    );
    o.insert("responses".into(), Value::Object(responses));
    Value::Object(o)
}

/// The whole document.
pub fn document() -> Value {
    let components = serde_json::to_value(Schemas::openapi().components).unwrap_or(Value::Null);
    let mut paths = Map::new();
    for op in OPERATIONS {
        let item = paths
            .entry(op.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = item {
            m.insert(op.method.to_string(), operation(op));
        }
    }
    let mut components = match components {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    components.insert(
        "securitySchemes".into(),
        json!({"bearer": {"type": "http", "scheme": "bearer",
               "description": "Access token from POST /v1/auth/login (15 minutes)."}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "offduty API",
            "version": format!("{}.0.0", p::API_VERSION),
            "description": "The department's system of record for off-duty details. Errors are \
                RFC 9457 problem details. Times are UTC (RFC 3339); money is integer cents. \
                Every response carries an `x-request-id` header (the request's own when it sends \
                a sane one: 1-128 of A-Z a-z 0-9 - _ . : / + = @), also the `request_id` of \
                problem bodies.",
        },
        "paths": paths,
        "components": components,
    })
}

/// The document as pretty JSON (what `docs/api/openapi.json` holds).
pub fn document_json() -> String {
    let mut s = serde_json::to_string_pretty(&document()).unwrap_or_default();
    s.push('\n');
    s
}
