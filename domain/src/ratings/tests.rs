//! Tests of `ratings`: the form's refusals, the edit window, and reliability counted by hand
//! and by property.

use super::*;
use proptest::prelude::*;

fn at(m: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + m * 60, 0).expect("valid timestamp")
}

fn form(stars: u8, tags: Vec<OfficerTag>, comment: Option<&str>) -> OfficerRatingForm {
    OfficerRatingForm {
        stars,
        tags,
        comment: comment.map(str::to_string),
    }
}

#[test]
fn stars_outside_one_to_five_are_refused() {
    for stars in [0u8, 6, 255] {
        let e = form(stars, vec![], None).validate().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("stars", InvalidCode::OutOfRange)
        );
    }
    for stars in 1..=5 {
        assert!(form(stars, vec![], None).validate().is_ok());
    }
}

#[test]
fn a_repeated_tag_is_refused_and_tags_come_back_sorted() {
    let e = form(4, vec![OfficerTag::OnTime, OfficerTag::OnTime], None)
        .validate()
        .unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("tags[1]", InvalidCode::Duplicate)
    );
    let ok = form(4, vec![OfficerTag::WentBeyond, OfficerTag::OnTime], None)
        .validate()
        .unwrap();
    assert_eq!(ok.tags, vec![OfficerTag::OnTime, OfficerTag::WentBeyond]);
}

#[test]
fn a_comment_is_trimmed_blank_is_none_and_too_long_is_refused() {
    assert_eq!(
        form(3, vec![], Some("   ")).validate().unwrap().comment,
        None
    );
    assert_eq!(
        form(3, vec![], Some("  Great work \n"))
            .validate()
            .unwrap()
            .comment,
        Some("Great work".to_string())
    );
    let exactly = "é".repeat(MAX_COMMENT_CHARS);
    assert!(form(3, vec![], Some(&exactly)).validate().is_ok());
    let long = "é".repeat(MAX_COMMENT_CHARS + 1);
    let e = form(3, vec![], Some(&long)).validate().unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code),
        ("comment", InvalidCode::TooLong)
    );
    let e = form(3, vec![], Some("bell\u{7}")).validate().unwrap_err();
    assert_eq!(e.code, InvalidCode::BadFormat);
}

