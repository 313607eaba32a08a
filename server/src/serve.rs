//! Running the server: connect, migrate, optionally seed the demo, spawn the award sweep, and
//! serve HTTP until Ctrl-C / SIGTERM.

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
    pub limits: crate::app::Limits,
    /// Where `GET /metrics` is served; nowhere when `None` (decision 014).
    pub metrics_listen: Option<SocketAddr>,
    /// Peers whose `X-Forwarded-For` names the client (the reverse proxy in front).
    pub trusted_proxies: Vec<IpAddr>,
}

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
}

/// Connects and migrates, returning the ready state.
pub async fn prepare(cfg: &ServeConfig) -> Result<AppState, ServeError> {
    let db = Db::connect(&cfg.database_url, cfg.max_connections).await?;
    if cfg.migrate {
        let applied = migrate::migrate(&db).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "database migrated");
        }
    }
    if cfg.demo {
        let summary = crate::demo::seed(&db).await.map_err(ServeError::Demo)?;
        println!("{}", summary.banner(cfg.listen));
    }
    let mut state = AppState::with_limits(db, cfg.limits).await?;
    state.trusted_proxies = crate::request_id::TrustedProxies(cfg.trusted_proxies.clone().into());
    Ok(state)
}

/// Serves until shutdown.
pub async fn serve(cfg: ServeConfig) -> Result<(), ServeError> {
    let state = prepare(&cfg).await?;
    tokio::spawn(crate::services::award::run_sweeper(
        state.db.clone(),
        cfg.sweep_every,
    ));
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    if let Some(at) = cfg.metrics_listen {
        let l = tokio::net::TcpListener::bind(at)
            .await
            .map_err(|source| ServeError::Bind { addr: at, source })?;
        let at = l.local_addr()?;
        tracing::info!(%at, "metrics listening");
        println!("offduty-server metrics on http://{at}/metrics");
        let app = crate::metrics::router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(l, app).await {
                tracing::warn!(error = %e, "metrics listener failed");
            }
        });
    }
    tracing::info!(%addr, "offduty-server listening");
    println!("offduty-server listening on http://{addr}  (API: http://{addr}/v1/openapi.json)");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
