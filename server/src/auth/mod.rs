//! Authentication: argon2 passwords, signed short-lived access tokens, rotating refresh tokens
//! with reuse detection, sessions that end at once, and in-memory rate limits.

pub mod passwords;
pub mod ratelimit;
pub mod refresh;
pub mod sessions;
pub mod signin;
pub mod tokens;
