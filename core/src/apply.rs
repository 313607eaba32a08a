//! Applying what the server sent: a sync response (snapshot or delta) in one transaction, and
//! reading the cached rows back as wire types.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::protocol::{
    Assignment, DepartmentRules, Job, OfficerProfile, SyncResponse, Timecard,
};

use crate::error::Result;
use crate::store::meta::{self, keys};
use crate::store::to_us;

/// What a pull changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSummary {
    /// The cache was replaced by a full snapshot.
    pub full: bool,
    pub jobs: u32,
    pub assignments: u32,
    pub timecards: u32,
    pub rules_changed: bool,
    pub profile_changed: bool,
    pub preferences_changed: bool,
    pub cursor: u64,
}

impl ChangeSummary {
    /// Whether anything at all changed.
    pub fn is_empty(&self) -> bool {
        !self.full
            && self.jobs == 0
            && self.assignments == 0
            && self.timecards == 0
            && !self.rules_changed
            && !self.profile_changed
            && !self.preferences_changed
    }
}

fn upsert_job(conn: &Connection, j: &Job) -> Result<bool> {
    let hourly = offduty_domain::pay::gross_cents(j.rate_cents, 60, j.multiplier_bp);
    let n = conn.execute(
        "INSERT INTO jobs (id, starts_us, ends_us, lat, lon, hourly_cents, job_type, status, version, json) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (id) DO UPDATE SET starts_us = excluded.starts_us, ends_us = excluded.ends_us, \
           lat = excluded.lat, lon = excluded.lon, hourly_cents = excluded.hourly_cents, \
           job_type = excluded.job_type, status = excluded.status, version = excluded.version, \
           json = excluded.json \
         WHERE excluded.version >= jobs.version",
        params![
            j.id.to_string(),
            to_us(j.starts_at),
            to_us(j.ends_at),
            j.location.lat,
            j.location.lon,
            hourly,
            j.job_type,
            j.status.as_str(),
            i64::try_from(j.version).unwrap_or(i64::MAX),
            serde_json::to_string(j)?
        ],
    )?;
    Ok(n > 0)
}

fn upsert_assignment(conn: &Connection, a: &Assignment) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO assignments (id, job_id, status, version, json) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, status = excluded.status, \
           version = excluded.version, json = excluded.json WHERE excluded.version >= assignments.version",
        params![
            a.id.to_string(),
            a.job_id.to_string(),
            a.status.as_str(),
            i64::try_from(a.version).unwrap_or(i64::MAX),
            serde_json::to_string(a)?
        ],
    )?;
    Ok(n > 0)
}

fn upsert_timecard(conn: &Connection, t: &Timecard) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO timecards (id, job_id, status, version, json) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version, \
           json = excluded.json WHERE excluded.version >= timecards.version",
        params![
            t.id.to_string(),
            t.job_id.to_string(),
            t.status.as_str(),
            i64::try_from(t.version).unwrap_or(i64::MAX),
            serde_json::to_string(t)?
        ],
    )?;
    Ok(n > 0)
}

/// Applies a sync response in the caller's transaction.
pub fn apply_sync(conn: &Connection, resp: &SyncResponse) -> Result<ChangeSummary> {
    let mut sum = ChangeSummary {
        full: resp.full,
        cursor: resp.cursor,
        ..ChangeSummary::default()
    };
    if resp.full {
        conn.execute_batch("DELETE FROM jobs; DELETE FROM assignments; DELETE FROM timecards;")?;
    }
    for j in &resp.jobs {
        sum.jobs += u32::from(upsert_job(conn, j)?);
    }
    for a in &resp.assignments {
        sum.assignments += u32::from(upsert_assignment(conn, a)?);
    }
    for t in &resp.timecards {
        sum.timecards += u32::from(upsert_timecard(conn, t)?);
    }
    if let Some(blocks) = &resp.duty_blocks {
        conn.execute("DELETE FROM duty_blocks", [])?;
        for b in blocks {
            conn.execute(
                "INSERT INTO duty_blocks (starts_us, ends_us) VALUES (?1, ?2)",
                params![to_us(b.starts_at), to_us(b.ends_at)],
            )?;
        }
    }
    if let Some(rules) = &resp.rules {
        meta::set_json(conn, keys::RULES, rules)?;
        sum.rules_changed = true;
    }
    if let Some(profile) = &resp.profile {
        meta::set_json(conn, keys::PROFILE, profile)?;
        sum.profile_changed = true;
    }
    if let Some(prefs) = &resp.preferences {
        meta::set_json(conn, keys::PREFERENCES_SERVER, prefs)?;
        // Local edits not yet pushed win; they go up on the next sync.
        let dirty = meta::get(conn, keys::PREFERENCES_DIRTY)?.is_some();
        if !dirty {
            meta::set_json(conn, keys::PREFERENCES, prefs)?;
            sum.preferences_changed = true;
        }
    }
    meta::set(conn, keys::CURSOR, &resp.cursor.to_string())?;
    Ok(sum)
}

/// Forgets everything about the previous officer (another officer is signing in on this
/// device; the caller has checked no action is pending).
pub fn forget_officer(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM jobs; DELETE FROM assignments; DELETE FROM timecards; DELETE FROM duty_blocks; \
         DELETE FROM outcomes; DELETE FROM punches; DELETE FROM notifications;",
    )?;
    // The push token belongs to this install, not to the officer: the next session sends it.
    conn.execute("DELETE FROM meta WHERE key <> ?1", [keys::PUSH_TOKEN])?;
    Ok(())
}

/// One cached job.
pub fn job(conn: &Connection, id: Uuid) -> Result<Option<Job>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM jobs WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.map(|s| serde_json::from_str(&s)).transpose()?)
}

/// The officer's cached assignments.
pub fn assignments(conn: &Connection) -> Result<Vec<Assignment>> {
    let mut st = conn.prepare("SELECT json FROM assignments")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(serde_json::from_str(&r?)?);
    }
    Ok(out)
}

/// The officer's cached timecards.
pub fn timecards(conn: &Connection) -> Result<Vec<Timecard>> {
    let mut st = conn.prepare("SELECT json FROM timecards")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(serde_json::from_str(&r?)?);
    }
    Ok(out)
}

/// The timecard of the officer's shift on `job_id`, once synced.
pub fn timecard_for_job(conn: &Connection, job_id: uuid::Uuid) -> Result<Option<Timecard>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM timecards WHERE job_id = ?1",
            [job_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

/// The department's rules, once synced.
pub fn rules(conn: &Connection) -> Result<Option<DepartmentRules>> {
    meta::get_json(conn, keys::RULES)
}

/// The officer's profile, once synced.
pub fn profile(conn: &Connection) -> Result<Option<OfficerProfile>> {
    meta::get_json(conn, keys::PROFILE)
}

/// The sync cursor (0: never synced).
pub fn cursor(conn: &Connection) -> Result<u64> {
    Ok(u64::try_from(meta::get_i64(conn, keys::CURSOR)?).unwrap_or(0))
}
