//! Text cells of the CSV files people open in a spreadsheet (the payroll file, the reports): a
//! cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
//! ("CSV injection": an organization named `=HYPERLINK(…)`), so it is written with a leading
//! `'`, which spreadsheets show as text. Only text cells go through here: numbers (a negative
//! amount starts with `-`) are written as they are.

/// `s` made safe to open in a spreadsheet (module docs).
pub fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn formulas_are_written_as_text_and_the_rest_unchanged() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2+3"), "'-2+3");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("\tx"), "'\tx");
        assert_eq!(text_cell("Dana Ruiz"), "Dana Ruiz");
        assert_eq!(text_cell(""), "");
        assert_eq!(text_cell("O'Neil = boss"), "O'Neil = boss");
    }
}
