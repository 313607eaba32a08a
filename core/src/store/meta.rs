//! Typed access to the `meta` key/value table.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;

/// Keys of `meta`.
pub mod keys {
    pub const SERVER_URL: &str = "server_url";
    pub const OFFICER_ID: &str = "officer_id";
    pub const DEPARTMENT_ID: &str = "department_id";
    pub const EMAIL: &str = "email";
    pub const DISPLAY_NAME: &str = "display_name";
    pub const CURSOR: &str = "sync_cursor";
    pub const LAST_SYNC_US: &str = "last_sync_us";
    pub const DEVICE_ID: &str = "device_id";
    pub const DEVICE_SEQ: &str = "device_seq";
    pub const DEVICE_LAST_HASH: &str = "device_last_hash";
    pub const RULES: &str = "rules_json";
    pub const PROFILE: &str = "profile_json";
    pub const PREFERENCES: &str = "preferences_json";
    pub const PREFERENCES_DIRTY: &str = "preferences_dirty";
    /// The server's last copy of the preferences (what discarding an edit goes back to).
    pub const PREFERENCES_SERVER: &str = "preferences_server_json";
    /// Why the server refused the last edit ([`crate::prefs::PrefsRefusal`]).
    pub const PREFERENCES_REFUSED: &str = "preferences_refused_json";
    /// The platform's push token ([`offduty_domain::push::PushToken`]).
    pub const PUSH_TOKEN: &str = "push_token_json";
    /// What the server has: the token and the device it was sent for.
    pub const PUSH_TOKEN_SENT: &str = "push_token_sent_json";
    /// Why the server refused the token ([`crate::push::PushTokenRefusal`]).
    pub const PUSH_TOKEN_REFUSED: &str = "push_token_refused_json";
    /// When the notifications were last fetched.
    pub const NOTIFICATIONS_FETCHED_US: &str = "notifications_fetched_us";
    /// Keys that must survive a rebuild of a corrupt cache (identity and the signing chain).
    pub const PRESERVED: &[&str] = &[
        SERVER_URL,
        OFFICER_ID,
        DEPARTMENT_ID,
        EMAIL,
        DISPLAY_NAME,
        DEVICE_ID,
        DEVICE_SEQ,
        DEVICE_LAST_HASH,
        PREFERENCES,
        PREFERENCES_DIRTY,
        PREFERENCES_SERVER,
        PREFERENCES_REFUSED,
        PUSH_TOKEN,
    ];
}

/// Reads a string value.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes a string value.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Deletes a value.
pub fn delete(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

/// Reads a JSON value.
pub fn get_json<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>> {
    match get(conn, key)? {
        Some(s) => Ok(Some(serde_json::from_str(&s)?)),
        None => Ok(None),
    }
}

/// Writes a JSON value.
pub fn set_json<T: Serialize>(conn: &Connection, key: &str, value: &T) -> Result<()> {
    set(conn, key, &serde_json::to_string(value)?)
}

/// Reads an integer value (0 when absent or unreadable).
pub fn get_i64(conn: &Connection, key: &str) -> Result<i64> {
    Ok(get(conn, key)?.and_then(|s| s.parse().ok()).unwrap_or(0))
}
