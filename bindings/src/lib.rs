//! offduty-ffi: the officer core for Kotlin (Android) and Swift (iOS), through UniFFI.
//!
//! The surface is small on purpose — the shells are built on exactly this:
//! - [`OfficerApp`]: everything the officer does (sign in, board, claim, cancel, transfer,
//!   clock in/out, shifts, earnings, preferences, sync, pending work);
//! - records and enums a UI renders directly ([`types`]);
//! - [`ApiError`]: the few errors a UI acts on, mapped from the core in one place;
//! - foreign traits the platform implements ([`platform`]): `Signer` (Android Keystore / Secure
//!   Enclave), `SecretStore` (tokens), `DeviceClock`, `SyncObserver`.
//!
//! Async methods run on a tokio runtime owned by this library, never on the caller's thread.

mod app;
mod enums;
mod error;
mod platform;
mod screens;
mod screens_activity;
mod screens_job;
mod screens_shifts;
mod screens_sign_in;
mod types;

mod screens_clock;
mod screens_earnings;
mod screens_events;
mod screens_history;
mod screens_inbox;
mod screens_labels;
mod screens_nav;
mod screens_settings;

pub use app::OfficerApp;
pub use enums::*;
pub use error::{ApiError, PlatformError};
pub use platform::{DeviceClock, SecretStore, Signer, SyncObserver};
pub use screens::*;
pub use screens_activity::*;
pub use screens_job::*;
pub use screens_shifts::*;
pub use screens_sign_in::*;
pub use types::*;

pub use screens_clock::*;
pub use screens_earnings::*;
pub use screens_events::*;
pub use screens_inbox::*;
pub use screens_labels::*;
pub use screens_nav::*;
pub use screens_settings::*;

uniffi::setup_scaffolding!();
