//! Tests of `eligibility`: examples named after behaviour, and properties.

use super::*;
use chrono::TimeZone;
use chrono_tz::America::New_York;
use proptest::prelude::*;

fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .earliest()
        .expect("valid local time")
        .to_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn job_id() -> Uuid {
    Uuid::from_u128(0xA)
}

fn officer() -> OfficerProfile {
    OfficerProfile {
        id: Uuid::from_u128(0x0FF1CE),
        display_name: "Dana Reyes".into(),
        badge: "4471".into(),
        rank: Rank::Officer,
        certifications: vec!["flagger".into()],
        groups: vec!["patrol".into()],
        seniority: 12,
        permit_expires_at: Some(ny(2030, 1, 1, 0, 0)),
    }
}

fn block(job: Option<u128>, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> WorkBlock {
    WorkBlock {
        job_id: job.map(Uuid::from_u128),
        starts_at,
        ends_at,
        kind: if job.is_some() {
            DutyKind::OffDuty
        } else {
            DutyKind::OnDuty
        },
    }
}

/// A job on Sat 12 Dec 2026, 14:00–18:00 New York, and an officer who may work it.
struct Fixture {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    requirements: Requirements,
    officer: OfficerProfile,
    schedule: Vec<WorkBlock>,
    limits: Limits,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            starts_at: ny(2026, 12, 12, 14, 0),
            ends_at: ny(2026, 12, 12, 18, 0),
            requirements: Requirements::default(),
            officer: officer(),
            schedule: Vec::new(),
            limits: Limits::default(),
        }
    }

    fn at(mut self, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        self.starts_at = starts_at;
        self.ends_at = ends_at;
        self
    }

    fn with(mut self, b: WorkBlock) -> Self {
        self.schedule.push(b);
        self
    }

    fn reasons(&self) -> Vec<IneligibleReason> {
        check(&EligibilityCheck {
            job_id: job_id(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            requirements: &self.requirements,
            officer: &self.officer,
            schedule: &self.schedule,
            limits: &self.limits,
            tz: New_York,
        })
    }
}

fn kind(r: &IneligibleReason) -> &'static str {
    match r {
        IneligibleReason::RankTooLow { .. } => "rank",
        IneligibleReason::MissingCertification { .. } => "cert",
        IneligibleReason::NotInGroup { .. } => "group",
        IneligibleReason::NoPermit | IneligibleReason::PermitExpired { .. } => "permit",
        IneligibleReason::Overlap { .. } => "overlap",
        IneligibleReason::Rest { .. } => "rest",
        IneligibleReason::DailyCap { .. } => "daily",
        IneligibleReason::WeeklyCap { .. } => "weekly",
    }
}

#[test]
fn officer_with_nothing_in_the_way_is_eligible() {
    assert_eq!(Fixture::new().reasons(), vec![]);
}

#[test]
fn every_reason_is_reported_in_a_stable_order() {
    let mut f = Fixture::new()
        // Two overlapping blocks, listed out of order.
        .with(block(
            Some(2),
            ny(2026, 12, 12, 17, 0),
            ny(2026, 12, 12, 19, 0),
        ))
        .with(block(
            Some(1),
            ny(2026, 12, 12, 10, 0),
            ny(2026, 12, 12, 15, 0),
        ))
        // An on-duty shift ending two hours before the job: rest, and 17 h that day.
        .with(block(None, ny(2026, 12, 12, 0, 0), ny(2026, 12, 12, 12, 0)));
    // 56 h earlier that week (Mon 7 – Fri 11 Dec).
    for d in 7..=10 {
        f = f.with(block(None, ny(2026, 12, d, 6, 0), ny(2026, 12, d, 20, 0)));
    }
    f.requirements = Requirements {
        min_rank: Some(Rank::Sergeant),
        certifications: vec!["motor".into(), "flagger".into(), "k9".into()],
        groups: vec!["traffic".into()],
    };
    f.officer.permit_expires_at = None;
    let reasons = f.reasons();
    let kinds: Vec<&str> = reasons.iter().map(kind).collect();
    assert_eq!(
        kinds,
        [
            "rank", "cert", "cert", "group", "permit", "overlap", "overlap", "rest", "daily",
            "weekly"
        ]
    );
    assert_eq!(
        reasons[1],
        IneligibleReason::MissingCertification {
            certification: "motor".into()
        }
    );
    assert_eq!(
        reasons[5],
        IneligibleReason::Overlap {
            job_id: Some(Uuid::from_u128(1)),
            starts_at: ny(2026, 12, 12, 10, 0),
            ends_at: ny(2026, 12, 12, 15, 0),
        }
    );
    assert_eq!(
        reasons[8],
        IneligibleReason::DailyCap {
            day: date(2026, 12, 12),
            minutes: 19 * 60,
            cap_hours: 16
        }
    );
    assert_eq!(
        reasons[9],
        IneligibleReason::WeeklyCap {
            week_of: date(2026, 12, 7),
            minutes: 75 * 60,
            cap_hours: 64
        }
    );
}

