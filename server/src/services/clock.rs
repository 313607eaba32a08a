//! Clock-in and clock-out: the signed event is checked (device, signature, sequence, hash
//! chain), the fix is classified against the job's fence, and the shift's timecard is updated.

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::actions::{self, PunchesMade};
use offduty_domain::pay;
use offduty_domain::protocol::{DeviceClock, Outcome, RejectCode, TimecardStatus};
use offduty_domain::punch::{self, Neighbours, PunchContext, PunchReason, PunchVerdict};
use offduty_domain::timecard::{self, ChainStatus, PunchKind, SignedClockEvent};

use crate::db::{DbError, Dialect, get, get_opt_uuid, json, to_us};
use crate::services::assignments::{self, TxCtx};
use crate::services::changes::Entity;

/// The server's estimate of how far the device clock was off at the punch, in seconds
/// (positive: device ahead). With the batch's clock reading from the same boot, monotonic time
/// places the punch on the server's timeline exactly; otherwise only a punch dated in the
/// future is known to be off.
pub fn estimate_drift_s(
    event_time: DateTime<Utc>,
    event_monotonic_ms: u64,
    event_boot_id: &str,
    batch_clock: Option<&DeviceClock>,
    server_now: DateTime<Utc>,
) -> Option<i64> {
    if let Some(clock) = batch_clock.filter(|c| c.boot_id == event_boot_id) {
        let elapsed_ms = i64::try_from(clock.monotonic_ms).unwrap_or(i64::MAX)
            - i64::try_from(event_monotonic_ms).unwrap_or(i64::MAX);
        let true_time = chrono::Duration::try_milliseconds(elapsed_ms)
            .filter(|_| elapsed_ms >= 0)
            .and_then(|d| server_now.checked_sub_signed(d));
        return match true_time {
            Some(t) => Some((event_time - t).num_seconds()),
            // Monotonic time went backwards within one boot, or claims an impossible span:
            // the readings are inconsistent.
            None => Some(i64::MAX / 2),
        };
    }
    let ahead = (event_time - server_now).num_seconds();
    (ahead > 0).then_some(ahead)
}

/// What the signature check found before the transaction (the CPU work happens outside it).
pub enum Presigned {
    /// The signature verifies against the device's registered key.
    Valid,
    /// It does not, or the device is unknown / not the officer's.
    Refused(Outcome),
}

/// Checks the device and signature with a plain read, before any lock is taken.
pub async fn preverify(
    conn: &mut AnyConnection,
    officer_id: Uuid,
    signed: &SignedClockEvent,
) -> Result<Presigned, DbError> {
    let ev = &signed.event;
    if ev.officer_id != officer_id {
        return Ok(Presigned::Refused(Outcome::rejected(
            RejectCode::UnknownDevice,
            "This clock event was made for another officer.",
        )));
    }
    if let Err(e) = ev.validate() {
        return Ok(Presigned::Refused(Outcome::rejected(
            RejectCode::Invalid,
            e.to_string(),
        )));
    }
    let row = sqlx::query(
        "SELECT public_key FROM devices WHERE id = $1 AND user_id = $2 AND revoked_us IS NULL",
    )
    .bind(ev.device_id.to_string())
    .bind(officer_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Presigned::Refused(Outcome::rejected(
            RejectCode::UnknownDevice,
            "This device is not registered to you (or was revoked). Register it again.",
        )));
    };
    let key_text: String = get(&row, "public_key")?;
    let key = timecard::parse_public_key(&key_text)
        .map_err(|e| DbError::corrupt("devices", format!("public key: {e}")))?;
    Ok(match signed.verify(&key) {
        Ok(()) => Presigned::Valid,
        Err(_) => Presigned::Refused(Outcome::rejected(
            RejectCode::BadSignature,
            "The clock event's signature does not verify with this device's key.",
        )),
    })
}

