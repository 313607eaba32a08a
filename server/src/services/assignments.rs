//! Claims, withdrawals, cancellations and transfers, and the waitlist they move. Each function
//! runs inside the caller's write transaction, after the department's sequence was taken.

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::actions::{
    self, CancelFacts, ClaimFacts, ClaimPath, Claimant, Refusal, Stake, TransferFacts,
};
use offduty_domain::policy::CancelWindow;
use offduty_domain::protocol::{AssignmentStatus, Job, JobStatus, Outcome};

use crate::db::rows::{Department, JOB_COLUMNS, job_from_row};
use crate::db::{DbError, Dialect, get, get_uuid, to_us};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::line::{append_to_line, next_eligible, position_of, promote, renumber_line};
use crate::services::notify::{self, AwardedHow, Notice};
use crate::services::schedule;

/// What every decision inside one transaction needs to know.
pub struct TxCtx<'a> {
    pub user: AuthUser,
    pub dept: &'a Department,
    pub dialect: Dialect,
    pub now: DateTime<Utc>,
    /// The transaction's change-log sequence (also the order of receipt).
    pub seq: i64,
}

impl TxCtx<'_> {
    pub(crate) fn officer(&self) -> Uuid {
        self.user.user_id
    }

    /// Records in the change log, under this transaction's sequence, that `entity_id` changed
    /// (for `audience` only, or for the whole department when `None`).
    pub(crate) async fn record_change(
        &self,
        conn: &mut AnyConnection,
        entity: Entity,
        entity_id: Uuid,
        audience: Option<Uuid>,
    ) -> Result<(), DbError> {
        changes::record(conn, self.dept.id, self.seq, entity, entity_id, audience).await
    }
}

/// A job read under lock, with whether its ranked award already ran.
pub struct LockedJob {
    pub job: Job,
    /// For ranked rules: the slots were awarded (signups closed). Always true for first come.
    pub awarded: bool,
}

/// Reads and locks a job of the department.
pub async fn lock_job(
    conn: &mut AnyConnection,
    dialect: Dialect,
    department_id: Uuid,
    job_id: Uuid,
) -> Result<Option<LockedJob>, DbError> {
    let lock = match dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE OF j",
    };
    let sql = format!(
        "SELECT {JOB_COLUMNS}, j.awarded_us FROM jobs j JOIN departments d ON d.id = j.department_id \
         WHERE j.id = $1 AND j.department_id = $2{lock}"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(job_id.to_string())
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(LockedJob {
            job: job_from_row(&r)?,
            awarded: get::<Option<i64>>(&r, "awarded_us")?.is_some(),
        })
    })
    .transpose()
}

/// A job read under lock for one officer's action, with what the action reads next: the
/// officer's row on it and the job's awarded slots (one query instead of four).
pub struct JobForOfficer {
    pub job: Job,
    /// For ranked rules: the slots were awarded (signups closed). Always true for first come.
    pub awarded: bool,
    pub mine: Option<Mine>,
    /// Slots awarded now.
    pub filled: i64,
    /// The longest-offered awarded slot, if any: `(assignment, officer)`.
    pub first_offered: Option<(Uuid, Uuid)>,
}

