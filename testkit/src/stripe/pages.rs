//! The fake Stripe's hosted pages and webhook deliveries. The Checkout page at a session's `url`
//! is a plain HTML form (no script): choosing a card or a bank account and submitting saves it
//! on the session's SetupIntent and redirects (303) to `success_url` with the session id. The
//! Connect onboarding page does the same for an account link, back to its `return_url`.
//! Webhooks are signed as Stripe signs them (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 over
//! `"{t}.{body}"`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::Shared;
use super::objects::TestMethod;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><main><h1>{t}</h1><p><strong>Test mode: fake Stripe (offduty testkit)</strong></p>{body}</main></body></html>",
        t = escape(title)
    ))
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub async fn checkout_page(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let fake = s.lock();
    let Some(session) = fake.sessions.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<p>No such checkout session.</p>"),
        )
            .into_response();
    };
    if session["status"] != "open" {
        return (
            StatusCode::GONE,
            page("Session closed", "<p>This session is no longer open.</p>"),
        )
            .into_response();
    }
    let offered: Vec<&str> = session["payment_method_types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut choices = String::new();
    if offered.contains(&"card") {
        choices.push_str(
            "<p><label><input type=\"radio\" name=\"method\" value=\"card_4242\" checked> Card: Visa ending 4242</label></p>\
             <p><label><input type=\"radio\" name=\"method\" value=\"card_9995\"> Card: Visa ending 9995 (charges decline: insufficient funds)</label></p>",
        );
    }
    if offered.contains(&"us_bank_account") {
        choices.push_str(
            "<p><label><input type=\"radio\" name=\"method\" value=\"bank_6789\"> US bank account: STRIPE TEST BANK ending 6789</label></p>",
        );
    }
    let cancel = escape(session["cancel_url"].as_str().unwrap_or(""));
    let body = format!(
        "<form method=\"post\" action=\"/c/pay/{id}\"><fieldset><legend>Save a payment method</legend>{choices}</fieldset>\
         <button type=\"submit\">Save</button></form><p><a href=\"{cancel}\">Cancel</a></p>",
        id = escape(&id)
    );
    page("Set up a payment method", &body).into_response()
}

pub async fn checkout_submit(
    State(s): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let method = match form_value(&body, "method").as_deref() {
        Some("card_4242") => TestMethod::Visa,
        Some("card_9995") => TestMethod::VisaDeclined,
        Some("bank_6789") => TestMethod::Bank,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                page("Choose a method", "<p>Choose a payment method.</p>"),
            )
                .into_response();
        }
    };
    let result = s.lock().complete_session(&id, method);
    s.flush_webhooks();
    match result {
        Ok(success) => Redirect::to(&success).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page("Cannot save", &format!("<p>{}</p>", escape(&e))),
        )
            .into_response(),
    }
}

pub async fn onboarding_page(State(s): State<Shared>, Path(link): Path<String>) -> Response {
    let fake = s.lock();
    let Some((account, _, _)) = fake.account_links.get(&link) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<p>This link is not valid.</p>"),
        )
            .into_response();
    };
    let body = format!(
        "<p>Account {}</p><form method=\"post\" action=\"/connect/onboarding/{}\">\
         <button type=\"submit\">Agree and submit</button></form>",
        escape(account),
        escape(&link)
    );
    page("Set up payouts", &body).into_response()
}

pub async fn onboarding_submit(State(s): State<Shared>, Path(link): Path<String>) -> Response {
    let result = {
        let mut fake = s.lock();
        match fake.account_links.remove(&link) {
            Some((account, _, return_url)) => {
                fake.complete_onboarding(&account).map(|()| return_url)
            }
            None => Err("This link was used or is not valid.".to_string()),
        }
    };
    s.flush_webhooks();
    match result {
        Ok(return_url) => Redirect::to(&return_url).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page("Cannot continue", &format!("<p>{}</p>", escape(&e))),
        )
            .into_response(),
    }
}

/// The `Stripe-Signature` header for `payload` at `t` with `secret`.
pub fn signature_header(payload: &[u8], secret: &str, t: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return format!("t={t}");
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// POSTs one event, signed, to `url`; the endpoint's status, or why it could not be reached.
pub async fn deliver(url: &str, secret: &str, event: &Value) -> Result<u16, String> {
    let payload = event.to_string();
    let header = signature_header(payload.as_bytes(), secret, chrono::Utc::now().timestamp());
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("stripe-signature", header)
        .body(payload)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}
