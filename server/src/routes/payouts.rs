//! Payouts through the payment gateway (decision 049): the officer's own payout account
//! (`/v1/me/payout-account`) and the provider's signed webhooks (`/v1/webhooks/stripe`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use offduty_domain::payouts::{PayoutAccount, PayoutSetupLink};
use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::payments::{WebhookError, verify_webhook, webhook};
use crate::services::charges;
use crate::services::direct_payouts::{self, AccountStatus};

/// `GET /v1/me/payout-account` (officer): where the payout account stands; while onboarding is
/// unfinished the provider is asked again.
pub async fn my_account(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<PayoutAccount>> {
    user.require(Role::Officer)?;
    let now = Utc::now();
    let (status, account) =
        direct_payouts::status(&state.db, user.department_id, user.user_id).await?;
    let (status, account) = match (&state.payments, status) {
        (Some(g), AccountStatus::Onboarding) => {
            direct_payouts::refresh(&state.db, g, user.department_id, user.user_id, now).await?
        }
        _ => (status, account),
    };
    Ok(Json(PayoutAccount::new(
        status,
        account.and_then(|a| a.checked_at),
    )))
}

/// The address the provider sends the officer back to: this server as the phone reached it.
fn base(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .ok_or_else(|| ApiError::invalid("host", "This request has no usable Host header."))?;
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

/// `POST /v1/me/payout-account/link` (officer): a fresh one-time link to the provider's
/// onboarding pages (the account is made the first time). 409 when the department pays through
/// its payroll; 503 when the provider cannot be reached or none is configured.
pub async fn setup_link(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
) -> ApiResult<Json<PayoutSetupLink>> {
    user.require(Role::Officer)?;
    let base = base(&state, &headers)?;
    let Some(gateway) = state.payments.clone() else {
        let (status, _) =
            direct_payouts::status(&state.db, user.department_id, user.user_id).await?;
        if status == AccountStatus::NotNeeded {
            return Err(ApiError::conflict(status.sentence()));
        }
        return Err(ApiError::unavailable(
            "This server has no payment provider configured; the department has been told.",
        ));
    };
    let link = direct_payouts::onboarding_link(
        &state.db,
        &gateway,
        user,
        &format!("{base}/console/payout-setup/expired"),
        &format!("{base}/console/payout-setup/done"),
        Utc::now(),
    )
    .await?;
    Ok(Json(PayoutSetupLink {
        url: link.url,
        expires_at: DateTime::from_timestamp(link.expires_at, 0).unwrap_or_else(Utc::now),
    }))
}

/// What the webhook answers.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookReceipt {
    pub received: bool,
    /// Whether the event changed something here (a charge settled, an account's readiness);
    /// a repeat of a handled event, or an event about something not ours, changes nothing.
    pub applied: bool,
}

/// The provider's event as it is sent (only its signature makes it believed).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub created: i64,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// `POST /v1/webhooks/stripe` (public, signed): the provider tells how a bank debit settled
/// (`payment_intent.succeeded` / `payment_intent.payment_failed`) and whether an officer's payout
/// account can be paid (`account.updated`). The `Stripe-Signature` header is checked over the raw
/// body with the endpoint's secret and a 5-minute tolerance; 404 when no secret is configured.
/// Handling is idempotent: a charge settles only from `processing`, so a repeated event
/// changes nothing.
pub async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceipt>> {
    let Some(secret) = state
        .payments
        .as_ref()
        .and_then(|g| g.webhook_secret().cloned())
    else {
        return Err(ApiError::not_found("webhook endpoint"));
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = Utc::now();
    let event = verify_webhook(
        &body,
        signature,
        secret.expose(),
        now,
        webhook::DEFAULT_TOLERANCE,
    )
    .map_err(|e| {
        let detail = match e {
            WebhookError::InvalidPayload(_) => "The body is not a Stripe event.".to_string(),
            other => format!("The webhook signature is refused: {other}."),
        };
        ApiError::invalid("stripe-signature", detail)
    })?;
    let object = &event.object;
    let id = object.get("id").and_then(|v| v.as_str()).unwrap_or("");
    let applied = match event.type_.as_str() {
        "payment_intent.succeeded" => {
            charges::settle(&state.db, id, charges::Settlement::Succeeded, now).await?
        }
        "payment_intent.payment_failed" => {
            let message = object
                .pointer("/last_payment_error/message")
                .and_then(|v| v.as_str())
                .unwrap_or("The bank refused the debit.")
                .to_string();
            charges::settle(&state.db, id, charges::Settlement::Failed { message }, now).await?
        }
        "account.updated" => {
            let enabled = object
                .get("payouts_enabled")
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            direct_payouts::account_updated(&state.db, id, enabled, now).await?
        }
        other => {
            tracing::debug!(event = %event.id, kind = other, "webhook event not handled");
            false
        }
    };
    tracing::info!(event = %event.id, kind = %event.type_, applied, "stripe webhook");
    Ok(Json(WebhookReceipt {
        received: true,
        applied,
    }))
}
