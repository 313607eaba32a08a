//! Service-level alerts, shift reminders and late cancellations (issue 12, decision 043), on
//! SQLite and PostgreSQL. The shift watcher is driven pass by pass with a controlled clock
//! (`shift_watch::step(db, now)`); shifts are placed around the real time because clock events
//! are judged against the server's clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use common::browser::{Browser, audit_actions};
use common::{Actor, Backend, TestApp, TestDevice, envelope, punch_action};
use offduty_domain::protocol::Role;
use offduty_domain::timecard::PunchKind;
use offduty_server::db::{Db, get};
use offduty_server::services::{alerts, shift_watch};
use offduty_testkit::api::SITE;

/// An awarded officer's shift on a one-slot job from `starts` to `ends`.
struct Shift {
    officer: Actor,
    job: String,
}

async fn shift(app: &TestApp, coord: &Actor, starts: DateTime<Utc>, ends: DateTime<Utc>) -> Shift {
    let officer = app.officer(coord.department_id).await;
    let job = app.job(coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&officer, &job).await["type"], "awarded");
    move_job(app, &job, starts, ends).await;
    Shift { officer, job }
}

/// Moves a job in time, and its claims to a day before its start (as they would have been):
/// the watcher expects an officer from the later of the start and the award.
async fn move_job(app: &TestApp, job: &str, starts: DateTime<Utc>, ends: DateTime<Utc>) {
    app.set_job_times(job, starts, ends).await;
    let claimed = (starts - Duration::days(1)).timestamp_micros();
    sqlx::query("UPDATE assignments SET created_us = $1, updated_us = $1 WHERE job_id = $2")
        .bind(claimed)
        .bind(job)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// Punches `kind` now on `device`, `accuracy_m` from the site; the outcome's verdict.
async fn punch(
    app: &TestApp,
    s: &Shift,
    device: &mut TestDevice,
    kind: PunchKind,
    accuracy_m: f64,
) -> String {
    let ev = device.punch(
        &s.officer,
        &s.job,
        kind,
        Utc::now(),
        SITE.0,
        SITE.1,
        accuracy_m,
    );
    let body = json!({"actions": [envelope(punch_action(kind, &ev))]});
    let (status, out) = app.actions(&s.officer, &body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let out = &out["outcomes"][0]["outcome"];
    assert_eq!(out["type"], "punched", "{out}");
    out["verdict"].as_str().unwrap().to_string()
}

/// Every alert of the department: (job, kind, escalated, acknowledged), sorted.
async fn alert_rows(app: &TestApp, dept: Uuid) -> Vec<(String, String, bool, bool)> {
    let mut out: Vec<_> = sqlx::query(
        "SELECT job_id, kind, escalated_us, acknowledged_us FROM alerts WHERE department_id = $1",
    )
    .bind(dept.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            get::<String>(r, "job_id").unwrap(),
            get::<String>(r, "kind").unwrap(),
            get::<Option<i64>>(r, "escalated_us").unwrap().is_some(),
            get::<Option<i64>>(r, "acknowledged_us").unwrap().is_some(),
        )
    })
    .collect();
    out.sort();
    out
}

/// The payloads of the notices queued for `user` of `kind`.
async fn notices(app: &TestApp, user: Uuid, kind: &str) -> Vec<Value> {
    sqlx::query(
        "SELECT payload_json FROM notifications WHERE user_id = $1 AND kind = $2 \
         ORDER BY created_us, id",
    )
    .bind(user.to_string())
    .bind(kind)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| serde_json::from_str(&get::<String>(r, "payload_json").unwrap()).unwrap())
    .collect()
}

