//! Sign-in: login, refresh-token rotation with reuse detection, logout, and `GET /v1/me`.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::protocol::{OfficerProfile, ProblemType, Role};

use crate::app::AppState;
use crate::auth::refresh;
use crate::auth::signin::{self, Refused, Verified, Via, user_info};
use crate::auth::tokens::{ACCESS_TTL, hash_refresh_token, new_refresh_token};
use crate::auth::totp::SecretSeal;
use crate::db::to_us;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::services::schedule::{PROFILE_COLUMNS, profile_from_row};
use crate::services::two_factor::{self, Holder};

pub use offduty_domain::protocol::{LoginRequest, RefreshRequest, TokenResponse, UserInfo};

/// Tokens for `user`: a fresh access token at the user's session `epoch` and the given
/// refresh token.
fn tokens(state: &AppState, user: UserInfo, refresh_token: String, epoch: i64) -> TokenResponse {
    TokenResponse {
        access_token: state.tokens.issue_access_at_epoch(
            user.id,
            user.department_id,
            user.role,
            epoch,
            Utc::now(),
        ),
        expires_in: ACCESS_TTL.num_seconds(),
        refresh_token,
        user,
    }
}

/// Starts a new session (a new refresh-token family) for `user` at the session `epoch` read with
/// the credentials. The refresh token is stored only if that epoch is still current and the
/// account enabled, so a sign-in racing a disable or a password reset never outlives it
/// (decision 017).
async fn issue(state: &AppState, user: UserInfo, epoch: i64) -> Result<TokenResponse, ApiError> {
    let refresh = new_refresh_token();
    let mut tx = state.db.write().await?;
    if !refresh::store_token_at_epoch(
        tx.conn(),
        &refresh,
        Uuid::now_v7(),
        user.id,
        epoch,
        Utc::now(),
    )
    .await?
    {
        return Err(ApiError::unauthorized(
            "this session has ended; sign in again",
        ));
    }
    tx.commit().await?;
    Ok(tokens(state, user, refresh, epoch))
}

/// `POST /v1/auth/login`: e-mail and password → access and refresh tokens. A coordinator with
/// two-factor sign-in also sends `otp` (decision 038); officers' logins are unchanged.
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    match signin::check(&state, &req.email, &req.password, Via::Api).await? {
        Ok(Verified { user, epoch }) => {
            if user.role == Role::Coordinator {
                second_factor(&state, &user, req.otp.as_deref()).await?;
            }
            Ok(Json(issue(&state, user, epoch).await?))
        }
        Err(Refused::BadEmail) => Err(ApiError::invalid(
            "email",
            "enter the e-mail address you sign in with",
        )),
        Err(Refused::BadPassword) => Err(ApiError::invalid("password", "enter your password")),
        Err(Refused::RateLimited(wait_s)) => Err(ApiError::rate_limited(wait_s)),
        Err(Refused::WrongCredentials) => Err(ApiError::unauthorized("wrong e-mail or password")),
    }
}

/// The second factor of a coordinator whose password was right: nothing to do without one
/// (unless the department requires it: then the login is refused until they enrol in the
/// console); with one, `otp` must be a current, unused code or an unused recovery code. Each
/// refusal is a 401 `totp-required` problem; the password check before it already took a token
/// of the account's login rate limit, so codes are tried no faster than passwords.
async fn second_factor(state: &AppState, user: &UserInfo, otp: Option<&str>) -> ApiResult<()> {
    let who = Holder {
        user_id: user.id,
        department_id: user.department_id,
    };
    if !two_factor::enabled(&state.db, user.id).await? {
        if two_factor::required(&state.db, user.department_id).await? {
            return Err(totp_required(
                "your department requires two-factor sign-in: set it up in the web console \
                 (/console/account/two-factor), then send the code as `otp`",
            ));
        }
        return Ok(());
    }
    let Some(otp) = otp.filter(|o| !o.trim().is_empty() && o.len() <= 64) else {
        return Err(totp_required(
            "this account signs in with two-factor: send the current 6-digit code from the \
             authenticator app (or a recovery code) as `otp`",
        ));
    };
    let seal = SecretSeal::new(&state.tokens);
    match two_factor::check(&state.db, &seal, who, otp, "api", Utc::now()).await? {
        Ok(_) => Ok(()),
        Err(two_factor::Refused::NotEnrolled) => Ok(()),
        Err(_) => {
            let mut e = totp_required(
                "the code is wrong or was already used; send the current code from the \
                 authenticator app (or an unused recovery code) as `otp`",
            );
            e.field = Some("otp".into());
            Err(e)
        }
    }
}

fn totp_required(detail: &str) -> ApiError {
    let mut e = ApiError::unauthorized(detail);
    e.kind = ProblemType::TotpRequired;
    e.title = "Two-factor code required";
    e
}

/// `POST /v1/auth/refresh`: trade a refresh token for new tokens, in one transaction. The same
/// token presented again within a minute, while its successor is unused, is a retry after a lost
/// response and gets the same successor; any other reuse revokes the whole family (someone
/// copied it). See [`refresh::rotate`] and decision 021.
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let rotated = refresh::rotate(&state.db, &state.tokens, &req.refresh_token, Utc::now()).await?;
    let h = rotated.holder;
    let epoch = h.session_epoch;
    let user = UserInfo {
        id: h.id,
        department_id: h.department_id,
        role: h.role,
        display_name: h.display_name,
        email: h.email,
    };
    Ok(Json(tokens(&state, user, rotated.refresh_token, epoch)))
}

/// `POST /v1/auth/logout`: ends the session the refresh token belongs to.
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<axum::http::StatusCode> {
    let hash = hash_refresh_token(req.refresh_token.trim());
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_us = $1 WHERE family_id = \
         (SELECT family_id FROM refresh_tokens WHERE token_hash = $2) AND revoked_us IS NULL",
    )
    .bind(to_us(Utc::now()))
    .bind(hash)
    .execute(&state.db.pool)
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Response of `GET /v1/me`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeResponse {
    pub user: UserInfo,
    /// Present for officers.
    pub profile: Option<OfficerProfile>,
}

/// `GET /v1/me`: the signed-in user and, for officers, their profile.
pub async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<MeResponse>> {
    let sql = format!(
        "SELECT u.department_id, u.role, u.email, {PROFILE_COLUMNS} FROM users u WHERE u.id = $1 AND u.department_id = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.user_id.to_string())
        .bind(user.department_id.to_string())
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    let info = user_info(&row)?;
    let profile = if info.role == Role::Officer {
        Some(profile_from_row(&row)?)
    } else {
        None
    };
    Ok(Json(MeResponse {
        user: info,
        profile,
    }))
}
