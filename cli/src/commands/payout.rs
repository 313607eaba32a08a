//! `payout`: where your payout account stands when the department pays officers directly
//! (decision 049), or `payout setup` for a one-time link to the payment provider's set-up
//! pages. Online only.

use clap::{Args, Subcommand};

use super::App;
use crate::error::Result;
use crate::output::print_json;
use crate::say;

/// `payout`.
#[derive(Debug, Args)]
pub struct PayoutArgs {
    #[command(subcommand)]
    pub command: Option<PayoutCommand>,
}

#[derive(Debug, Subcommand)]
pub enum PayoutCommand {
    /// A one-time link to the payment provider's set-up pages (open it in a browser).
    Setup,
}

pub fn payout(app: &App, args: &PayoutArgs) -> Result<()> {
    app.session()?;
    match args.command {
        None => {
            let account = app
                .rt
                .block_on(app.core.payout_account())
                .map_err(|e| app.err(e))?;
            if app.json() {
                return print_json(&account);
            }
            say!("{}", account.sentence);
            if account.status.needs_setup() {
                say!("Run `offduty payout setup` for the link.");
            }
            Ok(())
        }
        Some(PayoutCommand::Setup) => {
            let link = app
                .rt
                .block_on(app.core.payout_setup_link())
                .map_err(|e| app.err(e))?;
            if app.json() {
                return print_json(&link);
            }
            say!("Open this link in a browser to set up your payout account (it works once,");
            say!("until {} UTC):", link.expires_at.format("%-d %b %Y %H:%M"));
            say!("{}", link.url);
            Ok(())
        }
    }
}
