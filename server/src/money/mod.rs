//! Money leaving the department: files for the bank. Pure code (text in, text out, no I/O); the
//! amounts come from `offduty_domain::ledger` payouts.
//!
//! - [`nacha`]: a NACHA PPD direct-deposit file (credits to officers' checking or savings
//!   accounts), 94-character records in blocks of ten, with its control totals.

pub mod nacha;
