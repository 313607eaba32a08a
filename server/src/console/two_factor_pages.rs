//! The console's two-factor pages (decision 038): the sign-in's second step (a code or a
//! recovery code after the right password), and the account page that enrols an authenticator
//! (secret, `otpauth://` URI and an inline SVG QR code; a code confirms it; the recovery codes
//! are shown once), turns it off with a code, and sets the department's requirement.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use crate::app::AppState;
use crate::auth::signin::{Verified, user_info};
use crate::auth::totp::{self, SecretSeal};
use crate::console::pages::{
    Chrome, chrome, department, html, read_form, sign_in_page, signed_form, start_session,
};
use crate::console::second_factor::{self, Attempt, MAX_ATTEMPTS};
use crate::console::session::{self, SECOND_FACTOR_COOKIE};
use crate::console::{ConsoleError, ENROL, SIGN_IN, Signed, SignedEnrolling};
use crate::db::DbError;
use crate::services::audit::{self, AuditEntry};
use crate::services::two_factor::{self, Holder, Refused};

#[derive(Template)]
#[template(path = "console/second_factor.html")]
struct CodePage {
    chrome: Option<Chrome>,
    csrf: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "console/two_factor.html")]
struct AccountPage {
    chrome: Option<Chrome>,
    csrf: String,
    message: Option<String>,
    enabled: bool,
    must_enrol: bool,
    required: bool,
    recovery_codes_left: i64,
    /// The enrolment in progress (empty when enabled).
    secret: String,
    uri: String,
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "console/recovery_codes.html")]
struct RecoveryCodesPage {
    chrome: Option<Chrome>,
    codes: Vec<String>,
}

/// The sign-in page again, for a second step that expired, was used or was locked.
fn start_over(state: &AppState, status: StatusCode, message: &str) -> Response {
    let mut resp = sign_in_page(state, status, "", Some(message.into()));
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SECOND_FACTOR_COOKIE, "", 0, state.secure_cookies),
    );
    resp
}

const EXPIRED: &str =
    "Your sign-in expired before the code was entered. Enter your password again.";

/// `GET /console/sign-in/two-factor`: the code form of a sign-in waiting for it.
pub async fn code_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let Some(id) = session::cookie(&headers, SECOND_FACTOR_COOKIE) else {
        return Ok(Redirect::to(SIGN_IN).into_response());
    };
    if second_factor::load(&state.db, id, Utc::now())
        .await?
        .is_none()
    {
        return Ok(start_over(&state, StatusCode::OK, EXPIRED));
    }
    let page = CodePage {
        chrome: None,
        csrf: second_factor::csrf_token(&state.tokens, id),
        message: None,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/sign-in/two-factor`: checks the form's token, the rate limit, the attempts
/// left, then the code; a right one starts the session. A wrong one gets the form again; the
/// last allowed wrong one locks the sign-in (audited `totp_locked`) and the password is needed
/// again.
pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = read_form(&headers, body)?;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let Some(id) = session::cookie(&headers, SECOND_FACTOR_COOKIE) else {
        return Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED));
    };
    if !second_factor::csrf_ok(&state.tokens, id, field("csrf")) {
        return Err(ConsoleError::csrf());
    }
    let now = Utc::now();
    let Some(pending) = second_factor::load(&state.db, id, now).await? else {
        return Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED));
    };
    let again = |status, message: String| {
        html(
            status,
            &CodePage {
                chrome: None,
                csrf: second_factor::csrf_token(&state.tokens, id),
                message: Some(message),
            },
        )
    };
    // The same per-account budget as passwords, under its own key.
    if let Err(wait) = state
        .login_limiter
        .check(&format!("second factor {}", pending.user_id))
    {
        let wait_s = wait.as_secs().max(1);
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many attempts for this account. Try again in {wait_s} seconds."),
        ));
    }
    let attempt = match second_factor::attempt(&state.db, id, now).await? {
        Attempt::Counted(n) => n,
        Attempt::Closed => return Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED)),
    };
    let who = Holder {
        user_id: pending.user_id,
        department_id: pending.department_id,
    };
    let seal = SecretSeal::new(&state.tokens);
    match two_factor::check(&state.db, &seal, who, field("code"), "console", now).await? {
        Ok(accepted) => {
            if !second_factor::finish(&state.db, id, now).await? {
                return Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED));
            }
            let row = sqlx::query(
                "SELECT id, department_id, role, display_name, email FROM users \
                 WHERE id = $1 AND department_id = $2",
            )
            .bind(pending.user_id.to_string())
            .bind(pending.department_id.to_string())
            .fetch_optional(&state.db.pool)
            .await
            .map_err(DbError::from)?;
            let Some(row) = row else {
                return Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED));
            };
            let verified = Verified {
                user: user_info(&row)?,
                epoch: pending.epoch,
            };
            match start_session(&state, &verified, Some(accepted), now).await? {
                Some(resp) => Ok(resp),
                None => Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED)),
            }
        }
        // The second factor was turned off meanwhile: the password decides afresh.
        Err(Refused::NotEnrolled) => Ok(start_over(&state, StatusCode::FORBIDDEN, EXPIRED)),
        Err(_) if attempt >= MAX_ATTEMPTS => {
            if second_factor::lock(&state.db, id, now).await? {
                audit::append_now(
                    &state.db,
                    pending.department_id,
                    AuditEntry {
                        actor_id: Some(pending.user_id),
                        action: "totp_locked",
                        entity: "user",
                        entity_id: pending.user_id.to_string(),
                        detail: serde_json::json!({"via": "console", "attempts": attempt}),
                    },
                )
                .await?;
            }
            Ok(start_over(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many wrong codes. Sign in again with your password.",
            ))
        }
        Err(_) => {
            let left = MAX_ATTEMPTS - attempt;
            Ok(again(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "That code is wrong or was already used. Enter the current code from your \
                     authenticator app, or a recovery code ({left} attempt{} left).",
                    if left == 1 { "" } else { "s" }
                ),
            ))
        }
    }
}

/// The account page as it stands for `s`, with `message`.
async fn account_page(
    state: &AppState,
    s: &session::ConsoleSession,
    status: StatusCode,
    message: Option<String>,
) -> Result<Response, ConsoleError> {
    let (name, _) = department(state, s.user.department_id).await?;
    let st = two_factor::status(&state.db, s.user.user_id).await?;
    let required = two_factor::required(&state.db, s.user.department_id).await?;
    let (secret, uri, qr_svg) = if st.enabled {
        Default::default()
    } else {
        let seal = SecretSeal::new(&state.tokens);
        match two_factor::begin(&state.db, &seal, s.user.user_id, Utc::now()).await? {
            Some(secret) => {
                let uri = totp::otpauth_uri(&s.email, &secret);
                let qr = totp::qr_svg(&uri, "QR code to add this account to an authenticator app")
                    .unwrap_or_default();
                (grouped(&totp::base32(&secret)), uri, qr)
            }
            None => Default::default(),
        }
    };
    let page = AccountPage {
        chrome: Some(chrome(s, &name, "account")),
        csrf: s.csrf.clone(),
        message,
        enabled: st.enabled,
        must_enrol: s.must_enrol,
        required,
        recovery_codes_left: st.recovery_codes_left,
        secret,
        uri,
        qr_svg,
    };
    Ok(html(status, &page))
}

/// The key in groups of four, as people type it (authenticator apps ignore the spaces).
fn grouped(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /console/account/two-factor`: the user's second factor, or its enrolment.
pub async fn account(
    State(state): State<AppState>,
    SignedEnrolling(s): SignedEnrolling,
) -> Result<Response, ConsoleError> {
    account_page(&state, &s, StatusCode::OK, None).await
}

fn holder(s: &session::ConsoleSession) -> Holder {
    Holder {
        user_id: s.user.user_id,
        department_id: s.user.department_id,
    }
}

/// `POST /console/account/two-factor/confirm`: a code of the new secret turns it on; the
/// recovery codes are shown on this response only.
pub async fn confirm(
    State(state): State<AppState>,
    SignedEnrolling(s): SignedEnrolling,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let seal = SecretSeal::new(&state.tokens);
    match two_factor::confirm(&state.db, &seal, holder(&s), code, Utc::now()).await? {
        Ok(codes) => {
            let (name, _) = department(&state, s.user.department_id).await?;
            let page = RecoveryCodesPage {
                chrome: Some(chrome(&s, &name, "account")),
                codes,
            };
            Ok(html(StatusCode::OK, &page))
        }
        Err(Refused::NotEnrolled) => Ok(Redirect::to(ENROL).into_response()),
        Err(_) => {
            account_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(
                    "That code does not match. Enter the 6-digit code your authenticator app \
                     shows now for offduty."
                        .into(),
                ),
            )
            .await
        }
    }
}