#[test]
fn rank_must_reach_the_minimum() {
    let mut f = Fixture::new();
    f.requirements.min_rank = Some(Rank::Sergeant);
    f.officer.rank = Rank::Sergeant;
    assert_eq!(f.reasons(), vec![]);
    f.officer.rank = Rank::Corporal;
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::RankTooLow {
            required: Rank::Sergeant,
            actual: Rank::Corporal
        }]
    );
}

#[test]
fn group_membership_in_any_listed_group_is_enough() {
    let mut f = Fixture::new();
    f.requirements.groups = vec!["traffic".into(), "patrol".into()];
    assert_eq!(f.reasons(), vec![]);
    f.requirements.groups = vec!["traffic".into()];
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::NotInGroup {
            groups: vec!["traffic".into()]
        }]
    );
}

#[test]
fn permit_must_last_until_the_job_ends() {
    let mut f = Fixture::new();
    f.officer.permit_expires_at = Some(f.ends_at);
    assert_eq!(f.reasons(), vec![]);
    let lapses = f.ends_at - TimeDelta::minutes(1);
    f.officer.permit_expires_at = Some(lapses);
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::PermitExpired { expires_at: lapses }]
    );
    f.officer.permit_expires_at = None;
    assert_eq!(f.reasons(), vec![IneligibleReason::NoPermit]);
    f.limits.permit_required = false;
    assert_eq!(f.reasons(), vec![]);
}

#[test]
fn touching_shifts_do_not_overlap() {
    let mut f = Fixture::new()
        .with(block(None, ny(2026, 12, 12, 6, 0), ny(2026, 12, 12, 14, 0)))
        .with(block(
            Some(3),
            ny(2026, 12, 12, 18, 0),
            ny(2026, 12, 12, 20, 0),
        ));
    f.limits.min_rest_hours = 0;
    assert_eq!(f.reasons(), vec![]);
}

#[test]
fn rechecking_a_job_you_hold_ignores_its_own_block() {
    let f = Fixture::new().with(block(
        Some(0xA),
        ny(2026, 12, 12, 14, 0),
        ny(2026, 12, 12, 18, 0),
    ));
    assert_eq!(f.reasons(), vec![]);
}

#[test]
fn short_rest_reports_the_smallest_gap_once() {
    let f = Fixture::new()
        .with(block(None, ny(2026, 12, 12, 1, 0), ny(2026, 12, 12, 8, 0)))
        .with(block(
            Some(5),
            ny(2026, 12, 12, 21, 0),
            ny(2026, 12, 12, 23, 0),
        ));
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::Rest {
            gap_minutes: 180,
            min_hours: 8,
            other_job_id: Some(Uuid::from_u128(5)),
            other_ends_at: None,
            other_starts_at: Some(ny(2026, 12, 12, 21, 0)),
        }]
    );
}

#[test]
fn on_duty_shift_before_the_job_needs_rest_too() {
    let f = Fixture::new().with(block(None, ny(2026, 12, 12, 0, 0), ny(2026, 12, 12, 8, 0)));
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::Rest {
            gap_minutes: 360,
            min_hours: 8,
            other_job_id: None,
            other_ends_at: Some(ny(2026, 12, 12, 8, 0)),
            other_starts_at: None,
        }]
    );
}

#[test]
fn a_job_across_midnight_counts_toward_both_days() {
    let mut f = Fixture::new()
        .at(ny(2026, 12, 12, 20, 0), ny(2026, 12, 13, 6, 0))
        .with(block(
            None,
            ny(2026, 12, 13, 14, 0),
            ny(2026, 12, 13, 23, 0),
        ));
    f.limits.min_rest_hours = 0;
    f.limits.max_hours_per_day = 14;
    // Sat: 4 h. Sun: 6 h + 9 h = 15 h.
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::DailyCap {
            day: date(2026, 12, 13),
            minutes: 15 * 60,
            cap_hours: 14
        }]
    );
}

