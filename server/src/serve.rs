//! Running the server: connect, migrate, optionally seed the demo, spawn the award and retention
//! sweeps and the notification delivery worker, serve HTTP (and the metrics listener when
//! asked), and on SIGTERM / Ctrl-C shut down gracefully: stop accepting, let in-flight
//! requests finish within the grace period, stop the sweeps and the worker between runs, close
//! the pool.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::app::{AppState, router};
use crate::db::{Db, DbError, migrate};

/// What `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub max_connections: u32,
    pub migrate: bool,
    pub demo: bool,
    /// How often ranked jobs whose signups closed are awarded.
    pub sweep_every: Duration,
    /// How often the notification outbox is drained (decision 041).
    pub deliver_every: Duration,
    /// How often the shift watcher looks at shifts (decision 043).
    pub watch_every: Duration,
    /// How long the change log, notifications and idempotency keys are kept.
    pub retention: crate::services::retention::RetentionPolicy,
    pub limits: crate::app::Limits,
    /// Where `GET /metrics` is served; nowhere when `None` (decision 014).
    pub metrics_listen: Option<SocketAddr>,
    /// How long in-flight requests may take to finish once a shutdown signal came.
    pub shutdown_grace: Duration,
    /// Peers whose `X-Forwarded-For` names the client (the reverse proxy in front).
    pub trusted_proxies: Vec<IpAddr>,
}

/// The default shutdown grace period: inside the 30 s that Kubernetes (and most supervisors)
/// wait between SIGTERM and SIGKILL.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo seeding failed: {0}")]
    Demo(String),
    #[error(
        "this build has no demo department (built without the `demo` feature); \
         drop --demo, or build with default features"
    )]
    NoDemo,
    #[error("payments: {0}")]
    Payments(String),
    #[error("notification delivery: {0}")]
    Delivery(#[from] crate::delivery::ConfigError),
}

/// Connects and migrates, returning the ready state.
pub async fn prepare(cfg: &ServeConfig) -> Result<AppState, ServeError> {
    if cfg.demo && !cfg!(feature = "demo") {
        return Err(ServeError::NoDemo);
    }
    let db = Db::connect(&cfg.database_url, cfg.max_connections).await?;
    if cfg.migrate {
        let applied = migrate::migrate(&db).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "database migrated");
        }
    }
    #[cfg(feature = "demo")]
    if cfg.demo {
        let summary = crate::demo::seed(&db).await.map_err(ServeError::Demo)?;
        println!("{}", summary.banner(cfg.listen));
    }
    let mut state = AppState::with_limits(db, cfg.limits).await?;
    state.trusted_proxies = crate::request_id::TrustedProxies(cfg.trusted_proxies.clone().into());
    state.secure_cookies =
        crate::console::session::secure_cookies(cfg.listen, !cfg.trusted_proxies.is_empty());
    state.payments = payments(cfg.demo)?;
    // The demo's affiliate (decision 047), before the money seed so its past work is invoiced.
    #[cfg(feature = "demo")]
    if cfg.demo
        && let Some(line) = crate::demo::affiliates::seed_affiliate(
            &state.db,
            &format!("http://{}", cfg.listen),
            chrono::Utc::now(),
        )
        .await
        .map_err(ServeError::Demo)?
    {
        println!("{line}");
    }
    // The demo's invoices and payouts are made by the services themselves, with this server's
    // key (the direct-deposit file is sealed with it) and gateway.
    // A failure here leaves the demo's money pages emptier, never the server down.
    #[cfg(feature = "demo")]
    if cfg.demo {
        match crate::demo::money::seed_money(&state, chrono::Utc::now()).await {
            Ok(Some(m)) => println!(
                "Money: {} invoices ({} paid), {} payroll file(s) made; {} officers without a \
                 deposit account (their pay is held)",
                m.invoices, m.paid_invoices, m.payout_batches, m.officers_without_account
            ),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the demo's invoices and payouts were not all made");
                eprintln!("Money: the demo's invoices and payouts were not all made: {e}");
            }
        }
    }
    // An officer of the demo says "running late" through the action service (decision 048).
    #[cfg(feature = "demo")]
    if cfg.demo
        && crate::demo::arrival::seed_running_late(&state, chrono::Utc::now())
            .await
            .map_err(ServeError::Demo)?
    {
        println!("Alerts: an officer reported running late for the detail about to start");
    }
    Ok(state)
}

