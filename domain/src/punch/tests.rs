//! Tests of `punch`: examples named after behaviour, and properties.

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;
use crate::geofence::EARTH_RADIUS_M;

/// Metres in one degree of latitude on the sphere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
/// A stadium in Columbus, Ohio.
const STADIUM: GeoPoint = GeoPoint::new(39.9690, -83.0175);

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

/// The point `north` and `east` metres away from `p` (small offsets).
/// Moves a point by metres north and east; longitude wraps across the antimeridian (a
/// real fix is always in -180..=180), latitude stays off the poles.
fn offset(p: GeoPoint, north: f64, east: f64) -> GeoPoint {
    let lon = p.lon + east / (M_PER_DEG * p.lat.to_radians().cos());
    GeoPoint::new(
        (p.lat + north / M_PER_DEG).clamp(-89.9, 89.9),
        (lon + 180.0).rem_euclid(360.0) - 180.0,
    )
}

fn fix_at(p: GeoPoint) -> LocationFix {
    LocationFix {
        lat: p.lat,
        lon: p.lon,
        accuracy_m: 10.0,
        fix_time: t0(),
        provider: "gps".to_owned(),
        is_mock: false,
    }
}

/// One punch scenario: a good fix, 5 s old, 10 m accuracy, unless changed.
#[derive(Debug, Clone)]
struct Punch {
    fence: Geofence,
    fix: LocationFix,
    punch_time: DateTime<Utc>,
    previous: Option<LocationFix>,
    next: Option<LocationFix>,
    drift_s: Option<i64>,
    thresholds: PunchThresholds,
}

impl Punch {
    fn at(fence: Geofence, p: GeoPoint) -> Punch {
        Punch {
            fence,
            fix: fix_at(p),
            punch_time: t0() + TimeDelta::seconds(5),
            previous: None,
            next: None,
            drift_s: None,
            thresholds: PunchThresholds::default(),
        }
    }

    fn at_stadium(north: f64, east: f64) -> Punch {
        Punch::at(
            Geofence::circle(STADIUM, 200.0),
            offset(STADIUM, north, east),
        )
    }

    fn accuracy(mut self, m: f64) -> Punch {
        self.fix.accuracy_m = m;
        self
    }

    fn mock(mut self) -> Punch {
        self.fix.is_mock = true;
        self
    }

    /// The punch happens `s` seconds after the fix (negative: before it).
    fn fix_age(mut self, s: i64) -> Punch {
        self.punch_time = self.fix.fix_time + TimeDelta::seconds(s);
        self
    }

    /// The previous punch's fix was at `p`, `s` seconds before this fix, 10 m accuracy.
    fn previous(mut self, p: GeoPoint, s: i64) -> Punch {
        let mut prev = fix_at(p);
        prev.fix_time = self.fix.fix_time - TimeDelta::seconds(s);
        self.previous = Some(prev);
        self
    }

    /// The next punch's fix was at `p`, `s` seconds after this fix, 10 m accuracy.
    fn next(mut self, p: GeoPoint, s: i64) -> Punch {
        let mut next = fix_at(p);
        next.fix_time = self.fix.fix_time + TimeDelta::seconds(s);
        self.next = Some(next);
        self
    }

    fn drift(mut self, s: i64) -> Punch {
        self.drift_s = Some(s);
        self
    }

    fn classify(&self) -> PunchAssessment {
        classify(&PunchContext {
            fence: &self.fence,
            fix: &self.fix,
            punch_time: self.punch_time,
            neighbours: Neighbours {
                before: self.previous.as_ref(),
                after: self.next.as_ref(),
            },
            clock_drift_s: self.drift_s,
            thresholds: &self.thresholds,
        })
    }
}

#[test]
fn good_fix_at_the_stadium_is_verified() {
    let a = Punch::at_stadium(0.0, 0.0).classify();
    assert_eq!(a.verdict, PunchVerdict::Verified);
    assert!(a.reasons.is_empty());
    assert_eq!(
        a.summary(),
        "On site: inside the fence (200 m from the edge)."
    );
}

