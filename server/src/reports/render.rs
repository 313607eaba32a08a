//! A report's table for people and programs: cells as text (amounts, hours, dates in the
//! department's zone), CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break, a header row; amounts as plain decimals without currency signs so a
//! spreadsheet reads them as numbers) and PDF lines for `money::pdf`.

use chrono_tz::Tz;
use offduty_domain::pay::format_cents;

use super::{Column, Kind, Params, Report, Table, Value};
use crate::money::pdf;

/// How a cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// For people: `$1,234.50`, `2.50 h`, `12.50%`.
    People,
    /// For CSV: `1234.50`, `2.50`, `12.50`.
    Plain,
}

fn decimal(n: i64, scale: u32, places: usize) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let abs = u128::from(n.unsigned_abs());
    let unit = 10u128.pow(scale);
    let whole = abs / unit;
    let frac = abs % unit;
    let frac = format!("{frac:0width$}", width = scale as usize);
    format!("{sign}{whole}.{}", &frac[..places.min(frac.len())])
}

/// Minutes as hours with two decimals, rounded half up (90 → `1.50`, 20 → `0.33`).
pub fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = i128::from(minutes.unsigned_abs());
    // hundredths of an hour, half up
    let h = (m * 100 * 2 + 60) / 120;
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// One cell as text.
pub fn cell(v: &Value, kind: Kind, style: Style, tz: Tz, currency: &str) -> String {
    match (v, kind) {
        (Value::Null, _) => String::new(),
        (Value::Text(s), _) => s.clone(),
        (Value::Num(n), Kind::Text | Kind::Int) => n.to_string(),
        (Value::Num(n), Kind::Cents) => match style {
            Style::People => format_cents(*n, currency),
            Style::Plain => decimal(*n, 2, 2),
        },
        (Value::Num(n), Kind::Minutes) => match style {
            Style::People => format!("{} h", hours(*n)),
            Style::Plain => hours(*n),
        },
        (Value::Num(n), Kind::Date) => crate::db::from_us(*n)
            .with_timezone(&tz)
            .date_naive()
            .to_string(),
        (Value::Num(n), Kind::Percent) => match style {
            Style::People => format!("{}%", decimal(*n, 2, 2)),
            Style::Plain => decimal(*n, 2, 2),
        },
        // Millionths to thousandths, half up (away from zero).
        (Value::Num(n), Kind::Ratio) => {
            let r = (i128::from(*n) + i128::from(n.signum()) * 500) / 1000;
            decimal(i64::try_from(r).unwrap_or(0), 3, 3)
        }
    }
}

