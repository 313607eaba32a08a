//! Every rule the officer's core applies, tested offline: the board (filters, sorting,
//! eligibility, estimates), where the officer stands (server state + queued actions), the
//! local refusals of actions, clocking in and out (verdicts, order, the signed device chain),
//! applying what the server sent, the queue's order, and earnings. No server: the phone's
//! database receives sync responses the way a pull writes them (see `support`).
//!
//!     cargo nextest run -p offduty-core --test rules
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod actions;
mod apply;
mod arrival;
mod board;
mod clock;
mod earnings;
mod queue;
mod standing;
