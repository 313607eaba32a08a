//! `earnings`: pay per shift, per pay period, year to date, and payments received (from the
//! synced timecards), or the shifts as CSV.

use clap::Args;

use offduty_core::earnings::Totals;
use offduty_domain::pay::format_cents;

use super::App;
use crate::error::{CliError, Result};
use crate::output::{self, Table, print_json, truncate};
use crate::say;

/// `earnings`.
#[derive(Debug, Args)]
pub struct EarningsArgs {
    /// Print the shifts as CSV (one header line; amounts in cents and formatted).
    #[arg(long)]
    pub csv: bool,
}

fn dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".into())
}

pub fn earnings(app: &App, args: &EarningsArgs) -> Result<()> {
    app.session()?;
    if args.csv && app.json() {
        return Err(CliError::bad_input("choose one of --csv and --json"));
    }
    if args.csv {
        let csv = app.core.earnings_csv().map_err(|e| app.err(e))?;
        say!("{}", csv.trim_end());
        return Ok(());
    }
    let r = app.core.earnings().map_err(|e| app.err(e))?;
    if app.json() {
        return print_json(&r);
    }
    let cur = r.currency.as_str();
    if r.shifts.is_empty() {
        say!("No worked shifts yet: earnings appear once a timecard reaches this device.");
        return Ok(());
    }
    say!("Shifts");
    let mut t = Table::new(&["DATE", "JOB", "SITE", "HOURS", "RATE", "GROSS", "STATUS"])
        .right_align(&[3, 4, 5]);
    for s in &r.shifts {
        let mult = output::multiplier(s.multiplier_bp);
        t.row(vec![
            s.date.format("%a %-d %b %Y").to_string(),
            truncate(&s.title, 34),
            truncate(&s.site, 24),
            dash(s.billable_minutes.map(output::hours)),
            format!(
                "{}{}",
                format_cents(s.rate_cents, cur),
                if mult.is_empty() {
                    String::new()
                } else {
                    format!(" {mult}")
                }
            ),
            dash(s.gross_cents.map(|g| format_cents(g, cur))),
            s.status.as_str().replace('_', " "),
        ]);
    }
    say!("{}", t.render().trim_end());
    say!();
    say!("Pay periods");
    let mut p = Table::new(&["PERIOD", "SHIFTS", "HOURS", "GROSS", "PAID", "UNPAID"])
        .right_align(&[1, 2, 3, 4, 5]);
    let totals_row = |x: &Totals| {
        vec![
            x.label.clone(),
            x.sums.shifts.to_string(),
            output::hours(x.sums.billable_minutes),
            format_cents(x.sums.gross_cents, cur),
            format_cents(x.sums.paid_cents, cur),
            format_cents(x.sums.unpaid_cents, cur),
        ]
    };
    for period in &r.periods {
        p.row(totals_row(period));
    }
    p.row(totals_row(&r.year_to_date));
    say!("{}", p.render().trim_end());
    say!();
    if r.payments.is_empty() {
        say!("Payments: none received yet.");
    } else {
        say!("Payments received");
        let mut pay = Table::new(&["PAID ON", "AMOUNT", "SHIFTS"]).right_align(&[1, 2]);
        for x in &r.payments {
            pay.row(vec![
                x.paid_on.format("%a %-d %b %Y").to_string(),
                format_cents(x.amount_cents, cur),
                x.shifts.to_string(),
            ]);
        }
        say!("{}", pay.render().trim_end());
    }
    Ok(())
}
