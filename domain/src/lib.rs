//! offduty-domain: the rules of off-duty detail work, shared by the officer's phone and the
//! department's server. Pure functions and plain data: no I/O, no database, no HTTP, no async.
//!
//! - [`protocol`]: the JSON wire types of `/v1` and the API version.
//! - [`actions`]: what an officer may do on a job (claim, withdraw, cancel, transfer, punch),
//!   with the refusal sentences, for phone and server alike.
//! - [`validation`]: typed validation errors (field, stable code, sentence).
//! - [`geofence`]: circle and polygon fences, distances in metres.
//! - [`punch`]: classifies a clock-in/out fix as verified, needs review or rejected, with reasons.
//! - [`timecard`]: canonical bytes of a clock event, P-256 signatures, sequence and hash chain.
//! - [`award`]: award rules (first come, seniority, fewest hours, rotation, lottery), signup
//!   windows, tiered release, waitlist order.
//! - [`eligibility`]: who may work a job and, if not, why.
//! - [`earnings`]: the department's pay period and the totals of an officer's shifts.
//! - [`pay`]: integer-cent pay with multipliers, minimums and one rounding rule.
//! - [`billing`]: the customer's rate card, estimates, late cancellations and invoice lines.
//! - [`ledger`]: the double-entry ledger of invoices, charges, credit notes, refunds and
//!   payouts, append-only, each event refused when the money is not there.
//! - [`policy`]: cancellation windows.
//! - [`prefs`]: notification channels and quiet hours.
//! - [`notice`]: what a notification tells (one payload type for server and phone).
//! - [`alerts`]: service-level alerts on shifts (no-show, late, early, overrun, punch review),
//!   their escalation and the shift reminder's timing.
//! - [`push`]: push tokens (FCM, APNs), checked alike by phone and server.
//! - [`ratings`]: customers' ratings of officers, officers' private site ratings, and the
//!   reliability figures computed from the record.
//! - [`directory`]: the officer directory colleagues search (no contact details).

pub mod actions;
pub mod alerts;
pub mod award;
pub mod billing;
pub mod directory;
pub mod earnings;
pub mod eligibility;
pub mod fairness;
pub mod geofence;
pub mod ledger;
pub mod notice;
pub mod pay;
pub mod payouts;
pub mod policy;
pub mod prefs;
pub mod protocol;
pub mod punch;
pub mod push;
pub mod ratings;
pub mod timecard;
pub mod validation;