/// Reads and locks a job of the department with the officer's row and the job's slot counts.
pub async fn lock_job_for(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
) -> Result<Option<JobForOfficer>, DbError> {
    let lock = match ctx.dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE OF j",
    };
    let sql = format!(
        "SELECT {JOB_COLUMNS}, j.awarded_us, \
           m.id AS mine_id, m.status AS mine_status, m.offered_us AS mine_offered_us, \
           (SELECT COUNT(*) FROM assignments x WHERE x.job_id = j.id AND x.status = 'awarded') \
             AS filled_now, \
           (SELECT x.id FROM assignments x WHERE x.job_id = j.id AND x.status = 'awarded' \
             AND x.offered_us IS NOT NULL ORDER BY x.offered_us, x.id LIMIT 1) AS offered_id, \
           (SELECT x.officer_id FROM assignments x WHERE x.job_id = j.id AND x.status = 'awarded' \
             AND x.offered_us IS NOT NULL ORDER BY x.offered_us, x.id LIMIT 1) AS offered_officer \
         FROM jobs j JOIN departments d ON d.id = j.department_id \
         LEFT JOIN assignments m ON m.job_id = j.id AND m.officer_id = $3 \
         WHERE j.id = $1 AND j.department_id = $2{lock}"
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(job_id.to_string())
        .bind(ctx.dept.id.to_string())
        .bind(ctx.officer().to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let mine = match get::<Option<String>>(&r, "mine_id")? {
        None => None,
        Some(_) => {
            let status: String = get(&r, "mine_status")?;
            Some(Mine {
                id: get_uuid(&r, "mine_id")?,
                status: AssignmentStatus::parse(&status)
                    .ok_or_else(|| DbError::corrupt("assignments", format!("status {status:?}")))?,
                offered: get::<Option<i64>>(&r, "mine_offered_us")?.is_some(),
            })
        }
    };
    let first_offered = match get::<Option<String>>(&r, "offered_id")? {
        None => None,
        Some(_) => Some((
            get_uuid(&r, "offered_id")?,
            get_uuid(&r, "offered_officer")?,
        )),
    };
    Ok(Some(JobForOfficer {
        job: job_from_row(&r)?,
        awarded: get::<Option<i64>>(&r, "awarded_us")?.is_some(),
        mine,
        filled: get(&r, "filled_now")?,
        first_offered,
    }))
}

/// An officer's row on a job.
pub struct Mine {
    pub id: Uuid,
    pub status: AssignmentStatus,
    pub offered: bool,
}

impl Mine {
    /// The officer's stake as the domain rules read it.
    pub fn stake(&self) -> Stake {
        Stake::of(Some(self.status), self.offered)
    }
}

/// The stake of an officer who may have no row on the job.
fn stake_of(mine: Option<&Mine>) -> Stake {
    mine.map(Mine::stake).unwrap_or_default()
}

/// The officer's assignment row on the job, whatever its status.
pub async fn find_assignment(
    conn: &mut AnyConnection,
    job_id: Uuid,
    officer_id: Uuid,
) -> Result<Option<Mine>, DbError> {
    let row = sqlx::query(
        "SELECT id, status, offered_us FROM assignments WHERE job_id = $1 AND officer_id = $2",
    )
    .bind(job_id.to_string())
    .bind(officer_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let status: String = get(&r, "status")?;
        Ok(Mine {
            id: get_uuid(&r, "id")?,
            status: AssignmentStatus::parse(&status)
                .ok_or_else(|| DbError::corrupt("assignments", format!("status {status:?}")))?,
            offered: get::<Option<i64>>(&r, "offered_us")?.is_some(),
        })
    })
    .transpose()
}

/// Sets an assignment's status (and clears its place in line / offer), recording the change.
pub(crate) async fn set_status(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    assignment_id: Uuid,
    officer_id: Uuid,
    status: AssignmentStatus,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE assignments SET status = $1, position = NULL, offered_us = NULL, updated_us = $2, \
         version = $3 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(to_us(ctx.now))
    .bind(ctx.seq)
    .bind(assignment_id.to_string())
    .execute(&mut *conn)
    .await?;
    ctx.record_change(conn, Entity::Assignment, assignment_id, Some(officer_id))
        .await
}