/// `POST /console/account/two-factor/disable`: a current code (or a recovery code) turns the
/// second factor off.
pub async fn disable(
    State(state): State<AppState>,
    SignedEnrolling(s): SignedEnrolling,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let seal = SecretSeal::new(&state.tokens);
    match two_factor::disable(&state.db, &seal, holder(&s), code, Utc::now()).await? {
        Ok(()) | Err(Refused::NotEnrolled) => Ok(Redirect::to(ENROL).into_response()),
        Err(_) => {
            account_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(
                    "That code is wrong or was already used. Two-factor sign-in is still on."
                        .into(),
                ),
            )
            .await
        }
    }
}

/// `POST /console/account/two-factor/require`: whether the department requires a second factor
/// of every coordinator. Turning it on needs one's own first; turning it off needs a current
/// code, like turning one's own off. A coordinator still to enrol is sent to enrolment (`Signed`),
/// so nobody escapes the requirement by lifting it.
pub async fn require(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let form = signed_form(&state, &s, &headers, body)?;
    let require = match form.get("require").map(String::as_str) {
        Some("on") => true,
        Some("off") => false,
        _ => {
            return Err(ConsoleError::BadRequest(
                "This form could not be read. Try again.".into(),
            ));
        }
    };
    let now = Utc::now();
    if require && !two_factor::enabled(&state.db, s.user.user_id).await? {
        return account_page(
            &state,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Turn on two-factor sign-in for yourself before requiring it of everyone.".into()),
        )
        .await;
    }
    if !require {
        let code = form.get("code").map(String::as_str).unwrap_or("");
        let seal = SecretSeal::new(&state.tokens);
        match two_factor::check(&state.db, &seal, holder(&s), code, "console", now).await? {
            // Without a second factor of one's own there is no code to ask for.
            Ok(_) | Err(Refused::NotEnrolled) => {}
            Err(_) => {
                return account_page(
                    &state,
                    &s,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(
                        "That code is wrong or was already used. The department still requires \
                         two-factor sign-in."
                            .into(),
                    ),
                )
                .await;
            }
        }
    }
    two_factor::set_required(&state.db, holder(&s), require, now).await?;
    Ok(Redirect::to(ENROL).into_response())
}
