//! offduty-server: the department's system of record for off-duty details — jobs, fair awards,
//! waitlists, signed timecards, earnings, the change log phones sync from, and the audit log.
//!
//! Layout: [`app`] (state and router) → [`routes`] (parse, authorize) → [`services`] (decide,
//! inside one transaction) → [`db`] (SQLite or PostgreSQL). Rules come from `offduty-domain`.
//! [`console`] is the web console: server-rendered pages over the same services.

pub mod admin_cli;
pub mod app;
pub mod auth;
pub mod console;
pub mod db;
pub mod delivery;
#[cfg(feature = "demo")]
pub mod demo;
pub mod drain;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod money;
pub mod openapi;
pub mod payments;
pub mod reports;
pub mod request_id;
pub mod routes;
pub mod seed;
pub mod serve;
pub mod services;
pub mod spreadsheet;
pub mod timeout;