/// Records a verified clock event (inside the write transaction).
pub async fn punch(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    signed: &SignedClockEvent,
    kind: PunchKind,
    batch_clock: Option<&DeviceClock>,
) -> Result<Outcome, DbError> {
    let ev = &signed.event;
    if ev.kind != kind {
        return Ok(Outcome::rejected(
            RejectCode::Invalid,
            "The event's kind does not match the action (clock_in needs an `in` event).",
        ));
    }
    // Lock the device row: its sequence and chain head move with this event.
    let lock = match ctx.dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT last_seq, last_hash, revoked_us FROM devices WHERE id = $1 AND user_id = $2{lock}"
    );
    let Some(dev) = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(ev.device_id.to_string())
        .bind(ctx.user.user_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(Outcome::rejected(
            RejectCode::UnknownDevice,
            "This device is not registered to you.",
        ));
    };
    if get::<Option<i64>>(&dev, "revoked_us")?.is_some() {
        return Ok(Outcome::rejected(
            RejectCode::UnknownDevice,
            "This device was revoked.",
        ));
    }
    let last_seq: i64 = get(&dev, "last_seq")?;
    let last_hash: Option<String> = get(&dev, "last_hash")?;
    let last = match (&last_hash, last_seq) {
        (Some(h), s) if s > 0 => Some((crate::db::rows::to_u64(s), h.as_str())),
        _ => None,
    };
    let mut extra_reasons = Vec::new();
    match timecard::check_chain(last, ev) {
        ChainStatus::Next => {}
        ChainStatus::Gap { expected, got } => {
            extra_reasons.push(PunchReason::SequenceGap { expected, got });
        }
        ChainStatus::Replay { expected, got } => {
            return Ok(Outcome::rejected(
                RejectCode::Replayed,
                format!("Event sequence {got} was already used (expected {expected})."),
            ));
        }
        ChainStatus::Broken { .. } => {
            return Ok(Outcome::rejected(
                RejectCode::ChainMismatch,
                "This event does not follow the device's previous event.",
            ));
        }
    }
    let seen: i64 = get(
        &sqlx::query("SELECT COUNT(*) AS n FROM clock_events WHERE id = $1")
            .bind(ev.event_id.to_string())
            .fetch_one(&mut *conn)
            .await?,
        "n",
    )?;
    if seen > 0 {
        return Ok(Outcome::rejected(
            RejectCode::Replayed,
            "This event was already recorded.",
        ));
    }

    // The event is authentic and in sequence: the device's chain moves on even if the action
    // is refused below (clock-in twice, no slot), so its next event still links.
    let outcome = record(conn, ctx, signed, kind, batch_clock, extra_reasons).await?;
    sqlx::query("UPDATE devices SET last_seq = $1, last_hash = $2 WHERE id = $3")
        .bind(i64::try_from(ev.seq).unwrap_or(i64::MAX))
        .bind(ev.hash_hex())
        .bind(ev.device_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(outcome)
}