#[test]
fn good_fix_165_m_from_center_is_35_m_from_the_edge() {
    let a = Punch::at_stadium(165.0, 0.0).classify();
    assert_eq!(a.verdict, PunchVerdict::Verified);
    assert_eq!(
        a.summary(),
        "On site: inside the fence (35 m from the edge)."
    );
}

#[test]
fn fix_140_m_outside_is_rejected() {
    let a = Punch::at_stadium(340.0, 0.0).classify();
    assert_eq!(a.verdict, PunchVerdict::Rejected);
    let [
        PunchReason::OutsideFence {
            distance_m,
            accuracy_m,
        },
    ] = a.reasons[..]
    else {
        panic!("{:?}", a.reasons)
    };
    assert!((distance_m - 140.0).abs() < 0.01);
    assert_eq!(accuracy_m, 10.0);
    assert!((a.distance_outside_m - 140.0).abs() < 0.01);
    assert_eq!(a.distance_inside_m, 0.0);
    assert_eq!(a.summary(), "Outside the fence by 140 m.");
}

#[test]
fn fix_just_outside_within_its_accuracy_needs_review() {
    let a = Punch::at_stadium(0.0, 208.0).accuracy(20.0).classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert!(matches!(a.reasons[..], [PunchReason::NearFenceEdge { .. }]));
    assert_eq!(
        a.summary(),
        "Just outside the fence (8 m), within the fix's accuracy of 20 m — move further inside."
    );
}

#[test]
fn mock_location_is_rejected_even_at_the_center() {
    let a = Punch::at_stadium(0.0, 0.0).mock().classify();
    assert_eq!(a.verdict, PunchVerdict::Rejected);
    assert_eq!(a.reasons, vec![PunchReason::MockLocation]);
    assert_eq!(a.summary(), "Location is from a mock provider.");
}

#[test]
fn accuracy_180_m_needs_review_and_says_move_to_open_sky() {
    let a = Punch::at_stadium(0.0, 0.0).accuracy(180.4).classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        a.reasons,
        vec![PunchReason::LowAccuracy {
            accuracy_m: 180.4,
            max_m: 50.0
        }]
    );
    assert_eq!(
        a.summary(),
        "Accuracy 180 m — move to open sky and try again."
    );
}

#[test]
fn accuracy_exactly_at_the_limit_is_fine() {
    let a = Punch::at_stadium(0.0, 0.0).accuracy(50.0).classify();
    assert_eq!(a.verdict, PunchVerdict::Verified);
}

#[test]
fn fix_45_s_old_is_stale() {
    let a = Punch::at_stadium(0.0, 0.0).fix_age(45).classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        a.reasons,
        vec![PunchReason::StaleFix {
            age_s: 45,
            max_s: 30
        }]
    );
    assert_eq!(
        a.summary(),
        "Location fix is 45 s old — wait for a fresh fix."
    );
}

#[test]
fn fix_dated_after_the_punch_is_stale_too() {
    let a = Punch::at_stadium(0.0, 0.0).fix_age(-45).classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        a.summary(),
        "Location fix is dated 45 s after the punch — check the device clock."
    );
}

#[test]
fn fix_30_s_old_is_still_fresh() {
    assert_eq!(
        Punch::at_stadium(0.0, 0.0).fix_age(30).classify().verdict,
        PunchVerdict::Verified
    );
}

#[test]
fn moving_3_km_in_10_s_is_implausible() {
    let a = Punch::at_stadium(0.0, 0.0)
        .previous(offset(STADIUM, 3_200.0, 0.0), 10)
        .classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    let [PunchReason::ImplausibleSpeed { speed_mps, max_mps }] = a.reasons[..] else {
        panic!("{:?}", a.reasons)
    };
    // (3200 m − 10 m − 10 m of accuracy) / 10 s.
    assert!((speed_mps - 318.0).abs() < 0.01);
    assert_eq!(max_mps, 70.0);
    assert_eq!(
        a.summary(),
        "Moved at 1145 km/h to or from your nearest other punch (limit 252 km/h)."
    );
}