async fn assignment_status(app: &TestApp, job: &str, officer: Uuid) -> (String, Option<i64>) {
    let r = sqlx::query(
        "SELECT status, position FROM assignments WHERE job_id = $1 AND officer_id = $2",
    )
    .bind(job)
    .bind(officer.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    (get(&r, "status").unwrap(), get(&r, "position").unwrap())
}

fn count(actions: &[(String, String)], action: &str) -> usize {
    actions.iter().filter(|(a, _)| a == action).count()
}

async fn each_kind_is_raised_once_and_a_clean_shift_raises_none(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Watch").await;
    let now = Utc::now();
    let m = Duration::minutes;
    // No clock-in, 30 minutes after the start.
    let absent = shift(&app, &coord, now - m(30), now + m(210)).await;
    // Clocked in now, 30 minutes after the start.
    let late = shift(&app, &coord, now - m(30), now + m(210)).await;
    // Clocked in on time, still working: nothing to say.
    let clean = shift(&app, &coord, now - m(2), now + m(180)).await;
    // Clocked in on time and out two hours before the end.
    let early = shift(&app, &coord, now - m(2), now + m(120)).await;
    // Clocked in on time; the watcher looks again after the end.
    let overrun = shift(&app, &coord, now - m(2), now + m(60)).await;
    // Clocked in on time with a fix too imprecise to verify.
    let doubtful = shift(&app, &coord, now - m(2), now + m(180)).await;
    for (s, accuracy) in [
        (&late, 10.0),
        (&clean, 10.0),
        (&early, 10.0),
        (&overrun, 10.0),
    ] {
        let mut d = TestDevice::register(&app, &s.officer).await;
        assert_eq!(
            punch(&app, s, &mut d, PunchKind::In, accuracy).await,
            "verified"
        );
        if s.job == early.job {
            punch(&app, s, &mut d, PunchKind::Out, accuracy).await;
        }
    }
    let mut d = TestDevice::register(&app, &doubtful.officer).await;
    assert_eq!(
        punch(&app, &doubtful, &mut d, PunchKind::In, 500.0).await,
        "needs_review"
    );

    let first = shift_watch::step(&app.db, now + m(1)).await.unwrap();
    assert_eq!(first.raised, 4, "{first:?}");
    let again = shift_watch::step(&app.db, now + m(1)).await.unwrap();
    assert_eq!(again.raised, 0, "a second pass raises nothing again");
    // After the overrun shift's end plus the tolerance (15 min).
    let later = shift_watch::step(&app.db, now + m(60 + 16)).await.unwrap();
    assert_eq!(later.raised, 1, "{later:?}");

    let mut expected = vec![
        (absent.job.clone(), "no_show".to_string(), false, false),
        (late.job.clone(), "late_clock_in".to_string(), false, false),
        (
            early.job.clone(),
            "early_clock_out".to_string(),
            false,
            false,
        ),
        (overrun.job.clone(), "overrun".to_string(), false, false),
        (
            doubtful.job.clone(),
            "punch_review".to_string(),
            false,
            false,
        ),
    ];
    expected.sort();
    let got: Vec<_> = alert_rows(&app, dept)
        .await
        .into_iter()
        .map(|(j, k, _, a)| (j, k, false, a))
        .collect();
    assert_eq!(got, expected);
    assert!(
        !got.iter().any(|(j, ..)| *j == clean.job),
        "a clean clock-in raises nothing"
    );

    let (told, escalated): (Vec<_>, Vec<_>) = notices(&app, coord.id, "shift_alert")
        .await
        .into_iter()
        .partition(|n| n["escalated"] == false);
    assert_eq!(told.len(), 5, "one notice per alert to the coordinator");
    assert_eq!(
        escalated.len(),
        4,
        "the four raised an hour before the last pass were escalated by it"
    );
    let no_show = told.iter().find(|n| n["alert"] == "no_show").unwrap();
    assert_eq!(no_show["job_id"], absent.job.as_str());
    assert_eq!(no_show["officer_id"], absent.officer.id.to_string());
    assert_eq!(count(&audit_actions(&app, dept).await, "alert_raised"), 5);
    // Nobody waits in line: the absent officer keeps the slot.
    assert_eq!(
        assignment_status(&app, &absent.job, absent.officer.id)
            .await
            .0,
        "awarded"
    );
}

async fn two_watchers_on_one_database_raise_each_alert_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Twins").await;
    let now = Utc::now();
    for _ in 0..6 {
        shift(
            &app,
            &coord,
            now - Duration::minutes(40),
            now + Duration::hours(3),
        )
        .await;
    }
    // A second server process: its own pool on the same database.
    let other = Db::connect(&app.database_url, 8).await.unwrap();
    let at = now + Duration::minutes(1);
    let (a, b) = tokio::join!(
        shift_watch::step(&app.db, at),
        shift_watch::step(&other, at)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.raised + b.raised, 6, "{a:?} {b:?}");
    assert_eq!(alert_rows(&app, dept).await.len(), 6);
    assert_eq!(notices(&app, coord.id, "shift_alert").await.len(), 6);
    assert_eq!(count(&audit_actions(&app, dept).await, "alert_raised"), 6);
    // Escalation, twice at once, is also once per alert.
    let late = at + Duration::minutes(15);
    let (a, b) = tokio::join!(
        shift_watch::step(&app.db, late),
        shift_watch::step(&other, late)
    );
    assert_eq!(a.unwrap().escalated + b.unwrap().escalated, 6);
    assert_eq!(
        count(&audit_actions(&app, dept).await, "alert_escalated"),
        6
    );
}

