//! The public errors: every `CoreError` becomes the `ApiError` a UI can act on, and an
//! unexpected exception thrown by platform code becomes `PlatformError::Failed` (an error the
//! core handles), never a crash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use offduty_core::CoreError;
use offduty_core::error::Confirmation as CoreConfirmation;
use offduty_domain::eligibility::{IneligibleReason, Rank};
use offduty_domain::protocol::{Problem, ProblemType, RejectCode};
use offduty_domain::validation::InvalidCode as DomainInvalidCode;
use offduty_ffi::{ApiError, Confirmation, InvalidCode, PlatformError, RejectCode as Code};

#[test]
fn an_unexpected_callback_exception_is_a_platform_failure() {
    let e = PlatformError::from(uniffi::UnexpectedUniFFICallbackError::new("boom"));
    let PlatformError::Failed { detail } = &e;
    assert!(detail.contains("boom"), "{detail}");
}

/// The name of `e`'s variant. No wildcard arm: a new `CoreError` variant does not compile here
/// until it is named — and then [`every_core_error_maps_to_an_api_error_a_ui_acts_on`] fails
/// until a case covers it.
fn variant(e: &CoreError) -> &'static str {
    match e {
        CoreError::Storage(_) => "Storage",
        CoreError::Corrupt(_) => "Corrupt",
        CoreError::Io(_) => "Io",
        CoreError::Offline(_) => "Offline",
        CoreError::Unauthorized(_) => "Unauthorized",
        CoreError::Http { .. } => "Http",
        CoreError::Server(_) => "Server",
        CoreError::Rejected { .. } => "Rejected",
        CoreError::Invalid(_) => "Invalid",
        CoreError::NeedsConfirmation { .. } => "NeedsConfirmation",
        CoreError::NotFound(_) => "NotFound",
        CoreError::Platform(_) => "Platform",
        CoreError::Cancelled => "Cancelled",
        CoreError::Internal(_) => "Internal",
    }
}

/// Every variant [`variant`] names.
const ALL_VARIANTS: [&str; 14] = [
    "Storage",
    "Corrupt",
    "Io",
    "Offline",
    "Unauthorized",
    "Http",
    "Server",
    "Rejected",
    "Invalid",
    "NeedsConfirmation",
    "NotFound",
    "Platform",
    "Cancelled",
    "Internal",
];

/// A problem the server answered with: `kind` `None` is a body that was no problem detail.
fn http(status: u16, kind: Option<ProblemType>, detail: &str) -> CoreError {
    CoreError::Http(Box::new(Problem {
        kind: kind
            .map(ProblemType::uri)
            .unwrap_or_else(|| "about:blank".into()),
        title: String::new(),
        status,
        detail: detail.into(),
        field: None,
        code: None,
        index: None,
        applied_before: None,
        retry_after_s: None,
        request_id: None,
    }))
}

fn sqlite_full() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        Some("database or disk is full".into()),
    )
}

fn rejected(code: Code, reason: &str, reason_codes: &[&str]) -> ApiError {
    ApiError::Rejected {
        code,
        reason: reason.into(),
        reason_codes: reason_codes.iter().map(|s| s.to_string()).collect(),
    }
}

fn internal(detail: &str) -> ApiError {
    ApiError::Internal {
        detail: detail.into(),
    }
}

