//! Writing the planned demo to the database: multi-row INSERTs inside the seed's transaction.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use crate::db::{DbError, json, to_us};

use super::plan::Plan;

/// One bound value of a batched INSERT.
enum V {
    I(i64),
    OI(Option<i64>),
    F(f64),
    S(String),
    OS(Option<String>),
}

fn t(at: DateTime<Utc>) -> V {
    V::I(to_us(at))
}

fn ot(at: Option<DateTime<Utc>>) -> V {
    V::OI(at.map(to_us))
}

fn id(u: Uuid) -> V {
    V::S(u.to_string())
}

/// Inserts `rows` into `table` with multi-row INSERTs of at most ~4000 bound values each (well
/// under both SQLite's and PostgreSQL's limits).
async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
) -> Result<(), DbError> {
    let per_statement = (4000 / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, row) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..row.len() {
                n += 1;
                let _ = write!(sql, "{}${n}", if c == 0 { "" } else { ", " });
            }
            sql.push(')');
        }
        let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for v in chunk.into_iter().flatten() {
            q = match v {
                V::I(x) => q.bind(x),
                V::OI(x) => q.bind(x),
                V::F(x) => q.bind(x),
                V::S(x) => q.bind(x),
                V::OS(x) => q.bind(x),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the plan inside the caller's transaction and sets the department's change sequence.
pub async fn write_plan(
    conn: &mut AnyConnection,
    plan: &Plan,
    dept: Uuid,
    coordinator: Uuid,
) -> Result<(), DbError> {
    insert_rows(
        conn,
        "duty_blocks",
        &[
            "id",
            "department_id",
            "officer_id",
            "starts_us",
            "ends_us",
            "source",
            "created_us",
        ],
        plan.duty
            .iter()
            .map(|d| {
                vec![
                    id(d.id),
                    id(dept),
                    id(d.officer),
                    t(d.starts),
                    t(d.ends),
                    V::S("demo-schedule".to_string()),
                    t(plan.duty_imported),
                ]
            })
            .collect(),
    )
    .await?;
    // The column list of `POST /v1/jobs` (routes/jobs.rs), plus what later changes set.
    insert_rows(
        conn,
        "jobs",
        &[
            "id",
            "department_id",
            "customer_id",
            "title",
            "customer_name",
            "site_name",
            "address",
            "lat",
            "lon",
            "geofence_json",
            "starts_us",
            "ends_us",
            "slots",
            "job_type",
            "rate_cents",
            "multiplier_bp",
            "requirements_json",
            "award_rule_json",
            "release_tiers_json",
            "signup_opens_us",
            "signup_closes_us",
            "awarded_us",
            "status",
            "notes",
            "created_by",
            "created_us",
            "version",
            "slots_filled",
        ],
        plan.jobs
            .iter()
            .map(|j| {
                vec![
                    id(j.id),
                    id(dept),
                    V::OS(j.customer_id.map(|c| c.to_string())),
                    V::S(j.title.clone()),
                    V::S(j.site.customer.to_string()),
                    V::S(j.site.name.to_string()),
                    V::S(j.site.address.to_string()),
                    V::F(j.site.lat),
                    V::F(j.site.lon),
                    V::S(json(&j.geofence)),
                    t(j.starts),
                    t(j.ends),
                    V::I(i64::from(j.slots)),
                    V::S(j.job_type.to_string()),
                    V::I(j.rate_cents),
                    V::I(i64::from(j.multiplier_bp)),
                    V::S(json(&j.requirements)),
                    V::S(json(&j.award_rule)),
                    V::S(json(&j.release_tiers)),
                    t(j.signup_opens),
                    ot(j.signup_closes),
                    ot(j.awarded_at),
                    V::S(j.status.as_str().to_string()),
                    V::S(j.notes.to_string()),
                    id(coordinator),
                    t(j.created),
                    V::I(j.version),
                    V::I(i64::from(j.slots_filled)),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        conn,
        "assignments",
        &[
            "id",
            "job_id",
            "department_id",
            "officer_id",
            "status",
            "receipt_seq",
            "position",
            "created_us",
            "updated_us",
            "version",
        ],
        plan.assignments
            .iter()
            .map(|a| {
                vec![
                    id(a.id),
                    id(plan.jobs[a.job].id),
                    id(dept),
                    id(a.officer),
                    V::S(a.status.as_str().to_string()),
                    V::I(a.receipt_seq),
                    V::OI(a.position.map(i64::from)),
                    t(a.created),
                    t(a.updated),
                    V::I(a.version),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        conn,
        "timecards",
        &[
            "id",
            "assignment_id",
            "department_id",
            "job_id",
            "officer_id",
            "in_us",
            "out_us",
            "worked_minutes",
            "billable_minutes",
            "rate_cents",
            "multiplier_bp",
            "gross_cents",
            "status",
            "approved_by",
            "approved_us",
            "paid_us",
            "version",
        ],
        plan.timecards
            .iter()
            .map(|c| {
                vec![
                    id(c.id),
                    id(plan.assignments[c.assignment].id),
                    id(dept),
                    id(plan.jobs[c.job].id),
                    id(c.officer),
                    t(c.in_at),
                    t(c.out_at),
                    V::I(c.worked_minutes),
                    V::I(c.billable_minutes),
                    V::I(c.rate_cents),
                    V::I(i64::from(c.multiplier_bp)),
                    V::I(c.gross_cents),
                    V::S(c.status.as_str().to_string()),
                    id(coordinator),
                    t(c.approved_at),
                    ot(c.paid_at),
                    V::I(c.version),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        conn,
        "change_log",
        &["department_id", "seq", "entity", "entity_id", "audience"],
        plan.changes
            .iter()
            .map(|c| {
                vec![
                    id(dept),
                    V::I(c.seq),
                    V::S(c.entity.to_string()),
                    id(c.entity_id),
                    V::OS(c.audience.map(|a| a.to_string())),
                ]
            })
            .collect(),
    )
    .await?;
    sqlx::query("UPDATE departments SET change_seq = $1 WHERE id = $2")
        .bind(plan.change_seq.max(1))
        .bind(dept.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