#[test]
fn driving_across_town_since_the_last_punch_is_plausible() {
    let a = Punch::at_stadium(0.0, 0.0)
        .previous(offset(STADIUM, 12_000.0, 0.0), 15 * 60)
        .classify();
    assert_eq!(a.verdict, PunchVerdict::Verified);
}

#[test]
fn two_fixes_far_apart_at_the_same_instant_report_an_instant_move() {
    let a = Punch::at_stadium(0.0, 0.0)
        .previous(offset(STADIUM, 500.0, 0.0), 0)
        .classify();
    assert_eq!(
        a.reasons,
        vec![PunchReason::ImplausibleSpeed {
            speed_mps: INSTANT_MOVE_MPS,
            max_mps: 70.0
        }]
    );
    assert!(a.summary().contains("no time in between"));
}

#[test]
fn same_instant_within_both_accuracies_is_not_a_move() {
    let a = Punch::at_stadium(0.0, 0.0)
        .previous(offset(STADIUM, 15.0, 0.0), 0)
        .classify();
    assert_eq!(a.verdict, PunchVerdict::Verified);
}

#[test]
fn worse_accuracy_gives_the_speed_check_more_benefit_of_the_doubt() {
    // 750 m in 10 s: 73 m/s beyond two 10 m accuracies, 69.5 m/s beyond 45 m + 10 m.
    let from = offset(STADIUM, 750.0, 0.0);
    let sharp = Punch::at_stadium(0.0, 0.0).previous(from, 10);
    assert_eq!(sharp.classify().verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        sharp.accuracy(45.0).classify().verdict,
        PunchVerdict::Verified
    );
}

#[test]
fn device_clock_off_by_4_min_10_s_needs_review() {
    let a = Punch::at_stadium(0.0, 0.0).drift(-250).classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert_eq!(
        a.reasons,
        vec![PunchReason::ClockDrift {
            drift_s: -250,
            max_s: 120
        }]
    );
    assert_eq!(a.summary(), "Device clock is off by 4 min 10 s.");
}

#[test]
fn unknown_or_small_clock_drift_is_fine() {
    assert_eq!(
        Punch::at_stadium(0.0, 0.0).drift(120).classify().verdict,
        PunchVerdict::Verified
    );
    assert_eq!(
        Punch::at_stadium(0.0, 0.0).classify().verdict,
        PunchVerdict::Verified
    );
    assert_eq!(
        Punch::at_stadium(0.0, 0.0)
            .drift(i64::MIN)
            .classify()
            .verdict,
        PunchVerdict::NeedsReview
    );
}

#[test]
fn sequence_gap_needs_review_and_counts_missing_events() {
    let gap = PunchReason::SequenceGap {
        expected: 7,
        got: 9,
    };
    assert_eq!(gap.verdict(), PunchVerdict::NeedsReview);
    assert_eq!(gap.explain(), "2 events from this device are missing.");
    let one = PunchReason::SequenceGap {
        expected: 7,
        got: 8,
    };
    assert_eq!(one.explain(), "1 event from this device is missing.");
}

#[test]
fn explanations_round_and_scale_units() {
    let far = PunchReason::OutsideFence {
        distance_m: 3_240.0,
        accuracy_m: 5.0,
    };
    assert_eq!(far.explain(), "Outside the fence by 3.2 km.");
    let very_far = PunchReason::OutsideFence {
        distance_m: 125_600.0,
        accuracy_m: 5.0,
    };
    assert_eq!(very_far.explain(), "Outside the fence by 126 km.");
    let drift = |s| {
        PunchReason::ClockDrift {
            drift_s: s,
            max_s: 120,
        }
        .explain()
    };
    assert_eq!(drift(7200), "Device clock is off by 2 h.");
    assert_eq!(drift(-7500), "Device clock is off by 2 h 5 min.");
    assert_eq!(drift(180), "Device clock is off by 3 min.");
}

