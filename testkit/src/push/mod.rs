//! Contract fakes of the push providers (decision 041): local servers that speak Firebase Cloud
//! Messaging's HTTP v1 API with Google's OAuth2 token endpoint ([`fcm`]) and the Apple Push
//! Notification service's HTTP/2 API ([`apns`]), each checking what the provider's published
//! documentation requires and answering with the provider's own success and error shapes.
//! A request the provider would refuse is refused here too, and noted in `violations()` so a
//! test can assert there were none.

pub mod apns;
pub mod fcm;

use std::collections::VecDeque;
use std::net::SocketAddr;

/// A random loopback port to serve a fake on, bound now so its address is known.
pub(crate) async fn bind() -> Result<(tokio::net::TcpListener, SocketAddr), String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, addr))
}

/// Serves `app` (HTTP/1.1, and HTTP/2 with prior knowledge) on the test's runtime.
pub(crate) fn serve(listener: tokio::net::TcpListener, app: axum::Router) {
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

/// Failures to inject: the next requests answer these statuses.
#[derive(Debug, Default)]
pub(crate) struct Failures(VecDeque<u16>);

impl Failures {
    pub(crate) fn push(&mut self, status: u16, times: usize) {
        self.0.extend(std::iter::repeat_n(status, times));
    }
    pub(crate) fn next(&mut self) -> Option<u16> {
        self.0.pop_front()
    }
}

/// Splits a compact JWS into its decoded header, claims, signing input and signature.
pub(crate) fn split_jwt(
    jwt: &str,
) -> Result<(serde_json::Value, serde_json::Value, String, Vec<u8>), String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err("a JWT has three parts".into());
    };
    let dec = |p: &str| b64.decode(p).map_err(|e| format!("not base64url: {e}"));
    let header = serde_json::from_slice(&dec(h)?).map_err(|e| format!("header: {e}"))?;
    let claims = serde_json::from_slice(&dec(c)?).map_err(|e| format!("claims: {e}"))?;
    Ok((header, claims, format!("{h}.{c}"), dec(s)?))
}

/// Seconds since the epoch, now.
pub(crate) fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
