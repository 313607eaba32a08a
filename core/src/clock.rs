//! Clocking in and out: the shell hands over a location fix; the core classifies it against the
//! job's fence (and explains the verdict), builds the next event of this device's chain, has the
//! platform sign it, and queues it — all offline.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use std::collections::HashSet;

use offduty_domain::actions::{self, PunchesMade};
use offduty_domain::protocol::{Action, Timecard};
use offduty_domain::punch::{
    self, LocationFix, Neighbours, PunchContext, PunchReason, PunchVerdict,
};
use offduty_domain::timecard::{ClockEvent, EventFix, GENESIS_HASH, PunchKind, SignedClockEvent};

use crate::Core;
use crate::apply;
use crate::error::{Confirmation, CoreError, Result};
use crate::outbox;
use crate::standing;
use crate::store::meta::{self, keys};
use crate::store::to_us;

/// A punch reason with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PunchNote {
    pub reason: PunchReason,
    pub text: String,
}

/// What the core thinks of a punch before (and as) it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PunchPreview {
    pub verdict: PunchVerdict,
    pub reasons: Vec<PunchNote>,
    /// One line: "On site: inside the fence (35 m from the edge)." or the reasons.
    pub summary: String,
    pub distance_outside_m: f64,
    pub distance_inside_m: f64,
}

/// A punch accepted into the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Punched {
    pub idempotency_key: Uuid,
    pub event_id: Uuid,
    pub kind: PunchKind,
    pub preview: PunchPreview,
}

/// A punch made on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalPunch {
    pub event_id: Uuid,
    pub job_id: Uuid,
    pub kind: PunchKind,
    pub at: chrono::DateTime<chrono::Utc>,
    pub local_verdict: PunchVerdict,
    /// The server's verdict once synced.
    pub server_verdict: Option<PunchVerdict>,
}

fn kind_str(kind: PunchKind) -> &'static str {
    match kind {
        PunchKind::In => "in",
        PunchKind::Out => "out",
    }
}

