//! Department administration of accounts (coordinators): officers one at a time or from a
//! roster CSV, every account listed, disabled or enabled, passwords reset, roles changed; and
//! setting a password with a one-time token (public). Decisions in `services::accounts` and
//! `services::roster`; the same services back `offduty-server admin`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Utc;
use serde::Deserialize;

use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser, PathId, parse_json};
use crate::services::access::{self, AccountChange, PasswordReset, SetPassword};
use crate::services::accounts::{self, Admin, CreatedAccount, NewOfficer, UserAccount};
use crate::services::roster::{self, RosterImport};

/// `POST /v1/officers` (coordinator): adds one officer to the department.
pub async fn create_officer(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<NewOfficer>,
) -> ApiResult<(StatusCode, Json<CreatedAccount>)> {
    user.require(Role::Coordinator)?;
    let created = accounts::create_officer(
        &state.db,
        user.department_id,
        &Admin::Coordinator(user),
        &req,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /v1/officers/import` (coordinator): imports the roster CSV in the body
/// (`Content-Type: text/csv`), all or nothing; importing it again changes nothing.
pub async fn import_roster(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<RosterImport>> {
    user.require(Role::Coordinator)?;
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("application/csv"));
    if !is_csv {
        return Err(ApiError::malformed(
            None,
            "send the roster as a CSV body with Content-Type: text/csv",
        ));
    }
    let rows = roster::parse(&body).map_err(|errors| roster::refusal(&errors))?;
    let report = roster::import(
        &state.db,
        user.department_id,
        &Admin::Coordinator(user),
        &rows,
        Utc::now(),
    )
    .await?;
    Ok(Json(report))
}

/// `GET /v1/users` (coordinator): every account of the department.
pub async fn list_users(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<UserAccount>>> {
    user.require(Role::Coordinator)?;
    Ok(Json(accounts::list(&state.db, user.department_id).await?))
}

async fn set_disabled(
    state: &AppState,
    user: AuthUser,
    id: uuid::Uuid,
    disabled: bool,
) -> ApiResult<Json<AccountChange>> {
    user.require(Role::Coordinator)?;
    let change = access::set_disabled(
        &state.db,
        user.department_id,
        &Admin::Coordinator(user),
        id,
        disabled,
        Utc::now(),
    )
    .await?;
    Ok(Json(change))
}

/// `POST /v1/users/{id}/disable` (coordinator): the account's sessions end at once.
pub async fn disable(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<AccountChange>> {
    set_disabled(&state, user, id, true).await
}

/// `POST /v1/users/{id}/enable` (coordinator).
pub async fn enable(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> ApiResult<Json<AccountChange>> {
    set_disabled(&state, user, id, false).await
}

/// Body of `POST /v1/users/{id}/reset-password`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The new password (10 to 256 characters). Without one, the old password stops working
    /// and a one-time setup token is returned.
    #[serde(default)]
    pub password: Option<String>,
}

/// `POST /v1/users/{id}/reset-password` (coordinator): ends the account's sessions.
pub async fn reset_password(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    body: axum::body::Bytes,
) -> ApiResult<Json<PasswordReset>> {
    user.require(Role::Coordinator)?;
    let req = if body.iter().all(u8::is_ascii_whitespace) {
        ResetPassword::default()
    } else {
        parse_json::<ResetPassword>(&body)?
    };
    let reset = access::reset_password(
        &state.db,
        user.department_id,
        &Admin::Coordinator(user),
        id,
        req.password.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok(Json(reset))
}

/// Body of `PUT /v1/users/{id}/role`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RoleChange {
    /// `officer` or `coordinator`.
    pub role: Role,
}

/// `PUT /v1/users/{id}/role` (coordinator): the account's sessions end at once.
pub async fn set_role(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    ApiJson(req): ApiJson<RoleChange>,
) -> ApiResult<Json<AccountChange>> {
    user.require(Role::Coordinator)?;
    let change = access::set_role(
        &state.db,
        user.department_id,
        &Admin::Coordinator(user),
        id,
        req.role,
        Utc::now(),
    )
    .await?;
    Ok(Json(change))
}

/// `POST /v1/auth/reset-password` (public): sets a password with a one-time token.
pub async fn set_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SetPassword>,
) -> ApiResult<StatusCode> {
    access::redeem_setup_token(&state.db, &req, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