#[test]
fn tags_parse_their_own_names_and_have_labels() {
    for t in OfficerTag::ALL {
        assert_eq!(OfficerTag::parse(t.as_str()), Some(t));
        assert!(!t.label().is_empty());
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    for t in SiteTag::ALL {
        assert_eq!(SiteTag::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    assert_eq!(OfficerTag::parse("rude"), None);
}

#[test]
fn a_rating_is_editable_for_fourteen_days_then_locked() {
    let first = at(0);
    assert!(editable(first, first));
    assert!(editable(
        first,
        first + Duration::days(14) - Duration::seconds(1)
    ));
    assert!(!editable(first, first + Duration::days(14)));
}

fn slot(start: i64, clock_in: Option<i64>, out: bool, alert: bool) -> SlotRecord {
    SlotRecord {
        starts_at: at(start),
        clock_in: clock_in.map(at),
        clocked_out: out,
        no_show_alert: alert,
    }
}

#[test]
fn reliability_counted_by_hand() {
    // Late tolerance 5 min, no-show grace 15 min, now = long after every slot.
    let record = Record {
        slots: vec![
            slot(0, Some(-10), true, false),   // early: on time, worked
            slot(100, Some(105), true, false), // at the tolerance: on time, worked
            slot(200, Some(206), true, false), // a minute past: late, worked
            slot(300, None, false, true),      // the watcher raised a no-show
            slot(400, None, false, false),     // no clock-in, grace long past: no-show
            slot(500, Some(530), false, true), // raised, then arrived: late and a no-show
        ],
        late_cancellations: 2,
        stars: vec![5, 4, 4],
    };
    let r = reliability(
        &record,
        Duration::minutes(5),
        Duration::minutes(15),
        at(10_000),
    );
    assert_eq!(r.shifts_worked, 3);
    assert_eq!(r.on_time, 2);
    assert_eq!(r.on_time_permille, Some(500)); // 2 of 4 clock-ins
    assert_eq!(r.no_shows, 3);
    assert_eq!(r.late_cancellations, 2);
    assert_eq!(r.average_stars_x100, Some(433)); // 13 / 3 = 4.333…
    assert_eq!(r.ratings, 3);
    assert_eq!(r.on_time_text(), "50% on time");
    assert_eq!(r.stars_text(), "4.33 ★ (3)");
}

#[test]
fn a_slot_still_inside_its_grace_is_not_a_no_show_yet() {
    let record = Record {
        slots: vec![slot(0, None, false, false)],
        ..Record::default()
    };
    let r = reliability(&record, Duration::minutes(5), Duration::minutes(15), at(10));
    assert_eq!(r.no_shows, 0);
    assert_eq!(r.on_time_permille, None);
    assert_eq!(r, Reliability::empty());
    assert_eq!(r.stars_text(), "not rated");
}

#[test]
fn averages_round_half_up_in_hundredths() {
    // 2/3 stars above 4 → 4.666… → 4.67.
    let r = reliability(
        &Record {
            stars: vec![5, 5, 4],
            ..Record::default()
        },
        Duration::zero(),
        Duration::zero(),
        at(0),
    );
    assert_eq!(r.average_stars_x100, Some(467));
}

#[test]
fn fewer_misses_then_better_punctuality_win_the_tie_break() {
    let base = Reliability::empty();
    let clean = Reliability {
        on_time_permille: Some(900),
        ..base.clone()
    };
    let punctual = Reliability {
        on_time_permille: Some(1000),
        ..base.clone()
    };
    let missed = Reliability {
        no_shows: 1,
        on_time_permille: Some(1000),
        ..base.clone()
    };
    assert!(punctual.tie_break_key() < clean.tie_break_key());
    assert!(clean.tie_break_key() < base.tie_break_key()); // no clock-in yet: 500‰
    assert!(base.tie_break_key() < missed.tie_break_key());
}

fn any_slot() -> impl Strategy<Value = SlotRecord> {
    (
        0i64..1000,
        prop::option::of(-30i64..60),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(start, off, out, alert)| SlotRecord {
            starts_at: at(start),
            clock_in: off.map(|o| at(start + o)),
            clocked_out: out && off.is_some(),
            no_show_alert: alert,
        })
}

proptest! {
    #[test]
    fn figures_never_exceed_the_slots_and_rates_stay_in_range(
        slots in prop::collection::vec(any_slot(), 0..40),
        stars in prop::collection::vec(1u8..=5, 0..40),
        late in 0u32..10,
        now in 0i64..2000,
    ) {
        let n = slots.len() as u32;
        let r = reliability(
            &Record { slots, late_cancellations: late, stars: stars.clone() },
            Duration::minutes(5),
            Duration::minutes(15),
            at(now),
        );
        prop_assert!(r.shifts_worked <= n && r.on_time <= n && r.no_shows <= n);
        prop_assert!(r.on_time_permille.is_none_or(|p| p <= 1000));
        prop_assert!(r.average_stars_x100.is_none_or(|a| (100..=500).contains(&a)));
        prop_assert_eq!(r.ratings as usize, stars.len());
        prop_assert_eq!(r.late_cancellations, late);
    }

    #[test]
    fn the_order_of_the_record_does_not_matter(
        slots in prop::collection::vec(any_slot(), 0..20).prop_shuffle(),
    ) {
        let mut reversed = slots.clone();
        reversed.reverse();
        let f = |s: Vec<SlotRecord>| reliability(
            &Record { slots: s, ..Record::default() },
            Duration::minutes(5),
            Duration::minutes(15),
            at(3000),
        );
        prop_assert_eq!(f(slots), f(reversed));
    }
}
