//! Operations, in one test binary: request ids, the request deadline, metrics (`http`); early
//! refusals and kept-alive connections (`early_refusal`); the server process and its logs
//! (`process`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod early_refusal;
mod http;
mod process;