async fn escalation_comes_after_the_delay_and_an_acknowledgement_stops_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Escalate").await;
    let second = app
        .user(
            dept,
            Role::Coordinator,
            &format!("c2-{}@esc.test", Uuid::new_v4().simple()),
        )
        .await;
    let now = Utc::now();
    let acked = shift(
        &app,
        &coord,
        now - Duration::minutes(20),
        now + Duration::hours(3),
    )
    .await;
    let ignored = shift(
        &app,
        &coord,
        now - Duration::minutes(20),
        now + Duration::hours(3),
    )
    .await;
    assert_eq!(shift_watch::step(&app.db, now).await.unwrap().raised, 2);
    let id: String = get(
        &sqlx::query("SELECT id FROM alerts WHERE job_id = $1")
            .bind(&acked.job)
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        "id",
    )
    .unwrap();
    let who = offduty_server::extract::AuthUser {
        user_id: coord.id,
        department_id: dept,
        role: Role::Coordinator,
    };
    let ack = alerts::acknowledge(
        &app.db,
        who,
        id.parse().unwrap(),
        now + Duration::minutes(5),
    )
    .await
    .unwrap();
    assert_eq!(ack, alerts::Acknowledged::Now);

    let before = shift_watch::step(&app.db, now + Duration::minutes(14))
        .await
        .unwrap();
    assert_eq!(before.escalated, 0, "not before the delay");
    let due = shift_watch::step(&app.db, now + Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(due.escalated, 1, "only the unacknowledged alert");
    let after = shift_watch::step(&app.db, now + Duration::minutes(60))
        .await
        .unwrap();
    assert_eq!(after.escalated, 0, "escalated once");

    let rows = alert_rows(&app, dept).await;
    assert!(rows.contains(&(acked.job.clone(), "no_show".into(), false, true)));
    assert!(rows.contains(&(ignored.job.clone(), "no_show".into(), true, false)));
    for c in [&coord, &second] {
        let escalated: Vec<_> = notices(&app, c.id, "shift_alert")
            .await
            .into_iter()
            .filter(|n| n["escalated"] == true)
            .collect();
        assert_eq!(escalated.len(), 1, "every coordinator hears the escalation");
        assert_eq!(escalated[0]["job_id"], ignored.job.as_str());
    }
    let audit = audit_actions(&app, dept).await;
    assert_eq!(count(&audit, "alert_acknowledged"), 1);
    assert_eq!(count(&audit, "alert_escalated"), 1);
    // Acknowledging again changes nothing; another department cannot see the alert.
    assert_eq!(
        alerts::acknowledge(&app.db, who, id.parse().unwrap(), now)
            .await
            .unwrap(),
        alerts::Acknowledged::Already
    );
    let (other_dept, other) = app.department("Elsewhere").await;
    let stranger = offduty_server::extract::AuthUser {
        user_id: other.id,
        department_id: other_dept,
        role: Role::Coordinator,
    };
    assert_eq!(
        alerts::acknowledge(&app.db, stranger, id.parse().unwrap(), now)
            .await
            .unwrap(),
        alerts::Acknowledged::NotFound
    );
}

