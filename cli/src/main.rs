//! `offduty`: the officer's client for a terminal, on the same embedded core as the phones.
//! Browse and claim details, manage shifts, clock in and out, see earnings — offline first:
//! actions are queued, then sent at once when the server can be reached.
//!
//! Exit codes: 0 ok · 1 refused by the rules · 2 bad input · 3 not signed in · 4 server or
//! storage failure.

mod commands;
mod config;
mod error;
mod output;
mod secrets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use offduty_domain::timecard::PunchKind;

use commands::actions::{CancelArgs, JobArg, KeyArg, TransferArgs};
use commands::board::{JobArgs, JobsArgs, ShiftsArgs};
use commands::clock::PunchArgs;
use commands::earnings::EarningsArgs;
use commands::payout::PayoutArgs;
use commands::prefs::PrefsArgs;
use commands::session::{LoginArgs, LogoutArgs};
use commands::{App, actions, board, clock, earnings, payout, prefs, session, sync};
use config::Settings;
use error::{CliError, exit};

#[derive(Debug, Parser)]
#[command(
    name = "offduty",
    version,
    about = "Paid off-duty details from the terminal: find, claim, work and get paid",
    after_help = "Exit codes: 0 ok, 1 refused by the rules, 2 bad input, 3 not signed in, \
                  4 server or storage failure.\nSecrets (tokens, the signing key) go to the OS \
                  keyring, or to <data-dir>/secrets.json (0600) where no keyring service runs; \
                  OFFDUTY_SECRETS=file|keyring forces one."
)]
struct Cli {
    /// The department's server.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "OFFDUTY_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    server: String,
    /// Where the local database (and the secrets file, without a keyring) is kept
    /// [default: the platform's data directory, e.g. ~/.local/share/offduty].
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "OFFDUTY_DATA_DIR",
        value_name = "DIR"
    )]
    data_dir: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true, help_heading = "Global options")]
    json: bool,
    /// Answer yes to confirmations.
    #[arg(long, short = 'y', global = true, help_heading = "Global options")]
    yes: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in (asks for the password without echo; --password-stdin for scripts).
    Login(LoginArgs),
    /// Sign out of this device.
    Logout(LogoutArgs),
    /// The job board: upcoming details, with pay, slots and whether you may work them.
    Jobs(JobsArgs),
    /// One job in full: award rule, release, signup, fence, pay, eligibility, your standing.
    Job(JobArgs),
    /// Claim a job (or ask for it, when slots are awarded when signups close).
    Claim(JobArg),
    /// Leave the line on a job (a request or a waitlist place).
    Withdraw(JobArg),
    /// Give up a shift (the department's cancellation window applies).
    Cancel(CancelArgs),
    /// Hand a shift to another officer, or offer it back on the board.
    Transfer(TransferArgs),
    /// Your shifts and places in line (upcoming; --all for past ones too).
    Shifts(ShiftsArgs),
    /// Clock in on a shift, from a position you give.
    ClockIn(PunchArgs),
    /// Clock out of a shift, from a position you give.
    ClockOut(PunchArgs),
    /// Earnings per shift, per pay period, year to date, and payments received.
    Earnings(EarningsArgs),
    /// Send queued actions and fetch what changed.
    Sync,
    /// Who is signed in, last sync, where secrets are kept, and the queue.
    Status,
    /// Put an action the queue gave up on back in line, and send it.
    Retry(KeyArg),
    /// Drop an action the queue gave up on (asks first; --yes to confirm).
    Discard(KeyArg),
    /// Notification preferences: show them, or `prefs set …`.
    Prefs(PrefsArgs),
    /// Your payout account when the department pays officers directly, or `payout setup`.
    Payout(PayoutArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir = match cli.data_dir {
        Some(d) => d,
        None => config::default_data_dir()?,
    };
    let app = App::open(Settings {
        server: cli.server,
        data_dir,
        json: cli.json,
        yes: cli.yes,
    })?;
    match &cli.command {
        Command::Login(a) => session::login(&app, a),
        Command::Logout(a) => session::logout(&app, a),
        Command::Jobs(a) => board::jobs(&app, a),
        Command::Job(a) => board::job(&app, a),
        Command::Claim(a) => actions::claim(&app, a),
        Command::Withdraw(a) => actions::withdraw(&app, a),
        Command::Cancel(a) => actions::cancel(&app, a),
        Command::Transfer(a) => actions::transfer(&app, a),
        Command::Shifts(a) => board::shifts(&app, a),
        Command::ClockIn(a) => clock::punch(&app, a, PunchKind::In),
        Command::ClockOut(a) => clock::punch(&app, a, PunchKind::Out),
        Command::Earnings(a) => earnings::earnings(&app, a),
        Command::Sync => sync::sync(&app),
        Command::Status => session::status(&app),
        Command::Retry(a) => actions::retry(&app, a),
        Command::Discard(a) => actions::discard(&app, a),
        Command::Prefs(a) => prefs::prefs(&app, a),
        Command::Payout(a) => payout::payout(&app, a),
    }
}

fn main() -> ExitCode {
    // Parse errors and --help exit here (2 and 0).
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OFFDUTY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("offduty: {}", e.message);
            for d in &e.details {
                eprintln!("  - {d}");
            }
            ExitCode::from(e.code)
        }
    }
}
