//! The coordinator's remaining console pages (issue 11, decision 045), on SQLite and
//! PostgreSQL: the rate card, timecards needing review with the punch on a map, officers, the
//! audit log with its chain verified, and department settings. Each page is for coordinators
//! only; each form checks its CSRF token, shows a refused value beside its field with what was
//! typed, saves through the API's service and is audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

use common::browser::{Browser, Page, audit_actions};
use common::{Actor, Backend, PASSWORD, TestApp, TestDevice, punch_action};
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::protocol::Role;
use offduty_domain::timecard::PunchKind;
use offduty_server::services::audit::{self, AuditEntry};
use offduty_server::services::rate_card;

const STADIUM: (f64, f64) = (40.0017, -83.0197);

const PAGES: [&str; 6] = [
    "/console/rate-card",
    "/console/timecards",
    "/console/officers",
    "/console/audit",
    "/console/settings",
    "/console/officers/00000000-0000-0000-0000-000000000000",
];

/// The rate card form as the page shows the default card, as (name, value) pairs.
fn default_card_form() -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("construction", "70.00"),
        ("event", "60.00"),
        ("security", "55.00"),
        ("traffic", "65.00"),
    ]
    .iter()
    .enumerate()
    .flat_map(|(i, (t, r))| {
        [
            (format!("type{i}"), t.to_string()),
            (format!("rate{i}"), r.to_string()),
        ]
    })
    .collect();
    for (k, v) in [
        ("default_rate", "55.00"),
        ("holiday_multiplier", "1.5"),
        ("holidays", ""),
        ("short_notice_multiplier", "1.25"),
        ("short_notice_hours", "24"),
        ("min_billable_minutes", "180"),
        ("rounding_increment_minutes", "15"),
        ("vehicle_fee", "15.00"),
        ("admin_fee", "5.00"),
        ("event_fee", "3"),
        ("late_cancel_hours", "24"),
        ("timecard_review_hours", "72"),
    ] {
        f.push((k.to_string(), v.to_string()));
    }
    f
}

fn with(form: &[(String, String)], changes: &[(&str, &str)], csrf: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| {
            let v = changes
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| v.clone());
            (k.clone(), v)
        })
        .collect();
    for (k, v) in changes {
        if !f.iter().any(|(x, _)| x == k) {
            f.push((k.to_string(), v.to_string()));
        }
    }
    f.push(("csrf".into(), csrf.into()));
    f
}