async fn a_no_show_promotes_the_first_waitlisted_officer_and_tells_the_customer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Line").await;
    let customer = app
        .user(
            dept,
            Role::Customer,
            &format!("cust-{}@line.test", Uuid::new_v4().simple()),
        )
        .await;
    let absent = app.officer(dept).await;
    let first = app.officer(dept).await;
    let second = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&absent, &job).await["type"], "awarded");
    assert_eq!(app.claim(&first, &job).await["type"], "waitlisted");
    assert_eq!(app.claim(&second, &job).await["type"], "waitlisted");
    sqlx::query("UPDATE jobs SET customer_id = $1 WHERE id = $2")
        .bind(customer.id.to_string())
        .bind(&job)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let now = Utc::now();
    move_job(
        &app,
        &job,
        now - Duration::minutes(16),
        now + Duration::hours(4),
    )
    .await;

    assert_eq!(shift_watch::step(&app.db, now).await.unwrap().raised, 1);
    assert_eq!(
        assignment_status(&app, &job, first.id).await,
        ("awarded".into(), None)
    );
    assert_eq!(
        assignment_status(&app, &job, absent.id).await.0,
        "transferred_out"
    );
    assert_eq!(
        assignment_status(&app, &job, second.id).await,
        ("waitlisted".into(), Some(1)),
        "the next in line moves up"
    );
    let awarded = notices(&app, first.id, "awarded").await;
    assert_eq!(awarded.len(), 1);
    assert_eq!(awarded[0]["how"], "waitlist");
    let told = notices(&app, customer.id, "no_show_at_event").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["replaced"], true);
    let audit = audit_actions(&app, dept).await;
    let raised = audit.iter().find(|(a, _)| a == "alert_raised").unwrap();
    assert!(raised.1.contains(&first.id.to_string()), "{}", raised.1);
    // The promoted officer is expected from the promotion, not from the start: no alert on
    // them yet, and none again on the absent officer.
    assert_eq!(shift_watch::step(&app.db, now).await.unwrap().raised, 0);
    let soon = now + Duration::minutes(14);
    assert_eq!(shift_watch::step(&app.db, soon).await.unwrap().raised, 0);
}

async fn a_reminder_is_sent_once_inside_the_lead_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, coord) = app.department("Remind").await;
    let now = Utc::now();
    let s = shift(
        &app,
        &coord,
        now + Duration::hours(2),
        now + Duration::hours(6),
    )
    .await;
    assert_eq!(shift_watch::step(&app.db, now).await.unwrap().reminded, 0);
    let inside = now + Duration::minutes(61);
    let other = Db::connect(&app.database_url, 4).await.unwrap();
    let (a, b) = tokio::join!(
        shift_watch::step(&app.db, inside),
        shift_watch::step(&other, inside)
    );
    assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 1);
    assert_eq!(
        shift_watch::step(&app.db, inside).await.unwrap().reminded,
        0
    );
    let told = notices(&app, s.officer.id, "shift_reminder").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["job_id"], s.job.as_str());
    assert_eq!(told[0]["site_name"], "Ohio Stadium, Lot 1");
}