#[test]
fn time_worked_twice_over_counts_once_toward_caps() {
    let mut f = Fixture::new()
        .with(block(None, ny(2026, 12, 12, 0, 0), ny(2026, 12, 12, 13, 0)))
        .with(block(None, ny(2026, 12, 12, 0, 0), ny(2026, 12, 12, 13, 0)));
    f.limits.min_rest_hours = 0;
    // 13 h + 4 h = 17 h, not 30 h.
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::DailyCap {
            day: date(2026, 12, 12),
            minutes: 17 * 60,
            cap_hours: 16
        }]
    );
}

#[test]
fn weeks_start_on_monday_in_local_time() {
    // Sunday 13 Dec belongs to the week of Monday 7 Dec; Monday 14 Dec starts a new one.
    let mut f = Fixture::new().at(ny(2026, 12, 13, 20, 0), ny(2026, 12, 14, 2, 0));
    for d in 7..=11 {
        f = f.with(block(None, ny(2026, 12, d, 6, 0), ny(2026, 12, d, 18, 0)));
    }
    // 60 h + 4 h on Sunday = 64 h: at the cap, not over.
    assert_eq!(f.reasons(), vec![]);
    f = f.at(ny(2026, 12, 13, 19, 0), ny(2026, 12, 14, 2, 0));
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::WeeklyCap {
            week_of: date(2026, 12, 7),
            minutes: 65 * 60,
            cap_hours: 64
        }]
    );
}

#[test]
fn spring_forward_day_counts_real_elapsed_hours() {
    // Sun 8 Mar 2026: 02:00 EST jumps to 03:00 EDT; the local day is 23 h long.
    assert_eq!(
        day_start(New_York, date(2026, 3, 8)).to_rfc3339(),
        "2026-03-08T05:00:00+00:00"
    );
    assert_eq!(
        day_start(New_York, date(2026, 3, 9)).to_rfc3339(),
        "2026-03-09T04:00:00+00:00"
    );
    // 00:00–17:00 on the wall clock is 16 h of work: at the cap, not over.
    let f = Fixture::new().at(ny(2026, 3, 8, 0, 0), ny(2026, 3, 8, 17, 0));
    assert_eq!(f.reasons(), vec![]);
    // The whole day is 23 h.
    let mut f = Fixture::new().at(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0));
    f.limits.max_hours_per_day = 22;
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::DailyCap {
            day: date(2026, 3, 8),
            minutes: 23 * 60,
            cap_hours: 22
        }]
    );
}

#[test]
fn fall_back_day_counts_real_elapsed_hours() {
    // Sun 1 Nov 2026: 02:00 EDT falls back to 01:00 EST; the local day is 25 h long.
    // 00:00–16:00 on the wall clock is 17 h of work: over a 16 h cap.
    let f = Fixture::new().at(ny(2026, 11, 1, 0, 0), ny(2026, 11, 1, 16, 0));
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::DailyCap {
            day: date(2026, 11, 1),
            minutes: 17 * 60,
            cap_hours: 16
        }]
    );
    let mut f = Fixture::new().at(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0));
    f.limits.max_hours_per_day = 24;
    assert_eq!(
        f.reasons(),
        vec![IneligibleReason::DailyCap {
            day: date(2026, 11, 1),
            minutes: 25 * 60,
            cap_hours: 24
        }]
    );
}

#[test]
fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
    // Santiago, Sun 8 Sep 2024: 00:00 -04 jumps to 01:00 -03.
    let tz = chrono_tz::America::Santiago;
    assert_eq!(
        day_start(tz, date(2024, 9, 8)).to_rfc3339(),
        "2024-09-08T04:00:00+00:00"
    );
    assert_eq!(
        day_start(tz, date(2024, 9, 9)).to_rfc3339(),
        "2024-09-09T03:00:00+00:00"
    );
}

