//! Reports e-mailed on a schedule (decision 044). A coordinator asks for a report, with its
//! filters, daily (the previous day), weekly (the previous Monday to Sunday) or monthly (the
//! previous calendar month) — periods of the department's zone — at an e-mail address.
//!
//! [`step`] (taking `now`, so tests control time) does two things. It records the latest
//! complete period of each live schedule in `report_sends`, whose primary key (schedule,
//! period) makes a period's report exist once however many server processes step at the same
//! moment. Then it takes due sends one at a time by a conditional `UPDATE` that sets a lease
//! (only one process's update matches), renders the report's CSV and mails it through the
//! delivery e-mail adapter (decision 041) as an attachment, outside any transaction, and
//! records the outcome. A transient failure is retried with backoff (30 s doubling, capped at an
//! hour) and given up after six attempts; a crash between sending and recording leaves the lease
//! to run out, so a report may arrive twice, never not at all. Periods missed while no server
//! ran are not sent afterwards: only the latest complete period is.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::params::{self, Params};
use super::{ReportError, render};
use crate::db::{Db, DbError, get, get_uuid, to_us};
use crate::delivery::{Attachment, Message, SendOutcome, SharedSender};
use crate::services::audit::{self, AuditEntry};

/// Attempts before a send is given up.
pub const MAX_ATTEMPTS: i64 = 6;
/// How long a process that took a send owns it.
const LEASE_US: i64 = 5 * 60 * 1_000_000;
/// Sends taken per step.
const BATCH: i64 = 20;

/// How often a report is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        Some(match s {
            "daily" => Frequency::Daily,
            "weekly" => Frequency::Weekly,
            "monthly" => Frequency::Monthly,
            _ => return None,
        })
    }

    /// The latest complete period before `now` in `tz`, both dates included.
    pub fn last_period(self, now: DateTime<Utc>, tz: Tz) -> (NaiveDate, NaiveDate) {
        let today = now.with_timezone(&tz).date_naive();
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        match self {
            Frequency::Daily => (yesterday, yesterday),
            Frequency::Weekly => {
                let monday = today
                    .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))
                    .unwrap_or(today);
                let last_monday = monday.checked_sub_days(Days::new(7)).unwrap_or(monday);
                (
                    last_monday,
                    monday.checked_sub_days(Days::new(1)).unwrap_or(monday),
                )
            }
            Frequency::Monthly => {
                let first = today.with_day(1).unwrap_or(today);
                let prev = first.checked_sub_months(Months::new(1)).unwrap_or(first);
                (prev, first.checked_sub_days(Days::new(1)).unwrap_or(first))
            }
        }
    }
}

/// A schedule's stored filters (the period comes from the frequency).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A schedule as listed.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub id: Uuid,
    pub report_id: String,
    pub frequency: String,
    pub email: String,
    /// The latest send: (period from, state, detail).
    pub last: Option<(String, String, String)>,
}

/// Why a schedule cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ScheduleError {
    fn from(e: sqlx::Error) -> Self {
        ScheduleError::Db(DbError::from(e))
    }
}

/// Whether `s` looks like one e-mail address (`local@domain.tld`, no spaces, ≤ 254 bytes).
pub fn is_address(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && s.parse::<lettre::Address>().is_ok()
        }
        None => false,
    }
}