#[test]
fn several_reasons_are_all_explained_worst_first() {
    let a = Punch::at_stadium(340.0, 0.0)
        .mock()
        .accuracy(80.0)
        .fix_age(45)
        .classify();
    assert_eq!(a.verdict, PunchVerdict::Rejected);
    assert_eq!(
        a.summary(),
        "Location is from a mock provider. Outside the fence by 140 m. \
         Accuracy 80 m — move to open sky and try again. \
         Location fix is 45 s old — wait for a fresh fix."
    );
}

#[test]
fn fix_off_the_globe_is_rejected_naming_the_field() {
    let mut p = Punch::at_stadium(0.0, 0.0);
    p.fix.lat = f64::NAN;
    let a = p.classify();
    assert_eq!(a.verdict, PunchVerdict::Rejected);
    let [PunchReason::InvalidFix { detail }] = &a.reasons[..] else {
        panic!("{:?}", a.reasons)
    };
    assert!(detail.starts_with("lat: "), "{detail}");
    assert_eq!((a.distance_outside_m, a.distance_inside_m), (0.0, 0.0));
}

#[test]
fn fix_validation_names_each_field() {
    let good = fix_at(STADIUM);
    assert_eq!(good.validate(), Ok(()));
    let with = |f: fn(&mut LocationFix)| {
        let mut fix = good.clone();
        f(&mut fix);
        fix.validate().unwrap_err()
    };
    use crate::validation::InvalidCode::*;
    let field = |e: crate::validation::Invalid| (e.field, e.code);
    assert_eq!(field(with(|f| f.lat = 91.0)), ("lat".into(), OutOfRange));
    assert_eq!(
        field(with(|f| f.lon = f64::INFINITY)),
        ("lon".into(), OutOfRange)
    );
    assert_eq!(
        field(with(|f| f.accuracy_m = -1.0)),
        ("accuracy_m".into(), OutOfRange)
    );
    assert_eq!(
        field(with(|f| f.accuracy_m = f64::NAN)),
        ("accuracy_m".into(), OutOfRange)
    );
    assert_eq!(
        field(with(|f| f.provider = " ".to_owned())),
        ("provider".into(), Required)
    );
    assert_eq!(
        field(with(|f| f.provider = "x".repeat(33))),
        ("provider".into(), TooLong)
    );
    let mut longest = good.clone();
    longest.provider = "é".repeat(32);
    assert_eq!(longest.validate(), Ok(()));
}

#[test]
fn misconfigured_fence_needs_review_instead_of_passing() {
    let mut p = Punch::at_stadium(0.0, 0.0);
    p.fence = Geofence::circle(STADIUM, f64::NAN);
    let a = p.classify();
    assert_eq!(a.verdict, PunchVerdict::NeedsReview);
    assert!(matches!(a.reasons[..], [PunchReason::InvalidFence { .. }]));
}

#[test]
fn nan_limits_fail_closed() {
    let mut p = Punch::at_stadium(0.0, 0.0);
    p.thresholds.max_accuracy_m = f64::NAN;
    assert_eq!(p.classify().verdict, PunchVerdict::NeedsReview);
}

#[test]
fn polygon_fence_works_like_a_circle() {
    let block = Geofence::polygon(vec![
        GeoPoint::new(39.9680, -83.0190),
        GeoPoint::new(39.9680, -83.0160),
        GeoPoint::new(39.9700, -83.0160),
        GeoPoint::new(39.9700, -83.0190),
    ]);
    assert_eq!(
        Punch::at(block.clone(), STADIUM).classify().verdict,
        PunchVerdict::Verified
    );
    let north = offset(GeoPoint::new(39.9700, -83.0175), 140.0, 0.0);
    let a = Punch::at(block, north).classify();
    assert_eq!(a.summary(), "Outside the fence by 140 m.");
}

