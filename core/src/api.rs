//! The HTTP client for the server's `/v1` API (reqwest with rustls). Problem details become
//! [`CoreError`]s; transport failures become `Offline` so callers keep work queued.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_domain::prefs::Preferences;
use offduty_domain::protocol::{
    ActionBatch, ActionResults, Device, LoginRequest, Problem, RefreshRequest, RegisterDevice,
    SyncResponse, TokenResponse,
};
use offduty_domain::push::PushToken;
use offduty_domain::validation::InvalidCode;

use crate::error::{CoreError, Result};

/// A notification as `GET /v1/notifications` lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NotificationInfo {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Body bytes of one call: JSON sent, and JSON received after transparent gzip decoding (the
/// compressed size on the network is smaller; see docs/benchmarks.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireBytes {
    pub sent: u64,
    pub received: u64,
}

/// The server's API.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    /// A client for `base_url` (e.g. `https://detail.example.gov`).
    /// Plain `http://` is refused unless the host is loopback (a server on this machine) or
    /// `allow_insecure` (an explicit development setting): session tokens and signed punches
    /// must not cross a network in clear text.
    pub fn new(base_url: &str, timeout: Duration, allow_insecure: bool) -> Result<Api> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base).map_err(|e| {
            CoreError::invalid(
                "server_url",
                InvalidCode::BadFormat,
                format!("{base:?}: {e}"),
            )
        })?;
        check_scheme(&parsed, allow_insecure)?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("offduty-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CoreError::Internal(format!("http client: {e}")))?;
        Ok(Api { base, http })
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<(T, WireBytes)> {
        let (bytes, wire) = self.call_bytes(method, path, token, body).await?;
        let body = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        let value = serde_json::from_slice(body)
            .map_err(|e| CoreError::Server(format!("unreadable answer from {path}: {e}")))?;
        Ok((value, wire))
    }

    /// Sends a request; a success's body as bytes, a failure as the problem it carries.
    async fn call_bytes<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<(Vec<u8>, WireBytes)> {
        let payload = body.map(serde_json::to_vec).transpose()?;
        let sent = payload.as_ref().map_or(0, |b| b.len() as u64);
        let request = || {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(bytes) = &payload {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            req
        };
        // A kept-alive connection the network dropped while the phone was offline fails the
        // first request sent on it once the network is back, although the server is reachable.
        // That request is sent once more, on a new connection. Repeating is harmless here:
        // actions carry idempotency keys, a refresh retried within the grace window gets the
        // same successor (decision 021), reads are reads, and a repeated sign-in or device
        // registration at worst leaves an unused session or device row. A failed connect or a
        // timeout is not repeated: that is the network being down.
        let resp = match request().send().await {
            Ok(resp) => resp,
            Err(e) if e.is_request() && !e.is_connect() && !e.is_timeout() => {
                tracing::debug!(error = %e, path, "request failed on a kept-alive connection; sending it again");
                request().send().await.map_err(transport)?
            }
            Err(e) => return Err(transport(e)),
        };
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        let wire = WireBytes {
            sent,
            received: bytes.len() as u64,
        };
        if status.is_success() {
            return Ok((Vec::from(bytes), wire));
        }
        // RFC 9457: a body that is not a problem detail is "about:blank" with the status.
        let problem = serde_json::from_slice::<Problem>(&bytes).unwrap_or_else(|_| Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("").into(),
            status: status.as_u16(),
            detail: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            field: None,
            code: None,
            index: None,
            applied_before: None,
            retry_after_s: None,
            request_id: None,
        });
        Err(match status {
            StatusCode::UNAUTHORIZED => CoreError::Unauthorized(problem.detail),
            s if s.is_server_error() => CoreError::Server(format!("{s}: {}", problem.detail)),
            _ => CoreError::Http(Box::new(problem)),
        })
    }

    /// `POST /v1/auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse> {
        let body = LoginRequest {
            email: email.to_string(),
            password: password.to_string(),
            otp: None,
        };
        Ok(self
            .call(Method::POST, "/v1/auth/login", None, Some(&body))
            .await?
            .0)
    }

    /// `POST /v1/auth/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_string(),
        };
        Ok(self
            .call(Method::POST, "/v1/auth/refresh", None, Some(&body))
            .await?
            .0)
    }

    /// `POST /v1/auth/logout`.
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_string(),
        };
        let _: (serde_json::Value, _) = self
            .call(Method::POST, "/v1/auth/logout", None, Some(&body))
            .await?;
        Ok(())
    }

    /// `POST /v1/devices`.
    pub async fn register_device(
        &self,
        token: &str,
        public_key: &str,
        label: &str,
    ) -> Result<Device> {
        let body = RegisterDevice {
            public_key: public_key.to_string(),
            label: label.to_string(),
        };
        Ok(self
            .call(Method::POST, "/v1/devices", Some(token), Some(&body))
            .await?
            .0)
    }

    /// `GET /v1/devices`.
    pub async fn devices(&self, token: &str) -> Result<Vec<Device>> {
        Ok(self
            .call::<(), _>(Method::GET, "/v1/devices", Some(token), None)
            .await?
            .0)
    }

    /// `POST /v1/actions`.
    pub async fn actions(
        &self,
        token: &str,
        batch: &ActionBatch,
    ) -> Result<(ActionResults, WireBytes)> {
        self.call(Method::POST, "/v1/actions", Some(token), Some(batch))
            .await
    }

    /// `GET /v1/sync?cursor=N`.
    pub async fn sync(&self, token: &str, cursor: u64) -> Result<(SyncResponse, WireBytes)> {
        self.call::<(), _>(
            Method::GET,
            &format!("/v1/sync?cursor={cursor}"),
            Some(token),
            None,
        )
        .await
    }

    /// `GET /v1/me/history.pdf`: the signed-in officer's own history (the last 365 days) as a
    /// PDF document.
    pub async fn history_pdf(&self, token: &str) -> Result<Vec<u8>> {
        let (bytes, _) = self
            .call_bytes::<()>(Method::GET, "/v1/me/history.pdf", Some(token), None)
            .await?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(CoreError::Server(
                "the history download is not a PDF document".into(),
            ));
        }
        Ok(bytes)
    }

    /// `GET /v1/notifications`: the signed-in user's, newest first.
    pub async fn notifications(&self, token: &str) -> Result<Vec<NotificationInfo>> {
        Ok(self
            .call::<(), _>(Method::GET, "/v1/notifications", Some(token), None)
            .await?
            .0)
    }

    /// `GET /v1/directory?q=&limit=` (the query is percent-encoded here).
    pub async fn directory(
        &self,
        token: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<offduty_domain::directory::DirectoryEntry>> {
        let mut url = reqwest::Url::parse(&format!("{}/v1/directory", self.base))
            .map_err(|e| CoreError::Internal(format!("directory url: {e}")))?;
        url.query_pairs_mut()
            .append_pair("q", query)
            .append_pair("limit", &limit.to_string());
        let path = format!("/v1/directory?{}", url.query().unwrap_or(""));
        Ok(self
            .call::<(), _>(Method::GET, &path, Some(token), None)
            .await?
            .0)
    }

    /// `PUT /v1/devices/{id}/push-token`.
    pub async fn put_push_token(&self, token: &str, device: Uuid, push: &PushToken) -> Result<()> {
        let _: (serde_json::Value, _) = self
            .call(
                Method::PUT,
                &format!("/v1/devices/{device}/push-token"),
                Some(token),
                Some(push),
            )
            .await?;
        Ok(())
    }

    /// `DELETE /v1/devices/{id}/push-token`.
    pub async fn delete_push_token(&self, token: &str, device: Uuid) -> Result<()> {
        let _: (serde_json::Value, _) = self
            .call::<(), _>(
                Method::DELETE,
                &format!("/v1/devices/{device}/push-token"),
                Some(token),
                None,
            )
            .await?;
        Ok(())
    }

    /// `GET /v1/me/payout-account`.
    pub async fn payout_account(
        &self,
        token: &str,
    ) -> Result<offduty_domain::payouts::PayoutAccount> {
        Ok(self
            .call::<(), _>(Method::GET, "/v1/me/payout-account", Some(token), None)
            .await?
            .0)
    }

    /// `POST /v1/me/payout-account/link`.
    pub async fn payout_setup_link(
        &self,
        token: &str,
    ) -> Result<offduty_domain::payouts::PayoutSetupLink> {
        Ok(self
            .call::<(), _>(
                Method::POST,
                "/v1/me/payout-account/link",
                Some(token),
                None,
            )
            .await?
            .0)
    }

    /// `PUT /v1/me/timecards/{id}/site-rating`.
    pub async fn put_site_rating(
        &self,
        token: &str,
        timecard: Uuid,
        form: &offduty_domain::ratings::SiteRatingForm,
    ) -> Result<()> {
        let _: (serde_json::Value, _) = self
            .call(
                Method::PUT,
                &format!("/v1/me/timecards/{timecard}/site-rating"),
                Some(token),
                Some(form),
            )
            .await?;
        Ok(())
    }

    /// `GET /v1/me/reliability`: the figures (the tags and comments are left to the screens
    /// that show them).
    pub async fn my_reliability(
        &self,
        token: &str,
    ) -> Result<offduty_domain::ratings::Reliability> {
        #[derive(serde::Deserialize)]
        struct Mine {
            reliability: offduty_domain::ratings::Reliability,
        }
        let (mine, _): (Mine, _) = self
            .call::<(), _>(Method::GET, "/v1/me/reliability", Some(token), None)
            .await?;
        Ok(mine.reliability)
    }

    /// `PUT /v1/preferences`.
    pub async fn put_preferences(&self, token: &str, prefs: &Preferences) -> Result<Preferences> {
        Ok(self
            .call(Method::PUT, "/v1/preferences", Some(token), Some(prefs))
            .await?
            .0)
    }
}

