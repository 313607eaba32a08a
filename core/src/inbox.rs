//! The officer's notifications: fetched from the server (`GET /v1/notifications`) and cached
//! for the inbox offline, each decoded into what it is about ([`Notice`]); whether the officer
//! opened one is kept on this device.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Core;
use crate::error::{CoreError, Result};
use crate::store::meta::{self, keys};
use crate::store::{from_us, to_us};

pub use offduty_domain::notice::{AwardedHow, Notice};

/// One notification in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxEntry {
    pub id: Uuid,
    /// The server's kind (`awarded`, …), also for kinds this version cannot read.
    pub kind: String,
    /// What it says, when this version knows the kind.
    pub notice: Option<Notice>,
    pub created_at: DateTime<Utc>,
    /// When the officer opened it on this device.
    pub read_at: Option<DateTime<Utc>>,
}

/// What a fetch brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFetch {
    /// Notifications this device had not seen before.
    pub new: u32,
    /// Notifications the server lists.
    pub total: u32,
}

impl Core {
    /// Fetches the officer's notifications and caches them (the server's list replaces the
    /// cache; opened ones stay opened). Offline is [`CoreError::Offline`]: the cache stays.
    pub async fn fetch_notifications(&self) -> Result<InboxFetch> {
        let list = self
            .authed(|token| {
                let api = self.api();
                async move { api.notifications(&token).await }
            })
            .await?;
        let now = self.services.clock.now();
        self.store.write(|tx| {
            let mut fetch = InboxFetch {
                new: 0,
                total: u32::try_from(list.len()).unwrap_or(u32::MAX),
            };
            let ids: Vec<String> = list.iter().map(|n| n.id.to_string()).collect();
            let mut known = tx.prepare("SELECT 1 FROM notifications WHERE id = ?1")?;
            for n in &list {
                let seen = known
                    .query_row([n.id.to_string()], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !seen {
                    fetch.new += 1;
                }
                tx.execute(
                    "INSERT INTO notifications (id, kind, payload_json, created_us) \
                     VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, \
                       payload_json = excluded.payload_json, created_us = excluded.created_us",
                    params![
                        n.id.to_string(),
                        n.kind,
                        serde_json::to_string(&n.payload)?,
                        to_us(n.created_at)
                    ],
                )?;
            }
            // The server keeps the newest 200: older ones leave the inbox with it.
            let mut all = tx.prepare("SELECT id FROM notifications")?;
            let cached: Vec<String> = all
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in cached.iter().filter(|id| !ids.contains(id)) {
                tx.execute("DELETE FROM notifications WHERE id = ?1", [id])?;
            }
            meta::set(tx, keys::NOTIFICATIONS_FETCHED_US, &to_us(now).to_string())?;
            Ok(fetch)
        })
    }

    /// The cached notifications, newest first (works offline).
    pub fn notifications(&self) -> Result<Vec<InboxEntry>> {
        self.store.read(|c| {
            let mut st = c.prepare(
                "SELECT id, kind, payload_json, created_us, read_us FROM notifications \
                 ORDER BY created_us DESC, id DESC",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, payload, created, read) = row?;
                let payload: serde_json::Value = serde_json::from_str(&payload)?;
                out.push(InboxEntry {
                    id: id
                        .parse()
                        .map_err(|_| CoreError::Internal("notification id".into()))?,
                    kind,
                    notice: Notice::parse(&payload),
                    created_at: from_us(created),
                    read_at: read.map(from_us),
                });
            }
            Ok(out)
        })
    }

    /// Marks one notification opened. Returns whether it was unread.
    pub fn mark_notification_read(&self, id: Uuid) -> Result<bool> {
        let now = to_us(self.services.clock.now());
        self.store.write(|tx| {
            let n = tx.execute(
                "UPDATE notifications SET read_us = ?1 WHERE id = ?2 AND read_us IS NULL",
                params![now, id.to_string()],
            )?;
            Ok(n > 0)
        })
    }

    /// Marks every notification opened. Returns how many were unread.
    pub fn mark_all_notifications_read(&self) -> Result<u32> {
        let now = to_us(self.services.clock.now());
        self.store.write(|tx| {
            let n = tx.execute(
                "UPDATE notifications SET read_us = ?1 WHERE read_us IS NULL",
                [now],
            )?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
    }

    /// When the notifications were last fetched.
    pub fn notifications_fetched_at(&self) -> Result<Option<DateTime<Utc>>> {
        self.store.read(|c| {
            let us = meta::get_i64(c, keys::NOTIFICATIONS_FETCHED_US)?;
            Ok((us > 0).then(|| from_us(us)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_every_known_kind_are_read_and_unknown_ones_are_kept_unread() {
        let job = Uuid::now_v7();
        let n = Notice::parse(&serde_json::json!({
            "kind": "waitlisted", "job_id": job, "title": "Traffic detail", "position": 3
        }))
        .unwrap();
        assert_eq!(n.job_id(), Some(job));
        assert!(matches!(n, Notice::Waitlisted { position: 3, .. }));
        assert_eq!(
            Notice::parse(&serde_json::json!({"kind": "running_late", "job_id": job})),
            None
        );
    }
}
