//! A request the server refuses before reading its body (a 401 on `POST /v1/actions`, a 413,
//! a 404 with a body) must not poison the connection it came on: the client gets the refusal,
//! and its next request on the same kept-alive connection works (decision 015).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Backend, TestApp};
use offduty_server::drain::DRAIN_LIMIT;
use offduty_server::extract::MAX_BODY_BYTES;

/// One HTTP/1.1 response read off a raw socket.
#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one response (the server sends Content-Length bodies here) from `rd`, keeping any
/// bytes past it in `buf`. `Err` says how the connection failed instead.
async fn read_response<R: AsyncRead + Unpin>(
    rd: &mut R,
    buf: &mut Vec<u8>,
) -> Result<RawResponse, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_string();
            let mut lines = head.split("\r\n");
            let status = lines
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("bad status line in {head:?}"))?;
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            if buf.len() >= i + 4 + len {
                let body = String::from_utf8_lossy(&buf[i + 4..i + 4 + len]).to_string();
                buf.drain(..i + 4 + len);
                return Ok(RawResponse {
                    status,
                    headers,
                    body,
                });
            }
        }
        let n = tokio::time::timeout_at(deadline, rd.read(&mut chunk))
            .await
            .map_err(|_| "no response within 20 s".to_string())?
            .map_err(|e| format!("connection failed: {e}"))?;
        if n == 0 {
            return Err("connection closed by the server".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A JSON body of exactly `len` bytes (an empty batch padded with spaces).
fn padded_json(len: usize) -> Vec<u8> {
    let mut body = br#"{"actions":[]}"#.to_vec();
    body.resize(len.max(14), b' ');
    body
}

/// What became of a refused request and of the next one on the same connection.
#[derive(Debug)]
struct Exchange {
    first: Result<RawResponse, String>,
    second: Result<RawResponse, String>,
}

/// On one connection: `POST path` with `body` (written by another task while the answer is
/// read, as a client streaming its body does), then `GET /v1/health`.
async fn refused_then_next(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> Exchange {
    let s = TcpStream::connect(app.addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let (mut rd, mut wr) = s.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    let writer = tokio::spawn(async move {
        let r = async {
            wr.write_all(head.as_bytes()).await?;
            wr.write_all(&body).await
        }
        .await;
        (wr, r)
    });
    let mut buf = Vec::new();
    let first = read_response(&mut rd, &mut buf).await;
    let (mut wr, wrote) = writer.await.unwrap();
    let first = match (first, wrote) {
        (Ok(r), _) => Ok(r),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(w)) => Err(format!("{e}; writing the body: {w}")),
    };
    let get = format!("GET /v1/health HTTP/1.1\r\nHost: {}\r\n\r\n", app.addr);
    let second = match wr.write_all(get.as_bytes()).await {
        Ok(()) => read_response(&mut rd, &mut buf).await,
        Err(e) => Err(format!("sending the next request failed: {e}")),
    };
    Exchange { first, second }
}

/// The refusal arrives whole, and the next request on the connection is answered.
fn assert_connection_survives(x: &Exchange, status: u16, problem_type: &str) {
    let first = x
        .first
        .as_ref()
        .unwrap_or_else(|e| panic!("the refusal never arrived: {e} (then: {:?})", x.second));
    assert_eq!(first.status, status, "{first:?}");
    assert!(
        first.body.contains(problem_type),
        "a {problem_type} problem: {first:?}"
    );
    assert!(first.body.contains("\"request_id\""), "{first:?}");
    let second = x.second.as_ref().unwrap_or_else(|e| {
        panic!(
            "the request after a {status} on the same connection failed: {e}; the refusal said \
             connection: {:?}",
            first.header("connection")
        )
    });
    assert_eq!(second.status, 200, "{second:?}");
    assert_eq!(second.body, "ok");
}

const LARGE: usize = 600 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_before_a_large_body_leaves_the_connection_usable() {
    let app = TestApp::start(Backend::Sqlite).await;
    for _ in 0..5 {
        let x =
            refused_then_next(&app, "/v1/actions", "expired.or.forged", padded_json(LARGE)).await;
        assert_connection_survives(&x, 401, "/problems/unauthorized");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_before_a_small_body_leaves_the_connection_usable() {
    let app = TestApp::start(Backend::Sqlite).await;
    let x = refused_then_next(&app, "/v1/actions", "expired.or.forged", padded_json(2048)).await;
    assert_connection_survives(&x, 401, "/problems/unauthorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_413_for_a_body_over_the_limit_leaves_the_connection_usable() {
    let app = TestApp::start(Backend::Sqlite).await;
    let (_, coord) = app.department("Drain").await;
    let x = refused_then_next(
        &app,
        "/v1/jobs",
        &coord.token,
        padded_json(MAX_BODY_BYTES + 300 * 1024),
    )
    .await;
    assert_connection_survives(&x, 413, "/problems/payload-too-large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_with_a_body_leaves_the_connection_usable() {
    let app = TestApp::start(Backend::Sqlite).await;
    let x = refused_then_next(&app, "/v1/no-such-route", "x", padded_json(LARGE)).await;
    assert_connection_survives(&x, 404, "/problems/not-found");
}

/// Past the drain limit the server does not read on: it says so with `Connection: close`, so a
/// client knows to open a new connection rather than reuse this one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_past_the_drain_limit_is_answered_with_connection_close() {
    let app = TestApp::start(Backend::Sqlite).await;
    let s = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    // Declares more than the drain limit and sends only the head: the answer must come anyway.
    let head = format!(
        "POST /v1/actions HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        DRAIN_LIMIT + 1
    );
    wr.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let r = read_response(&mut rd, &mut buf).await.unwrap();
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(r.header("connection"), Some("close"), "{r:?}");
}

/// The same through a pooled HTTP client, as the phone's sync engine uses one: a refused
/// upload is seen as the refusal (not as a network error), and the next call works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_client_sees_the_refusal_and_its_next_request_works() {
    let app = TestApp::start(Backend::Sqlite).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for i in 0..30 {
        let r = client
            .post(format!("{}/v1/actions", app.url))
            .bearer_auth("expired.or.forged")
            .header("content-type", "application/json")
            .body(padded_json(LARGE))
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {i}: the 401 was lost: {e:?}"));
        assert_eq!(r.status(), 401, "round {i}");
        r.text().await.unwrap();
        let r = client
            .get(format!("{}/v1/health", app.url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {i}: the next request failed: {e:?}"));
        assert_eq!(r.status(), 200, "round {i}");
    }
}
