//! The report engine (issue 12, decision 044): a report is a definition — a stable id, a
//! title, an audience, the filters it takes, one portable SQL query, typed columns and their
//! totals, optionally a pure step that reshapes the rows (periods, the Gini coefficient) — and
//! one engine runs any of them. One renderer per output: the console's HTML table (the
//! templates), CSV and PDF ([`render`]).
//!
//! - [`params`]: the period (dates in the department's zone) and filters, validated;
//! - [`catalog`] and [`catalog_money`]: the definitions (work and fairness; customers and
//!   finance);
//! - [`render`]: cells for people, CSV (RFC 4180) and PDF lines;
//! - [`schedule`]: reports e-mailed daily, weekly or monthly, each period once.

pub mod catalog;
pub mod catalog_money;
pub mod params;
pub mod render;
pub mod schedule;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::db::{Db, DbError};
pub use params::{Filter, Params, ParamsError};

/// Who a report is written for. Coordinators see every report; a customer only the customer
/// reports, always about its own organization; an officer only the officer reports, always
/// about themself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Department,
    Officer,
    Customer,
    Finance,
}

impl Audience {
    pub const ALL: [Audience; 4] = [
        Audience::Department,
        Audience::Officer,
        Audience::Customer,
        Audience::Finance,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Audience::Department => "Department",
            Audience::Officer => "Officers",
            Audience::Customer => "Customers",
            Audience::Finance => "Finance",
        }
    }
}

/// What a column holds, which decides how it is read, shown and totalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// Integer cents; shown as an amount, written to CSV as a decimal amount.
    Cents,
    /// Integer minutes; shown and written as hours with two decimals.
    Minutes,
    /// A moment (`_us`), shown as its date in the department's zone.
    Date,
    /// Basis points (1/100 of a percent); shown with two decimals.
    Percent,
    /// Millionths of one (the Gini coefficient); shown with three decimals.
    Ratio,
}

/// How a column is totalled in the last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    None,
    Sum,
    /// The mean of the rows that have a value, rounded half up.
    Mean,
}

/// One column of a report.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub kind: Kind,
    pub total: Total,
}

/// A column that is not totalled.
pub const fn col(title: &'static str, kind: Kind) -> Column {
    Column {
        title,
        kind,
        total: Total::None,
    }
}

/// A column totalled by its sum.
pub const fn sum(title: &'static str, kind: Kind) -> Column {
    Column {
        title,
        kind,
        total: Total::Sum,
    }
}

/// A column totalled by its mean.
pub const fn mean(title: &'static str, kind: Kind) -> Column {
    Column {
        title,
        kind,
        total: Total::Mean,
    }
}

/// One cell: text, a number (whose meaning is its column's [`Kind`]), or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Num(i64),
    Null,
}

impl Value {
    pub fn num(&self) -> Option<i64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Value::Text(s) => s,
            _ => "",
        }
    }
}

/// What a reshaping step knows besides the rows.
pub struct Ctx {
    pub tz: Tz,
}

/// Reshapes the query's rows (read by [`Report::reads`]) into the report's rows.
pub type Post = fn(&Ctx, Vec<Vec<Value>>) -> Vec<Vec<Value>>;

/// A report definition.
pub struct Report {
    /// Stable: in URLs, CSV file names and schedules.
    pub id: &'static str,
    pub title: &'static str,
    pub audience: Audience,
    /// One sentence saying what is counted and how.
    pub about: &'static str,
    /// The optional filters this report takes (the period always applies).
    pub filters: &'static [Filter],
    pub columns: &'static [Column],
    /// Portable SQL (SQLite and PostgreSQL) with named parameters: `:dept`, `:from` and `:to`
    /// (the period, `_us`, half-open), `:now`, `:officer` and `:org` (`''` = any), `:rule` (a
    /// `LIKE` pattern on `jobs.award_rule_json`, `'%'` = any). Numbers are `BIGINT` (sums cast).
    pub sql: &'static str,
    /// The kinds of the query's columns when [`Report::post`] reshapes them (empty: the
    /// query's columns are the report's).
    pub reads: &'static [Kind],
    pub post: Option<Post>,
}

/// A report's result: rows of cells in the definition's columns, and the totals row.
#[derive(Debug, Clone)]
pub struct Table {
    pub rows: Vec<Vec<Value>>,
    /// One cell per column (`Null` where the column is not totalled); `None` when no column is.
    pub totals: Option<Vec<Value>>,
}

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("there is no report {0:?}")]
    Unknown(String),
    #[error(transparent)]
    Params(#[from] ParamsError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ReportError {
    fn from(e: sqlx::Error) -> Self {
        ReportError::Db(DbError::from(e))
    }
}

/// Every report, in catalogue order.
pub fn all() -> impl Iterator<Item = &'static Report> {
    catalog::REPORTS.iter().chain(catalog_money::REPORTS.iter())
}

/// The report with `id`.
pub fn find(id: &str) -> Option<&'static Report> {
    all().find(|r| r.id == id)
}

/// The values bound for each named parameter of a query.
struct Bound {
    dept: String,
    from: i64,
    to: i64,
    now: i64,
    officer: String,
    org: String,
    rule: String,
}

/// `sql` with its named parameters numbered (`$1`…, each name one number, in order of first
/// use) and the names in that order. A `:` not followed by a known name is left alone.
fn number_params(sql: &str) -> (String, Vec<&'static str>) {
    const NAMES: [&str; 7] = ["dept", "from", "to", "now", "officer", "org", "rule"];
    let mut out = String::with_capacity(sql.len());
    let mut order: Vec<&'static str> = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match NAMES.iter().find(|n| **n == &after[..name_len]) {
            Some(name) => {
                let n = match order.iter().position(|o| o == name) {
                    Some(i) => i + 1,
                    None => {
                        order.push(name);
                        order.len()
                    }
                };
                out.push_str(&format!("${n}"));
                rest = &after[name_len..];
            }
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, order)
}

