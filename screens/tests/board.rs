//! The job board screen against the real demo department: rows ready to draw, paging, filters
//! in words, the empty, offline and syncing states, and a sync that changes the row the
//! officer is looking at.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use offduty_core::standing::StandingKind;
use offduty_domain::award::AwardRuleKind;
use offduty_screens::board::{BoardFilters, BoardSort, Eligibility, PAGE};
use offduty_screens::{Listener, Screens, SyncKind};
use offduty_testkit::phone::{DemoServer, Phone};

#[derive(Default)]
struct Count(AtomicUsize);

impl Listener for Count {
    fn changed(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_before_and_after_the_first_sync() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    let screens = Screens::new(phone.core.clone());
    let board = screens.board();

    let before = board.state();
    assert!(before.rows.is_empty());
    assert_eq!(before.sync.kind, SyncKind::Never);
    assert_eq!(
        before.empty.as_deref(),
        Some("No jobs yet. Pull to refresh once you have a connection.")
    );

    phone.sign_in("officer010@columbus.demo").await;
    let count = Arc::new(Count::default());
    board.set_listener(Some(count.clone()));
    board.refresh().await;
    assert!(count.get() >= 2, "told when the sync started and ended");

    let s = board.state();
    assert_eq!(s.sync.kind, SyncKind::Synced);
    assert!(s.sync.text.starts_with("Updated today "), "{}", s.sync.text);
    assert!(!s.rows.is_empty() && s.empty.is_none());
    assert_eq!(s.filter_summary, "All upcoming jobs");
    assert!(s.matched as usize >= s.rows.len());
    let r = &s.rows[0];
    assert!(r.pay.ends_with("/h") && r.pay.starts_with('$'), "{}", r.pay);
    assert!(r.estimate.as_deref().unwrap_or("").starts_with("≈ $"));
    assert!(r.slots.contains(" of "), "{}", r.slots);
    assert!(r.when.contains('–'), "{}", r.when);
    assert_ne!(r.eligibility, Eligibility::Unknown);
    assert!(!r.eligibility_text.is_empty());
    assert!(
        s.job_types.contains(&"traffic".to_string()),
        "{:?}",
        s.job_types
    );
    // Soonest first.
    assert!(s.rows.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_sorting_paging_and_a_claim_that_changes_the_row() {
    let server = DemoServer::start();
    let phone = Phone::new(server.addr);
    phone.sign_in("officer011@columbus.demo").await;
    let screens = Screens::new(phone.core.clone());
    let board = screens.board();

    // Paging: the page grows by PAGE rows while more match.
    let all = board.state();
    if all.matched > PAGE {
        assert_eq!(all.rows.len() as u32, PAGE);
        assert!(all.has_more);
        board.load_more();
        assert!(board.state().rows.len() as u32 > PAGE);
    } else {
        assert!(!all.has_more);
    }

    // Only eligible, best pay first, a pay floor: said in words and applied.
    let floor = 5_000;
    board.set_filters(BoardFilters {
        only_eligible: true,
        min_hourly_cents: Some(floor),
        ..BoardFilters::default()
    });
    board.set_sort(BoardSort::BestPay);
    let s = board.state();
    assert_eq!(
        s.filter_summary,
        "$50.00/h or more · only jobs you can work"
    );
    assert!(
        s.rows
            .iter()
            .all(|r| r.eligibility == Eligibility::Eligible)
    );
    let pays: Vec<i64> = s
        .rows
        .iter()
        .map(|r| {
            r.pay
                .trim_start_matches('$')
                .trim_end_matches("/h")
                .replace([',', '.'], "")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(pays.iter().all(|p| *p >= floor), "{pays:?}");
    assert!(
        pays.windows(2).all(|w| w[0] >= w[1]),
        "best pay first: {pays:?}"
    );

    // A filter nothing matches: the empty state says so.
    board.set_filters(BoardFilters {
        job_types: vec!["no_such_type".into()],
        ..BoardFilters::default()
    });
    let s = board.state();
    assert!(s.rows.is_empty());
    assert_eq!(
        s.empty.as_deref(),
        Some("No jobs match your filters. Widen them to see more.")
    );

    // The officer claims a first-come job: the row shows it waiting, then theirs after a sync.
    board.set_filters(BoardFilters {
        only_eligible: true,
        ..BoardFilters::default()
    });
    board.set_sort(BoardSort::Soonest);
    let pick = board
        .state()
        .rows
        .into_iter()
        .find(|r| {
            r.award == AwardRuleKind::FirstCome && !r.full && r.standing == StandingKind::None
        })
        .expect("an open first-come job this officer may work");
    let count = Arc::new(Count::default());
    board.set_listener(Some(count.clone()));
    phone.core.claim(pick.job_id.parse().unwrap()).unwrap();
    let row = |id: &str| {
        board
            .state()
            .rows
            .into_iter()
            .find(|r| r.job_id == id)
            .unwrap()
    };
    assert_eq!(row(&pick.job_id).standing, StandingKind::Pending);
    assert_eq!(row(&pick.job_id).standing_text, "Claim waiting to sync");

    // Offline: the sync line says so and the board keeps its rows.
    phone.link.set_online(false);
    board.refresh().await;
    let s = board.state();
    assert_eq!(s.sync.kind, SyncKind::Offline);
    assert!(
        s.sync.text.starts_with("Offline — last updated today "),
        "{}",
        s.sync.text
    );
    assert!(!s.rows.is_empty());
    assert_eq!(s.sync.pending, 1);

    phone.link.set_online(true);
    let before = count.get();
    board.refresh().await;
    assert!(count.get() > before, "the listener heard of the sync");
    assert_eq!(row(&pick.job_id).standing, StandingKind::Holding);
    assert_eq!(row(&pick.job_id).standing_text, "Your shift");
    assert_eq!(board.state().sync.pending, 0);
}
