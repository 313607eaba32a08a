//! HTTP handlers, one file per area. Handlers parse and authorize; decisions live in `services`.

pub mod accounts;
pub mod actions;
pub mod admin;
pub mod auth;
pub mod devices;
pub mod directory;
pub mod jobs;
pub mod marketplace;
pub mod meta;
pub mod payouts;
pub mod prefs;
pub mod push_tokens;
pub mod ratings;
pub mod reports;
pub mod sync;
pub mod timecards;
