//! The history screen against the real demo department: a worked shift appears under its
//! month with its site, hours and amount, month totals add up to the rows, a shift still
//! ahead is not history, and the department's PDF is saved where the shell asks (or the
//! officer is told it needs a connection).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use offduty_screens::text::Msg;
use offduty_screens::{NoticeKind, Screens};
use offduty_testkit::phone::{DemoServer, Phone};

use common::{claim_n, fix_near, hold_shift_now};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_shifts_by_month_with_totals_and_the_pdf() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());
    let history = screens.history();
    let s = history.state();
    assert!(s.months.is_empty());
    assert_eq!(s.empty, Some(Msg::EarningsNeverSynced.text()));
    assert_eq!(s.pdf_label, "Download as PDF");

    phone.sign_in("officer037@columbus.demo").await;
    // A shift worked now, and one claimed days ahead (not history yet).
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
    let ahead = claim_n(&screens, 1).await;
    history.refresh().await;

    let s = history.state();
    assert!(s.empty.is_none());
    let rows: Vec<_> = s.months.iter().flat_map(|m| &m.rows).collect();
    assert!(
        rows.iter().all(|r| !ahead.contains(&r.job_id)),
        "a shift still ahead is not history"
    );
    let worked = rows
        .iter()
        .find(|r| r.job_id == job.to_string())
        .expect("the worked shift");
    assert!(!worked.site.is_empty() && !worked.date.is_empty());
    assert!(worked.hours.is_some() && worked.gross_cents.unwrap() > 0);
    for m in &s.months {
        assert!(!m.label.is_empty() && m.label.chars().any(|c| c.is_ascii_digit()));
        let sum: i64 = m.rows.iter().filter_map(|r| r.gross_cents).sum();
        assert_eq!(m.summary.gross_cents, sum, "{}", m.label);
        assert_eq!(m.summary.shifts as usize, m.rows.len());
    }
    assert_eq!(s.total.shifts as usize, rows.len());
    assert_eq!(
        s.total.gross_cents,
        s.months.iter().map(|m| m.summary.gross_cents).sum::<i64>()
    );

    // The PDF, saved where the shell asks.
    let dir = std::env::temp_dir().join(format!("offduty-history-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("history.pdf");
    history.download_pdf(path.display().to_string()).await;
    let s = history.state();
    let notice = s.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Success, "{}", notice.text);
    assert_eq!(
        s.saved_pdf.as_deref(),
        Some(path.display().to_string().as_str())
    );
    assert!(!s.downloading);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    // Offline: said so, nothing written.
    phone.link.set_online(false);
    let other = dir.join("offline.pdf");
    history.download_pdf(other.display().to_string()).await;
    let notice = history.state().notice.unwrap();
    assert_eq!(
        (notice.kind, notice.text),
        (NoticeKind::Info, Msg::HistoryPdfOffline.text())
    );
    assert!(!other.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