/// Creates a schedule of `report_id` for the department, after checking the report, the
/// frequency, the address and the filters; audited as `report_scheduled`.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    department_id: Uuid,
    actor: Uuid,
    tz: Tz,
    report_id: &str,
    frequency: &str,
    email: &str,
    form: &std::collections::HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Uuid, ScheduleError> {
    let report =
        super::find(report_id).ok_or_else(|| ReportError::Unknown(report_id.to_string()))?;
    let freq = Frequency::parse(frequency).ok_or(ScheduleError::Invalid {
        field: "frequency",
        message: "choose daily, weekly or monthly".into(),
    })?;
    let email = email.trim();
    if !is_address(email) {
        return Err(ScheduleError::Invalid {
            field: "email",
            message: "not an e-mail address".into(),
        });
    }
    // The filters are checked like a report's; the dates are the frequency's.
    let mut f = form.clone();
    f.remove("from");
    f.remove("to");
    let p = params::parse(&f, report.filters, now, tz).map_err(ReportError::from)?;
    params::check_department(db, department_id, &p)
        .await
        .map_err(ReportError::from)?;
    let filters = Filters {
        officer: p.officer,
        customer: p.organization,
        rule: p.rule.map(|r| params::rule_name(r).to_string()),
    };
    let id = Uuid::now_v7();
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO report_schedules (id, department_id, report_id, params_json, frequency, \
         email, created_by, created_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(department_id.to_string())
    .bind(report.id)
    .bind(crate::db::json(&filters))
    .bind(freq.as_str())
    .bind(email)
    .bind(actor.to_string())
    .bind(to_us(now))
    .execute(&mut *tx.conn())
    .await?;
    audit::append(
        tx.conn(),
        department_id,
        AuditEntry {
            actor_id: Some(actor),
            action: "report_scheduled",
            entity: "report_schedule",
            entity_id: id.to_string(),
            detail: serde_json::json!({"report": report.id, "frequency": freq.as_str(),
                                       "email": email, "filters": filters}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Stops a schedule of the department (its sends stay); audited. `false`: no such live schedule.
pub async fn stop(
    db: &Db,
    department_id: Uuid,
    actor: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut tx = db.write().await?;
    let done = sqlx::query(
        "UPDATE report_schedules SET stopped_us = $1 WHERE id = $2 AND department_id = $3 \
         AND stopped_us IS NULL",
    )
    .bind(to_us(now))
    .bind(id.to_string())
    .bind(department_id.to_string())
    .execute(&mut *tx.conn())
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    audit::append(
        tx.conn(),
        department_id,
        AuditEntry {
            actor_id: Some(actor),
            action: "report_schedule_stopped",
            entity: "report_schedule",
            entity_id: id.to_string(),
            detail: serde_json::json!({}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The department's live schedules, newest first, with their latest send.
pub async fn list(db: &Db, department_id: Uuid) -> Result<Vec<Schedule>, DbError> {
    let rows = sqlx::query(
        "SELECT s.id, s.report_id, s.frequency, s.email, \
         (SELECT MAX(r.period_from) FROM report_sends r WHERE r.schedule_id = s.id) AS last_from \
         FROM report_schedules s WHERE s.department_id = $1 AND s.stopped_us IS NULL \
         ORDER BY s.created_us DESC, s.id",
    )
    .bind(department_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = get_uuid(r, "id")?;
        let last_from: Option<String> = get(r, "last_from")?;
        let last = match last_from {
            Some(from) => {
                let s = sqlx::query(
                    "SELECT state, code, detail FROM report_sends WHERE schedule_id = $1 \
                     AND period_from = $2",
                )
                .bind(id.to_string())
                .bind(&from)
                .fetch_one(&db.pool)
                .await?;
                let detail: String = get(&s, "detail")?;
                let code: String = get(&s, "code")?;
                Some((
                    from,
                    get(&s, "state")?,
                    [code, detail]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · "),
                ))
            }
            None => None,
        };
        out.push(Schedule {
            id,
            report_id: get(r, "report_id")?,
            frequency: get(r, "frequency")?,
            email: get(r, "email")?,
            last,
        });
    }
    Ok(out)
}

/// What one step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Periods newly recorded for sending.
    pub queued: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

fn backoff_us(attempt: i64) -> i64 {
    let base: i64 = 30 * 1_000_000;
    let shift = u32::try_from((attempt - 1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1i64 << shift).min(3_600 * 1_000_000)
}

/// Queues due periods and sends what is due (module docs). `email`: the delivery e-mail
/// adapter (`None`: no provider configured; the send fails with `no_provider`).
pub async fn step(
    db: &Db,
    email: Option<&SharedSender>,
    now: DateTime<Utc>,
) -> Result<StepReport, DbError> {
    let mut report = StepReport::default();
    let now_us = to_us(now);
    let live = sqlx::query(
        "SELECT s.id, s.frequency, d.time_zone FROM report_schedules s \
         JOIN departments d ON d.id = s.department_id WHERE s.stopped_us IS NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    for r in &live {
        let id: String = get(r, "id")?;
        let Some(freq) = Frequency::parse(&get::<String>(r, "frequency")?) else {
            continue;
        };
        let tz: Tz = get::<String>(r, "time_zone")?.parse().unwrap_or(Tz::UTC);
        let (from, to) = freq.last_period(now, tz);
        let n = sqlx::query(
            "INSERT INTO report_sends (schedule_id, period_from, period_to, state, due_us, \
             created_us) VALUES ($1, $2, $3, 'pending', $4, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(now_us)
        .execute(&db.pool)
        .await?
        .rows_affected();
        report.queued += n as usize;
    }
    let due = sqlx::query(
        "SELECT schedule_id, period_from FROM report_sends \
         WHERE state IN ('pending', 'retrying') AND due_us <= $1 \
         AND (lease_until_us IS NULL OR lease_until_us < $1) \
         ORDER BY due_us, schedule_id LIMIT $2",
    )
    .bind(now_us)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    for r in &due {
        let schedule: String = get(r, "schedule_id")?;
        let from: String = get(r, "period_from")?;
        // Take it: only one process's update matches.
        let taken = sqlx::query(
            "UPDATE report_sends SET lease_until_us = $1, attempts = attempts + 1 \
             WHERE schedule_id = $2 AND period_from = $3 AND state IN ('pending', 'retrying') \
             AND due_us <= $4 AND (lease_until_us IS NULL OR lease_until_us < $4)",
        )
        .bind(now_us + LEASE_US)
        .bind(&schedule)
        .bind(&from)
        .bind(now_us)
        .execute(&db.pool)
        .await?
        .rows_affected();
        if taken != 1 {
            continue;
        }
        let outcome = match compose(db, &schedule, &from, now).await {
            Ok(msg) => match (email, msg) {
                (_, Composed::Gone(why)) => SendOutcome::failed("report", why),
                (None, _) => SendOutcome::failed("no_provider", "no e-mail provider configured"),
                (Some(sender), Composed::Mail { to, message }) => sender.send(&to, &message).await,
            },
            Err(e) => {
                tracing::warn!(error = %e, schedule, "a scheduled report could not be made");
                SendOutcome::retry("report", "the report could not be made; will retry")
            }
        };
        let attempts: i64 = get(
            &sqlx::query(
                "SELECT attempts FROM report_sends WHERE schedule_id = $1 AND period_from = $2",
            )
            .bind(&schedule)
            .bind(&from)
            .fetch_one(&db.pool)
            .await?,
            "attempts",
        )?;
        let (state, code, detail, due_us) = match outcome {
            SendOutcome::Delivered { code } => ("sent", code, String::new(), now_us),
            SendOutcome::Retry { code, detail } if attempts < MAX_ATTEMPTS => {
                ("retrying", code, detail, now_us + backoff_us(attempts))
            }
            SendOutcome::Retry { code, detail } => (
                "failed",
                code,
                format!("gave up after {attempts} attempts: {detail}"),
                now_us,
            ),
            SendOutcome::Gone { code, detail } | SendOutcome::Failed { code, detail } => {
                ("failed", code, detail, now_us)
            }
        };
        match state {
            "sent" => report.sent += 1,
            "retrying" => report.retrying += 1,
            _ => report.failed += 1,
        }
        sqlx::query(
            "UPDATE report_sends SET state = $1, code = $2, detail = $3, due_us = $4, \
             lease_until_us = NULL, sent_us = $5 WHERE schedule_id = $6 AND period_from = $7",
        )
        .bind(state)
        .bind(code)
        .bind(detail)
        .bind(due_us)
        .bind((state == "sent").then_some(now_us))
        .bind(&schedule)
        .bind(&from)
        .execute(&db.pool)
        .await?;
    }
    Ok(report)
}

enum Composed {
    Mail {
        to: String,
        message: Message,
    },
    /// The schedule's report or filters no longer make sense (a report removed, an officer
    /// moved): failed for good, with why.
    Gone(String),
}

async fn compose(
    db: &Db,
    schedule: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Result<Composed, ReportError> {
    let s = sqlx::query(
        "SELECT s.department_id, s.report_id, s.params_json, s.email, r.period_to \
         FROM report_schedules s JOIN report_sends r ON r.schedule_id = s.id \
         WHERE s.id = $1 AND r.period_from = $2",
    )
    .bind(schedule)
    .bind(from)
    .fetch_one(&db.pool)
    .await?;
    let dept_id = get_uuid(&s, "department_id")?;
    let report_id: String = get(&s, "report_id")?;
    let Some(report) = super::find(&report_id) else {
        return Ok(Composed::Gone(format!(
            "there is no report {report_id:?} any more"
        )));
    };
    let filters: Filters =
        serde_json::from_str(&get::<String>(&s, "params_json")?).unwrap_or_default();
    let period_to: String = get(&s, "period_to")?;
    let (Ok(pf), Ok(pt)) = (
        NaiveDate::parse_from_str(from, "%Y-%m-%d"),
        NaiveDate::parse_from_str(&period_to, "%Y-%m-%d"),
    ) else {
        return Ok(Composed::Gone("the period is not a date".into()));
    };
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let Some(dept) = crate::services::award::load_department(&mut conn, dept_id).await? else {
        return Ok(Composed::Gone("the department no longer exists".into()));
    };
    drop(conn);
    let p = Params {
        from: pf,
        to: pt,
        officer: filters.officer,
        organization: filters.customer,
        rule: filters.rule.as_deref().and_then(|r| {
            params::RULES
                .into_iter()
                .find(|k| params::rule_name(*k) == r)
        }),
    };
    if let Err(e) = params::check_department(db, dept_id, &p).await {
        return match ReportError::from(e) {
            ReportError::Params(p) => Ok(Composed::Gone(p.to_string())),
            other => Err(other),
        };
    }
    let table = super::run(db, report, dept_id, dept.tz, &p, now).await?;
    let csv = render::csv(report, &table, dept.tz);
    let mut body = format!(
        "{}: {}, {} to {}.\n\n{}\n\n{} row{}. The report is attached as CSV.\n",
        dept.name,
        report.title,
        p.from,
        p.to,
        report.about,
        table.rows.len(),
        if table.rows.len() == 1 { "" } else { "s" },
    );
    if let Some(t) = &table.totals {
        let (_, totals) = render::text_rows(
            report.columns,
            &super::Table {
                rows: Vec::new(),
                totals: Some(t.clone()),
            },
            render::Style::People,
            dept.tz,
            &dept.currency,
        );
        for (c, v) in report
            .columns
            .iter()
            .zip(totals.unwrap_or_default())
            .skip(1)
        {
            if !v.is_empty() {
                body.push_str(&format!("{}: {v}\n", c.title));
            }
        }
    }
    Ok(Composed::Mail {
        to: get(&s, "email")?,
        message: Message {
            id: format!("report-{schedule}-{from}"),
            title: format!("{} ({} to {})", report.title, p.from, p.to),
            body,
            urgent: false,
            data: Default::default(),
            attachments: vec![Attachment {
                filename: format!("{}-{}-{}.csv", report.id, p.from, p.to),
                content_type: "text/csv; charset=utf-8".into(),
                body: csv.into_bytes(),
            }],
        },
    })
}

/// Steps every `every` until `stop` (spawned by `serve`).
pub async fn run(
    db: Db,
    email: Option<SharedSender>,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        match step(&db, email.as_ref(), Utc::now()).await {
            Ok(r) if r != StepReport::default() => tracing::info!(?r, "scheduled reports"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduled reports pass failed; will retry"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn the_last_complete_period_is_counted_in_the_departments_zone() {
        // Wednesday 4 March 2026, 03:00 UTC = Tuesday 3 March, 22:00 in New York.
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 3, 0, 0).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Frequency::Daily.last_period(now, NY),
            (d("2026-03-02"), d("2026-03-02"))
        );
        assert_eq!(
            Frequency::Weekly.last_period(now, NY),
            (d("2026-02-23"), d("2026-03-01"))
        );
        assert_eq!(
            Frequency::Monthly.last_period(now, NY),
            (d("2026-02-01"), d("2026-02-28"))
        );
    }

    #[test]
    fn addresses_are_checked() {
        assert!(is_address("chief@columbus.example"));
        assert!(!is_address("chief"));
        assert!(!is_address("chief@localhost"));
        assert!(!is_address("a b@x.example"));
    }

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        assert_eq!(backoff_us(1), 30_000_000);
        assert_eq!(backoff_us(2), 60_000_000);
        assert_eq!(backoff_us(12), 3_600_000_000);
    }
}