/// The payment gateway (`payments::gateway_from_env`): Stripe when a key is configured, the
/// simulated gateway for the demo department, otherwise none.
fn payments(
    demo: bool,
) -> Result<Option<std::sync::Arc<dyn crate::payments::PaymentGateway>>, ServeError> {
    let gateway =
        crate::payments::gateway_from_env(demo).map_err(|e| ServeError::Payments(e.to_string()))?;
    if let Some(g) = &gateway {
        tracing::info!(gateway = g.name(), "payments");
    }
    Ok(gateway)
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Serves until a shutdown signal, then shuts down gracefully (module docs).
pub async fn serve(cfg: ServeConfig) -> Result<(), ServeError> {
    let state = prepare(&cfg).await?;
    // Read before anything is spawned: a half-configured provider stops the start-up.
    let adapters = crate::delivery::Adapters::from_env()?;
    let names = adapters.names();
    if names.is_empty() {
        tracing::info!(
            "notification delivery: no provider configured (attempts are recorded as such)"
        );
    } else {
        tracing::info!(providers = ?names, "notification delivery");
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Scheduled reports go out through the same e-mail adapter (decision 044).
    let reports = tokio::spawn(crate::reports::schedule::run(
        state.db.clone(),
        adapters.email.clone(),
        cfg.deliver_every,
        stop_rx.clone(),
    ));
    let delivery = tokio::spawn(crate::delivery::run(
        state.db.clone(),
        adapters,
        crate::delivery::RetryPolicy::default(),
        cfg.deliver_every,
        stop_rx.clone(),
    ));
    let sweeper = tokio::spawn(crate::services::award::run_sweeper(
        state.db.clone(),
        cfg.sweep_every,
        stop_rx.clone(),
    ));
    let retention = tokio::spawn(crate::services::retention::run(
        state.db.clone(),
        cfg.retention,
        stop_rx.clone(),
    ));
    let money = tokio::spawn(crate::services::money_task::run(
        state.db.clone(),
        state.payments.clone(),
        cfg.sweep_every,
        stop_rx.clone(),
    ));
    let watcher = tokio::spawn(crate::services::shift_watch::run(
        state.db.clone(),
        cfg.watch_every,
        stop_rx.clone(),
    ));
    let listener = bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let metrics = match cfg.metrics_listen {
        Some(at) => {
            let l = bind(at).await?;
            let at = l.local_addr()?;
            tracing::info!(%at, "metrics listening");
            println!("offduty-server metrics on http://{at}/metrics");
            let app = crate::metrics::router(state.clone());
            let mut stop = stop_rx.clone();
            Some(tokio::spawn(async move {
                axum::serve(l, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
            }))
        }
        None => None,
    };
    // Handlers are installed before the address is printed: a supervisor (or a test) that
    // signals as soon as it reads the address must get a graceful shutdown, not a kill.
    let signals = shutdown_signal()?;
    tracing::info!(%addr, "offduty-server listening");
    println!("offduty-server listening on http://{addr}  (API: http://{addr}/v1/openapi.json)");

    let db = state.db.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let mut api_stop = stop_rx.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = api_stop.wait_for(|s| *s).await;
    });
    let mut server = std::pin::pin!(server.into_future());
    let deadline = tokio::select! {
        r = &mut server => {
            r?;
            tokio::time::Instant::now() + cfg.shutdown_grace
        }
        signal = signals => {
            tracing::info!(
                signal,
                grace_s = cfg.shutdown_grace.as_secs_f64(),
                "shutting down: no new connections; finishing the requests in flight"
            );
            let deadline = tokio::time::Instant::now() + cfg.shutdown_grace;
            // Ends the accept loops (the listeners close at once) and closes idle keep-alive
            // connections; connections with a request in flight close once it is answered.
            let _ = stop_tx.send(true);
            match tokio::time::timeout_at(deadline, &mut server).await {
                Ok(r) => r?,
                Err(_) => tracing::warn!(
                    grace_s = cfg.shutdown_grace.as_secs_f64(),
                    "grace period over; dropping the requests still in flight"
                ),
            }
            deadline
        }
    };
    // Everything below is bounded by the same deadline: a sweep under way is finished if it
    // can be in time, else dropped (its transaction rolls back).
    let _ = stop_tx.send(true);
    for (name, mut task) in [
        ("award sweeper", sweeper),
        ("retention sweeper", retention),
        ("delivery worker", delivery),
        ("money task", money),
        ("shift watcher", watcher),
        ("scheduled reports", reports),
    ] {
        match tokio::time::timeout_at(deadline, &mut task).await {
            Ok(Ok(())) => tracing::info!("{name} stopped"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the {name} ended abnormally"),
            Err(_) => {
                task.abort();
                tracing::warn!("grace period over; {name} dropped mid-run");
            }
        }
    }
    if let Some(m) = metrics {
        match tokio::time::timeout_at(deadline, m).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "metrics listener failed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "metrics listener ended abnormally"),
            Err(_) => tracing::warn!("metrics listener did not stop in time"),
        }
    }
    // Connections are still lent out only when the grace period ran out: then wait no longer
    // than a moment for them (the process is about to end, and the database rolls back what
    // they had not committed).
    let close_by = deadline.max(tokio::time::Instant::now() + Duration::from_millis(100));
    if tokio::time::timeout_at(close_by, db.pool.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
    tracing::info!("offduty-server stopped");
    Ok(())
}

/// Installs the SIGTERM and SIGINT (Ctrl-C) handlers now; the future waits for either and
/// names it.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}

/// Waits for Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    })
}