/// Gives `officer_id` a row with `status` on the job: reuses their old row (a re-claim after a
/// withdrawal) or inserts one. The claim's receipt order is this transaction's sequence.
async fn put_assignment(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
    officer_id: Uuid,
    existing: Option<Uuid>,
    status: AssignmentStatus,
) -> Result<Uuid, DbError> {
    let id = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE assignments SET status = $1, receipt_seq = $2, position = NULL, \
                 offered_us = NULL, updated_us = $3, version = $2 WHERE id = $4",
            )
            .bind(status.as_str())
            .bind(ctx.seq)
            .bind(to_us(ctx.now))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO assignments (id, job_id, department_id, officer_id, status, \
                 receipt_seq, created_us, updated_us, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $6)",
            )
            .bind(id.to_string())
            .bind(job_id.to_string())
            .bind(ctx.dept.id.to_string())
            .bind(officer_id.to_string())
            .bind(status.as_str())
            .bind(ctx.seq)
            .bind(to_us(ctx.now))
            .execute(&mut *conn)
            .await?;
            id
        }
    };
    ctx.record_change(conn, Entity::Assignment, id, Some(officer_id))
        .await?;
    Ok(id)
}

/// Recounts awarded slots, updates the job's fill and status, and records the job change.
pub async fn refresh_job(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
) -> Result<(), DbError> {
    let counts = sqlx::query(
        "SELECT COUNT(*) AS n, COUNT(offered_us) AS offered FROM assignments \
         WHERE job_id = $1 AND status = 'awarded'",
    )
    .bind(job.id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let filled: i64 = get(&counts, "n")?;
    let offered: i64 = get(&counts, "offered")?;
    let status = match job.status {
        JobStatus::Open | JobStatus::Filled if filled >= i64::from(job.slots) => JobStatus::Filled,
        JobStatus::Open | JobStatus::Filled => JobStatus::Open,
        other => other,
    };
    sqlx::query(
        "UPDATE jobs SET slots_filled = $1, slots_offered = $2, status = $3, version = $4 \
         WHERE id = $5",
    )
    .bind(filled)
    .bind(offered)
    .bind(status.as_str())
    .bind(ctx.seq)
    .bind(job.id.to_string())
    .execute(&mut *conn)
    .await?;
    ctx.record_change(conn, Entity::Job, job.id, None).await
}

async fn audit(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    action: &str,
    job: &Job,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    audit::append(
        conn,
        ctx.dept.id,
        AuditEntry {
            actor_id: Some(ctx.user.user_id),
            action,
            entity: "job",
            entity_id: job.id.to_string(),
            detail,
        },
        ctx.now,
    )
    .await
}

/// `claim`: take a free slot, take over an offered one, ask (ranked rules), or join the line.
pub async fn claim(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
) -> Result<Outcome, DbError> {
    let Some(JobForOfficer {
        job,
        awarded,
        mine,
        filled,
        first_offered,
    }) = lock_job_for(conn, ctx, job_id).await?
    else {
        return Ok(Refusal::job_not_found().into());
    };
    let profile = schedule::load_officer(conn, ctx.dept.id, ctx.officer()).await?;
    // Eligibility needs the officer's schedule; skip the reads when an earlier check refuses.
    let stake = stake_of(mine.as_ref());
    let ineligible = match &profile {
        Some(p) if job.closed_reason(ctx.now).is_none() && !stake.has_active_claim() => {
            schedule::check_eligibility(conn, ctx.dept, &job, p).await?
        }
        _ => Vec::new(),
    };
    let path = actions::check_claim(&ClaimFacts {
        job: &job,
        stake,
        claimant: match &profile {
            Some(p) => Claimant::Officer(p),
            None => Claimant::NotAnOfficer,
        },
        award_ran: awarded,
        ineligible: &ineligible,
        now: ctx.now,
        tz: ctx.dept.tz,
    });
    let path = match path {
        Ok(path) => path,
        Err(refused) => return Ok(refused.into()),
    };
    let existing = mine.map(|m| m.id);

    // Ranked rule, signups still open: record the request; slots are awarded at close.
    if path == ClaimPath::Request {
        let id = put_assignment(
            conn,
            ctx,
            job.id,
            ctx.officer(),
            existing,
            AssignmentStatus::Requested,
        )
        .await?;
        renumber_line(conn, ctx, &job).await?;
        let position = position_of(conn, id).await?;
        audit(
            conn,
            ctx,
            "claim",
            &job,
            serde_json::json!({"result": "requested", "position": position}),
        )
        .await?;
        return Ok(Outcome::Requested {
            assignment_id: id,
            position,
        });
    }

    if filled < i64::from(job.slots) {
        let id = put_assignment(
            conn,
            ctx,
            job.id,
            ctx.officer(),
            existing,
            AssignmentStatus::Awarded,
        )
        .await?;
        // A free slot means nobody was waiting: the line does not move.
        refresh_job(conn, ctx, &job).await?;
        audit(
            conn,
            ctx,
            "claim",
            &job,
            serde_json::json!({"result": "awarded"}),
        )
        .await?;
        return Ok(Outcome::Awarded { assignment_id: id });
    }

    // Full: take over the longest-offered slot, if any.
    if let Some((giver_row, giver)) = first_offered {
        set_status(
            conn,
            ctx,
            giver_row,
            giver,
            AssignmentStatus::TransferredOut,
        )
        .await?;
        let id = put_assignment(
            conn,
            ctx,
            job.id,
            ctx.officer(),
            existing,
            AssignmentStatus::Awarded,
        )
        .await?;
        notify::enqueue(
            conn,
            ctx.dept.id,
            giver,
            &Notice::SlotTakenOver {
                job_id: job.id,
                title: job.title.clone(),
            },
            ctx.now,
        )
        .await?;
        refresh_job(conn, ctx, &job).await?;
        audit(
            conn,
            ctx,
            "claim",
            &job,
            serde_json::json!({"result": "took_offered_slot", "from": giver}),
        )
        .await?;
        return Ok(Outcome::Awarded { assignment_id: id });
    }

    let id = put_assignment(
        conn,
        ctx,
        job.id,
        ctx.officer(),
        existing,
        AssignmentStatus::Waitlisted,
    )
    .await?;
    let position = if job.award_rule.is_immediate() {
        // First come: a new claim joins the end of the line and nobody else moves.
        append_to_line(conn, ctx, &job, id).await?
    } else {
        renumber_line(conn, ctx, &job).await?;
        position_of(conn, id).await?
    };
    audit(
        conn,
        ctx,
        "claim",
        &job,
        serde_json::json!({"result": "waitlisted", "position": position}),
    )
    .await?;
    Ok(Outcome::Waitlisted {
        assignment_id: id,
        position,
    })
}

/// `withdraw`: leave the line (a request or a waitlist place).
pub async fn withdraw(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
) -> Result<Outcome, DbError> {
    let Some(JobForOfficer { job, mine, .. }) = lock_job_for(conn, ctx, job_id).await? else {
        return Ok(Refusal::job_not_found().into());
    };
    if let Err(refused) = actions::check_withdraw(stake_of(mine.as_ref())) {
        return Ok(refused.into());
    }
    let Some(m) = mine else {
        return Err(DbError::corrupt(
            "assignments",
            "withdrawal allowed without a row",
        ));
    };
    set_status(conn, ctx, m.id, ctx.officer(), AssignmentStatus::Withdrawn).await?;
    renumber_line(conn, ctx, &job).await?;
    audit(conn, ctx, "withdraw", &job, serde_json::json!({})).await?;
    Ok(Outcome::Withdrawn {
        assignment_id: m.id,
    })
}

/// Locks the job and finds the slot the officer holds on it; the refusal to give when either
/// is missing (no such job in the department, or no slot held).
pub(crate) async fn held_shift(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
) -> Result<Result<(Job, Mine), Outcome>, DbError> {
    let Some(JobForOfficer { job, mine, .. }) = lock_job_for(conn, ctx, job_id).await? else {
        return Ok(Err(Refusal::job_not_found().into()));
    };
    match mine.filter(|m| m.stake().holds_slot()) {
        Some(mine) => Ok(Ok((job, mine))),
        None => Ok(Err(Refusal::no_slot().into())),
    }
}

/// Whether the officer has clocked in to this shift (then only a coordinator can release them).
pub(crate) async fn clocked_in(
    conn: &mut AnyConnection,
    assignment_id: Uuid,
) -> Result<bool, DbError> {
    let n: i64 = get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM timecards WHERE assignment_id = $1 AND clock_in_event IS NOT NULL",
        )
        .bind(assignment_id.to_string())
        .fetch_one(&mut *conn)
        .await?,
        "n",
    )?;
    Ok(n > 0)
}