/// Refuses a scheme other than https, except http to a loopback host or when allowed.
fn check_scheme(url: &reqwest::Url, allow_insecure: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url.host_str().unwrap_or("");
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback || allow_insecure {
                Ok(())
            } else {
                Err(CoreError::invalid(
                    "server_url",
                    InvalidCode::BadFormat,
                    "use an https:// address: plain http:// is allowed only to this machine \
                     (localhost) or with the development setting that allows insecure servers",
                ))
            }
        }
        _ => Err(CoreError::invalid(
            "server_url",
            InvalidCode::BadFormat,
            "use an https:// address",
        )),
    }
}

fn transport(e: reqwest::Error) -> CoreError {
    if e.is_decode() {
        CoreError::Server(e.to_string())
    } else {
        CoreError::Offline(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(url: &str, allow_insecure: bool) -> Result<Api> {
        Api::new(url, Duration::from_secs(5), allow_insecure)
    }

    #[test]
    fn plain_http_is_refused_except_to_this_machine_or_by_explicit_setting() {
        assert!(api("https://detail.columbus.example", false).is_ok());
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(api(local, false).is_ok(), "{local}");
        }
        let refused = api("http://detail.columbus.example", false);
        let Err(CoreError::Invalid(e)) = refused else {
            panic!("expected a refusal, got {:?}", refused.err())
        };
        assert_eq!(
            (e.field.as_str(), e.code),
            ("server_url", InvalidCode::BadFormat)
        );
        assert!(api("http://10.0.0.5:8080", true).is_ok());
        assert!(api("ftp://detail.columbus.example", true).is_err());
        assert!(api("not a url", true).is_err());
    }
}
