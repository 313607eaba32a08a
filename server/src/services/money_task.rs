//! The money task, beside the award sweeper: for every department, approve the timecards whose
//! customer review window closed, issue the invoices that became due, and charge the card
//! invoices whose attempt is due, and send again the officers' payouts the provider could not be
//! reached for. Each step is its own department transaction (the department's
//! lock), so several server processes on one PostgreSQL can run it at once: issuing is
//! serialized by the lock, and a charge attempt is leased and keyed (services::charges).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, DbError, get_uuid};
use crate::error::ApiResult;
use crate::payments::PaymentGateway;
use crate::services::{charges, direct_payouts, invoices, review};

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub auto_approved: usize,
    pub invoices: usize,
    pub charges: usize,
    /// Payouts to officers sent again after the provider could not be reached (decision 049).
    pub transfers: usize,
}

/// One pass over every department.
pub async fn pass(
    db: &Db,
    gateway: Option<&Arc<dyn PaymentGateway>>,
    now: DateTime<Utc>,
) -> ApiResult<Pass> {
    let ids: Vec<Uuid> = {
        let mut tx = db.read().await?;
        let rows = sqlx::query("SELECT id FROM departments ORDER BY id")
            .fetch_all(&mut *tx)
            .await
            .map_err(DbError::from)?;
        rows.iter()
            .map(|r| get_uuid(r, "id"))
            .collect::<Result<_, _>>()?
    };
    let mut done = Pass::default();
    for dept in ids {
        done.auto_approved += review::auto_approve(db, dept, now).await?;
        done.invoices += invoices::issue_due(db, dept, now).await?.len();
        if let Some(g) = gateway {
            done.charges += charges::charge_due(db, g, dept, now).await?;
            done.transfers += direct_payouts::send_pending(db, g, dept, None, now)
                .await?
                .sent;
        }
    }
    Ok(done)
}

/// Runs [`pass`] every `every` until `stop`.
pub async fn run(
    db: Db,
    gateway: Option<Arc<dyn PaymentGateway>>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
        match pass(&db, gateway.as_ref(), Utc::now()).await {
            Ok(p) if p == Pass::default() => {}
            Ok(p) => tracing::info!(
                auto_approved = p.auto_approved,
                invoices = p.invoices,
                charges = p.charges,
                "money pass"
            ),
            Err(e) => tracing::warn!(error = ?e, "money pass failed; will retry"),
        }
    }
}