/// The rows (and the totals row, first cell "Total") as text.
pub fn text_rows(
    columns: &[Column],
    t: &Table,
    style: Style,
    tz: Tz,
    currency: &str,
) -> (Vec<Vec<String>>, Option<Vec<String>>) {
    let line = |r: &Vec<Value>| -> Vec<String> {
        columns
            .iter()
            .zip(r.iter())
            .map(|(c, v)| cell(v, c.kind, style, tz, currency))
            .collect()
    };
    let rows = t.rows.iter().map(line).collect();
    let totals = t.totals.as_ref().map(|tot| {
        let mut l = line(tot);
        if let Some(first) = l.first_mut()
            && first.is_empty()
        {
            *first = "Total".to_string();
        }
        l
    });
    (rows, totals)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The report as CSV: a header row, the rows, and the totals row (first field "Total").
pub fn csv(report: &Report, t: &Table, tz: Tz) -> String {
    let mut out = String::new();
    let header: Vec<String> = report.columns.iter().map(|c| c.title.to_string()).collect();
    csv_line(&mut out, &header);
    let (rows, totals) = text_rows(report.columns, t, Style::Plain, tz, "");
    for r in &rows {
        // Text cells can hold what people typed (names, titles): never run as formulas.
        let safe: Vec<String> = r
            .iter()
            .zip(report.columns.iter())
            .map(|(v, c)| {
                if c.kind == Kind::Text {
                    crate::spreadsheet::text_cell(v)
                } else {
                    v.clone()
                }
            })
            .collect();
        csv_line(&mut out, &safe);
    }
    if let Some(tot) = totals {
        csv_line(&mut out, &tot);
    }
    out
}

/// The report as PDF: a heading, the department and period, then one line per row with its
/// cells separated by ` | ` (the writer sets lines, not a grid), and the totals in bold.
pub fn pdf(
    report: &Report,
    t: &Table,
    department: &str,
    params: &Params,
    tz: Tz,
    currency: &str,
) -> Vec<u8> {
    pdf_sections(
        report.title,
        &[(report, t)],
        department,
        params,
        tz,
        currency,
    )
}

/// Several reports of one period in one PDF, each under its title (an officer's history).
pub fn pdf_sections(
    title: &str,
    sections: &[(&Report, &Table)],
    department: &str,
    params: &Params,
    tz: Tz,
    currency: &str,
) -> Vec<u8> {
    let mut lines = vec![
        pdf::Line::heading(title),
        pdf::Line::new(format!("{department} - {} to {}", params.from, params.to)),
    ];
    for (report, t) in sections {
        lines.push(pdf::Line::new(""));
        if sections.len() > 1 {
            lines.push(pdf::Line {
                text: report.title.to_string(),
                size: 12,
                bold: true,
            });
        }
        let header: Vec<&str> = report.columns.iter().map(|c| c.title).collect();
        lines.push(pdf::Line {
            text: header.join(" | "),
            size: 9,
            bold: true,
        });
        let (rows, totals) = text_rows(report.columns, t, Style::People, tz, currency);
        if rows.is_empty() {
            lines.push(pdf::Line::new("Nothing in this period."));
        }
        for r in rows {
            lines.push(pdf::Line {
                text: r.join(" | "),
                size: 9,
                bold: false,
            });
        }
        if let Some(tot) = totals {
            lines.push(pdf::Line {
                text: tot.join(" | "),
                size: 9,
                bold: true,
            });
        }
    }
    pdf::document(title, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn a_text_cell_is_never_run_as_a_formula_but_negative_amounts_stay_numbers() {
        static COLUMNS: &[Column] = &[
            super::super::col("Customer", Kind::Text),
            super::super::col("Balance", Kind::Cents),
        ];
        let report = Report {
            columns: COLUMNS,
            ..*super::super::find("hours-by-officer").unwrap()
        };
        let t = Table {
            rows: vec![vec![
                Value::Text("=HYPERLINK(\"http://x\")".into()),
                Value::Num(-1_250),
            ]],
            totals: None,
        };
        let text = csv(&report, &t, NY);
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line, "\"'=HYPERLINK(\"\"http://x\"\")\",-12.50");
    }

    #[test]
    fn cells_read_as_amounts_hours_and_local_dates() {
        assert_eq!(
            cell(&Value::Num(123_450), Kind::Cents, Style::People, NY, "USD"),
            "$1,234.50"
        );
        assert_eq!(
            cell(&Value::Num(-5), Kind::Cents, Style::Plain, NY, ""),
            "-0.05"
        );
        assert_eq!(
            cell(&Value::Num(90), Kind::Minutes, Style::Plain, NY, ""),
            "1.50"
        );
        assert_eq!(
            cell(&Value::Num(20), Kind::Minutes, Style::Plain, NY, ""),
            "0.33"
        );
        assert_eq!(
            cell(&Value::Num(1234), Kind::Percent, Style::People, NY, ""),
            "12.34%"
        );
        assert_eq!(
            cell(&Value::Num(250_000), Kind::Ratio, Style::Plain, NY, ""),
            "0.250"
        );
        assert_eq!(
            cell(&Value::Num(322_581), Kind::Ratio, Style::Plain, NY, ""),
            "0.323"
        );
        assert_eq!(
            cell(&Value::Num(322_499), Kind::Ratio, Style::Plain, NY, ""),
            "0.322"
        );
        // 03:00 UTC on 2 March is still 1 March in New York.
        let us = chrono::DateTime::parse_from_rfc3339("2026-03-02T03:00:00Z")
            .unwrap()
            .timestamp_micros();
        assert_eq!(
            cell(&Value::Num(us), Kind::Date, Style::Plain, NY, ""),
            "2026-03-01"
        );
        assert_eq!(cell(&Value::Null, Kind::Cents, Style::Plain, NY, ""), "");
    }

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
