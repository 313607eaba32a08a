//! Authentication: argon2 passwords, signed short-lived access tokens, rotating refresh tokens
//! with reuse detection, and in-memory rate limits.

pub mod passwords;
pub mod ratelimit;
pub mod refresh;
pub mod tokens;