/// The officer's punches near `at` in time on any device, for the speed check: this device's
/// own (the `punches` table) and those the server reported in synced timecards (punches made
/// on the officer's other devices carry their fix). The domain's [`Neighbours::nearest`]
/// picks among them, as the server does.
fn nearby_punches(
    conn: &Connection,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(chrono::DateTime<chrono::Utc>, LocationFix)>> {
    let (from, to) = Neighbours::window(at);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut st = conn.prepare(
        "SELECT event_id, device_us, signed_json FROM punches \
         WHERE device_us BETWEEN ?1 AND ?2 AND server_verdict IS NOT 'refused'",
    )?;
    let rows = st.query_map(params![to_us(from), to_us(to)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, us, json) = row?;
        if let Ok(signed) = serde_json::from_str::<SignedClockEvent>(&json) {
            seen.insert(id);
            out.push((crate::store::from_us(us), signed.event.fix.to_fix()));
        }
    }
    // Timecards of shifts around that time (a shift lasts at most a day), or of jobs no
    // longer cached.
    let day = chrono::TimeDelta::days(1);
    let mut st = conn.prepare(
        "SELECT t.json FROM timecards t LEFT JOIN jobs j ON j.id = t.job_id \
         WHERE j.id IS NULL OR j.starts_us BETWEEN ?1 AND ?2",
    )?;
    let rows = st.query_map(params![to_us(from - day), to_us(to)], |r| {
        r.get::<_, String>(0)
    })?;
    for row in rows {
        let card: Timecard = serde_json::from_str(&row?)?;
        for p in [card.clock_in, card.clock_out].into_iter().flatten() {
            if let Some(fix) = &p.fix
                && seen.insert(p.event_id.to_string())
            {
                out.push((p.at, fix.to_fix()));
            }
        }
    }
    Ok(out)
}

/// The punches made on a shift, on this device or (as the server reported) any other.
pub(crate) fn punches_made(conn: &Connection, job_id: Uuid) -> Result<PunchesMade> {
    let local = punches_for(conn, job_id)?;
    let synced = apply::timecard_for_job(conn, job_id)?;
    Ok(PunchesMade {
        clock_in: local.iter().any(|p| p.kind == PunchKind::In)
            || synced.as_ref().is_some_and(|t| t.clock_in.is_some()),
        clock_out: local.iter().any(|p| p.kind == PunchKind::Out)
            || synced.as_ref().is_some_and(|t| t.clock_out.is_some()),
    })
}

/// Punches on this device for a job.
pub fn punches_for(conn: &Connection, job_id: Uuid) -> Result<Vec<LocalPunch>> {
    let mut st = conn.prepare(
        "SELECT event_id, kind, device_us, local_verdict, server_verdict FROM punches \
         WHERE job_id = ?1 AND server_verdict IS NOT 'refused' ORDER BY device_us",
    )?;
    let rows = st.query_map([job_id.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, at, local, server) = row?;
        out.push(LocalPunch {
            event_id: id
                .parse()
                .map_err(|_| CoreError::Internal("punch id".into()))?,
            job_id,
            kind: if kind == "in" {
                PunchKind::In
            } else {
                PunchKind::Out
            },
            at: crate::store::from_us(at),
            local_verdict: PunchVerdict::parse(&local).unwrap_or(PunchVerdict::NeedsReview),
            server_verdict: server.as_deref().and_then(PunchVerdict::parse),
        });
    }
    Ok(out)
}

impl Core {
    /// Classifies a fix for a punch on `job_id` without recording anything: what the officer
    /// sees before pressing "clock in".
    pub fn preview_punch(
        &self,
        job_id: Uuid,
        kind: PunchKind,
        fix: &LocationFix,
    ) -> Result<PunchPreview> {
        fix.validate().map_err(|e| e.within("fix"))?;
        let now = self.services.clock.now();
        self.store.read(|c| {
            let job = apply::job(c, job_id)?.ok_or(CoreError::NotFound("job"))?;
            let thresholds = apply::rules(c)?
                .map(|r| r.punch_thresholds)
                .unwrap_or_default();
            let nearby = nearby_punches(c, now)?;
            let mut a = punch::classify(&PunchContext {
                fence: &job.geofence,
                fix,
                punch_time: now,
                neighbours: Neighbours::nearest(now, nearby.iter().map(|(t, f)| (*t, f))),
                clock_drift_s: None,
                thresholds: &thresholds,
            });
            if let Some(r) = punch::schedule_reason(kind, now, job.starts_at, job.ends_at) {
                a.verdict = a.verdict.max(r.verdict());
                a.reasons.push(r);
            }
            let summary = a.summary();
            Ok(PunchPreview {
                verdict: a.verdict,
                summary,
                distance_outside_m: a.distance_outside_m,
                distance_inside_m: a.distance_inside_m,
                reasons: a
                    .reasons
                    .into_iter()
                    .map(|r| PunchNote {
                        text: r.explain(),
                        reason: r,
                    })
                    .collect(),
            })
        })
    }

    /// Clocks in on a shift the officer holds. A punch the classifier rejects is refused with
    /// [`CoreError::NeedsConfirmation`] unless `confirm_rejected` (the officer saw why and
    /// wants it recorded for a coordinator to review).
    pub fn clock_in(
        &self,
        job_id: Uuid,
        fix: &LocationFix,
        confirm_rejected: bool,
    ) -> Result<Punched> {
        self.punch(job_id, PunchKind::In, fix, confirm_rejected)
    }

    /// Clocks out of a shift the officer clocked in to (see [`Core::clock_in`] for
    /// `confirm_rejected`).
    pub fn clock_out(
        &self,
        job_id: Uuid,
        fix: &LocationFix,
        confirm_rejected: bool,
    ) -> Result<Punched> {
        self.punch(job_id, PunchKind::Out, fix, confirm_rejected)
    }

    fn punch(
        &self,
        job_id: Uuid,
        kind: PunchKind,
        fix: &LocationFix,
        confirm_rejected: bool,
    ) -> Result<Punched> {
        let preview = self.preview_punch(job_id, kind, fix)?;
        if preview.verdict == PunchVerdict::Rejected && !confirm_rejected {
            return Err(CoreError::NeedsConfirmation {
                what: Confirmation::RejectedPunch,
                message: format!(
                    "{} Record this {} anyway? A coordinator will see why it was rejected.",
                    preview.summary,
                    match kind {
                        PunchKind::In => "clock-in",
                        PunchKind::Out => "clock-out",
                    }
                ),
            });
        }
        // One punch at a time: the sequence number is reserved, signed and stored together.
        let _guard = match self.punch_lock.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let clock = &self.services.clock;
        let event = self.store.read(|c| {
            actions::check_punch(
                kind,
                standing::on_job(c, job_id)?.holds_slot(),
                punches_made(c, job_id)?,
            )?;
            let device_id: Uuid = meta::get(c, keys::DEVICE_ID)?
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    CoreError::Unauthorized("sign in once online to register this device".into())
                })?;
            let officer: Uuid = meta::get(c, keys::OFFICER_ID)?
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| CoreError::Unauthorized("not signed in".into()))?;
            let seq = u64::try_from(meta::get_i64(c, keys::DEVICE_SEQ)?).unwrap_or(0) + 1;
            let prev_hash =
                meta::get(c, keys::DEVICE_LAST_HASH)?.unwrap_or_else(|| GENESIS_HASH.to_string());
            let event = ClockEvent {
                event_id: Uuid::now_v7(),
                device_id,
                officer_id: officer,
                job_id,
                kind,
                seq,
                prev_hash,
                fix: EventFix::from_fix(fix),
                device_time: clock.now(),
                monotonic_ms: clock.monotonic_ms(),
                boot_id: clock.boot_id(),
            };
            Ok(event)
        })?;
        let signature = self
            .services
            .signer
            .sign(&event.canonical_bytes())
            .map_err(|e| CoreError::Platform(format!("signing the clock event: {}", e.0)))?;
        let signed = SignedClockEvent {
            event,
            signature: STANDARD.encode(signature),
        };
        // Catch a broken platform signer now, not at the server.
        let public = self
            .services
            .signer
            .public_key()
            .map_err(|e| CoreError::Platform(e.0))?;
        let key = offduty_domain::timecard::parse_public_key(&public)
            .map_err(|e| CoreError::Platform(format!("the signer's public key: {e}")))?;
        signed.verify(&key).map_err(|e| {
            CoreError::Platform(format!("the platform signature does not verify: {e}"))
        })?;

        let ev = &signed.event;
        let action = match kind {
            PunchKind::In => Action::ClockIn {
                event: signed.clone(),
            },
            PunchKind::Out => Action::ClockOut {
                event: signed.clone(),
            },
        };
        let idempotency_key = self.store.write(|tx| {
            meta::set(tx, keys::DEVICE_SEQ, &ev.seq.to_string())?;
            meta::set(tx, keys::DEVICE_LAST_HASH, &ev.hash_hex())?;
            let key = outbox::enqueue(tx, action, ev.device_time)?;
            tx.execute(
                "INSERT INTO punches (event_id, idempotency_key, job_id, kind, device_us, seq, \
                 signed_json, local_verdict, local_reasons_json) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    ev.event_id.to_string(),
                    key.to_string(),
                    job_id.to_string(),
                    kind_str(kind),
                    to_us(ev.device_time),
                    i64::try_from(ev.seq).unwrap_or(i64::MAX),
                    serde_json::to_string(&signed)?,
                    preview.verdict.as_str(),
                    serde_json::to_string(
                        &preview
                            .reasons
                            .iter()
                            .map(|r| &r.reason)
                            .collect::<Vec<_>>()
                    )?,
                ],
            )?;
            Ok(key)
        })?;
        Ok(Punched {
            idempotency_key,
            event_id: ev.event_id,
            kind,
            preview,
        })
    }

    /// Punches made on this device for a job.
    pub fn punches(&self, job_id: Uuid) -> Result<Vec<LocalPunch>> {
        self.store.read(|c| punches_for(c, job_id))
    }

    /// The server's timecard of the officer's shift on a job, once synced: its punches carry
    /// the server's verdicts and reasons.
    pub fn timecard(&self, job_id: Uuid) -> Result<Option<Timecard>> {
        self.store.read(|c| apply::timecard_for_job(c, job_id))
    }
}
