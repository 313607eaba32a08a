//! Operations, in one test binary (one link instead of five): request ids, the request
//! deadline, metrics (`http`); early refusals and kept-alive connections (`early_refusal`);
//! the server process — shutdown, logs, the metrics listener (`process`); PostgreSQL over TLS
//! (`pg_tls`); the README's nginx configuration over HTTPS (`behind_nginx`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod behind_nginx;
mod early_refusal;
mod http;
mod pg_tls;
mod process;
mod tls;
