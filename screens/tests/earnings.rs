//! The earnings screen against the real demo department: empty before the first sync; a
//! worked shift waiting for approval in the current pay period; approved, then paid, by the
//! coordinator (over HTTP) and seen after a sync, with the payment received; totals that add
//! up; and the CSV export the shell shares.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use offduty_domain::protocol::TimecardStatus;
use offduty_screens::earnings::status_label;
use offduty_screens::inbox::InboxKind;
use offduty_screens::text::Msg;
use offduty_screens::{Route, Screens};
use offduty_testkit::phone::{DemoServer, Phone};

use common::{Coordinator, counter, fix_near, hold_shift_now};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worked_shift_is_approved_then_paid_and_exported() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());
    let earnings = screens.earnings();

    let s = earnings.state();
    assert!(s.periods.is_empty() && s.payments.is_empty());
    assert_eq!(s.empty, Some(Msg::EarningsNeverSynced.text()));

    phone.sign_in("officer031@columbus.demo").await;
    let before = earnings.state();
    let worked_before = before.year_to_date.shifts;
    assert_eq!(
        before.pay_period,
        Msg::EarningsPeriodBiweekly.text(),
        "the demo department pays biweekly"
    );

    // The officer works a shift (both punches on site): in five minutes ago (the phone's
    // clocks set back, as for a punch made earlier offline), out now.
    let job = hold_shift_now(&server, &phone).await;
    phone.clock.advance(chrono::Duration::minutes(-5));
    phone
        .core
        .clock_in(job, &fix_near(&phone, job, 0.0, 8.0, false), false)
        .unwrap();
    phone.clock.advance(chrono::Duration::minutes(5));
    phone
        .core
        .clock_out(job, &fix_near(&phone, job, 0.0, 8.0, false), false)
        .unwrap();
    let heard = counter();
    earnings.set_listener(Some(heard.clone()));
    earnings.refresh().await;
    assert!(heard.get() >= 2);

    let row_of = |s: &offduty_screens::earnings::EarningsState| {
        s.periods
            .iter()
            .flat_map(|p| p.rows.iter().map(move |r| (p, r)))
            .find(|(_, r)| r.job_id == job.to_string())
            .map(|(p, r)| (p.clone(), r.clone()))
            .expect("the worked shift")
    };
    let s = earnings.state();
    assert!(s.empty.is_none());
    let (period, row) = row_of(&s);
    // The shift began ten minutes ago: just after the department's midnight that was
    // yesterday, possibly the last day of the previous pay period.
    let tz = chrono_tz::America::New_York;
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).date_naive();
    let now = chrono::Utc::now();
    if local(now - chrono::Duration::minutes(15)) == local(now) {
        assert!(period.current, "worked today: the current pay period");
    }
    assert_eq!(row.status, TimecardStatus::Pending);
    assert_eq!(row.status_label, status_label(TimecardStatus::Pending));
    assert!(row.gross.as_deref().unwrap().starts_with('$'));
    assert!(
        row.gross_cents.unwrap() > 0,
        "the department's minimum pays"
    );
    assert!(row.hours.is_some() && row.rate.contains("/h"));
    assert!(row.paid.is_none());
    assert_eq!(s.year_to_date.shifts, worked_before + 1);
    // Totals add up: every period's gross makes the year's (the demo's shifts are this year).
    let periods_gross: i64 = s.periods.iter().map(|p| p.summary.gross_cents).sum();
    assert!(periods_gross >= s.year_to_date.gross_cents);
    assert_eq!(
        period.summary.gross_cents,
        period
            .rows
            .iter()
            .filter_map(|r| r.gross_cents)
            .sum::<i64>()
    );

    // The coordinator approves: seen after a sync.
    let coordinator = Coordinator::sign_in(&server).await;
    let card = coordinator.timecard_of(job).await;
    let id = card["id"].as_str().unwrap().to_string();
    assert_eq!(coordinator.approve(&id).await["status"], "approved");
    assert_eq!(
        row_of(&earnings.state()).1.status,
        TimecardStatus::Pending,
        "not synced yet"
    );
    earnings.refresh().await;
    let (_, row) = row_of(&earnings.state());
    assert_eq!(
        (row.status, row.status_label.as_str()),
        (TimecardStatus::Approved, "Approved")
    );

    // Paid: the payment received appears, the unpaid total shrinks by the shift's gross.
    let unpaid_before = earnings.state().year_to_date.unpaid_cents;
    assert_eq!(coordinator.mark_paid(&id).await["status"], "paid");
    earnings.refresh().await;
    let s = earnings.state();
    let (_, row) = row_of(&s);
    assert_eq!(row.status, TimecardStatus::Paid);
    assert!(
        row.paid.as_deref().unwrap().starts_with("Paid "),
        "{:?}",
        row.paid
    );
    let gross = row.gross_cents.unwrap();
    assert_eq!(s.year_to_date.unpaid_cents, unpaid_before - gross);
    assert!(
        s.payments.iter().any(|p| p.amount_cents >= gross),
        "{:?}",
        s.payments
    );

    // Export: CSV for the shell to share, one line per shift.
    let export = earnings.export().unwrap();
    assert!(
        export.file_name.starts_with("offduty-earnings-") && export.file_name.ends_with(".csv")
    );
    assert_eq!(export.mime_type, "text/csv");
    assert!(export.csv.starts_with("date,job,site,"));
    assert_eq!(export.csv.lines().count() as u32, export.shifts + 1);
    assert!(export.csv.contains(",paid,"), "{}", export.csv);
    assert!(earnings.state().notice.is_some(), "the export is confirmed");
    earnings.dismiss_notice();
    assert!(earnings.state().notice.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_shift_says_why_and_is_not_owed() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());
    let earnings = screens.earnings();
    phone.sign_in("officer032@columbus.demo").await;

    let job = hold_shift_now(&server, &phone).await;
    phone.clock.advance(chrono::Duration::minutes(-5));
    phone
        .core
        .clock_in(job, &fix_near(&phone, job, 0.0, 8.0, false), false)
        .unwrap();
    phone.clock.advance(chrono::Duration::minutes(5));
    phone
        .core
        .clock_out(job, &fix_near(&phone, job, 0.0, 8.0, false), false)
        .unwrap();
    earnings.refresh().await;
    let before = earnings.state().year_to_date;

    let coordinator = Coordinator::sign_in(&server).await;
    let card = coordinator.timecard_of(job).await;
    let id = card["id"].as_str().unwrap().to_string();
    let reason = "Not on the site's sign-in sheet.";
    assert_eq!(coordinator.reject(&id, reason).await["status"], "rejected");
    earnings.refresh().await;

    let s = earnings.state();
    let row = s
        .periods
        .iter()
        .flat_map(|p| p.rows.iter())
        .find(|r| r.job_id == job.to_string())
        .expect("the rejected shift is still listed")
        .clone();
    assert_eq!(row.status, TimecardStatus::Rejected);
    assert_eq!(row.status_label, Msg::EarningsStatusRejected.text());
    assert_eq!(row.rejection_reason.as_deref(), Some(reason));
    assert!(row.paid.is_none());
    // Still one of the year's shifts, but nothing is owed for it any more.
    assert_eq!(s.year_to_date.shifts, before.shifts);
    let gross = row.gross_cents.unwrap_or(0);
    assert_eq!(s.year_to_date.unpaid_cents, before.unpaid_cents - gross);

    // The officer was told: the inbox says why, and the notice opens the earnings.
    let inbox = screens.inbox();
    inbox.refresh().await;
    let told = inbox
        .state()
        .items
        .into_iter()
        .find(|i| i.kind == InboxKind::TimecardRejected)
        .expect("a timecard-rejected notice");
    assert_eq!(told.title, Msg::InboxRejectedTitle.text());
    assert_eq!(
        told.body,
        Msg::InboxRejectedBody.with(&[("reason", reason)])
    );
    assert_eq!(told.route, Route::Earnings);
    assert_eq!(inbox.open(&told.id), Route::Earnings);
}
