//! The department's and the officers' reports: jobs filled and unfilled, fill time, hours and
//! earnings per officer and per period, the distribution of work and its fairness by award rule
//! (the Gini coefficient, `offduty_domain::fairness`), cancellations, shifts nobody clocked in
//! to, punches needing review.
//!
//! One rule for every report here: a shift counts in the period its job *starts* in (the
//! department's zone), and worked time is a timecard with a clock-out that was not rejected.

use std::collections::BTreeMap;

use chrono::{Datelike, Days};
use offduty_domain::award::AwardRule;
use offduty_domain::fairness::gini;

use super::Kind::{Cents, Date, Int, Minutes, Percent, Ratio, Text};
use super::params::Filter;
use super::{Audience, Ctx, Report, Value, col, mean, sum};

const OFFICER: &[Filter] = &[Filter::Officer];
const WORK: &[Filter] = &[Filter::Officer, Filter::Customer, Filter::Rule];
const JOBS: &[Filter] = &[Filter::Customer, Filter::Rule];

pub static REPORTS: &[Report] = &[
    Report {
        id: "jobs-filled",
        title: "Jobs filled and unfilled",
        audience: Audience::Department,
        about: "Every job starting in the period that was not called off: its slots, how many \
                officers hold one, and how many are still empty.",
        filters: JOBS,
        columns: &[
            col("Starts", Date),
            col("Job", Text),
            col("Site", Text),
            sum("Slots", Int),
            sum("Filled", Int),
            sum("Unfilled", Int),
            col("Status", Text),
        ],
        sql: "SELECT starts_us, title, site_name, slots, filled, \
              CASE WHEN slots > filled THEN slots - filled ELSE 0 END, status FROM ( \
              SELECT j.starts_us, j.title, j.site_name, j.slots, j.status, \
              (SELECT COUNT(*) FROM assignments a WHERE a.job_id = j.id AND a.status = 'awarded') \
              AS filled FROM jobs j LEFT JOIN users c ON c.id = j.customer_id \
              WHERE j.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND j.status <> 'cancelled' AND (:org = '' OR c.organization_id = :org) \
              AND j.award_rule_json LIKE :rule) x ORDER BY starts_us, title",
        reads: &[],
        post: None,
    },
    Report {
        id: "fill-rate-by-type",
        title: "Fill rate by job type",
        audience: Audience::Department,
        about: "Jobs starting in the period (not called off) by type: slots offered, slots \
                filled and the share filled.",
        filters: JOBS,
        columns: &[
            col("Job type", Text),
            sum("Jobs", Int),
            sum("Slots", Int),
            sum("Filled", Int),
            col("Filled share", Percent),
        ],
        sql: "SELECT job_type, jobs, slots, filled, \
              CASE WHEN slots > 0 THEN (filled * 20000 + slots) / (2 * slots) END FROM ( \
              SELECT j.job_type, COUNT(*) AS jobs, CAST(SUM(j.slots) AS BIGINT) AS slots, \
              CAST(SUM((SELECT COUNT(*) FROM assignments a WHERE a.job_id = j.id \
              AND a.status = 'awarded')) AS BIGINT) AS filled \
              FROM jobs j LEFT JOIN users c ON c.id = j.customer_id \
              WHERE j.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND j.status <> 'cancelled' AND (:org = '' OR c.organization_id = :org) \
              AND j.award_rule_json LIKE :rule GROUP BY j.job_type) x ORDER BY job_type",
        reads: &[],
        post: None,
    },
    Report {
        id: "fill-time",
        title: "Time to fill",
        audience: Audience::Department,
        about: "Jobs starting in the period whose every slot is held: hours from signups \
                opening to the award of the last slot.",
        filters: JOBS,
        columns: &[
            col("Starts", Date),
            col("Job", Text),
            mean("Time to fill", Minutes),
        ],
        sql: "SELECT starts_us, title, CASE WHEN last_us > signup_opens_us \
              THEN (last_us - signup_opens_us) / 60000000 ELSE 0 END FROM ( \
              SELECT j.starts_us, j.title, j.slots, j.signup_opens_us, \
              (SELECT MAX(a.updated_us) FROM assignments a WHERE a.job_id = j.id \
              AND a.status = 'awarded') AS last_us, \
              (SELECT COUNT(*) FROM assignments a WHERE a.job_id = j.id \
              AND a.status = 'awarded') AS filled \
              FROM jobs j LEFT JOIN users c ON c.id = j.customer_id \
              WHERE j.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND j.status <> 'cancelled' AND (:org = '' OR c.organization_id = :org) \
              AND j.award_rule_json LIKE :rule) x \
              WHERE filled >= slots AND last_us IS NOT NULL ORDER BY starts_us, title",
        reads: &[],
        post: None,
    },
    Report {
        id: "hours-by-officer",
        title: "Hours and earnings per officer",
        audience: Audience::Department,
        about: "Worked shifts in the period per officer: hours worked, hours paid (after the \
                minimum and rounding) and gross pay.",
        filters: WORK,
        columns: &[
            col("Officer", Text),
            col("Badge", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            sum("Hours paid", Minutes),
            sum("Gross pay", Cents),
        ],
        sql: "SELECT u.display_name, u.badge, COUNT(*), \
              CAST(SUM(t.worked_minutes) AS BIGINT), \
              CAST(COALESCE(SUM(t.billable_minutes), 0) AS BIGINT), \
              CAST(COALESCE(SUM(t.gross_cents), 0) AS BIGINT) \
              FROM timecards t JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              LEFT JOIN users c ON c.id = j.customer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:officer = '' OR t.officer_id = :officer) \
              AND (:org = '' OR c.organization_id = :org) AND j.award_rule_json LIKE :rule \
              GROUP BY u.id, u.display_name, u.badge ORDER BY u.display_name, u.badge",
        reads: &[],
        post: None,
    },
    Report {
        id: "hours-by-month",
        title: "Hours and earnings per month",
        audience: Audience::Department,
        about: "Worked shifts per calendar month of the department's zone: shifts, hours \
                worked and gross pay.",
        filters: WORK,
        columns: &[
            col("Month", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            sum("Gross pay", Cents),
        ],
        sql: WORKED_SHIFTS,
        reads: &[Date, Minutes, Cents],
        post: Some(by_month),
    },
    Report {
        id: "hours-by-week",
        title: "Hours and earnings per week",
        audience: Audience::Department,
        about: "Worked shifts per week (Monday to Sunday in the department's zone): shifts, \
                hours worked and gross pay.",
        filters: WORK,
        columns: &[
            col("Week of", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            sum("Gross pay", Cents),
        ],
        sql: WORKED_SHIFTS,
        reads: &[Date, Minutes, Cents],
        post: Some(by_week),
    },
    Report {
        id: "hours-by-job-type",
        title: "Hours by job type",
        audience: Audience::Department,
        about: "Worked shifts in the period by job type: shifts, hours worked and gross pay.",
        filters: WORK,
        columns: &[
            col("Job type", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            sum("Gross pay", Cents),
        ],
        sql: "SELECT j.job_type, COUNT(*), CAST(SUM(t.worked_minutes) AS BIGINT), \
              CAST(COALESCE(SUM(t.gross_cents), 0) AS BIGINT) \
              FROM timecards t JOIN jobs j ON j.id = t.job_id \
              LEFT JOIN users c ON c.id = j.customer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:officer = '' OR t.officer_id = :officer) \
              AND (:org = '' OR c.organization_id = :org) AND j.award_rule_json LIKE :rule \
              GROUP BY j.job_type ORDER BY j.job_type",
        reads: &[],
        post: None,
    },
    Report {
        id: "hours-by-site",
        title: "Hours by site",
        audience: Audience::Department,
        about: "Worked shifts in the period by customer and site: jobs, shifts and hours \
                worked.",
        filters: WORK,
        columns: &[
            col("Customer", Text),
            col("Site", Text),
            sum("Jobs", Int),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
        ],
        sql: "SELECT j.customer_name, j.site_name, COUNT(DISTINCT j.id), COUNT(*), \
              CAST(SUM(t.worked_minutes) AS BIGINT) \
              FROM timecards t JOIN jobs j ON j.id = t.job_id \
              LEFT JOIN users c ON c.id = j.customer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:officer = '' OR t.officer_id = :officer) \
              AND (:org = '' OR c.organization_id = :org) AND j.award_rule_json LIKE :rule \
              GROUP BY j.customer_name, j.site_name ORDER BY j.customer_name, j.site_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "distribution",
        title: "Distribution of work across officers",
        audience: Audience::Department,
        about: "Every active officer, including those who worked nothing: shifts, hours worked \
                and their share of the department's hours in the period.",
        filters: &[Filter::Rule],
        columns: &[
            col("Officer", Text),
            col("Badge", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            col("Share of hours", Percent),
        ],
        sql: "SELECT u.display_name, u.badge, COUNT(w.id), \
              CAST(COALESCE(SUM(w.worked_minutes), 0) AS BIGINT) FROM users u LEFT JOIN ( \
              SELECT t.id, t.officer_id, t.worked_minutes FROM timecards t \
              JOIN jobs j ON j.id = t.job_id WHERE t.department_id = :dept \
              AND j.starts_us >= :from AND j.starts_us < :to AND t.worked_minutes IS NOT NULL \
              AND t.status <> 'rejected' AND j.award_rule_json LIKE :rule) w \
              ON w.officer_id = u.id WHERE u.department_id = :dept AND u.role = 'officer' \
              AND u.disabled = 0 GROUP BY u.id, u.display_name, u.badge \
              ORDER BY 4 DESC, u.display_name, u.badge",
        reads: &[Text, Text, Int, Minutes],
        post: Some(shares),
    },
    Report {
        id: "fairness-by-rule",
        title: "Fairness by award rule (Gini)",
        audience: Audience::Department,
        about: "How evenly shifts and hours went to the department's active officers, by the \
                award rule of the job: the Gini coefficient over every active officer (0 = all \
                alike; near 1 = one officer had everything).",
        filters: &[],
        columns: &[
            col("Award rule", Text),
            col("Officers who worked", Int),
            col("Shifts", Int),
            col("Hours worked", Minutes),
            col("Gini of shifts", Ratio),
            col("Gini of hours", Ratio),
        ],
        sql: "SELECT u.id, w.award_rule_json, COUNT(w.id), \
              CAST(COALESCE(SUM(w.worked_minutes), 0) AS BIGINT) FROM users u LEFT JOIN ( \
              SELECT t.id, t.officer_id, t.worked_minutes, j.award_rule_json FROM timecards t \
              JOIN jobs j ON j.id = t.job_id WHERE t.department_id = :dept \
              AND j.starts_us >= :from AND j.starts_us < :to AND t.worked_minutes IS NOT NULL \
              AND t.status <> 'rejected') w ON w.officer_id = u.id \
              WHERE u.department_id = :dept AND u.role = 'officer' AND u.disabled = 0 \
              GROUP BY u.id, w.award_rule_json",
        reads: &[Text, Text, Int, Minutes],
        post: Some(fairness),
    },
    Report {
        id: "officers-without-shifts",
        title: "Officers without a shift",
        audience: Audience::Department,
        about: "Active officers who worked no shift in the period, with the start of their \
                last shift before its end.",
        filters: &[],
        columns: &[
            col("Officer", Text),
            col("Badge", Text),
            col("Last shift", Date),
        ],
        sql: "SELECT u.display_name, u.badge, (SELECT MAX(j.starts_us) FROM timecards t \
              JOIN jobs j ON j.id = t.job_id WHERE t.officer_id = u.id \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' AND j.starts_us < :to) \
              FROM users u WHERE u.department_id = :dept AND u.role = 'officer' \
              AND u.disabled = 0 AND NOT EXISTS (SELECT 1 FROM timecards t \
              JOIN jobs j ON j.id = t.job_id WHERE t.officer_id = u.id \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND j.starts_us >= :from AND j.starts_us < :to) ORDER BY u.display_name, u.badge",
        reads: &[],
        post: None,
    },
    Report {
        id: "cancellations",
        title: "Cancellations and withdrawals per officer",
        audience: Audience::Department,
        about: "For jobs starting in the period: slots officers gave up, handed over, requests \
                they withdrew, and slots lost because the job was called off.",
        filters: OFFICER,
        columns: &[
            col("Officer", Text),
            sum("Gave up", Int),
            sum("Handed over", Int),
            sum("Withdrew", Int),
            sum("Job called off", Int),
        ],
        sql: "SELECT u.display_name, \
              CAST(SUM(CASE WHEN a.status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN a.status = 'transferred_out' THEN 1 ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN a.status = 'withdrawn' THEN 1 ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN a.status = 'job_cancelled' THEN 1 ELSE 0 END) AS BIGINT) \
              FROM assignments a JOIN jobs j ON j.id = a.job_id JOIN users u ON u.id = a.officer_id \
              WHERE a.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND a.status IN ('cancelled', 'transferred_out', 'withdrawn', 'job_cancelled') \
              AND (:officer = '' OR a.officer_id = :officer) \
              GROUP BY u.id, u.display_name ORDER BY u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "jobs-called-off",
        title: "Jobs called off",
        audience: Audience::Department,
        about: "Jobs starting in the period that were cancelled, with the officers who held a \
                slot when it happened.",
        filters: JOBS,
        columns: &[
            col("Starts", Date),
            col("Job", Text),
            col("Customer", Text),
            sum("Slots", Int),
            sum("Officers affected", Int),
        ],
        sql: "SELECT j.starts_us, j.title, j.customer_name, j.slots, \
              (SELECT COUNT(*) FROM assignments a WHERE a.job_id = j.id \
              AND a.status = 'job_cancelled') FROM jobs j LEFT JOIN users c ON c.id = j.customer_id \
              WHERE j.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND j.status = 'cancelled' AND (:org = '' OR c.organization_id = :org) \
              AND j.award_rule_json LIKE :rule ORDER BY j.starts_us, j.title",
        reads: &[],
        post: None,
    },
    Report {
        id: "no-clock-in",
        title: "Shifts nobody clocked in to",
        audience: Audience::Department,
        about: "Slots held on jobs that started in the period and have ended, with no clock-in \
                on record: the no-shows, as far as the timecards tell.",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            col("Site", Text),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, j.site_name FROM assignments a \
              JOIN jobs j ON j.id = a.job_id JOIN users u ON u.id = a.officer_id \
              WHERE a.department_id = :dept AND a.status = 'awarded' AND j.status <> 'cancelled' \
              AND j.starts_us >= :from AND j.starts_us < :to AND j.ends_us <= :now \
              AND (:officer = '' OR a.officer_id = :officer) AND NOT EXISTS (SELECT 1 \
              FROM timecards t WHERE t.assignment_id = a.id AND t.in_us IS NOT NULL) \
              ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "late-clock-ins",
        title: "Late clock-ins",
        audience: Audience::Department,
        about: "Shifts starting in the period clocked in a minute or more after the job's start.",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            mean("Late by", Minutes),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, (t.in_us - j.starts_us) / 60000000 \
              FROM timecards t JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.in_us >= j.starts_us + 60000000 AND (:officer = '' OR t.officer_id = :officer) \
              ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "early-clock-outs",
        title: "Early clock-outs",
        audience: Audience::Department,
        about: "Shifts starting in the period clocked out a minute or more before the job's end.",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            mean("Early by", Minutes),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, (j.ends_us - t.out_us) / 60000000 \
              FROM timecards t JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.out_us IS NOT NULL AND t.out_us <= j.ends_us - 60000000 \
              AND (:officer = '' OR t.officer_id = :officer) ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "punches-needing-review",
        title: "Punches needing review",
        audience: Audience::Department,
        about: "Timecards of shifts starting in the period held for a coordinator because a \
                punch was doubtful (location, clock or sequence).",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            sum("Hours worked", Minutes),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, t.worked_minutes FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.status = 'needs_review' AND (:officer = '' OR t.officer_id = :officer) \
              ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "timecards-by-status",
        title: "Timecards by status",
        audience: Audience::Department,
        about: "Timecards of shifts starting in the period by where they stand: open, waiting \
                for approval, needing review, approved, invoiced, paid, rejected.",
        filters: OFFICER,
        columns: &[
            col("Status", Text),
            sum("Timecards", Int),
            sum("Hours worked", Minutes),
            sum("Gross pay", Cents),
        ],
        sql: "SELECT t.status, COUNT(*), CAST(COALESCE(SUM(t.worked_minutes), 0) AS BIGINT), \
              CAST(COALESCE(SUM(t.gross_cents), 0) AS BIGINT) FROM timecards t \
              JOIN jobs j ON j.id = t.job_id WHERE t.department_id = :dept \
              AND j.starts_us >= :from AND j.starts_us < :to \
              AND (:officer = '' OR t.officer_id = :officer) GROUP BY t.status ORDER BY t.status",
        reads: &[],
        post: None,
    },
    Report {
        id: "officer-shifts",
        title: "Shifts worked",
        audience: Audience::Officer,
        about: "Each worked shift starting in the period: job, site, hours worked and paid, \
                rate, gross pay and where its timecard stands.",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            col("Site", Text),
            sum("Hours worked", Minutes),
            sum("Hours paid", Minutes),
            col("Rate", Cents),
            sum("Gross pay", Cents),
            col("Status", Text),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, j.site_name, t.worked_minutes, \
              t.billable_minutes, t.rate_cents, t.gross_cents, t.status FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:officer = '' OR t.officer_id = :officer) \
              ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "officer-pay-by-month",
        title: "Pay per month",
        audience: Audience::Officer,
        about: "Worked shifts per calendar month: gross pay, what was paid and what is still \
                owed.",
        filters: OFFICER,
        columns: &[
            col("Month", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
            sum("Gross pay", Cents),
            sum("Paid", Cents),
            sum("Owed", Cents),
        ],
        sql: "SELECT j.starts_us, t.worked_minutes, COALESCE(t.gross_cents, 0), \
              CASE WHEN t.status = 'paid' THEN COALESCE(t.gross_cents, 0) ELSE 0 END \
              FROM timecards t JOIN jobs j ON j.id = t.job_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:officer = '' OR t.officer_id = :officer)",
        reads: &[Date, Minutes, Cents, Cents],
        post: Some(pay_by_month),
    },
    Report {
        id: "officer-jobs",
        title: "Jobs signed up for",
        audience: Audience::Officer,
        about: "Every job starting in the period the officer asked for, held, waited for or \
                gave up, and where it stands.",
        filters: OFFICER,
        columns: &[
            col("Starts", Date),
            col("Officer", Text),
            col("Job", Text),
            col("Site", Text),
            col("Signup", Text),
        ],
        sql: "SELECT j.starts_us, u.display_name, j.title, j.site_name, a.status \
              FROM assignments a JOIN jobs j ON j.id = a.job_id JOIN users u ON u.id = a.officer_id \
              WHERE a.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND (:officer = '' OR a.officer_id = :officer) ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
];

/// Worked shifts: (job start, minutes, gross) for the period reports.
const WORKED_SHIFTS: &str = "SELECT j.starts_us, t.worked_minutes, COALESCE(t.gross_cents, 0) \
     FROM timecards t JOIN jobs j ON j.id = t.job_id LEFT JOIN users c ON c.id = j.customer_id \
     WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
     AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
     AND (:officer = '' OR t.officer_id = :officer) \
     AND (:org = '' OR c.organization_id = :org) AND j.award_rule_json LIKE :rule";

fn local_date(ctx: &Ctx, us: i64) -> chrono::NaiveDate {
    crate::db::from_us(us).with_timezone(&ctx.tz).date_naive()
}

/// Groups rows (start, then numbers) by `key` of the start's local date, summing the numbers
/// and counting the rows (the count is the first number out).
fn group_by(
    ctx: &Ctx,
    rows: Vec<Vec<Value>>,
    key: impl Fn(chrono::NaiveDate) -> String,
) -> Vec<Vec<Value>> {
    let mut groups: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        let Some(start) = r.first().and_then(Value::num) else {
            continue;
        };
        let g = groups
            .entry(key(local_date(ctx, start)))
            .or_insert_with(|| vec![0; r.len()]);
        g[0] += 1;
        for (i, v) in r.iter().enumerate().skip(1) {
            g[i] += v.num().unwrap_or(0);
        }
    }
    groups
        .into_iter()
        .map(|(k, nums)| {
            std::iter::once(Value::Text(k))
                .chain(nums.into_iter().map(Value::Num))
                .collect()
        })
        .collect()
}

fn by_month(ctx: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    group_by(ctx, rows, |d| format!("{:04}-{:02}", d.year(), d.month()))
}

fn by_week(ctx: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    group_by(ctx, rows, |d| {
        let monday = d
            .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
            .unwrap_or(d);
        monday.to_string()
    })
}

fn pay_by_month(ctx: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    by_month(ctx, rows)
        .into_iter()
        .map(|mut r| {
            // Month, shifts, minutes, gross, paid → … , owed = gross − paid.
            let owed = r[3].num().unwrap_or(0) - r[4].num().unwrap_or(0);
            r.push(Value::Num(owed));
            r
        })
        .collect()
}

/// Half-up basis points of `part / whole`.
pub fn basis_points(part: i64, whole: i64) -> Value {
    if whole <= 0 {
        return Value::Null;
    }
    let (p, w) = (i128::from(part), i128::from(whole));
    Value::Num(i64::try_from((p * 20_000 + w) / (2 * w)).unwrap_or(0))
}

fn shares(_: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let total: i64 = rows.iter().filter_map(|r| r[3].num()).sum();
    rows.into_iter()
        .map(|mut r| {
            let share = basis_points(r[3].num().unwrap_or(0), total);
            r.push(share);
            r
        })
        .collect()
}

/// The rule of a job as people name it ("Fewest hours", …) from `award_rule_json`.
fn rule_label(json: &str) -> String {
    match serde_json::from_str::<AwardRule>(json) {
        Ok(AwardRule::FirstCome) => "First come".into(),
        Ok(AwardRule::Seniority) => "Seniority".into(),
        Ok(AwardRule::FewestHours { .. }) => "Fewest hours".into(),
        Ok(AwardRule::Rotation) => "Rotation".into(),
        Ok(AwardRule::Lottery { .. }) => "Lottery".into(),
        Err(_) => "Other".into(),
    }
}

/// Gini as millionths.
fn ratio(values: &[i64]) -> Value {
    Value::Num((gini(values) * 1_000_000.0).round() as i64)
}

fn fairness(_: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    // Every active officer is in the population, worked or not.
    let mut officers: Vec<String> = rows.iter().map(|r| r[0].text().to_string()).collect();
    officers.sort();
    officers.dedup();
    let index = |id: &str| {
        officers
            .binary_search_by(|o| o.as_str().cmp(id))
            .unwrap_or(0)
    };
    // Per rule: shifts and minutes per officer.
    let mut by_rule: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    let n = officers.len();
    let mut all = (vec![0i64; n], vec![0i64; n]);
    for r in &rows {
        let Value::Text(rule) = &r[1] else { continue };
        let i = index(r[0].text());
        let e = by_rule
            .entry(rule_label(rule))
            .or_insert_with(|| (vec![0; n], vec![0; n]));
        let (shifts, minutes) = (r[2].num().unwrap_or(0), r[3].num().unwrap_or(0));
        e.0[i] += shifts;
        e.1[i] += minutes;
        all.0[i] += shifts;
        all.1[i] += minutes;
    }
    let line = |label: String, (shifts, minutes): &(Vec<i64>, Vec<i64>)| {
        vec![
            Value::Text(label),
            Value::Num(shifts.iter().filter(|s| **s > 0).count() as i64),
            Value::Num(shifts.iter().sum()),
            Value::Num(minutes.iter().sum()),
            ratio(shifts),
            ratio(minutes),
        ]
    };
    let mut out: Vec<Vec<Value>> = by_rule.iter().map(|(k, v)| line(k.clone(), v)).collect();
    out.push(line("All rules".into(), &all));
    out
}
