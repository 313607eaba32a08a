//! The `fake-stripe` binary, as a browser test or a demo runs it: it prints where it listens,
//! answers Stripe's API held to the contract, serves the hosted Checkout page, and sends signed
//! webhooks to the URL it was given.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use offduty_testkit::stripe::TEST_SECRET_KEY;
use serde_json::Value;
use sha2::Sha256;

/// Deliveries received: the `Stripe-Signature` header and the raw body.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-stripe"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Running(child), url)
}

#[tokio::test]
async fn the_binary_serves_the_api_the_hosted_page_and_signed_webhooks() {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |h: axum::http::HeaderMap, body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                let sig = h["stripe-signature"].to_str().unwrap().to_string();
                store.lock().unwrap().push((sig, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (_process, url) = start(&["--webhook-url", &hook, "--webhook-secret", "whsec_bin"]);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: &str, body: &str| {
        http.post(format!("{url}{path}"))
            .bearer_auth(TEST_SECRET_KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
    };

    let refused = post("/v1/customers", "nickname=x").await.unwrap();
    assert_eq!(refused.status(), 400);
    let v: Value = refused.json().await.unwrap();
    assert_eq!(v["error"]["param"], "nickname");

    let c: Value = post("/v1/customers", "name=Kroger&email=ap%40kroger.test")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cus = c["id"].as_str().unwrap();
    let s: Value = post(
        "/v1/checkout/sessions",
        &format!(
            "mode=setup&currency=usd&customer={cus}&payment_method_types[0]=card\
             &success_url=https%3A%2F%2Fconsole.test%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D\
             &cancel_url=https%3A%2F%2Fconsole.test%2Fno"
        ),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let page = s["url"].as_str().unwrap();
    assert!(page.starts_with(&url));
    let done = http
        .post(page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("method=card_4242")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        format!("https://console.test/ok?s={}", s["id"].as_str().unwrap()).as_str()
    );

    let mut delivered = Vec::new();
    for _ in 0..300 {
        delivered = got.lock().unwrap().clone();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (sig, body) = delivered.first().expect("a webhook");
    let (t, v1) = sig
        .strip_prefix("t=")
        .and_then(|r| r.split_once(",v1="))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_bin").unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&hex::decode(v1).unwrap()).unwrap();
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["data"]["object"]["id"], s["id"]);
}

#[test]
fn the_contract_names_its_source() {
    let c: Value = serde_json::from_str(offduty_testkit::stripe::contract::CONTRACT_JSON).unwrap();
    let src = &c["source"];
    assert_eq!(src["repository"], "https://github.com/stripe/openapi");
    assert_eq!(src["commit"].as_str().unwrap().len(), 40);
    assert!(src["api_version"].as_str().unwrap().starts_with("20"));
    let ops: Vec<String> = c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["method"].as_str().unwrap(),
                o["path"].as_str().unwrap()
            )
        })
        .collect();
    for needed in [
        "POST /v1/customers",
        "POST /v1/checkout/sessions",
        "GET /v1/checkout/sessions/{session}",
        "POST /v1/payment_intents",
        "POST /v1/accounts",
        "GET /v1/accounts/{account}",
        "POST /v1/account_links",
        "POST /v1/transfers",
    ] {
        assert!(
            ops.iter().any(|o| o == needed),
            "{needed} missing from the contract"
        );
    }
}