#[test]
fn assessment_round_trips_through_json_with_the_instant_move_sentinel() {
    let a = Punch::at_stadium(340.0, 0.0)
        .previous(offset(STADIUM, 5_000.0, 0.0), 0)
        .classify();
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains(r#""verdict":"rejected""#), "{json}");
    assert!(json.contains(r#""type":"implausible_speed""#), "{json}");
    let back: PunchAssessment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}

// ---- properties ----

fn site() -> impl Strategy<Value = GeoPoint> {
    (-70.0..70.0f64, -179.0..179.0f64).prop_map(|(lat, lon)| GeoPoint::new(lat, lon))
}

/// A circle, or a lat/lon rectangle, of a few metres to a few km around a site.
fn fence() -> impl Strategy<Value = Geofence> {
    prop_oneof![
        (site(), 20.0..3_000.0f64).prop_map(|(c, r)| Geofence::circle(c, r)),
        (site(), 20.0..3_000.0f64, 20.0..3_000.0f64).prop_map(|(c, h, w)| {
            Geofence::polygon(vec![
                offset(c, -h, -w),
                offset(c, -h, w),
                offset(c, h, w),
                offset(c, h, -w),
            ])
        }),
    ]
}

fn thresholds() -> impl Strategy<Value = PunchThresholds> {
    (5.0..200.0f64, 5i64..300, 5.0..100.0f64, 10i64..600).prop_map(|(a, f, s, d)| PunchThresholds {
        max_accuracy_m: a,
        max_fix_age_s: f,
        max_speed_mps: s,
        max_clock_drift_s: d,
    })
}

/// Any punch near a fence: in or out, good or bad in every respect.
fn any_punch() -> impl Strategy<Value = Punch> {
    (
        (
            fence(),
            -4_000.0..4_000.0f64,
            -4_000.0..4_000.0f64,
            0.0..300.0f64,
        ),
        (any::<bool>(), -400i64..400, thresholds()),
        prop::option::of((-5_000.0..5_000.0f64, -60i64..900, 0.0..100.0f64)),
        prop::option::of(-10_000i64..10_000),
    )
        .prop_map(
            |((fence, north, east, acc), (mock, age, limits), prev, drift)| {
                let center = fence.center();
                let mut p = Punch::at(fence, offset(center, north, east))
                    .accuracy(acc)
                    .fix_age(age);
                p.fix.is_mock = mock;
                p.thresholds = limits;
                p.drift_s = drift;
                if let Some((moved, secs, prev_acc)) = prev {
                    p = p.previous(offset(center, north + moved, east), secs);
                    if let Some(prev) = p.previous.as_mut() {
                        prev.accuracy_m = prev_acc;
                    }
                }
                p
            },
        )
}

/// A punch that should pass: at the fence's center, precise, fresh, honest clock.
fn good_punch() -> impl Strategy<Value = Punch> {
    (
        fence(),
        thresholds(),
        0.0..1.0f64,
        -1.0..=1.0f64,
        0.0..1.0f64,
    )
        .prop_map(|(fence, limits, acc, age, drift)| {
            let center = fence.center();
            let mut p = Punch::at(fence, center)
                .accuracy(acc * limits.max_accuracy_m)
                .fix_age((age * limits.max_fix_age_s as f64) as i64)
                .drift((drift * limits.max_clock_drift_s as f64) as i64)
                .previous(center, 3_600);
            p.thresholds = limits;
            p
        })
}

proptest! {
    #[test]
    fn verdict_is_the_most_severe_reason(p in any_punch()) {
        let a = p.classify();
        let worst = a.reasons.iter().map(PunchReason::verdict).max();
        prop_assert_eq!(a.verdict, worst.unwrap_or(PunchVerdict::Verified));
        prop_assert!(a.distance_outside_m >= 0.0 && a.distance_outside_m.is_finite());
        prop_assert!(a.distance_inside_m >= 0.0 && a.distance_inside_m.is_finite());
        prop_assert!(!a.summary().is_empty());
    }

    #[test]
    fn good_fix_at_the_fence_center_is_verified(p in good_punch()) {
        let a = p.classify();
        prop_assert_eq!(a.verdict, PunchVerdict::Verified, "{:?}", a.reasons);
        prop_assert!(a.summary().starts_with("On site"));
    }

    #[test]
    fn mock_fix_is_always_rejected(p in any_punch()) {
        prop_assert_eq!(p.mock().classify().verdict, PunchVerdict::Rejected);
    }

    #[test]
    fn low_accuracy_is_never_verified(p in good_punch(), worse in 1.0001..20.0f64) {
        let max = p.thresholds.max_accuracy_m;
        prop_assert_ne!(p.accuracy(max * worse).classify().verdict, PunchVerdict::Verified);
    }

    #[test]
    fn stale_or_future_fix_is_never_verified(
        p in good_punch(), extra in 1i64..100_000, future in any::<bool>()
    ) {
        let age = p.thresholds.max_fix_age_s + extra;
        let p = p.fix_age(if future { -age } else { age });
        prop_assert_ne!(p.classify().verdict, PunchVerdict::Verified);
    }

    #[test]
    fn device_clock_moved_two_hours_is_never_verified(
        p in good_punch(), jitter in -60i64..60, ahead in any::<bool>()
    ) {
        let two_hours = if ahead { 7_200 } else { -7_200 } + jitter;
        // The caller noticed the drift …
        prop_assert_ne!(p.clone().drift(two_hours).classify().verdict, PunchVerdict::Verified);
        // … or the punch and fix times disagree by it.
        let shifted = Punch { punch_time: p.fix.fix_time + TimeDelta::seconds(two_hours), ..p };
        prop_assert_ne!(shifted.classify().verdict, PunchVerdict::Verified);
    }

    #[test]
    fn teleporting_since_the_last_punch_is_never_verified(
        p in good_punch(), secs in 0i64..600, bearing in 0.0..360.0f64, margin in 1.01..5.0f64
    ) {
        let speed = p.thresholds.max_speed_mps;
        let reach = (p.fix.accuracy_m + 10.0 + speed * secs as f64) * margin + 1.0;
        let (s, c) = bearing.to_radians().sin_cos();
        let from = offset(p.fix.point(), reach * c, reach * s);
        let a = p.previous(from, secs).classify();
        prop_assert_ne!(a.verdict, PunchVerdict::Verified);
        let flagged = a.reasons.iter().any(|r| matches!(r, PunchReason::ImplausibleSpeed { .. }));
        prop_assert!(flagged);
    }

    #[test]
    fn worse_accuracy_never_helps_without_a_previous_fix(
        p in any_punch(), worse in 0.0..500.0f64
    ) {
        let p = Punch { previous: None, ..p };
        let sharp = p.classify();
        let blurred = p.clone().accuracy(p.fix.accuracy_m + worse).classify();
        // The one relaxation by design: "clearly outside" becomes "outside, within accuracy".
        let benefit_of_doubt =
            sharp.reasons.iter().any(|r| matches!(r, PunchReason::OutsideFence { .. }))
            && blurred.reasons.iter().any(|r| matches!(r, PunchReason::NearFenceEdge { .. }));
        prop_assert!(blurred.verdict >= sharp.verdict || benefit_of_doubt);
        if blurred.verdict == PunchVerdict::Verified {
            prop_assert_eq!(sharp.verdict, PunchVerdict::Verified);
        }
    }
}

/// The schedule check (`schedule_reason`).
mod schedule {
    use super::*;
    use crate::timecard::PunchKind;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).expect("valid time")
    }

    #[test]
    fn clock_in_up_to_an_hour_early_is_normal() {
        assert_eq!(schedule_reason(PunchKind::In, t(-60), t(0), t(240)), None);
        assert_eq!(schedule_reason(PunchKind::In, t(100), t(0), t(240)), None);
    }

    #[test]
    fn clock_in_the_day_before_needs_review() {
        let r = schedule_reason(PunchKind::In, t(-24 * 60), t(0), t(240)).expect("flagged");
        assert_eq!(
            r,
            PunchReason::OffSchedule {
                minutes: -(23 * 60)
            }
        );
        assert_eq!(r.verdict(), PunchVerdict::NeedsReview);
        assert!(r.explain().contains("earlier"), "{}", r.explain());
    }

    #[test]
    fn clock_out_long_after_the_end_needs_review() {
        assert_eq!(
            schedule_reason(PunchKind::Out, t(240 + 240), t(0), t(240)),
            None
        );
        let r = schedule_reason(PunchKind::Out, t(240 + 300), t(0), t(240)).expect("flagged");
        assert_eq!(r, PunchReason::OffSchedule { minutes: 60 });
        assert!(schedule_reason(PunchKind::Out, t(-5), t(0), t(240)).is_some());
    }
}

#[test]
fn a_later_punch_far_away_too_soon_after_is_implausible() {
    // 5 km north, 60 s after this fix: 83 m/s beyond the accuracies.
    let a = Punch::at_stadium(0.0, 0.0)
        .next(offset(STADIUM, 5_000.0, 0.0), 60)
        .classify();
    assert!(
        matches!(a.reasons[..], [PunchReason::ImplausibleSpeed { .. }]),
        "{:?}",
        a.reasons
    );
}

#[test]
fn the_worse_of_the_two_neighbours_is_reported() {
    let a = Punch::at_stadium(0.0, 0.0)
        .previous(offset(STADIUM, 200.0, 0.0), 3_600)
        .next(offset(STADIUM, 9_000.0, 0.0), 60)
        .classify();
    let [PunchReason::ImplausibleSpeed { speed_mps, .. }] = a.reasons[..] else {
        panic!("{:?}", a.reasons)
    };
    assert!(speed_mps > 100.0, "{speed_mps}");
}

/// The case from the field: a shift worked on an old phone that stayed offline, then a later
/// shift 5 km away on a new phone that synced first. When the old phone's punches arrive, each
/// is judged against the punches nearest to it in time — its own shift's, and the new shift
/// three hours later — not against the new phone's punch that reached the server last.
#[test]
fn an_officer_who_changes_phones_is_judged_by_the_punches_nearest_in_time() {
    let site_a = STADIUM;
    let site_b = offset(STADIUM, 5_000.0, 0.0);
    let fix = |p: GeoPoint, minutes: i64| {
        let mut f = fix_at(p);
        f.fix_time = t0() + TimeDelta::minutes(minutes);
        f
    };
    // Old phone: in at 0, out at 60 (site A). New phone: in at 240, out at 300 (site B).
    let old_in = fix(site_a, 0);
    let old_out = fix(site_a, 60);
    let new_in = fix(site_b, 240);
    let new_out = fix(site_b, 300);
    let all = [
        (new_in.fix_time, &new_in),
        (new_out.fix_time, &new_out),
        (old_in.fix_time, &old_in),
    ];
    // The old phone's clock-out reaches the server after everything else.
    let n = Neighbours::nearest(old_out.fix_time, all);
    assert_eq!(n.before, Some(&old_in));
    assert_eq!(n.after, Some(&new_in));
    let a = classify(&PunchContext {
        fence: &Geofence::circle(site_a, 200.0),
        fix: &old_out,
        punch_time: old_out.fix_time,
        neighbours: n,
        clock_drift_s: None,
        thresholds: &PunchThresholds::default(),
    });
    assert_eq!(a.verdict, PunchVerdict::Verified, "{:?}", a.reasons);
    // Judged against the latest punch instead (the old rule), it would have moved 5 km
    // backwards in time.
    let old_rule = classify(&PunchContext {
        neighbours: Neighbours {
            before: Some(&new_out),
            after: None,
        },
        ..PunchContext {
            fence: &Geofence::circle(site_a, 200.0),
            fix: &old_out,
            punch_time: old_out.fix_time,
            neighbours: Neighbours::default(),
            clock_drift_s: None,
            thresholds: &PunchThresholds::default(),
        }
    });
    assert_eq!(old_rule.verdict, PunchVerdict::NeedsReview);
}

proptest! {
    /// The neighbours are the nearest punches at-or-before and after, whatever the order given.
    #[test]
    fn neighbours_are_the_nearest_on_each_side(offsets in proptest::collection::vec(-9000i64..9000, 0..12), at in -9000i64..9000) {
        let fixes: Vec<LocationFix> = offsets.iter().map(|m| {
            let mut f = fix_at(STADIUM);
            f.fix_time = t0() + TimeDelta::minutes(*m);
            f
        }).collect();
        let at_t = t0() + TimeDelta::minutes(at);
        let n = Neighbours::nearest(at_t, fixes.iter().map(|f| (f.fix_time, f)));
        let (from, to) = Neighbours::window(at_t);
        let near = || fixes.iter().map(|f| f.fix_time).filter(|t| from <= *t && *t <= to);
        let best_before = near().filter(|t| *t <= at_t).max();
        let best_after = near().filter(|t| *t > at_t).min();
        prop_assert_eq!(n.before.map(|f| f.fix_time), best_before);
        prop_assert_eq!(n.after.map(|f| f.fix_time), best_after);
    }
}

/// A star-shaped (not convex) polygon of `n` vertices, `r`..`2r` metres around a site.
fn star_fence() -> impl Strategy<Value = Geofence> {
    (site(), 3usize..120, 20.0..1_500.0f64).prop_map(|(c, n, r)| {
        Geofence::polygon(
            (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    let d = if k % 2 == 0 { 2.0 * r } else { r };
                    offset(c, d * a.sin(), d * a.cos())
                })
                .collect(),
        )
    })
}

