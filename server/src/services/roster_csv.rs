//! Reading a roster CSV: the header names the columns (case-insensitive; spaces and `-` count
//! as `_`): `email`, `name`, `badge` (required); `rank`, `seniority_date`, `certifications`,
//! `groups`, `permit_expires` (optional). Lists are `;`-separated; dates are `YYYY-MM-DD` or
//! `MM/DD/YYYY`. Every bad cell is reported with its row number as a spreadsheet shows it (the
//! header is row 1) and its column, not only the first. Pure: no database.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use offduty_domain::eligibility::Rank;

use crate::error::ApiError;
use crate::services::accounts::badge;
use crate::services::fields::{email, names, text};

/// Most rows one import takes.
pub const MAX_ROWS: usize = 10_000;

/// One roster row, checked. `None` in an optional attribute: the file has no such column
/// (the attribute is left as it is).
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    /// The row number a spreadsheet shows (the header is row 1).
    pub row: u64,
    pub email: String,
    pub display_name: String,
    pub badge: String,
    pub rank: Option<Rank>,
    pub seniority_date: Option<Option<NaiveDate>>,
    pub certifications: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    pub permit_expires: Option<Option<NaiveDate>>,
}

/// A bad cell (or a bad file: row 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: u64,
    /// The column at fault (empty when the whole row is).
    pub column: String,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Email,
    Name,
    Badge,
    Rank,
    SeniorityDate,
    Certifications,
    Groups,
    PermitExpires,
}

const COLUMNS: [(&str, Column); 8] = [
    ("email", Column::Email),
    ("name", Column::Name),
    ("badge", Column::Badge),
    ("rank", Column::Rank),
    ("seniority_date", Column::SeniorityDate),
    ("certifications", Column::Certifications),
    ("groups", Column::Groups),
    ("permit_expires", Column::PermitExpires),
];

fn column_name(c: Column) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, k)| *k == c)
        .map_or("", |(n, _)| *n)
}

fn header_column(h: &str) -> Option<Column> {
    let h = h.trim().to_lowercase().replace([' ', '-'], "_");
    let h = match h.as_str() {
        "e_mail" => "email",
        "display_name" | "full_name" => "name",
        other => other,
    }
    .to_string();
    COLUMNS.iter().find(|(n, _)| *n == h).map(|(_, c)| *c)
}

fn date(v: &str) -> Result<Option<NaiveDate>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%m/%d/%Y"))
        .map(Some)
        .map_err(|_| format!("{v:?} is not a date: use YYYY-MM-DD (e.g. 2011-06-27)"))
}

fn rank(v: &str) -> Result<Rank, String> {
    let v = v.trim().to_lowercase();
    if v.is_empty() {
        return Ok(Rank::Officer);
    }
    serde_json::from_value(serde_json::Value::String(v.clone())).map_err(|_| {
        format!(
            "{v:?} is not a rank: use officer, corporal, sergeant, lieutenant, captain, \
             commander or chief"
        )
    })
}