/// Applies an authentic, in-sequence event to the shift's timecard.
async fn record(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    signed: &SignedClockEvent,
    kind: PunchKind,
    batch_clock: Option<&DeviceClock>,
    mut extra_reasons: Vec<PunchReason>,
) -> Result<Outcome, DbError> {
    let ev = &signed.event;
    let (job, mine) = match assignments::held_shift(conn, ctx, ev.job_id).await? {
        Ok(held) => held,
        Err(refused) => return Ok(refused),
    };

    let card = sqlx::query(
        "SELECT id, clock_in_event, clock_out_event, in_us FROM timecards WHERE assignment_id = $1",
    )
    .bind(mine.id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let (card_id, in_event, out_event, in_us) = match &card {
        Some(r) => (
            crate::db::get_uuid(r, "id")?,
            get_opt_uuid(r, "clock_in_event")?,
            get_opt_uuid(r, "clock_out_event")?,
            get::<Option<i64>>(r, "in_us")?,
        ),
        None => (Uuid::now_v7(), None, None, None),
    };
    if let Err(refused) = actions::check_punch(
        kind,
        true,
        PunchesMade {
            clock_in: in_event.is_some(),
            clock_out: out_event.is_some(),
        },
    ) {
        return Ok(refused.into());
    }

    // Classify the fix.
    let fix = ev.fix.to_fix();
    // The candidates for the speed check: the officer's punches on any device nearest to this
    // one in time, on either side (the domain's `Neighbours::nearest` decides among them).
    let mut nearby = Vec::with_capacity(2);
    let (from, to) = Neighbours::window(ev.device_time);
    for (sql, bound) in [
        (
            "SELECT device_us, signed_json FROM clock_events WHERE officer_id = $1 \
             AND device_us <= $2 AND device_us >= $3 ORDER BY device_us DESC LIMIT 1",
            from,
        ),
        (
            "SELECT device_us, signed_json FROM clock_events WHERE officer_id = $1 \
             AND device_us > $2 AND device_us <= $3 ORDER BY device_us ASC LIMIT 1",
            to,
        ),
    ] {
        if let Some(row) = sqlx::query(sql)
            .bind(ctx.user.user_id.to_string())
            .bind(to_us(ev.device_time))
            .bind(to_us(bound))
            .fetch_optional(&mut *conn)
            .await?
        {
            let at = crate::db::from_us(get::<i64>(&row, "device_us")?);
            let signed: SignedClockEvent =
                serde_json::from_str(&get::<String>(&row, "signed_json")?)
                    .map_err(|e| DbError::corrupt("clock_events", e))?;
            nearby.push((at, signed.event.fix.to_fix()));
        }
    }
    let neighbours = Neighbours::nearest(ev.device_time, nearby.iter().map(|(t, f)| (*t, f)));
    let drift = estimate_drift_s(
        ev.device_time,
        ev.monotonic_ms,
        &ev.boot_id,
        batch_clock,
        ctx.now,
    );
    let mut assessment = punch::classify(&PunchContext {
        fence: &job.geofence,
        fix: &fix,
        punch_time: ev.device_time,
        neighbours,
        clock_drift_s: drift,
        thresholds: &ctx.dept.rules.punch_thresholds,
    });
    extra_reasons.extend(punch::schedule_reason(
        kind,
        ev.device_time,
        job.starts_at,
        job.ends_at,
    ));
    for r in extra_reasons {
        assessment.verdict = assessment.verdict.max(r.verdict());
        assessment.reasons.push(r);
    }

    let hash = ev.hash_hex();
    sqlx::query(
        "INSERT INTO clock_events (id, department_id, device_id, officer_id, job_id, timecard_id, \
         kind, seq, hash, prev_hash, device_us, received_us, verdict, reasons_json, signed_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(ev.event_id.to_string())
    .bind(ctx.dept.id.to_string())
    .bind(ev.device_id.to_string())
    .bind(ctx.user.user_id.to_string())
    .bind(job.id.to_string())
    .bind(card_id.to_string())
    .bind(match kind {
        PunchKind::In => "in",
        PunchKind::Out => "out",
    })
    .bind(i64::try_from(ev.seq).unwrap_or(i64::MAX))
    .bind(hash)
    .bind(ev.prev_hash.clone())
    .bind(to_us(ev.device_time))
    .bind(to_us(ctx.now))
    .bind(assessment.verdict.as_str())
    .bind(json(&assessment.reasons))
    .bind(json(signed))
    .execute(&mut *conn)
    .await?;

    match kind {
        PunchKind::In => {
            let status = TimecardStatus::Open;
            sqlx::query(
                "INSERT INTO timecards (id, assignment_id, department_id, job_id, officer_id, \
                 clock_in_event, in_us, rate_cents, multiplier_bp, status, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(card_id.to_string())
            .bind(mine.id.to_string())
            .bind(ctx.dept.id.to_string())
            .bind(job.id.to_string())
            .bind(ctx.user.user_id.to_string())
            .bind(ev.event_id.to_string())
            .bind(to_us(ev.device_time))
            .bind(job.rate_cents)
            .bind(i64::from(job.multiplier_bp))
            .bind(status.as_str())
            .bind(ctx.seq)
            .execute(&mut *conn)
            .await?;
        }
        PunchKind::Out => {
            let in_time = crate::db::from_us(in_us.unwrap_or_else(|| to_us(ev.device_time)));
            let in_verdict: String = get(
                &sqlx::query("SELECT verdict FROM clock_events WHERE id = $1")
                    .bind(in_event.map(|e| e.to_string()).unwrap_or_default())
                    .fetch_one(&mut *conn)
                    .await?,
                "verdict",
            )?;
            // Paid time starts at the scheduled start or the clock-in, whichever is later.
            let paid_from = in_time.max(job.starts_at);
            let worked = (ev.device_time - paid_from).num_minutes().max(0);
            let billable = ctx.dept.pay.billable_minutes(worked);
            let gross = pay::gross_cents(job.rate_cents, billable, job.multiplier_bp);
            let both_verified = in_verdict == PunchVerdict::Verified.as_str()
                && assessment.verdict == PunchVerdict::Verified;
            let status = if both_verified {
                TimecardStatus::Pending
            } else {
                TimecardStatus::NeedsReview
            };
            sqlx::query(
                "UPDATE timecards SET clock_out_event = $1, out_us = $2, worked_minutes = $3, \
                 billable_minutes = $4, gross_cents = $5, status = $6, version = $7 WHERE id = $8",
            )
            .bind(ev.event_id.to_string())
            .bind(to_us(ev.device_time))
            .bind(worked)
            .bind(billable)
            .bind(gross)
            .bind(status.as_str())
            .bind(ctx.seq)
            .bind(card_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
    }
    ctx.record_change(conn, Entity::Timecard, card_id, Some(ctx.user.user_id))
        .await?;
    Ok(Outcome::Punched {
        timecard_id: card_id,
        event_id: ev.event_id,
        verdict: assessment.verdict,
        reasons: assessment.reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn clock(device: i64, mono_ms: u64, boot: &str) -> DeviceClock {
        DeviceClock {
            device_time: t(device),
            monotonic_ms: mono_ms,
            boot_id: boot.into(),
        }
    }

    #[test]
    fn same_boot_places_an_offline_punch_on_the_server_timeline() {
        // Punched at true time 0 with the device clock right; sent 3 h later.
        let c = clock(3 * 3600, 10_800_000 + 5_000, "b1");
        let d = estimate_drift_s(t(0), 5_000, "b1", Some(&c), t(3 * 3600));
        assert_eq!(d, Some(0));
    }

    #[test]
    fn a_clock_moved_back_two_hours_while_offline_is_detected() {
        // The officer set the phone 2 h back before punching; the true time was 0.
        let c = clock(3 * 3600 - 7200, 10_800_000 + 5_000, "b1");
        let d = estimate_drift_s(t(-7200), 5_000, "b1", Some(&c), t(3 * 3600)).unwrap();
        assert_eq!(d, -7200);
    }

    #[test]
    fn another_boot_only_catches_future_punches() {
        let c = clock(100, 1_000, "b2");
        assert_eq!(estimate_drift_s(t(0), 5_000, "b1", Some(&c), t(100)), None);
        assert_eq!(
            estimate_drift_s(t(500), 5_000, "b1", Some(&c), t(100)),
            Some(400)
        );
        assert_eq!(
            estimate_drift_s(t(500), 5_000, "b1", None, t(100)),
            Some(400)
        );
    }

    #[test]
    fn absurd_monotonic_readings_are_flagged_not_a_panic() {
        let c = clock(100, u64::MAX, "b1");
        assert!(estimate_drift_s(t(0), 0, "b1", Some(&c), t(100)).unwrap() > 120);
    }

    #[test]
    fn monotonic_time_going_backwards_is_flagged() {
        let c = clock(100, 1_000, "b1");
        let d = estimate_drift_s(t(0), 5_000, "b1", Some(&c), t(100)).unwrap();
        assert!(d > 120);
    }
}
