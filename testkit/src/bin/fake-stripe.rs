//! The contract fake of Stripe as a process, for browser tests and demos:
//! `fake-stripe [--port N] [--secret-key sk_test_…] [--webhook-url URL --webhook-secret whsec_…]`.
//! Prints `listening on http://127.0.0.1:<port>` on stdout, then serves until killed.
//! Point the server at it with `OFFDUTY_STRIPE_API_BASE` and `OFFDUTY_STRIPE_SECRET_KEY`.

use std::io::Write as _;

use offduty_testkit::stripe::{FakeStripe, Options, TEST_SECRET_KEY};

fn usage() -> ! {
    eprintln!(
        "usage: fake-stripe [--port N] [--secret-key KEY] [--webhook-url URL --webhook-secret SECRET]"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut options = Options::default();
    let mut webhook_url = None;
    let mut webhook_secret = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--port" => options.port = Some(value().parse().unwrap_or_else(|_| usage())),
            "--secret-key" => options.secret_key = Some(value()),
            "--webhook-url" => webhook_url = Some(value()),
            "--webhook-secret" => webhook_secret = Some(value()),
            _ => usage(),
        }
    }
    options.webhook = match (webhook_url, webhook_secret) {
        (Some(u), Some(s)) => Some((u, s)),
        (None, None) => None,
        _ => usage(),
    };
    let secret = options
        .secret_key
        .clone()
        .unwrap_or_else(|| TEST_SECRET_KEY.to_string());
    let fake = match FakeStripe::start_with(options).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fake-stripe: {e}");
            std::process::exit(1)
        }
    };
    // One line on stdout (what a launcher reads); the rest on stderr. A reader that goes away
    // must not stop the server, so write errors are ignored.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", fake.url());
    let _ = out.flush();
    eprintln!(
        "fake-stripe: secret key {secret}, Stripe-Version {}",
        fake.api_version()
    );
    let _ = tokio::signal::ctrl_c().await;
}
