//! `GET /v1/directory?q=`: officers find a colleague by name or badge to hand a shift on —
//! id, name, badge and rank only, active officers of their own department, a short query
//! required, the answer capped. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::StatusCode;
use serde_json::Value;

use common::{Backend, TestApp};
use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::Role;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["display_name"].as_str().unwrap().to_string())
        .collect()
}

async fn colleagues_are_found_by_name_or_badge_in_their_department_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (columbus, coord) = app.department("Columbus").await;
    let (dublin, _) = app.department("Dublin").await;
    let named = |dept, name: &'static str, badge: &'static str, rank| {
        let app = &app;
        async move {
            app.officer_with(dept, |u| {
                u.display_name = name.into();
                u.badge = badge.into();
                u.rank = rank;
            })
            .await
        }
    };
    let me = named(columbus, "Dana Reyes", "4412", Rank::Officer).await;
    let sergeant = named(columbus, "Sam Reynolds", "1187", Rank::Sergeant).await;
    named(columbus, "Pat 100%_Kim", "2290", Rank::Corporal).await;
    let gone = named(columbus, "Alex Reyna", "3301", Rank::Officer).await;
    sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1")
        .bind(gone.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Same name in another department: never listed.
    named(dublin, "Sam Reyes-Dublin", "4413", Rank::Officer).await;
    let customer = app
        .user(columbus, Role::Customer, "reyes-customer@test.dev")
        .await;

    // By part of a name, any case, sorted by name; disabled officers and other departments
    // are not there.
    let (s, body) = app.get("/v1/directory?q=rEy", &me).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["Dana Reyes", "Sam Reynolds"]);
    let first = &body[1];
    assert_eq!(first["id"], sergeant.id.to_string());
    assert_eq!(first["badge"], "1187");
    assert_eq!(first["rank"], "sergeant");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "no contact details: {keys:?}");

    // By badge; wildcards are plain characters.
    let (_, body) = app.get("/v1/directory?q=441", &me).await;
    assert_eq!(names(&body), ["Dana Reyes"]);
    let (_, body) = app.get("/v1/directory?q=0%25_", &me).await;
    assert_eq!(names(&body), ["Pat 100%_Kim"]);
    let (_, body) = app.get("/v1/directory?q=__", &me).await;
    assert!(names(&body).is_empty(), "`_` is not a wildcard: {body}");

    // Coordinators may search too; the limit caps the answer.
    let (s, body) = app.get("/v1/directory?q=re&limit=1", &coord).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(names(&body), ["Dana Reyes"]);

    // Too short, missing, too long, a bad limit: 422 naming the parameter.
    for (uri, field) in [
        ("/v1/directory?q=r", "q"),
        ("/v1/directory", "q"),
        ("/v1/directory?q=%20%20", "q"),
        ("/v1/directory?q=re&limit=0", "limit"),
        ("/v1/directory?q=re&limit=51", "limit"),
    ] {
        let (s, p) = app.get(uri, &me).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {p}");
        assert_eq!(p["field"], field, "{uri}: {p}");
    }
    let long = format!("/v1/directory?q={}", "x".repeat(65));
    let (s, p) = app.get(&long, &me).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_long"))
    );

    // Customers may not search; nobody anonymous may.
    let (s, _) = app.get("/v1/directory?q=rey", &customer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(reqwest::Method::GET, "/v1/directory?q=rey", None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

on_both_backends!(colleagues_are_found_by_name_or_badge_in_their_department_only);
