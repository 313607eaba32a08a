//! The harness itself: the Kotlin and Swift tests start the server binary exactly as
//! `TestServer::demo` does (same flags, same "listening on" line), and a seeded department is
//! what the tests rely on — officers in seniority order who can sign in, and a server that can
//! be taken away and brought back on the same address with its data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};

use offduty_testkit::process::listening_url;
use offduty_testkit::server::demo_args;
use offduty_testkit::{Seed, TestServer};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The first `n` `"…"` literals from each place `text` names `"serve"`.
fn launches(text: &str, n: usize) -> Vec<Vec<&str>> {
    text.match_indices("\"serve\"")
        .map(|(at, _)| text[at..].split('"').skip(1).step_by(2).take(n).collect())
        .collect()
}

/// The Kotlin and Swift test sources that start the server binary.
fn foreign_launchers() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for (dir, ext) in [
        ("tests/kotlin", "kt"),
        ("ios/OffdutyCore/Tests/OffdutyCoreTests", "swift"),
    ] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == ext)
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .contains("\"serve\"")
            {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn kotlin_and_swift_start_the_demo_with_the_flags_and_line_testkit_uses() {
    let launchers = foreign_launchers();
    let names: Vec<String> = launchers
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == "ScreenTestSupport.kt")
            && names.iter().any(|n| n == "DemoServer.swift"),
        "the Kotlin and Swift launchers were not found: {names:?}"
    );
    for ext in [".kt", ".swift"] {
        assert_eq!(
            names.iter().filter(|n| n.ends_with(ext)).count(),
            1,
            "one launcher per language: {names:?}"
        );
    }
    let mut ours = vec!["serve".to_string()];
    ours.extend(demo_args("sqlite://FILE"));
    let (flags, url) = ours.split_at(ours.len() - 1);
    assert!(url[0].starts_with("sqlite://"));
    for path in &launchers {
        let text = std::fs::read_to_string(path).unwrap();
        for launch in launches(&text, ours.len()) {
            assert_eq!(launch[..flags.len()], *flags, "{}", path.display());
            assert!(
                launch[flags.len()].starts_with("sqlite://"),
                "{}: {launch:?}",
                path.display()
            );
        }
        assert!(
            text.contains(r"listening on (http://\\S+)")
                || text.contains(r"listening on (http://\S+)"),
            "{} does not read the address with `listening on (http://\\S+)`",
            path.display()
        );
    }
    // The rule they use, on the line the server prints.
    assert_eq!(
        listening_url(
            "offduty-server listening on http://127.0.0.1:8080  (API: http://127.0.0.1:8080/v1/openapi.json)"
        ),
        Some("http://127.0.0.1:8080")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_department_signs_in_and_survives_a_restart_on_the_same_address() {
    let mut server = TestServer::start_with(Seed::officers(2)).await;
    assert_eq!(server.officers.len(), 2);
    let token = server.coordinator_token().await;
    let (status, officers) = server
        .call(Method::GET, "/v1/officers", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{officers}");
    let seniority: Vec<(String, u64)> = officers
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                o["seniority"].as_u64().unwrap(),
            )
        })
        .collect();
    let seeded: Vec<String> = server.officers.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(
        seniority,
        [(seeded[0].clone(), 1), (seeded[1].clone(), 2)],
        "most senior first, in the order they were added"
    );

    let phone = server.phone(1).await;
    assert_eq!(phone.session().officer_id, server.officers[1].id);
    let job = server.create_job(Utc::now() + Duration::days(2), 1).await;

    let url = server.url.clone();
    server.stop();
    assert!(
        reqwest::get(format!("{url}/v1/ready")).await.is_err(),
        "still answering after stop"
    );
    server.restart();
    assert_eq!(server.url, url);
    let (status, found) = server
        .call(Method::GET, &format!("/v1/jobs/{job}"), Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the job after the restart: {found}");
    let report = phone.sync().await;
    assert!(report.offline.is_none(), "{report:?}");
    assert!(
        phone.core.job(job, None).is_ok(),
        "the phone pulled the job from the restarted server"
    );
}
