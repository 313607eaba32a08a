//! Operations, in one test binary: request ids and the request deadline (`http`); the server
//! process and its logs (`process`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod http;
mod process;