#[test]
fn reasons_explain_themselves_in_local_time() {
    let tz = New_York;
    let overlap = IneligibleReason::Overlap {
        job_id: Some(Uuid::from_u128(1)),
        starts_at: ny(2026, 12, 12, 14, 0),
        ends_at: ny(2026, 12, 12, 18, 0),
    };
    assert_eq!(overlap.explain(tz), "Overlaps your detail Sat 14:00–18:00.");
    let night = IneligibleReason::Overlap {
        job_id: None,
        starts_at: ny(2026, 12, 12, 22, 0),
        ends_at: ny(2026, 12, 13, 6, 0),
    };
    assert_eq!(
        night.explain(tz),
        "Overlaps your shift Sat 22:00–Sun 06:00."
    );
    let daily = IneligibleReason::DailyCap {
        day: date(2026, 12, 12),
        minutes: 1050,
        cap_hours: 16,
    };
    assert_eq!(
        daily.explain(tz),
        "Would make 17.5 h on Sat 12 Dec (limit 16 h)."
    );
    let weekly = IneligibleReason::WeeklyCap {
        week_of: date(2026, 12, 7),
        minutes: 70 * 60,
        cap_hours: 64,
    };
    assert_eq!(
        weekly.explain(tz),
        "Would make 70 h in the week of Mon 7 Dec (limit 64 h)."
    );
    let rest = IneligibleReason::Rest {
        gap_minutes: 360,
        min_hours: 8,
        other_job_id: None,
        other_ends_at: Some(ny(2026, 12, 11, 23, 0)),
        other_starts_at: None,
    };
    assert_eq!(
        rest.explain(tz),
        "Only 6 h rest after your shift ending Fri 23:00 (minimum 8 h)."
    );
    let rest_after = IneligibleReason::Rest {
        gap_minutes: 200,
        min_hours: 8,
        other_job_id: Some(Uuid::from_u128(2)),
        other_ends_at: None,
        other_starts_at: Some(ny(2026, 12, 13, 7, 0)),
    };
    assert_eq!(
        rest_after.explain(tz),
        "Only 3 h 20 min rest before your detail starting Sun 07:00 (minimum 8 h)."
    );
    let rank = IneligibleReason::RankTooLow {
        required: Rank::Sergeant,
        actual: Rank::Officer,
    };
    assert_eq!(
        rank.explain(tz),
        "Requires Sergeant or above (you are Officer)."
    );
    let cert = IneligibleReason::MissingCertification {
        certification: "flagger".into(),
    };
    assert_eq!(cert.explain(tz), "Requires certification: flagger.");
    let group = IneligibleReason::NotInGroup {
        groups: vec!["Traffic".into(), "Motor".into()],
    };
    assert_eq!(group.explain(tz), "Open only to Traffic or Motor.");
    assert_eq!(
        IneligibleReason::NoPermit.explain(tz),
        "You have no secondary-employment permit on file."
    );
    let permit = IneligibleReason::PermitExpired {
        expires_at: ny(2026, 11, 30, 23, 59),
    };
    assert_eq!(
        permit.explain(tz),
        "Your secondary-employment permit expires 30 Nov, before this job ends."
    );
}

#[test]
fn rest_reasons_from_before_the_extra_fields_still_parse() {
    let old = r#"{"type":"rest","gap_minutes":360,"min_hours":8}"#;
    let r: IneligibleReason = serde_json::from_str(old).unwrap();
    assert_eq!(
        r.explain(New_York),
        "Only 6 h rest between this job and another shift (minimum 8 h)."
    );
}

#[test]
fn time_zones_parse_by_iana_name() {
    assert_eq!(parse_time_zone("America/New_York"), Ok(New_York));
    assert_eq!(
        parse_time_zone(" Europe/Berlin "),
        Ok(chrono_tz::Europe::Berlin)
    );
    assert!(parse_time_zone("Mars/Olympus_Mons").is_err());
    assert!(parse_time_zone("").is_err());
}

#[test]
fn limits_are_validated() {
    assert!(Limits::default().validate().is_ok());
    let bad = |f: fn(&mut Limits)| {
        let mut l = Limits::default();
        f(&mut l);
        l.validate().is_err()
    };
    assert!(bad(|l| l.max_hours_per_day = 0));
    assert!(bad(|l| l.max_hours_per_day = 25));
    assert!(bad(|l| l.max_hours_per_week = 169));
    assert!(bad(|l| l.max_hours_per_week = 10));
    assert!(bad(|l| l.min_rest_hours = 73));
}

#[test]
fn ranks_have_titles() {
    assert_eq!(Rank::Officer.title(), "Officer");
    assert_eq!(Rank::Lieutenant.title(), "Lieutenant");
    assert!(Rank::Officer < Rank::Chief);
}

