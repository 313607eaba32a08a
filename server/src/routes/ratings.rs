//! Ratings in the JSON API (decision 046): a customer rates the officer of a worked timecard
//! of its organization; an officer rates the site of a shift they worked, privately; an
//! officer reads their own reliability. The rules are in `services::ratings` and
//! `services::reliability`; these handlers parse and authorize.

use axum::Json;
use axum::extract::State;
use chrono::Utc;

use offduty_domain::ratings::{OfficerRatingForm, SiteRatingForm};

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser, PathId};
use crate::services::ratings::{self, MyReliability, OfficerRating, SiteRating};

/// `PUT /v1/timecards/{id}/rating` (customer): rate the officer who worked the timecard, or
/// change the rating within 14 days of first giving it.
pub async fn put_rating(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(form): ApiJson<OfficerRatingForm>,
) -> ApiResult<Json<OfficerRating>> {
    Ok(Json(
        ratings::rate_officer(&state.db, user, id, &form, Utc::now()).await?,
    ))
}

/// `PUT /v1/me/timecards/{id}/site-rating` (officer): rate the site of a shift they worked,
/// for the department only.
pub async fn put_site_rating(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(form): ApiJson<SiteRatingForm>,
) -> ApiResult<Json<SiteRating>> {
    Ok(Json(
        ratings::rate_site(&state.db, user, id, &form, Utc::now()).await?,
    ))
}

/// `GET /v1/me/reliability` (officer): their own figures, computed from the record, and what
/// customers said, without who said it.
pub async fn my_reliability(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<MyReliability>> {
    Ok(Json(ratings::mine(&state.db, user, Utc::now()).await?))
}
