//! "Running late" and "won't make it" from the phone (issue 12, decision 048), decided inside
//! the action's transaction like every officer action. The rules are
//! `offduty_domain::actions::arrival`; this module writes: the reported arrival
//! (`late_reports`), the alert the coordinators act on (`services::alerts::raise_in`), the
//! notices, and for "won't make it" the cancellation path every cancel takes
//! (`assignments::give_up`: waitlist promotion, the late-cancellation notice).

use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::actions::{self, LateFacts, Refusal};
use offduty_domain::alerts::AlertKind;
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::Outcome;

use crate::db::{DbError, to_us};
use crate::services::alerts::{self, SlotRef, customer_contacts, officer_name};
use crate::services::assignments::{TxCtx, clocked_in, give_up, held_shift};
use crate::services::audit::{self, AuditEntry};
use crate::services::line::next_eligible;
use crate::services::notify::{self, Notice};

/// `report_late`: the officer will arrive `minutes_late` after the start (or after now, once
/// started). Stores the arrival (a later report replaces it), raises or re-opens the
/// `running_late` alert, and tells the coordinators and the customer's contacts when to expect
/// the officer. The shift watcher raises no no-show before that time plus the grace.
pub async fn report_late(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
    minutes_late: u16,
) -> Result<Outcome, DbError> {
    let (job, mine) = match held_shift(conn, ctx, job_id).await? {
        Ok(held) => held,
        Err(refused) => return Ok(refused),
    };
    let eta = match actions::check_report_late(
        &LateFacts {
            job: &job,
            stake: mine.stake(),
            clocked_in: clocked_in(conn, mine.id).await?,
            now: ctx.now,
        },
        minutes_late,
    ) {
        Ok(eta) => eta,
        Err(refused) => return Ok(refused.into()),
    };
    sqlx::query(
        "INSERT INTO late_reports (assignment_id, department_id, job_id, officer_id, \
         minutes_late, eta_us, reported_us) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (assignment_id) DO UPDATE SET minutes_late = excluded.minutes_late, \
         eta_us = excluded.eta_us, reported_us = excluded.reported_us",
    )
    .bind(mine.id.to_string())
    .bind(ctx.dept.id.to_string())
    .bind(job.id.to_string())
    .bind(ctx.officer().to_string())
    .bind(i32::from(minutes_late))
    .bind(to_us(eta))
    .bind(to_us(ctx.now))
    .execute(&mut *conn)
    .await?;
    let slot = SlotRef {
        department_id: ctx.dept.id,
        assignment_id: mine.id,
        job_id: job.id,
        officer_id: ctx.officer(),
    };
    alerts::raise_in(conn, &slot, AlertKind::RunningLate, ctx.now, None).await?;
    audit::append(
        conn,
        ctx.dept.id,
        AuditEntry {
            actor_id: Some(ctx.officer()),
            action: "report_late",
            entity: "job",
            entity_id: job.id.to_string(),
            detail: serde_json::json!({"minutes_late": minutes_late, "eta": eta}),
        },
        ctx.now,
    )
    .await?;
    let told = Notice::RunningLate {
        job_id: job.id,
        title: job.title.clone(),
        officer_id: ctx.officer(),
        display_name: officer_name(conn, ctx.officer()).await?,
        starts_at: job.starts_at,
        expected_at: eta,
    };
    notify::enqueue_coordinators(conn, ctx.dept.id, &told, ctx.now).await?;
    for contact in customer_contacts(conn, ctx.dept.id, job.id).await? {
        notify::enqueue(conn, ctx.dept.id, contact, &told, ctx.now).await?;
    }
    Ok(Outcome::LateReported {
        assignment_id: mine.id,
        minutes_late,
        eta,
    })
}

/// `wont_make_it`: the officer cannot come. The slot is given up as a cancellation in
/// whatever window applies — never refused for want of a replacement — so the next eligible
/// officer in line takes it, and inside the late window it counts (and is told) as a late
/// cancellation. A `wont_make_it` alert lets the coordinators reassign at once (they get its
/// notice when the late-cancellation notice did not already tell them).
pub async fn wont_make_it(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
    reason: Option<&str>,
) -> Result<Outcome, DbError> {
    let (job, mine) = match held_shift(conn, ctx, job_id).await? {
        Ok(held) => held,
        Err(refused) => return Ok(refused),
    };
    let reason = match actions::cancel_reason(reason) {
        Ok(r) => r,
        Err(invalid) => return Ok(Refusal::invalid(&invalid).into()),
    };
    let window = match actions::check_wont_make_it(
        &LateFacts {
            job: &job,
            stake: mine.stake(),
            clocked_in: clocked_in(conn, mine.id).await?,
            now: ctx.now,
        },
        &ctx.dept.rules.cancel_policy,
    ) {
        Ok(window) => window,
        Err(refused) => return Ok(refused.into()),
    };
    let replacement = next_eligible(conn, ctx, &job).await?;
    let outcome = give_up(
        conn,
        ctx,
        &job,
        &mine,
        window,
        replacement,
        "wont_make_it",
        reason,
    )
    .await?;
    let slot = SlotRef {
        department_id: ctx.dept.id,
        assignment_id: mine.id,
        job_id: job.id,
        officer_id: ctx.officer(),
    };
    let tell = (window == CancelWindow::Free).then_some((job.title.as_str(), job.starts_at));
    alerts::raise_in(conn, &slot, AlertKind::WontMakeIt, ctx.now, tell).await?;
    Ok(outcome)
}
