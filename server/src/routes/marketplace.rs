//! The marketplace in the JSON API (decision 039): customers keep their sites, see estimates,
//! submit, change and cancel event requests; coordinators decide them, grant invoice terms and
//! set the rate card. Officers are refused. The rules are in `services::customers`,
//! `services::event_requests` and `services::rate_card`; these handlers parse and authorize.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use offduty_domain::billing::{Bill, RateCard};
use offduty_domain::pay::Cents;
use offduty_domain::protocol::{Job, Role};

use crate::app::AppState;
use crate::db::DbError;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, AuthUser, PathId};
use crate::services::customers::{self, NewSite, Organization, Site, Terms};
use crate::services::event_requests::{self, Approval, EventForm, EventRequest, RequestStatus};
use crate::services::rate_card;

/// Refuses unless the caller is a customer or a coordinator.
fn customer_or_coordinator(user: &AuthUser) -> ApiResult<()> {
    match user.role {
        Role::Customer | Role::Coordinator => Ok(()),
        Role::Officer => Err(ApiError::forbidden(
            "this is for customers and coordinators",
        )),
    }
}

/// `GET /v1/organization` (customer): the caller's own organization.
pub async fn organization(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Organization>> {
    user.require(Role::Customer)?;
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    Ok(Json(customers::of_customer(&mut conn, user).await?))
}

/// `GET /v1/sites` (customer): the organization's sites, by name.
pub async fn sites(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<Site>>> {
    user.require(Role::Customer)?;
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let org = customers::of_customer(&mut conn, user).await?;
    Ok(Json(customers::sites(&mut conn, org.id).await?))
}

/// `POST /v1/sites` (customer): adds a site.
pub async fn add_site(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<NewSite>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    user.require(Role::Customer)?;
    let site = customers::add_site(&state.db, user, &req, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// `POST /v1/event-requests/estimate` (customer): what the request would cost; nothing is
/// written.
pub async fn estimate(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(form): ApiJson<EventForm>,
) -> ApiResult<Json<Bill>> {
    user.require(Role::Customer)?;
    Ok(Json(
        event_requests::estimate(&state.db, user, &form, Utc::now()).await?,
    ))
}

/// Query of `GET /v1/event-requests`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventRequestQuery {
    /// Only requests with this status.
    pub status: Option<RequestStatus>,
}

/// `GET /v1/event-requests`: a customer's organization's requests, or (coordinator) the
/// department's, oldest first.
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<EventRequestQuery>,
) -> ApiResult<Json<Vec<EventRequest>>> {
    customer_or_coordinator(&user)?;
    Ok(Json(event_requests::list(&state.db, user, q.status).await?))
}

/// `POST /v1/event-requests` (customer): submits a request (needs a validated payment method
/// or invoice terms).
pub async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(form): ApiJson<EventForm>,
) -> ApiResult<(StatusCode, Json<EventRequest>)> {
    user.require(Role::Customer)?;
    let req = event_requests::submit(&state.db, user, None, &form, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(req)))
}

/// `GET /v1/event-requests/{id}`: one request (a customer: its organization's only).
pub async fn get_one(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<EventRequest>> {
    customer_or_coordinator(&user)?;
    Ok(Json(event_requests::visible(&state.db, user, id).await?))
}

/// `PUT /v1/event-requests/{id}` (customer): changes a request still waiting or sent back; it
/// goes back in the queue.
pub async fn change(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(form): ApiJson<EventForm>,
) -> ApiResult<Json<EventRequest>> {
    user.require(Role::Customer)?;
    Ok(Json(
        event_requests::submit(&state.db, user, Some(id), &form, Utc::now()).await?,
    ))
}

/// `GET /v1/event-requests/{id}/cancellation` (customer): what cancelling costs now.
pub async fn cancellation(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<Bill>> {
    user.require(Role::Customer)?;
    Ok(Json(
        event_requests::cancellation_cost(&state.db, user, id, Utc::now()).await?,
    ))
}

/// Body of `POST /v1/event-requests/{id}/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CancelRequest {
    /// The cost the customer was shown (`GET …/cancellation`); 409 when it has changed.
    pub expected_fee_cents: Cents,
}

/// A cancelled request and what cancelling it cost.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CancelledEvent {
    pub request: EventRequest,
    pub fee: Bill,
}

