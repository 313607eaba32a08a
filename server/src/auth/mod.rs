//! Authentication: argon2 passwords, signed short-lived access tokens, rotating refresh tokens
//! with reuse detection, sessions that end at once, in-memory rate limits, and TOTP second factors.

pub mod passwords;
pub mod ratelimit;
pub mod refresh;
pub mod sessions;
pub mod signin;
pub mod tokens;
pub mod totp;