async fn post(b: &mut Browser<'_>, path: &str, form: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

async fn pages_are_for_coordinators_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let customer = app.user(dept, Role::Customer, "events@stadium.test").await;
    let mut nobody = Browser::new(&app);
    let mut cust = Browser::new(&app);
    assert_eq!(
        cust.sign_in(&customer.email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut c = Browser::new(&app);
    c.signed_in(&coord).await;
    for path in PAGES {
        let page = nobody.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), "/console/sign-in", "{path}");
        let page = cust.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("coordinators"), "{path}");
    }
    for path in &PAGES[..5] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        for banned in ["<script", "style=", "<style"] {
            assert!(!page.body.contains(banned), "{path}: {banned}");
        }
        // Every new page is in the navigation, and marked current on itself.
        for link in [
            "/console/rate-card",
            "/console/timecards",
            "/console/officers",
            "/console/audit",
            "/console/settings",
        ] {
            assert!(
                page.body.contains(&format!("href=\"{link}\"")),
                "{path} links {link}"
            );
        }
        assert!(
            page.body
                .contains(&format!("href=\"{path}\" aria-current=\"page\"")),
            "{path} is current"
        );
    }
    // Forms posted without a session or as a customer change nothing.
    for path in ["/console/rate-card", "/console/settings"] {
        assert_eq!(nobody.post(path, &[]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(cust.post(path, &[]).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        c.get(PAGES[5]).await.status,
        StatusCode::NOT_FOUND,
        "no such officer"
    );
}

async fn the_rate_card_is_edited_checked_by_the_domain_and_audited(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let page = b.get("/console/rate-card").await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "value=\"65.00\"",
        "value=\"1.5\"",
        "value=\"3\"",
        "value=\"72\"",
        "value=\"traffic\"",
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    let csrf = page.csrf();
    let form = default_card_form();
    let before = rate_card::current(&app.db, dept).await.unwrap();

    // Without the token: refused, nothing saved.
    let mut no_token = form.clone();
    no_token.push(("csrf".into(), "forged".into()));
    assert_eq!(
        post(&mut b, "/console/rate-card", &no_token).await.status,
        StatusCode::FORBIDDEN
    );

    // Unreadable amounts are errors on their field, with what was typed kept.
    for (field, typed) in [
        ("vehicle_fee", "12.345"),
        ("admin_fee", "abc"),
        ("rate1", "sixty"),
        ("event_fee", "3.125"),
        ("holidays", "Christmas"),
    ] {
        let page = post(
            &mut b,
            "/console/rate-card",
            &with(&form, &[(field, typed)], &csrf),
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            page.body
        );
        assert!(
            page.body.contains(&format!("id=\"{field}-error\"")) || page.body.contains("-error\""),
            "{field}"
        );
        assert!(
            page.body.contains(typed),
            "{field}: the typed value is kept"
        );
        assert!(page.body.contains("aria-invalid=\"true\""), "{field}");
    }
    // A readable value the domain refuses: its message, beside its field.
    let page = post(
        &mut b,
        "/console/rate-card",
        &with(&form, &[("holiday_multiplier", "0.5")], &csrf),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let err = page
        .between("id=\"holiday_multiplier-error\">", "</p>")
        .expect("error beside the field");
    assert!(
        err.contains("Holiday multiplier") && err.contains("between 10000 and 100000"),
        "{err}"
    );
    assert!(page.body.contains("value=\"0.5\""));
    let page = post(
        &mut b,
        "/console/rate-card",
        &with(&form, &[("rate3", "20000.00")], &csrf),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"type3-error\""), "the traffic row");
    assert_eq!(
        rate_card::current(&app.db, dept).await.unwrap(),
        before,
        "nothing saved"
    );
    assert!(
        !audit_actions(&app, dept)
            .await
            .iter()
            .any(|(a, _)| a == "rate_card_set")
    );

    // A good card: saved (post/redirect/get), in cents, and audited.
    let changes = [
        ("vehicle_fee", "20.50"),
        ("event_fee", "3.5"),
        ("holidays", "2026-12-25\n2027-01-01"),
        ("type0", ""),
        ("rate0", ""),
        ("type4", "parade"),
        ("rate4", "72.25"),
        ("late_cancel_hours", "48"),
    ];
    let done = post(&mut b, "/console/rate-card", &with(&form, &changes, &csrf)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/rate-card?saved=1");
    let card = rate_card::current(&app.db, dept).await.unwrap();
    assert_eq!(card.vehicle_fee_cents_per_hour, 2050);
    assert_eq!(card.event_fee_bp, 350);
    assert_eq!(card.late_cancel_hours, 48);
    assert_eq!(card.pay.rates_cents.get("parade"), Some(&7225));
    assert_eq!(
        card.pay.rates_cents.get("construction"),
        None,
        "a cleared row is removed"
    );
    assert_eq!(card.pay.holidays.len(), 2);
    let shown = b.get("/console/rate-card?saved=1").await;
    assert!(shown.body.contains("Rate card saved"));
    assert!(shown.body.contains("value=\"20.50\"") && shown.body.contains("value=\"3.5\""));
    let audit = audit_actions(&app, dept).await;
    let (_, detail) = audit
        .iter()
        .find(|(a, _)| a == "rate_card_set")
        .expect("audited");
    assert!(
        detail.contains("\"vehicle_fee_cents_per_hour\":2050"),
        "{detail}"
    );
}

/// An officer's shift whose clock-in needs review (180 m accuracy at the site) and whose
/// clock-out is 2 km away: the card needs review.
async fn flagged_shift(
    app: &TestApp,
    coord: &Actor,
    officer: &Actor,
) -> (String, serde_json::Value) {
    let job = app.job(coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap().to_string();
    app.claim(officer, &id).await;
    let now = Utc::now();
    app.set_job_times(&id, now - Duration::hours(3), now + Duration::hours(1))
        .await;
    let mut device = TestDevice::register(app, officer).await;
    let ev = device.punch(
        officer,
        &id,
        PunchKind::In,
        now - Duration::hours(3),
        STADIUM.0,
        STADIUM.1,
        180.0,
    );
    assert_eq!(
        app.act(officer, punch_action(PunchKind::In, &ev)).await["verdict"],
        "needs_review"
    );
    let ev = device.punch(
        officer,
        &id,
        PunchKind::Out,
        now - Duration::minutes(1),
        STADIUM.0 + 0.02,
        STADIUM.1,
        5.0,
    );
    assert_eq!(
        app.act(officer, punch_action(PunchKind::Out, &ev)).await["verdict"],
        "rejected"
    );
    let (_, cards) = app.get("/v1/timecards", coord).await;
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["job_id"] == job["id"])
        .unwrap()
        .clone();
    assert_eq!(card["status"], "needs_review");
    (card["id"].as_str().unwrap().to_string(), job)
}

async fn flagged_timecards_show_the_punch_on_a_map_and_are_decided_here(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let (tc, job) = flagged_shift(&app, &coord, &officer).await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let page = b.get("/console/timecards").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(job["title"].as_str().unwrap()));
    // The classifier's reasons, in words.
    assert!(page.body.contains("Accuracy 180 m"), "{}", page.body);
    assert!(page.body.contains("Outside the fence by"), "{}", page.body);
    // The map: an inline SVG with the fence and both punches, and its text alternative.
    let svg = page.between("<svg class=\"map\"", "</svg>").expect("a map");
    assert!(
        svg.contains("<circle class=\"fence\" cx=\"0.0\" cy=\"0.0\""),
        "{svg}"
    );
    assert!(
        svg.contains("class=\"punch-in\"") && svg.contains("class=\"punch-out\""),
        "{svg}"
    );
    let fence: Geofence = serde_json::from_value(job["geofence"].clone()).unwrap();
    let out = GeoPoint::new(STADIUM.0 + 0.02, STADIUM.1);
    let metres = fence.distance_outside_m(out).round() as i64;
    assert!(metres > 1500, "{metres}");
    let sentence = format!("Clock-out: {metres} m outside the fence (fix accurate to 5 m).");
    assert!(page.body.contains(&sentence), "{sentence}\n{}", page.body);
    assert!(svg.contains(&sentence), "the SVG's description says it too");
    assert!(
        page.body.contains("Clock-in: inside the fence"),
        "{}",
        page.body
    );
    // North is up: the clock-out, 2 km north, is drawn above the centre.
    let marker = svg.split("class=\"punch-out\"").nth(1).unwrap();
    let cy: f64 = marker
        .split("cy=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cy < -1500.0, "{cy}");
    let csrf = page.csrf();

    // Without a token, nothing happens; approving a flagged card needs a note.
    let path = format!("/console/timecards/{tc}/approve");
    assert_eq!(
        b.post(&path, &[("note", "ok")]).await.status,
        StatusCode::FORBIDDEN
    );
    let page = b.post(&path, &[("csrf", &csrf), ("note", "  ")]).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("This timecard needs review: say what you checked"),
        "{}",
        page.body
    );
    let page = b
        .post(
            &format!("/console/timecards/{tc}/reject"),
            &[("csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Rejected with a reason: the officer is told; audited.
    let reason = "Your clock-out was 2 km from the site.";
    let done = b
        .post(
            &format!("/console/timecards/{tc}/reject"),
            &[("csrf", &csrf), ("reason", reason)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/timecards?done=rejected");
    let (_, cards) = app.get("/v1/timecards", &officer).await;
    assert_eq!(cards[0]["status"], "rejected");
    assert_eq!(cards[0]["rejection_reason"], reason);
    let audit = audit_actions(&app, dept).await;
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "timecard_rejected" && d.contains(reason)),
        "{audit:?}"
    );
    let page = b.get("/console/timecards?done=rejected").await;
    assert!(page.body.contains("No timecard needs review."));
    assert!(page.body.contains("Timecard rejected"));
    // A rejected card cannot be rejected again: the refusal is shown, not a 500.
    let again = b
        .post(
            &format!("/console/timecards/{tc}/reject"),
            &[("csrf", &csrf), ("reason", reason)],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // A second flagged card approved with a note.
    let (tc2, _) = flagged_shift(&app, &coord, &officer).await;
    let done = b
        .post(
            &format!("/console/timecards/{tc2}/approve"),
            &[
                ("csrf", &csrf),
                ("note", "Called the site; the officer was there."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let audit = audit_actions(&app, dept).await;
    assert!(audit.iter().any(|(a, _)| a == "timecard_approved"));
    // Another department's card is not found.
    let (_, other) = app.department("Dayton").await;
    let mut o = Browser::new(&app);
    let other_csrf = o.signed_in(&other).await.csrf();
    let page = o
        .post(
            &format!("/console/timecards/{tc2}/approve"),
            &[("csrf", &other_csrf), ("note", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

async fn officers_are_listed_with_their_hours_and_can_be_disabled(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let officer = app.officer(dept).await;
    let idle = app.officer(dept).await;
    let (tc, job) = flagged_shift(&app, &coord, &officer).await;
    let minutes: i64 = sqlx::query("SELECT worked_minutes FROM timecards WHERE id = $1")
        .bind(&tc)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("worked_minutes")
        .unwrap();
    assert!(minutes > 0);
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let list = b.get("/console/officers").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body
            .contains(&format!("/console/officers/{}", officer.id))
    );
    assert!(
        list.body
            .contains(&format!("/console/officers/{}", idle.id))
    );
    let hours = format!("{} h {:02} min", minutes / 60, minutes % 60);
    let row = list
        .between(&format!("/console/officers/{}", officer.id), "</tr>")
        .unwrap();
    assert!(row.contains(&hours), "{hours} in {row}");
    assert!(row.contains(">1</td>"), "one job worked: {row}");
    let row = list
        .between(&format!("/console/officers/{}", idle.id), "</tr>")
        .unwrap();
    assert!(
        row.contains("0 h 00 min") && row.contains(">0</td>"),
        "{row}"
    );

    let path = format!("/console/officers/{}", officer.id);
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(job["title"].as_str().unwrap()));
    assert!(page.body.contains("needs review"), "the timecard's status");
    assert!(page.body.contains("Upcoming assignments"));
    let csrf = page.csrf();
    assert_eq!(
        b.post(&format!("{path}/disable"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let done = b.post(&format!("{path}/disable"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{path}?done=disabled"));
    let disabled: i64 = sqlx::query("SELECT disabled FROM users WHERE id = $1")
        .bind(officer.id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("disabled")
        .unwrap();
    assert_eq!(disabled, 1);
    let (s, _) = app.get("/v1/sync", &officer).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the officer's sessions ended");
    assert!(
        b.get(&format!("{path}?done=disabled"))
            .await
            .body
            .contains("Enable the account")
    );
    let done = b.post(&format!("{path}/enable"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let audit = audit_actions(&app, dept).await;
    assert!(audit.iter().any(|(a, _)| a == "user_disabled"), "{audit:?}");
    assert!(audit.iter().any(|(a, _)| a == "user_enabled"), "{audit:?}");
    // Not a coordinator's account, nor another department's officer.
    let coord_path = format!("/console/officers/{}", coord.id);
    assert_eq!(b.get(&coord_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.post(&format!("{coord_path}/disable"), &[("csrf", &csrf)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (other_dept, _) = app.department("Dayton").await;
    let stranger = app.officer(other_dept).await;
    assert_eq!(
        b.get(&format!("/console/officers/{}", stranger.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn the_audit_log_is_paged_filtered_and_its_chain_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    for i in 0..60 {
        audit::append_now(
            &app.db,
            dept,
            AuditEntry {
                actor_id: Some(coord.id),
                action: if i % 2 == 0 { "test_even" } else { "test_odd" },
                entity: "test",
                entity_id: format!("n{i}"),
                detail: json!({"i": i}),
            },
        )
        .await
        .unwrap();
    }
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let head = sqlx::query("SELECT audit_head, audit_seq FROM departments WHERE id = $1")
        .bind(dept.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let (hash, seq): (String, i64) = (
        head.try_get("audit_head").unwrap(),
        head.try_get("audit_seq").unwrap(),
    );
    let page = b.get("/console/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The page's own view is not audited, so the chain is as read above.
    assert!(
        page.body.contains(&format!(
            "Chain verified: {seq} entries, last hash <code class=\"secret\">{hash}</code>"
        )),
        "{}",
        page.body
    );
    // Newest first, 50 a page, then older ones.
    let first = page.body.find(&format!(">{seq}</th>")).unwrap();
    let second = page.body.find(&format!(">{}</th>", seq - 1)).unwrap();
    assert!(first < second);
    let older = page
        .between("class=\"button secondary\" href=\"", "\"")
        .expect("a link to older entries");
    let cursor = seq - 49;
    assert_eq!(older, format!("/console/audit?before={cursor}"));
    let page2 = b.get(&older).await;
    assert!(page2.body.contains(&format!(">{}</th>", cursor - 1)));
    assert!(!page2.body.contains(&format!(">{cursor}</th>")));
    assert!(!page2.body.contains("Older entries"));
    // Filters.
    let odd = b.get("/console/audit?action=test_odd").await;
    assert!(
        odd.body.contains("test n59<") && !odd.body.contains("test n58<"),
        "{}",
        odd.body
    );
    assert!(!odd.body.contains("test_even</td>"), "{}", odd.body);
    let mine = b.get(&format!("/console/audit?actor={}", coord.id)).await;
    assert!(mine.body.contains("test_odd"));
    let none = b
        .get(&format!("/console/audit?actor={}", uuid::Uuid::nil()))
        .await;
    assert!(none.body.contains("No entry matches."));
    for bad in ["/console/audit?before=abc", "/console/audit?actor=someone"] {
        assert_eq!(b.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // Someone edits entry 3 in the database: the page says where the chain breaks.
    sqlx::query("UPDATE audit_log SET detail_json = $1 WHERE department_id = $2 AND seq = 3")
        .bind(json!({"i": 999}).to_string())
        .bind(dept.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let page = b.get("/console/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Chain broken at entry 3:"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Chain verified"));
}

async fn settings_are_saved_through_the_apis_rules_and_audited(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let page = b.get("/console/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Not required"), "two-factor");
    let csrf = page.csrf();
    let form: Vec<(String, String)> = [
        ("rules.limits.max_hours_per_day", "12"),
        ("rules.limits.max_hours_per_week", "60"),
        ("rules.limits.min_rest_hours", "8"),
        ("rules.cancel_policy.free_hours", "36"),
        ("rules.cancel_policy.replacement_hours", "6"),
        ("rules.punch_thresholds.max_accuracy_m", "40.5"),
        ("rules.punch_thresholds.max_fix_age_s", "30"),
        ("rules.punch_thresholds.max_speed_mps", "70"),
        ("rules.punch_thresholds.max_clock_drift_s", "120"),
        ("rules.alerts.no_show_grace_minutes", "20"),
        ("rules.alerts.late_tolerance_minutes", "5"),
        ("rules.alerts.early_tolerance_minutes", "10"),
        ("rules.alerts.overrun_tolerance_minutes", "15"),
        ("rules.alerts.escalate_after_minutes", "15"),
        ("rules.alerts.reminder_lead_minutes", "90"),
        ("rules.pay_period.length", "weekly"),
        ("rules.pay_period.anchor", "2026-01-05"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (_, before) = app.get("/v1/department", &coord).await;
    let mut no_token = form.clone();
    no_token.push(("csrf".into(), "forged".into()));
    assert_eq!(
        post(&mut b, "/console/settings", &no_token).await.status,
        StatusCode::FORBIDDEN
    );
    // Unreadable, then refused by the domain (free window shorter than the replacement one).
    let page = post(
        &mut b,
        "/console/settings",
        &with(
            &form,
            &[("rules.limits.max_hours_per_day", "twelve")],
            &csrf,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("id=\"rules.limits.max_hours_per_day-error\"")
    );
    assert!(page.body.contains("value=\"twelve\""));
    let page = post(
        &mut b,
        "/console/settings",
        &with(&form, &[("rules.cancel_policy.free_hours", "2")], &csrf),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let err = page
        .between("id=\"rules.cancel_policy.free_hours-error\">", "</p>")
        .unwrap();
    assert!(err.contains("must be at least replacement_hours"), "{err}");
    let page = post(
        &mut b,
        "/console/settings",
        &with(
            &form,
            &[("rules.punch_thresholds.max_speed_mps", "0")],
            &csrf,
        ),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("every threshold must be a positive number")
    );
    // The alert thresholds (decision 043): a late clock-in must be told apart from a no-show.
    let page = post(
        &mut b,
        "/console/settings",
        &with(
            &form,
            &[("rules.alerts.late_tolerance_minutes", "25")],
            &csrf,
        ),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("id=\"rules.alerts.late_tolerance_minutes-error\""),
        "{}",
        page.body
    );
    let (_, unchanged) = app.get("/v1/department", &coord).await;
    assert_eq!(before, unchanged);

    // Saved: the permit box unticked, the pay policy untouched.
    let done = post(&mut b, "/console/settings", &with(&form, &[], &csrf)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/settings?saved=1");
    let (_, after) = app.get("/v1/department", &coord).await;
    assert_eq!(after["rules"]["limits"]["max_hours_per_day"], 12);
    assert_eq!(after["rules"]["limits"]["permit_required"], false);
    assert_eq!(after["rules"]["cancel_policy"]["free_hours"], 36);
    assert_eq!(after["rules"]["punch_thresholds"]["max_accuracy_m"], 40.5);
    assert_eq!(after["rules"]["pay_period"]["length"], "weekly");
    let rules: String = sqlx::query("SELECT rules_json FROM departments WHERE id = $1")
        .bind(dept.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get("rules_json")
        .unwrap();
    let rules: serde_json::Value = serde_json::from_str(&rules).unwrap();
    assert_eq!(rules["alerts"]["no_show_grace_minutes"], 20);
    assert_eq!(rules["alerts"]["reminder_lead_minutes"], 90);
    assert_eq!(after["pay"], before["pay"]);
    let audit = audit_actions(&app, dept).await;
    assert!(audit.iter().any(|(a, _)| a == "rules_updated"), "{audit:?}");
    let shown = b.get("/console/settings?saved=1").await;
    assert!(shown.body.contains("Settings saved"));
    assert!(shown.body.contains("value=\"40.5\""));
}

/// A verified shift: both punches on site, the timecard `pending`.
async fn verified_shift(app: &TestApp, coord: &Actor, officer: &Actor) -> String {
    let job = app.job(coord, |b| b["slots"] = json!(1)).await;
    let id = job["id"].as_str().unwrap().to_string();
    app.claim(officer, &id).await;
    let now = Utc::now();
    app.set_job_times(&id, now - Duration::hours(3), now + Duration::minutes(1))
        .await;
    let mut device = TestDevice::register(app, officer).await;
    for (kind, at) in [
        (PunchKind::In, now - Duration::hours(3)),
        (PunchKind::Out, now - Duration::minutes(1)),
    ] {
        let ev = device.punch(officer, &id, kind, at, STADIUM.0, STADIUM.1, 5.0);
        assert_eq!(
            app.act(officer, punch_action(kind, &ev)).await["verdict"],
            "verified"
        );
    }
    let (_, cards) = app.get("/v1/timecards", coord).await;
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["job_id"] == job["id"])
        .unwrap()
        .clone();
    assert_eq!(card["status"], "pending");
    card["id"].as_str().unwrap().to_string()
}

async fn verified_timecards_are_approved_together(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Columbus").await;
    let (one, two) = (app.officer(dept).await, app.officer(dept).await);
    let a = verified_shift(&app, &coord, &one).await;
    let b2 = verified_shift(&app, &coord, &two).await;
    let mut b = Browser::new(&app);
    b.signed_in(&coord).await;
    let page = b.get("/console/timecards").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2 verified timecards"), "{}", page.body);
    let csrf = page.csrf();
    // Nothing selected: said so, nothing changed.
    let none = b
        .post(
            "/console/timecards/approve-verified",
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Select the timecards to approve"));
    // Without the CSRF token: refused.
    let forged = b
        .post(
            "/console/timecards/approve-verified",
            &[("timecard", a.as_str())],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = b
        .post(
            "/console/timecards/approve-verified",
            &[
                ("csrf", csrf.as_str()),
                ("timecard", a.as_str()),
                ("timecard", b2.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/timecards?done=verified");
    let (_, cards) = app.get("/v1/timecards", &coord).await;
    for id in [&a, &b2] {
        let c = cards
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id.as_str())
            .unwrap();
        assert_eq!(c["status"], "approved");
    }
    let page = b.get("/console/timecards?done=verified").await;
    assert!(page.body.contains("No verified timecard is waiting"));
    // Approved already: a second press is refused with the reason, not a 500.
    let again = b
        .post(
            "/console/timecards/approve-verified",
            &[("csrf", csrf.as_str()), ("timecard", a.as_str())],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

on_both_backends!(
    verified_timecards_are_approved_together,
    pages_are_for_coordinators_only,
    the_rate_card_is_edited_checked_by_the_domain_and_audited,
    flagged_timecards_show_the_punch_on_a_map_and_are_decided_here,
    officers_are_listed_with_their_hours_and_can_be_disabled,
    the_audit_log_is_paged_filtered_and_its_chain_checked,
    settings_are_saved_through_the_apis_rules_and_audited,
);