/// `POST /v1/event-requests/{id}/cancel` (customer): cancels the request; its jobs are called
/// off and the late-cancellation cost, if any, recorded.
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CancelRequest>,
) -> ApiResult<Json<CancelledEvent>> {
    user.require(Role::Customer)?;
    let (request, fee) =
        event_requests::cancel(&state.db, user, id, body.expected_fee_cents, Utc::now()).await?;
    Ok(Json(CancelledEvent { request, fee }))
}

/// An approved request and the jobs it was posted as.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApprovedEvent {
    pub request: EventRequest,
    pub jobs: Vec<Job>,
}

/// `POST /v1/event-requests/{id}/approve` (coordinator): posts one job per shift, with the
/// coordinator's edits.
pub async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(edits): ApiJson<Approval>,
) -> ApiResult<Json<ApprovedEvent>> {
    user.require(Role::Coordinator)?;
    let (request, jobs) = event_requests::approve(&state.db, user, id, &edits, Utc::now()).await?;
    Ok(Json(ApprovedEvent { request, jobs }))
}

/// Body of `POST /v1/event-requests/{id}/changes` and `/reject`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionReason {
    /// What the customer reads (1 to 500 characters).
    pub reason: String,
}

/// `POST /v1/event-requests/{id}/changes` (coordinator): sends the request back with what to
/// change.
pub async fn request_changes(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(body): ApiJson<DecisionReason>,
) -> ApiResult<Json<EventRequest>> {
    user.require(Role::Coordinator)?;
    Ok(Json(
        event_requests::request_changes(&state.db, user, id, &body.reason, Utc::now()).await?,
    ))
}

/// `POST /v1/event-requests/{id}/reject` (coordinator): declines the request with a reason.
pub async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(body): ApiJson<DecisionReason>,
) -> ApiResult<Json<EventRequest>> {
    user.require(Role::Coordinator)?;
    Ok(Json(
        event_requests::reject(&state.db, user, id, &body.reason, Utc::now()).await?,
    ))
}

/// `GET /v1/organizations` (coordinator): the department's customer organizations.
pub async fn organizations(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<Organization>>> {
    user.require(Role::Coordinator)?;
    Ok(Json(customers::list(&state.db, user.department_id).await?))
}

/// Body of `PUT /v1/organizations/{id}/terms`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TermsChange {
    pub terms: Terms,
}

/// `PUT /v1/organizations/{id}/terms` (coordinator): grants or withdraws invoice terms.
pub async fn set_terms(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(body): ApiJson<TermsChange>,
) -> ApiResult<Json<Organization>> {
    user.require(Role::Coordinator)?;
    Ok(Json(
        customers::set_terms(&state.db, user, id, body.terms, Utc::now()).await?,
    ))
}

/// `GET /v1/rate-card` (customer or coordinator): the prices the department bills.
pub async fn get_rate_card(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<RateCard>> {
    customer_or_coordinator(&user)?;
    Ok(Json(
        rate_card::current(&state.db, user.department_id).await?,
    ))
}

/// `PUT /v1/rate-card` (coordinator): replaces the rate card; its pay policy is what officers
/// are paid too (phones sync it).
pub async fn put_rate_card(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(card): ApiJson<RateCard>,
) -> ApiResult<Json<RateCard>> {
    user.require(Role::Coordinator)?;
    // Checked here first so the refusal names the field within this body (`event_fee_bp`,
    // `pay.base_rate_cents`); the service checks it again.
    card.validate().map_err(|e| ApiError::invalid_at("", e))?;
    Ok(Json(
        rate_card::save(&state.db, user, &card, Utc::now()).await?,
    ))
}