async fn a_late_cancel_tells_the_coordinators_and_an_early_one_does_not(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Cancel").await;
    let second = app
        .user(
            dept,
            Role::Coordinator,
            &format!("c2-{}@cancel.test", Uuid::new_v4().simple()),
        )
        .await;
    // Three days ahead: outside the 48-hour window, free to cancel.
    let early = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&early, &job).await["type"], "awarded");
    let out = app
        .act(&early, json!({"type": "cancel", "job_id": job}))
        .await;
    assert_eq!(out["type"], "cancelled", "{out}");
    assert!(
        notices(&app, coord.id, "late_cancellation")
            .await
            .is_empty()
    );

    // A day ahead: inside the window, allowed because the next officer in line takes it.
    let late = app.officer(dept).await;
    let next = app.officer(dept).await;
    let job = app.job(&coord, |b| b["slots"] = json!(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.claim(&late, &job).await["type"], "awarded");
    assert_eq!(app.claim(&next, &job).await["type"], "waitlisted");
    let starts = Utc::now() + Duration::hours(24);
    app.set_job_times(&job, starts, starts + Duration::hours(4))
        .await;
    let out = app
        .act(
            &late,
            json!({"type": "cancel", "job_id": job, "reason": "sick"}),
        )
        .await;
    assert_eq!(out["type"], "cancelled", "{out}");
    for c in [&coord, &second] {
        let told = notices(&app, c.id, "late_cancellation").await;
        assert_eq!(told.len(), 1, "every coordinator is told at once");
        assert_eq!(told[0]["job_id"], job.as_str());
        assert_eq!(told[0]["officer_id"], late.id.to_string());
        assert_eq!(told[0]["window"], "needs_replacement");
        assert_eq!(told[0]["replaced"], true);
    }
}

async fn the_console_lists_and_acknowledges_alerts(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (dept, coord) = app.department("Console").await;
    let now = Utc::now();
    let s = shift(
        &app,
        &coord,
        now - Duration::minutes(30),
        now + Duration::hours(3),
    )
    .await;
    let mut b = Browser::new(&app);
    let jobs = b.signed_in(&coord).await;
    assert!(
        !jobs.body.contains("Alerts <span"),
        "no count while none is open"
    );
    shift_watch::step(&app.db, now).await.unwrap();

    let page = b.get("/console/alerts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("1 open alert,"), "{}", page.body);
    assert!(page.body.contains("No-show"));
    assert!(page.body.contains("Traffic control — Buckeyes home game"));
    let name = s.officer.email.split('@').next().unwrap();
    assert!(page.body.contains(name), "the officer is named");
    assert!(
        page.body
            .contains("(1<span class=\"visually-hidden\"> open</span>)")
    );
    assert!(page.body.contains("No acknowledged alert yet."));
    let id: String = get(
        &sqlx::query("SELECT id FROM alerts WHERE job_id = $1")
            .bind(&s.job)
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        "id",
    )
    .unwrap();
    let path = format!("/console/alerts/{id}/acknowledge");

    let forged = b.post(&path, &[("csrf", "not-the-token")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!alert_rows(&app, dept).await[0].3, "nothing changed");
    let done = b.post(&path, &[("csrf", &page.csrf())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console/alerts?did=acknowledged");
    let after = b.get(done.location()).await;
    assert!(after.body.contains("Alert acknowledged"));
    assert!(after.body.contains("No open alert."));
    assert!(after.body.contains("The latest 1 acknowledged alert"));
    let coord_name = coord.email.split('@').next().unwrap();
    assert!(
        after.body.contains(&format!("by {coord_name}")),
        "{}",
        after.body
    );
    assert_eq!(
        count(&audit_actions(&app, dept).await, "alert_acknowledged"),
        1
    );
    let twice = b.post(&path, &[("csrf", &page.csrf())]).await;
    assert_eq!(twice.location(), "/console/alerts?did=already");
    let missing = b
        .post(
            &format!("/console/alerts/{}/acknowledge", Uuid::now_v7()),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escalations = shift_watch::step(&app.db, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        escalations.escalated, 0,
        "an acknowledged alert is not escalated"
    );

    // An officer has no console; a customer is refused the page.
    let customer = app
        .user(
            dept,
            Role::Customer,
            &format!("cust-{}@console.test", Uuid::new_v4().simple()),
        )
        .await;
    let mut c = Browser::new(&app);
    let signed = c.sign_in(&customer.email, common::PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/console/alerts").await.status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    each_kind_is_raised_once_and_a_clean_shift_raises_none,
    two_watchers_on_one_database_raise_each_alert_once,
    escalation_comes_after_the_delay_and_an_acknowledgement_stops_it,
    a_no_show_promotes_the_first_waitlisted_officer_and_tells_the_customer,
    a_reminder_is_sent_once_inside_the_lead_time,
    a_late_cancel_tells_the_coordinators_and_an_early_one_does_not,
    the_console_lists_and_acknowledges_alerts,
);