/// `cancel`: give up an awarded slot, within the department's cancellation windows.
pub async fn cancel(
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
    let policy = &ctx.dept.rules.cancel_policy;
    let window = match actions::check_cancel(&CancelFacts {
        job: &job,
        stake: mine.stake(),
        clocked_in: clocked_in(conn, mine.id).await?,
        policy,
        now: ctx.now,
    }) {
        Ok(window) => window,
        Err(refused) => return Ok(refused.into()),
    };
    let replacement = next_eligible(conn, ctx, &job).await?;
    if window == CancelWindow::NeedsReplacement && replacement.is_none() {
        return Ok(Refusal::needs_replacement(policy).into());
    }
    give_up(
        conn,
        ctx,
        &job,
        &mine,
        window,
        replacement,
        "cancel",
        reason,
    )
    .await
}

/// The slot given up, as a cancellation (`cancel`, and `wont_make_it` in every window): the
/// row cancelled, the next eligible officer in line (`replacement`) promoted, the line
/// renumbered, the audit entry (`action`), and inside the late-cancellation window the
/// coordinators' notice, all in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn give_up(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
    mine: &Mine,
    window: CancelWindow,
    replacement: Option<Uuid>,
    action: &str,
    reason: Option<String>,
) -> Result<Outcome, DbError> {
    set_status(
        conn,
        ctx,
        mine.id,
        ctx.officer(),
        AssignmentStatus::Cancelled,
    )
    .await?;
    if let Some(next) = replacement {
        promote(conn, ctx, job, next, AwardedHow::Waitlist).await?;
    }
    refresh_job(conn, ctx, job).await?;
    renumber_line(conn, ctx, job).await?;
    audit(
        conn,
        ctx,
        action,
        job,
        serde_json::json!({"window": window, "promoted": replacement, "reason": reason}),
    )
    .await?;
    if window != CancelWindow::Free {
        // Inside the late-cancellation window: the coordinators hear of it at once, in this
        // same transaction (decision 043).
        let name = schedule::load_officer(conn, ctx.dept.id, ctx.officer())
            .await?
            .map(|o| o.display_name)
            .unwrap_or_default();
        notify::enqueue_coordinators(
            conn,
            ctx.dept.id,
            &Notice::LateCancellation {
                job_id: job.id,
                title: job.title.clone(),
                officer_id: ctx.officer(),
                display_name: name,
                starts_at: job.starts_at,
                window,
                replaced: replacement.is_some(),
            },
            ctx.now,
        )
        .await?;
    }
    Ok(Outcome::Cancelled {
        assignment_id: mine.id,
        window,
        promoted: replacement.is_some(),
    })
}

