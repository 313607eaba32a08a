//! The line for a job: who is asking or waiting, in the job's award-rule order; renumbering
//! places when the line moves; and promoting the first officer who is eligible *now*.

use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::award::{self, AwardRule};
use offduty_domain::protocol::{AssignmentStatus, Job};

use crate::db::{DbError, get, get_uuid};
use crate::services::assignments::{TxCtx, find_assignment, set_status};
use crate::services::changes::Entity;
use crate::services::notify::{self, AwardedHow, Notice};
use crate::services::schedule;

fn window_days(rule: &AwardRule) -> u32 {
    match rule {
        AwardRule::FewestHours { window_days } => *window_days,
        _ => 28,
    }
}

/// The officers asking for or waiting on the job, best first by the job's rule.
pub async fn line_order(conn: &mut AnyConnection, job: &Job) -> Result<Vec<Uuid>, DbError> {
    if job.award_rule.is_immediate() {
        // First come needs no statistics: the order of receipt (what `award::rank` gives).
        let rows = sqlx::query(
            "SELECT officer_id FROM assignments WHERE job_id = $1 \
             AND status IN ('requested', 'waitlisted') ORDER BY receipt_seq, officer_id",
        )
        .bind(job.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        return rows.iter().map(|r| get_uuid(r, "officer_id")).collect();
    }
    let candidates = schedule::load_candidates(conn, job, window_days(&job.award_rule)).await?;
    let dept = crate::services::award::load_department(conn, job.department_id).await?;
    match dept.filter(|d| d.rules.reliability_tie_break) {
        // The department opted in (decision 046): the rule's ties go to the more reliable
        // officer, computed from the record as it stands now.
        Some(dept) => {
            let ids: Vec<Uuid> = candidates.iter().map(|c| c.officer_id).collect();
            let figures =
                crate::services::reliability::of_officers(conn, &dept, &ids, chrono::Utc::now())
                    .await?;
            Ok(award::rank_with_tie_break(
                &job.award_rule,
                job.id,
                &candidates,
                |o| figures.get(&o).map_or(u64::MAX, |r| r.tie_break_key()),
            ))
        }
        None => Ok(award::rank(&job.award_rule, job.id, &candidates)),
    }
}

/// Puts a newly waitlisted officer at the end of a first-come line (nobody else moves) and
/// returns their place.
pub(crate) async fn append_to_line(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
    assignment_id: Uuid,
) -> Result<u32, DbError> {
    // Its own row is already in line, so the count is its place.
    let n: i64 = get(
        &sqlx::query(
            "UPDATE assignments SET position = (SELECT COUNT(*) FROM assignments \
             WHERE job_id = $1 AND status IN ('requested', 'waitlisted')), version = $2 \
             WHERE id = $3 RETURNING position",
        )
        .bind(job.id.to_string())
        .bind(ctx.seq)
        .bind(assignment_id.to_string())
        .fetch_one(&mut *conn)
        .await?,
        "position",
    )?;
    Ok(crate::db::rows::to_u32(n))
}

/// Renumbers the requested/waitlisted officers' places in line, recording each one that moved.
pub async fn renumber_line(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
) -> Result<(), DbError> {
    let order = line_order(conn, job).await?;
    let rows = sqlx::query(
        "SELECT id, officer_id, position FROM assignments \
         WHERE job_id = $1 AND status IN ('requested', 'waitlisted')",
    )
    .bind(job.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let officer = get_uuid(r, "officer_id")?;
        let id = get_uuid(r, "id")?;
        let old: Option<i64> = get(r, "position")?;
        let new = order
            .iter()
            .position(|o| *o == officer)
            .map(|p| p as i64 + 1);
        if old != new {
            sqlx::query("UPDATE assignments SET position = $1, version = $2 WHERE id = $3")
                .bind(new)
                .bind(ctx.seq)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            ctx.record_change(conn, Entity::Assignment, id, Some(officer))
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn position_of(
    conn: &mut AnyConnection,
    assignment_id: Uuid,
) -> Result<u32, DbError> {
    let p: Option<i64> = get(
        &sqlx::query("SELECT position FROM assignments WHERE id = $1")
            .bind(assignment_id.to_string())
            .fetch_one(&mut *conn)
            .await?,
        "position",
    )?;
    Ok(crate::db::rows::to_u32(p.unwrap_or(0)))
}

/// The first officer in line who is eligible now (schedules change while people wait).
pub(crate) async fn next_eligible(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
) -> Result<Option<Uuid>, DbError> {
    for officer_id in line_order(conn, job).await? {
        let Some(profile) = schedule::load_officer(conn, ctx.dept.id, officer_id).await? else {
            continue;
        };
        if schedule::check_eligibility(conn, ctx.dept, job, &profile)
            .await?
            .is_empty()
        {
            return Ok(Some(officer_id));
        }
    }
    Ok(None)
}

/// Gives a free slot to the first eligible officer in line, notifying them.
pub(crate) async fn promote(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
    officer_id: Uuid,
    how: AwardedHow,
) -> Result<(), DbError> {
    let Some(row) = find_assignment(conn, job.id, officer_id).await? else {
        return Ok(());
    };
    set_status(conn, ctx, row.id, officer_id, AssignmentStatus::Awarded).await?;
    notify::enqueue(
        conn,
        ctx.dept.id,
        officer_id,
        &Notice::Awarded {
            job_id: job.id,
            title: job.title.clone(),
            how,
        },
        ctx.now,
    )
    .await
}
