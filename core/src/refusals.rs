//! What the server last refused on each job: an officer's cancel or transfer the server turned
//! down stays readable on the shift (with the rules' sentence) until the next decision on that
//! job. Read from the outcomes the sync engine stores; punches are the clock's business and an
//! action the officer discarded is not a refusal.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::actions::ActionKind;
use offduty_domain::protocol::{Outcome, RejectCode};

use crate::Core;
use crate::error::{CoreError, Result};
use crate::outbox::DISCARDED;
use crate::store::from_us;

/// An action the server refused, still the last word on its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub idempotency_key: Uuid,
    pub kind: ActionKind,
    pub job_id: Uuid,
    pub code: RejectCode,
    /// The sentence for the officer ([`crate::outcome::text`]).
    pub text: String,
    pub decided_at: DateTime<Utc>,
}

/// The latest decision on every job, when it is a refusal.
fn latest(conn: &Connection, tz: chrono_tz::Tz) -> Result<HashMap<Uuid, Refused>> {
    let mut st = conn.prepare(
        "SELECT idempotency_key, kind, job_id, outcome_json, decided_us FROM outcomes \
         ORDER BY decided_us, rowid",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut last: HashMap<Uuid, Option<Refused>> = HashMap::new();
    for row in rows {
        let (key, kind, job, json, decided) = row?;
        let Some(kind) = ActionKind::parse(&kind).filter(|k| !k.is_punch()) else {
            continue;
        };
        let bad = |what: &str| CoreError::Internal(format!("outcomes holds a bad {what}"));
        let job_id: Uuid = job.parse().map_err(|_| bad("job id"))?;
        let outcome: Outcome = serde_json::from_str(&json)?;
        let refused = match &outcome {
            Outcome::Rejected { code, reason, .. } if !reason.starts_with(DISCARDED) => {
                Some(Refused {
                    idempotency_key: key.parse().map_err(|_| bad("key"))?,
                    kind,
                    job_id,
                    code: *code,
                    text: crate::outcome::text(&outcome, tz),
                    decided_at: from_us(decided),
                })
            }
            _ => None,
        };
        last.insert(job_id, refused);
    }
    Ok(last
        .into_iter()
        .filter_map(|(job, r)| r.map(|r| (job, r)))
        .collect())
}

impl Core {
    /// For each job whose latest decided action the server refused, that refusal (the
    /// officer's cancel turned down because no one could take the slot, a transfer to an
    /// officer who cannot work the job, …).
    pub fn refusals(&self) -> Result<HashMap<Uuid, Refused>> {
        let tz = self.time_zone()?;
        self.store.read(|c| latest(c, tz))
    }
}