/// A no-show's slot offered to the waitlist (decision 043): when an officer in line is
/// eligible now, the absent officer's slot is handed to them by the same promotion a
/// cancellation uses, and the absent officer's row ends as `transferred_out`. With nobody
/// eligible in line the absent officer keeps the slot (they may still arrive) and the
/// coordinators decide. Returns who took it.
pub(crate) async fn release_no_show(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job: &Job,
    assignment_id: Uuid,
    officer_id: Uuid,
) -> Result<Option<Uuid>, DbError> {
    let Some(next) = next_eligible(conn, ctx, job).await? else {
        return Ok(None);
    };
    set_status(
        conn,
        ctx,
        assignment_id,
        officer_id,
        AssignmentStatus::TransferredOut,
    )
    .await?;
    promote(conn, ctx, job, next, AwardedHow::Waitlist).await?;
    refresh_job(conn, ctx, job).await?;
    renumber_line(conn, ctx, job).await?;
    Ok(Some(next))
}

/// `transfer`: hand the slot to a named eligible officer, or offer it back to the board (the
/// next eligible officer in line takes it at once; otherwise the first eligible claimer does,
/// and until then the officer still holds it).
pub async fn transfer(
    conn: &mut AnyConnection,
    ctx: &TxCtx<'_>,
    job_id: Uuid,
    to: Option<Uuid>,
) -> Result<Outcome, DbError> {
    let (job, mine) = match held_shift(conn, ctx, job_id).await? {
        Ok(held) => held,
        Err(refused) => return Ok(refused),
    };
    if let Err(refused) = actions::check_transfer(&TransferFacts {
        job: &job,
        stake: mine.stake(),
        clocked_in: clocked_in(conn, mine.id).await?,
        me: ctx.officer(),
        to,
        now: ctx.now,
    }) {
        return Ok(refused.into());
    }
    match to {
        Some(target) => {
            let Some(profile) = schedule::load_officer(conn, ctx.dept.id, target).await? else {
                return Ok(Refusal::target_not_an_officer().into());
            };
            let theirs = find_assignment(conn, job.id, target).await?;
            if theirs
                .as_ref()
                .is_some_and(|t| t.status == AssignmentStatus::Awarded)
            {
                return Ok(Refusal::target_holds_slot(&profile.display_name).into());
            }
            let reasons = schedule::check_eligibility(conn, ctx.dept, &job, &profile).await?;
            if !reasons.is_empty() {
                return Ok(Refusal::target_not_eligible(
                    &profile.display_name,
                    reasons,
                    ctx.dept.tz,
                )
                .into());
            }
            set_status(
                conn,
                ctx,
                mine.id,
                ctx.officer(),
                AssignmentStatus::TransferredOut,
            )
            .await?;
            put_assignment(
                conn,
                ctx,
                job.id,
                target,
                theirs.map(|t| t.id),
                AssignmentStatus::Awarded,
            )
            .await?;
            notify::enqueue(
                conn,
                ctx.dept.id,
                target,
                &Notice::Awarded {
                    job_id: job.id,
                    title: job.title.clone(),
                    how: AwardedHow::Transfer,
                },
                ctx.now,
            )
            .await?;
            refresh_job(conn, ctx, &job).await?;
            renumber_line(conn, ctx, &job).await?;
            audit(
                conn,
                ctx,
                "transfer",
                &job,
                serde_json::json!({"to": target}),
            )
            .await?;
            Ok(Outcome::Transferred {
                assignment_id: mine.id,
                to_officer_id: Some(target),
            })
        }
        None => {
            if let Some(next) = next_eligible(conn, ctx, &job).await? {
                set_status(
                    conn,
                    ctx,
                    mine.id,
                    ctx.officer(),
                    AssignmentStatus::TransferredOut,
                )
                .await?;
                promote(conn, ctx, &job, next, AwardedHow::Waitlist).await?;
                refresh_job(conn, ctx, &job).await?;
                renumber_line(conn, ctx, &job).await?;
                audit(
                    conn,
                    ctx,
                    "transfer",
                    &job,
                    serde_json::json!({"to": next, "via": "waitlist"}),
                )
                .await?;
                return Ok(Outcome::Transferred {
                    assignment_id: mine.id,
                    to_officer_id: Some(next),
                });
            }
            if !mine.offered {
                sqlx::query(
                    "UPDATE assignments SET offered_us = $1, updated_us = $1, version = $2 \
                     WHERE id = $3",
                )
                .bind(to_us(ctx.now))
                .bind(ctx.seq)
                .bind(mine.id.to_string())
                .execute(&mut *conn)
                .await?;
                ctx.record_change(conn, Entity::Assignment, mine.id, Some(ctx.officer()))
                    .await?;
                refresh_job(conn, ctx, &job).await?;
                audit(conn, ctx, "offer", &job, serde_json::json!({})).await?;
            }
            Ok(Outcome::Transferred {
                assignment_id: mine.id,
                to_officer_id: None,
            })
        }
    }
}