/// `m` minutes after Sat 12 Dec 2026 00:00 New York.
fn from_sat(m: i64) -> DateTime<Utc> {
    ny(2026, 12, 12, 0, 0) + TimeDelta::minutes(m)
}

fn any_block() -> impl Strategy<Value = WorkBlock> {
    (
        prop::option::of(1u128..4),
        -3000i64..3000,
        1i64..1200,
        any::<bool>(),
    )
        .prop_map(|(job, start, len, on_duty)| WorkBlock {
            job_id: job.map(Uuid::from_u128),
            starts_at: from_sat(start),
            ends_at: from_sat(start + len),
            kind: if on_duty {
                DutyKind::OnDuty
            } else {
                DutyKind::OffDuty
            },
        })
}

/// `new` keeps every reason of `old`: same kind and identity, at least as bad.
fn still_reported(old: &IneligibleReason, new: &[IneligibleReason]) -> bool {
    new.iter().any(|n| match (old, n) {
        (
            IneligibleReason::Rest { gap_minutes: a, .. },
            IneligibleReason::Rest { gap_minutes: b, .. },
        ) => b <= a,
        (
            IneligibleReason::DailyCap {
                day: a,
                minutes: ma,
                ..
            },
            IneligibleReason::DailyCap {
                day: b,
                minutes: mb,
                ..
            },
        ) => a == b && mb >= ma,
        (
            IneligibleReason::WeeklyCap {
                week_of: a,
                minutes: ma,
                ..
            },
            IneligibleReason::WeeklyCap {
                week_of: b,
                minutes: mb,
                ..
            },
        ) => a == b && mb >= ma,
        (a, b) => a == b,
    })
}

proptest! {
    #[test]
    fn adding_a_block_never_removes_a_reason(
        start in 0i64..1440, len in 0i64..1200,
        blocks in prop::collection::vec(any_block(), 0..6), extra in any_block(),
        day in 4u32..20, rest in 0u32..12,
    ) {
        let mut f = Fixture::new().at(from_sat(start), from_sat(start + len));
        f.limits.max_hours_per_day = day;
        f.limits.min_rest_hours = rest;
        f.schedule = blocks;
        let before = f.reasons();
        f.schedule.push(extra);
        let after = f.reasons();
        for r in &before {
            prop_assert!(still_reported(r, &after), "lost {:?}; now {:?}", r, after);
        }
    }

    #[test]
    fn an_unencumbered_job_within_the_caps_is_eligible(start in -100_000i64..100_000, len in 0i64..=960) {
        let f = Fixture::new().at(from_sat(start), from_sat(start + len));
        prop_assert_eq!(f.reasons(), vec![]);
    }

    #[test]
    fn an_overlapping_block_is_always_reported(
        start in 0i64..1440, len in 1i64..1200, offset in any::<prop::sample::Index>(), blen in 1i64..2000,
    ) {
        // The block contains some minute of the job.
        let inside = start + offset.index(len as usize) as i64;
        let b = block(Some(7), from_sat(inside + 1 - blen.min(inside - start + 1)), from_sat(inside + 1));
        let f = Fixture::new().at(from_sat(start), from_sat(start + len)).with(b.clone());
        let overlap = IneligibleReason::Overlap { job_id: b.job_id, starts_at: b.starts_at, ends_at: b.ends_at };
        prop_assert!(f.reasons().contains(&overlap));
    }

    #[test]
    fn reasons_do_not_depend_on_schedule_order(
        blocks in prop::collection::vec(any_block(), 0..6).prop_shuffle(),
    ) {
        let mut f = Fixture::new();
        f.schedule = blocks.clone();
        let a = f.reasons();
        f.schedule.reverse();
        prop_assert_eq!(a, f.reasons());
    }
}

proptest! {
    /// Day starts are remembered per thread; a remembered one is the bisection's answer.
    #[test]
    fn a_remembered_day_start_is_the_one_found_by_bisection(
        zone in prop::sample::select(vec!["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana", "Pacific/Apia", "UTC"]),
        days in prop::collection::vec(-20_000i64..40_000, 1..20),
    ) {
        let tz: Tz = zone.parse().unwrap();
        for d in days {
            let day = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + TimeDelta::days(d);
            let found = find_day_start(tz, day);
            prop_assert_eq!(day_start(tz, day), found);
            prop_assert_eq!(day_start(tz, day), found, "asked twice");
        }
    }
}
