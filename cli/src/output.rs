//! Output for people and for scripts: aligned tables, times in the department's time zone,
//! distances and durations, and JSON (`--json`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::error::Result;

/// Writes one line to stdout. A closed pipe (`offduty jobs | head`) ends the program quietly
/// instead of panicking the way `println!` does.
pub fn write_line(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// `println!` that survives a closed pipe (see [`write_line`]).
#[macro_export]
macro_rules! say {
    () => { $crate::output::write_line("") };
    ($($arg:tt)*) => { $crate::output::write_line(&format!($($arg)*)) };
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    write_line(&serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A table with a header row; columns are padded to their widest cell.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Right-aligned columns (numbers, money).
    right: Vec<usize>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
            right: Vec::new(),
        }
    }

    /// Right-aligns the given columns.
    pub fn right_align(mut self, columns: &[usize]) -> Table {
        self.right = columns.to_vec();
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines of text (no trailing spaces).
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let pad = width.saturating_sub(cell.width());
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right.contains(&i) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Cuts `s` to at most `max` columns, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

/// "Tue 12 May 07:00" in `tz`.
pub fn short_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

/// "Tue 12 May 2026 07:00 EDT" in `tz`.
pub fn long_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// "Tue 12 May 2026 07:00 – 11:00 EDT", or both dates when the shift crosses midnight.
pub fn time_range(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    let (a, b) = (from.with_timezone(&tz), to.with_timezone(&tz));
    if a.date_naive() == b.date_naive() {
        format!(
            "{} – {}",
            a.format("%a %-d %b %Y %H:%M"),
            b.format("%H:%M %Z")
        )
    } else {
        format!(
            "{} – {}",
            a.format("%a %-d %b %Y %H:%M"),
            b.format("%a %-d %b %H:%M %Z")
        )
    }
}

/// "850 m" or "12.4 km".
pub fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{} m", m.round() as i64)
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// "4 h", "4 h 15 min", "45 min".
pub fn minutes(total: i64) -> String {
    let (h, m) = (total / 60, total % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Hours with two decimals, for earnings tables ("4.25").
pub fn hours(total_minutes: i64) -> String {
    format!("{:.2}", total_minutes as f64 / 60.0)
}

/// "3 min ago", "2 h ago", "5 days ago", "just now".
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    match s {
        i64::MIN..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

/// A multiplier in basis points, as "×1.25" (empty for ×1).
pub fn multiplier(bp: u32) -> String {
    if bp == 10_000 {
        String::new()
    } else {
        let s = format!("{:.2}", f64::from(bp) / 10_000.0);
        format!("×{}", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_columns_and_aligns_numbers_right() {
        let mut t = Table::new(&["name", "pay"]).right_align(&[1]);
        t.row(vec!["Ohio Stadium".into(), "$65.00".into()]);
        t.row(vec!["✓".into(), "$5.00".into()]);
        assert_eq!(
            t.render(),
            "name             pay\nOhio Stadium  $65.00\n✓              $5.00\n"
        );
    }

    #[test]
    fn truncate_cuts_by_display_width() {
        assert_eq!(truncate("Ohio Stadium, Lot 1", 10), "Ohio Stad…");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn small_formatters_read_naturally() {
        assert_eq!(distance(849.6), "850 m");
        assert_eq!(distance(12_440.0), "12.4 km");
        assert_eq!(minutes(255), "4 h 15 min");
        assert_eq!(minutes(240), "4 h");
        assert_eq!(multiplier(12_500), "×1.25");
        assert_eq!(multiplier(15_000), "×1.5");
        assert_eq!(multiplier(10_000), "");
    }
}