proptest! {
    /// `classify` gives the same assessment, to the bit, whether it gets the job's fence or a
    /// fence prepared once; and its distances are the reference `Geofence` methods' answers.
    #[test]
    fn a_prepared_fence_classifies_exactly_like_the_fence(
        p in any_punch(),
        other in prop_oneof![Just(None), star_fence().prop_map(Some), Just(Some(Geofence::polygon(vec![STADIUM, STADIUM])))],
    ) {
        let mut p = p;
        if let Some(fence) = other {
            p.fence = fence;
        }
        let prepared = crate::geofence::PreparedFence::new(&p.fence);
        let ctx = PunchContext {
            fence: &prepared,
            fix: &p.fix,
            punch_time: p.punch_time,
            neighbours: Neighbours { before: p.previous.as_ref(), after: p.next.as_ref() },
            clock_drift_s: p.drift_s,
            thresholds: &p.thresholds,
        };
        let (fast, plain) = (classify(&ctx), p.classify());
        prop_assert_eq!(&fast, &plain);
        prop_assert_eq!(fast.distance_outside_m.to_bits(), plain.distance_outside_m.to_bits());
        prop_assert_eq!(fast.distance_inside_m.to_bits(), plain.distance_inside_m.to_bits());
        if p.fix.validate().is_ok() && p.fence.validate_measurable().is_ok() {
            let at = p.fix.point();
            prop_assert_eq!(plain.distance_outside_m.to_bits(), p.fence.distance_outside_m(at).to_bits());
            prop_assert_eq!(plain.distance_inside_m.to_bits(), p.fence.distance_inside_m(at).to_bits());
        }
    }
}