fn read(row: &AnyRow, i: usize, kind: Kind) -> Result<Value, DbError> {
    Ok(match kind {
        Kind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map(Value::Text)
            .unwrap_or(Value::Null),
        _ => row
            .try_get::<Option<i64>, _>(i)?
            .map(Value::Num)
            .unwrap_or(Value::Null),
    })
}

/// The totals row of `rows` under `columns`.
pub fn totals(columns: &[Column], rows: &[Vec<Value>]) -> Option<Vec<Value>> {
    if columns.iter().all(|c| c.total == Total::None) {
        return None;
    }
    Some(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let nums = rows.iter().filter_map(|r| r.get(i).and_then(Value::num));
                match c.total {
                    Total::None => Value::Null,
                    Total::Sum => Value::Num(nums.sum()),
                    Total::Mean => {
                        let v: Vec<i64> = nums.collect();
                        if v.is_empty() {
                            Value::Null
                        } else {
                            let n = v.len() as i128;
                            let s: i128 = v.iter().map(|x| i128::from(*x)).sum();
                            Value::Num(i64::try_from((2 * s + n).div_euclid(2 * n)).unwrap_or(0))
                        }
                    }
                }
            })
            .collect(),
    )
}

/// Runs `report` for `department_id` with `params` (already validated and scoped to who asks).
pub async fn run(
    db: &Db,
    report: &Report,
    department_id: Uuid,
    tz: Tz,
    params: &Params,
    now: DateTime<Utc>,
) -> Result<Table, ReportError> {
    let (from, to) = params.range_us(tz);
    let b = Bound {
        dept: department_id.to_string(),
        from,
        to,
        now: now.timestamp_micros(),
        officer: params.officer.map(|u| u.to_string()).unwrap_or_default(),
        org: params
            .organization
            .map(|u| u.to_string())
            .unwrap_or_default(),
        rule: params
            .rule
            .map(|r| format!("%\"type\":\"{}\"%", params::rule_name(r)))
            .unwrap_or_else(|| "%".to_string()),
    };
    let (sql, order) = number_params(report.sql);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for name in order {
        q = match name {
            "dept" => q.bind(b.dept.clone()),
            "from" => q.bind(b.from),
            "to" => q.bind(b.to),
            "now" => q.bind(b.now),
            "officer" => q.bind(b.officer.clone()),
            "org" => q.bind(b.org.clone()),
            _ => q.bind(b.rule.clone()),
        };
    }
    let rows = q.fetch_all(&db.pool).await?;
    let kinds: Vec<Kind> = if report.reads.is_empty() {
        report.columns.iter().map(|c| c.kind).collect()
    } else {
        report.reads.to_vec()
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut cells = Vec::with_capacity(kinds.len());
        for (i, k) in kinds.iter().enumerate() {
            cells.push(read(r, i, *k)?);
        }
        out.push(cells);
    }
    if let Some(post) = report.post {
        out = post(&Ctx { tz }, out);
    }
    let totals = totals(report.columns, &out);
    Ok(Table { rows: out, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_parameters_are_numbered_once_each_in_order() {
        let (sql, order) =
            number_params("a = :dept AND (:officer = '' OR o = :officer) AND t < :to AND x::text");
        assert_eq!(sql, "a = $1 AND ($2 = '' OR o = $2) AND t < $3 AND x::text");
        assert_eq!(order, vec!["dept", "officer", "to"]);
    }

    #[test]
    fn every_report_is_well_formed() {
        let mut ids = std::collections::BTreeSet::new();
        for r in all() {
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.id
            );
            assert!(
                r.sql.contains(":dept"),
                "{} is not scoped to the department",
                r.id
            );
            // A customer report is always about one organization: the portal forces `:org`.
            if r.audience == Audience::Customer {
                assert!(r.sql.contains(":org"), "{} ignores the organization", r.id);
                assert!(r.filters.contains(&Filter::Customer), "{}", r.id);
            }
            if r.audience == Audience::Officer {
                assert!(r.sql.contains(":officer"), "{} ignores the officer", r.id);
                assert!(r.filters.contains(&Filter::Officer), "{}", r.id);
            }
            for (f, name) in [
                (Filter::Officer, ":officer"),
                (Filter::Customer, ":org"),
                (Filter::Rule, ":rule"),
            ] {
                assert_eq!(
                    r.filters.contains(&f),
                    r.sql.contains(name),
                    "{}: filter {f:?}",
                    r.id
                );
            }
            if r.post.is_none() {
                assert!(r.reads.is_empty(), "{}", r.id);
            }
        }
        assert!(ids.len() >= 25, "{} reports", ids.len());
    }

    #[test]
    fn means_round_half_up_and_skip_empty_cells() {
        let cols = [
            col("a", Kind::Text),
            mean("m", Kind::Minutes),
            sum("s", Kind::Cents),
        ];
        let rows = vec![
            vec![Value::Text("x".into()), Value::Num(1), Value::Num(5)],
            vec![Value::Text("y".into()), Value::Num(2), Value::Num(7)],
            vec![Value::Text("z".into()), Value::Null, Value::Null],
        ];
        assert_eq!(
            totals(&cols, &rows),
            Some(vec![Value::Null, Value::Num(2), Value::Num(12)])
        );
    }
}
