//! `offduty-server`: serve the API, run migrations, administer a department, or print the
//! OpenAPI document.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use offduty_server::db::{Db, migrate};
use offduty_server::serve::{ServeConfig, serve};

#[derive(Parser)]
#[command(
    name = "offduty-server",
    version,
    about = "The department's system of record for off-duty details"
)]
struct Cli {
    /// Log lines as text for people, or as one JSON object per line for a log pipeline.
    #[arg(
        long,
        global = true,
        env = "OFFDUTY_LOG_FORMAT",
        default_value = "human"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "OFFDUTY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// `sqlite://FILE` (created if missing) or `postgres://user:pass@host/db`.
        #[arg(
            long,
            env = "OFFDUTY_DATABASE_URL",
            default_value = "sqlite://offduty.db"
        )]
        database_url: String,
        /// Database connections in the pool.
        #[arg(long, env = "OFFDUTY_MAX_CONNECTIONS", default_value_t = 16)]
        max_connections: u32,
        /// Seed a demo department (Columbus, Ohio: ~200 officers, ~60 jobs) if it is not there
        /// yet, and print how to sign in.
        #[arg(long)]
        demo: bool,
        /// Do not run migrations at start-up (run `migrate` separately).
        #[arg(long)]
        no_migrate: bool,
        /// Seconds between award sweeps (ranked jobs whose signups closed).
        #[arg(long, env = "OFFDUTY_SWEEP_SECONDS", default_value_t = 15)]
        sweep_seconds: u64,
        /// Seconds between notification delivery passes (decision 041).
        #[arg(long, env = "OFFDUTY_DELIVER_SECONDS", default_value_t = 5)]
        deliver_seconds: u64,
        /// Seconds between shift watcher passes: reminders, alerts, escalations (decision 043).
        #[arg(long, env = "OFFDUTY_WATCH_SECONDS", default_value_t = 30)]
        watch_seconds: u64,
        /// Claims an officer may make at once (then `--claims-per-minute`).
        #[arg(long, env = "OFFDUTY_CLAIM_BURST", default_value_t = 20)]
        claim_burst: u32,
        /// Sustained claims per officer per minute.
        #[arg(long, env = "OFFDUTY_CLAIMS_PER_MINUTE", default_value_t = 30)]
        claims_per_minute: u32,
        /// The most officer actions decided in one transaction (group commit, decision 034);
        /// 1 decides each action in a transaction of its own.
        #[arg(long, env = "OFFDUTY_GROUP_COMMIT_MAX", default_value_t = 128,
              value_parser = clap::value_parser!(u32).range(1..=10_000))]
        group_commit_max: u32,
        /// Seconds a request may take before it is answered 503 (problem type `timeout`).
        #[arg(
            long = "request-timeout-seconds",
            env = "OFFDUTY_REQUEST_TIMEOUT_SECONDS",
            default_value = "30",
            value_parser = parse_seconds
        )]
        request_timeout: Duration,
        /// Seconds requests in flight get to finish after SIGTERM / Ctrl-C.
        #[arg(
            long = "shutdown-grace-seconds",
            env = "OFFDUTY_SHUTDOWN_GRACE_SECONDS",
            default_value = "20",
            value_parser = parse_seconds
        )]
        shutdown_grace: Duration,
        /// Serve Prometheus metrics at `GET /metrics` on this address (keep it private: a
        /// loopback or internal address). Not served at all when unset.
        #[arg(long, env = "OFFDUTY_METRICS_LISTEN")]
        metrics_listen: Option<SocketAddr>,
        /// Address of a reverse proxy whose `X-Forwarded-For` names the client (repeat, or
        /// comma-separated in the variable). Nobody's by default.
        #[arg(
            long = "trusted-proxy",
            env = "OFFDUTY_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<IpAddr>,
        /// Days the change log keeps a change; a phone that last synced longer ago gets a full
        /// snapshot (decision 020).
        #[arg(long, env = "OFFDUTY_CHANGE_LOG_DAYS", default_value_t = 30,
              value_parser = clap::value_parser!(u32).range(1..))]
        change_log_days: u32,
        /// Days a delivered notification is kept after delivery; undelivered ones are kept
        /// (decision 022).
        #[arg(long, env = "OFFDUTY_NOTIFICATION_DAYS", default_value_t = 90,
              value_parser = clap::value_parser!(u32).range(1..))]
        notification_days: u32,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[arg(
            long,
            env = "OFFDUTY_DATABASE_URL",
            default_value = "sqlite://offduty.db"
        )]
        database_url: String,
    },
    /// Print the OpenAPI document (what docs/api/openapi.json holds).
    Openapi,
    /// Administer a department straight in the database: officers, rosters, accounts.
    Admin(offduty_server::admin_cli::AdminArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("OFFDUTY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only on a terminal: a log file or pipeline gets plain text.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Human => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let result = match cli.command {
        Command::Serve {
            listen,
            database_url,
            max_connections,
            demo,
            no_migrate,
            sweep_seconds,
            deliver_seconds,
            watch_seconds,
            claim_burst,
            claims_per_minute,
            group_commit_max,
            request_timeout,
            shutdown_grace,
            metrics_listen,
            trusted_proxies,
            change_log_days,
            notification_days,
        } => serve(ServeConfig {
            listen,
            database_url,
            max_connections,
            migrate: !no_migrate,
            demo,
            sweep_every: Duration::from_secs(sweep_seconds.max(1)),
            deliver_every: Duration::from_secs(deliver_seconds.max(1)),
            watch_every: Duration::from_secs(watch_seconds.max(1)),
            retention: offduty_server::services::retention::RetentionPolicy {
                change_log: chrono::Duration::days(change_log_days.into()),
                notifications: chrono::Duration::days(notification_days.into()),
                ..Default::default()
            },
            limits: offduty_server::app::Limits {
                claim_burst,
                claim_per_minute: claims_per_minute,
                request_timeout,
                group_commit: offduty_server::services::group_commit::GroupConfig {
                    max_actions: group_commit_max as usize,
                    ..Default::default()
                },
                ..offduty_server::app::Limits::default()
            },
            metrics_listen,
            shutdown_grace,
            trusted_proxies,
        })
        .await
        .map_err(|e| e.to_string()),
        Command::Migrate { database_url } => match Db::connect(&database_url, 2).await {
            Ok(db) => migrate::migrate(&db)
                .await
                .map(|v| {
                    if v.is_empty() {
                        println!("database is up to date");
                    } else {
                        println!("applied migrations {v:?}");
                    }
                })
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Command::Openapi => {
            print!("{}", offduty_server::openapi::document_json());
            Ok(())
        }
        Command::Admin(args) => offduty_server::admin_cli::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("offduty-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A number of seconds (fractions allowed) between 0 and a day, as a duration.
fn parse_seconds(v: &str) -> Result<Duration, String> {
    match v.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("expected seconds between 0 and 86400, got {v:?}")),
    }
}