fn list(v: &str) -> Vec<String> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads and checks a roster file. Every error is reported, not only the first.
pub fn parse(bytes: &[u8]) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header_error = |detail: String, column: &str| {
        vec![RowError {
            row: 1,
            column: column.to_string(),
            detail,
        }]
    };
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("cannot read the header row: {e}"), ""))?
        .clone();
    let mut at: HashMap<Column, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let Some(c) = header_column(h) else {
            return Err(header_error(
                format!(
                    "unknown column {h:?}: the columns are {}",
                    COLUMNS.map(|c| c.0).join(", ")
                ),
                h,
            ));
        };
        if at.insert(c, i).is_some() {
            return Err(header_error(format!("column {h:?} appears twice"), h));
        }
    }
    for required in [Column::Email, Column::Name, Column::Badge] {
        if !at.contains_key(&required) {
            return Err(header_error(
                "this column is required".into(),
                column_name(required),
            ));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_email: HashMap<String, u64> = HashMap::new();
    let mut seen_badge: HashMap<String, u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(RowError {
                row,
                column: String::new(),
                detail: format!("a roster holds at most {MAX_ROWS} officers"),
            });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    row,
                    column: String::new(),
                    detail: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let cell = |c: Column| at.get(&c).map(|i| record.get(*i).unwrap_or(""));
        let mut bad = |c: Column, detail: String| {
            errors.push(RowError {
                row,
                column: column_name(c).to_string(),
                detail,
            });
        };
        let api = |r: Result<String, ApiError>| r.map_err(|e| e.detail);
        let email = api(email("email", cell(Column::Email).unwrap_or("")));
        let name = api(text("name", cell(Column::Name).unwrap_or(""), 120));
        let badge = api(badge("badge", cell(Column::Badge).unwrap_or("")));
        let rank = cell(Column::Rank).map(rank).transpose();
        let seniority = cell(Column::SeniorityDate).map(date).transpose();
        let permit = cell(Column::PermitExpires).map(date).transpose();
        let certs = cell(Column::Certifications)
            .map(|v| names("certifications", &list(v)).map_err(|e| e.detail))
            .transpose();
        let groups = cell(Column::Groups)
            .map(|v| names("groups", &list(v)).map_err(|e| e.detail))
            .transpose();
        match (email, name, badge, rank, seniority, permit, certs, groups) {
            (
                Ok(email),
                Ok(name),
                Ok(badge),
                Ok(rank),
                Ok(seniority),
                Ok(permit),
                Ok(certs),
                Ok(groups),
            ) => {
                let mut dup = false;
                if let Some(first) = seen_email.insert(email.clone(), row) {
                    bad(Column::Email, format!("{email} is also on row {first}"));
                    dup = true;
                }
                if let Some(first) = seen_badge.insert(badge.clone(), row) {
                    bad(
                        Column::Badge,
                        format!("badge {badge} is also on row {first}"),
                    );
                    dup = true;
                }
                if !dup {
                    rows.push(RosterRow {
                        row,
                        email,
                        display_name: name,
                        badge,
                        rank,
                        seniority_date: seniority,
                        certifications: certs,
                        groups,
                        permit_expires: permit,
                    });
                }
            }
            (email, name, badge, rank, seniority, permit, certs, groups) => {
                for (c, r) in [
                    (Column::Email, email.err()),
                    (Column::Name, name.err()),
                    (Column::Badge, badge.err()),
                    (Column::Rank, rank.err()),
                    (Column::SeniorityDate, seniority.err()),
                    (Column::PermitExpires, permit.err()),
                    (Column::Certifications, certs.err()),
                    (Column::Groups, groups.err()),
                ] {
                    if let Some(detail) = r {
                        bad(c, detail);
                    }
                }
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: String::new(),
            detail: "the roster lists no officers".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The 422 for a roster with bad rows: `field` names the first (`rows[3].seniority_date`),
/// `errors` lists them all.
pub fn refusal(errors: &[RowError]) -> ApiError {
    let first = errors.first();
    let summary: Vec<String> = errors
        .iter()
        .take(5)
        .map(|e| {
            if e.column.is_empty() {
                format!("row {}: {}", e.row, e.detail)
            } else {
                format!("row {} {}: {}", e.row, e.column, e.detail)
            }
        })
        .collect();
    let more = errors.len().saturating_sub(5);
    let mut e = ApiError::invalid(
        first.map_or_else(
            || "roster".to_string(),
            |f| {
                if f.column.is_empty() {
                    format!("rows[{}]", f.row)
                } else {
                    format!("rows[{}].{}", f.row, f.column)
                }
            },
        ),
        format!(
            "{} bad {}; nothing was imported. {}{}",
            errors.len(),
            if errors.len() == 1 { "row" } else { "rows" },
            summary.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ),
    );
    e.extra = Some(Box::new(serde_json::json!({ "errors": errors })));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str) -> Vec<RosterRow> {
        parse(csv.as_bytes()).unwrap()
    }

    fn errors(csv: &str) -> Vec<(u64, String)> {
        parse(csv.as_bytes())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.row, e.column))
            .collect()
    }

    #[test]
    fn a_roster_reads_lists_dates_and_ranks() {
        let r = rows(
            "\u{feff}Email,Name,Badge,Rank,Seniority Date,Certifications,Groups,Permit-Expires\n\
             Ann@CPD.gov,Ann Ruiz,4127,Sergeant,2009-03-02,flagger; motor ;,Zone 1,12/31/2027\n\
             bo@cpd.gov,Bo Lee,88,,,,,\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].row, 2);
        assert_eq!(r[0].email, "ann@cpd.gov");
        assert_eq!(r[0].rank, Some(Rank::Sergeant));
        assert_eq!(
            r[0].seniority_date,
            Some(NaiveDate::from_ymd_opt(2009, 3, 2))
        );
        assert_eq!(
            r[0].certifications.as_deref(),
            Some(&["flagger".to_string(), "motor".to_string()][..])
        );
        assert_eq!(
            r[0].permit_expires,
            Some(NaiveDate::from_ymd_opt(2027, 12, 31))
        );
        assert_eq!(r[1].rank, Some(Rank::Officer));
        assert_eq!(r[1].seniority_date, Some(None));
        assert_eq!(r[1].groups, Some(vec![]));
    }

    #[test]
    fn columns_left_out_are_left_alone() {
        let r = rows("email,name,badge\nann@cpd.gov,Ann,1\n");
        assert_eq!((r[0].rank, r[0].certifications.clone()), (None, None));
        assert_eq!(r[0].seniority_date, None);
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_row_and_column() {
        let got = errors(
            "email,name,badge,rank,seniority_date\n\
             ok@cpd.gov,Ok,1,officer,2001-01-01\n\
             not-an-email,,2,general,31.12.2001\n\
             ok@cpd.gov,Again,3,,\n\
             c@cpd.gov,C,1,,\n",
        );
        assert_eq!(
            got,
            [
                (3, "email".to_string()),
                (3, "name".to_string()),
                (3, "rank".to_string()),
                (3, "seniority_date".to_string()),
                (4, "email".to_string()),
                (5, "badge".to_string()),
            ]
        );
    }

    #[test]
    fn a_bad_header_or_an_empty_roster_is_refused() {
        assert_eq!(errors("email,name\n"), [(1, "badge".to_string())]);
        assert_eq!(
            errors("email,name,badge,shoe_size\n"),
            [(1, "shoe_size".to_string())]
        );
        assert_eq!(errors("email,name,badge\n"), [(2, String::new())]);
        assert_eq!(errors("email,name,badge\na@b.c,A\n"), [(2, String::new())]);
    }

    #[test]
    fn a_refusal_names_the_first_bad_cell_and_lists_all() {
        let e = refusal(&[
            RowError {
                row: 3,
                column: "rank".into(),
                detail: "bad".into(),
            },
            RowError {
                row: 9,
                column: String::new(),
                detail: "unreadable".into(),
            },
        ]);
        assert_eq!(e.field.as_deref(), Some("rows[3].rank"));
        assert!(
            e.detail.starts_with("2 bad rows; nothing was imported."),
            "{}",
            e.detail
        );
        assert_eq!(e.extra.unwrap()["errors"][1]["row"], 9);
    }
}
