//! The OpenAPI document in `docs/api/` is the one the server serves, and every operation it
//! lists is routed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestApp};
use offduty_server::openapi::{OPERATIONS, document_json};

#[test]
fn checked_in_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api/openapi.json");
    let on_disk = std::fs::read_to_string(path).unwrap();
    assert!(
        on_disk == document_json(),
        "docs/api/openapi.json is stale: run `cargo run -p offduty-server -- openapi > docs/api/openapi.json`"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::start(Backend::Sqlite).await;
    for op in OPERATIONS {
        let path = op
            .path
            .replace("{id}", "00000000-0000-7000-8000-000000000000");
        let method = op.method.to_uppercase().parse().unwrap();
        let (status, body) = app.call(method, &path, None, None).await;
        let unrouted = body["detail"]
            .as_str()
            .unwrap_or("")
            .starts_with("no such route")
            || body["title"] == "Method not allowed";
        assert!(
            !unrouted,
            "{} {} is documented but not routed ({status})",
            op.method, op.path
        );
    }
}