#[test]
fn every_core_error_maps_to_an_api_error_a_ui_acts_on() {
    let cases: Vec<(CoreError, ApiError)> = vec![
        // The device's storage.
        (
            CoreError::Storage(sqlite_full()),
            ApiError::Storage {
                detail: sqlite_full().to_string(),
            },
        ),
        (
            CoreError::Storage(rusqlite::Error::QueryReturnedNoRows),
            ApiError::Storage {
                detail: rusqlite::Error::QueryReturnedNoRows.to_string(),
            },
        ),
        (
            CoreError::Corrupt("file is not a database".into()),
            ApiError::Storage {
                detail: "file is not a database".into(),
            },
        ),
        (
            CoreError::Io(std::io::Error::other("disk quota exceeded")),
            ApiError::Storage {
                detail: "disk quota exceeded".into(),
            },
        ),
        // The network and the session.
        (
            CoreError::Offline("connection refused".into()),
            ApiError::Offline {
                detail: "connection refused".into(),
            },
        ),
        (
            CoreError::Unauthorized("session expired".into()),
            ApiError::Unauthorized {
                detail: "session expired".into(),
            },
        ),
        // The server said no.
        (
            http(409, Some(ProblemType::Conflict), "the job changed"),
            ApiError::Conflict {
                detail: "the job changed".into(),
            },
        ),
        (
            http(422, Some(ProblemType::IdempotencyKeyReused), "key reused"),
            ApiError::Conflict {
                detail: "key reused".into(),
            },
        ),
        (
            http(429, Some(ProblemType::RateLimited), "try again in 30 s"),
            rejected(Code::RateLimited, "try again in 30 s", &[]),
        ),
        (
            http(403, Some(ProblemType::Forbidden), "not your department"),
            rejected(Code::Refused, "not your department", &[]),
        ),
        (
            http(400, None, ""),
            rejected(Code::Refused, "the server refused (400)", &[]),
        ),
        (
            CoreError::Http(Box::new(Problem {
                field: Some("quiet_hours[0].start".into()),
                code: Some(DomainInvalidCode::BadFormat),
                ..match http(422, Some(ProblemType::Validation), "\"25:00\" is not HH:MM") {
                    CoreError::Http(p) => *p,
                    _ => unreachable!(),
                }
            })),
            ApiError::Invalid {
                field: "quiet_hours[0].start".into(),
                code: InvalidCode::BadFormat,
                detail: "\"25:00\" is not HH:MM".into(),
            },
        ),
        (
            CoreError::Server("502 bad gateway".into()),
            internal("the server failed: 502 bad gateway"),
        ),
        // The rules said no (checked on the device).
        (
            CoreError::Rejected {
                code: RejectCode::NotEligible,
                reason: "You cannot take this job.".into(),
                ineligible: vec![
                    IneligibleReason::RankTooLow {
                        required: Rank::Sergeant,
                        actual: Rank::Officer,
                    },
                    IneligibleReason::Rest {
                        gap_minutes: 300,
                        min_hours: 8,
                        other_job_id: None,
                        other_ends_at: None,
                        other_starts_at: None,
                    },
                    IneligibleReason::NoPermit,
                ],
            },
            rejected(
                Code::NotEligible,
                "You cannot take this job.",
                &["rank_too_low", "rest", "no_permit"],
            ),
        ),
        (
            CoreError::rejected(RejectCode::CallCoordinator, "Call the coordinator."),
            rejected(Code::CallCoordinator, "Call the coordinator.", &[]),
        ),
        (
            CoreError::NotFound("job"),
            rejected(
                Code::JobNotFound,
                "No job with that id on this device; sync and try again.",
                &[],
            ),
        ),
        // The caller's mistake.
        (
            CoreError::invalid("job_id", DomainInvalidCode::BadFormat, "not an id"),
            ApiError::Invalid {
                field: "job_id".into(),
                code: InvalidCode::BadFormat,
                detail: "not an id".into(),
            },
        ),
        // The officer must say yes first.
        (
            CoreError::NeedsConfirmation {
                what: CoreConfirmation::UnsentActions { count: 2 },
                message: "2 action(s) are not sent yet.".into(),
            },
            ApiError::NeedsConfirmation {
                what: Confirmation::UnsentActions { count: 2 },
                detail: "2 action(s) are not sent yet.".into(),
            },
        ),
        // Bugs and failing platform services.
        (
            CoreError::Platform("keystore locked".into()),
            internal("platform service: keystore locked"),
        ),
        (CoreError::Cancelled, internal("cancelled")),
        (
            CoreError::Internal("invariant".into()),
            internal("invariant"),
        ),
    ];

    let mut covered = BTreeSet::new();
    for (core, expected) in cases {
        covered.insert(variant(&core));
        let shown = core.to_string();
        assert_eq!(ApiError::from(core), expected, "mapping {shown}");
    }
    let all: BTreeSet<_> = ALL_VARIANTS.into_iter().collect();
    assert_eq!(covered, all, "CoreError variants without a mapping case");
}

#[test]
fn api_errors_read_well_in_a_ui() {
    let e = ApiError::from(CoreError::Platform("keystore locked".into()));
    assert_eq!(
        e.to_string(),
        "internal error: platform service: keystore locked"
    );
    let e = ApiError::from(CoreError::rejected(
        RejectCode::AlreadyClaimed,
        "You already hold a slot.",
    ));
    assert_eq!(e.to_string(), "You already hold a slot.");
}
