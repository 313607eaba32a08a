//! Geofence checks and the punch classifier (`offduty-domain`, run on the phone before every
//! clock-in and on the server for every punch): a circle, a 100-vertex and a 1,000-vertex
//! polygon, each checked from the job's `Geofence` (the outline projected on every call) and
//! from a `PreparedFence` made once (the outline projected when the fence is made).
//!
//! `cargo bench -p offduty-core --bench geo`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

use offduty_domain::geofence::{GeoPoint, Geofence, PreparedFence};
use offduty_domain::punch::{self, LocationFix, PunchContext, PunchThresholds, PunchVerdict};

const SITE: GeoPoint = GeoPoint {
    lat: 40.0017,
    lon: -83.0197,
};

/// A point `north_m` metres north of the site.
fn north(north_m: f64) -> GeoPoint {
    GeoPoint {
        lat: SITE.lat + north_m / 111_320.0,
        lon: SITE.lon,
    }
}

/// An `n`-vertex star-shaped (not convex) polygon around the site, 150–250 m out: a stadium
/// lot traced by hand (100), or as detailed as a fence may be (1,000, `MAX_VERTICES`).
fn star(n: usize) -> Geofence {
    let dlat = 1.0 / 111_320.0;
    let dlon = 1.0 / (111_320.0 * SITE.lat.to_radians().cos());
    Geofence::polygon(
        (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                let r = if k % 2 == 0 { 250.0 } else { 150.0 };
                GeoPoint {
                    lat: SITE.lat + r * dlat * a.sin(),
                    lon: SITE.lon + r * dlon * a.cos(),
                }
            })
            .collect(),
    )
}

fn geofence(c: &mut Criterion) {
    let circle = Geofence::circle(SITE, 200.0);
    let poly = star(100);
    let poly_max = star(offduty_domain::geofence::MAX_VERTICES);
    let (inside, outside) = (north(40.0), north(320.0));
    for fence in [&circle, &poly, &poly_max] {
        fence.validate().unwrap();
        assert!(fence.contains(inside) && !fence.contains(outside));
    }
    let fences = [
        ("circle", &circle),
        ("polygon 100", &poly),
        ("polygon 1000 (MAX_VERTICES)", &poly_max),
    ];

    let mut g = c.benchmark_group("geofence");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, fence) in fences {
        g.bench_function(format!("{name}: contains (inside)"), |b| {
            b.iter(|| black_box(fence).contains(black_box(inside)))
        });
        g.bench_function(format!("{name}: distance_outside_m (outside)"), |b| {
            b.iter(|| black_box(fence).distance_outside_m(black_box(outside)))
        });
        g.bench_function(format!("{name}: validate"), |b| {
            b.iter(|| black_box(fence).validate().is_ok())
        });
        let prepared = PreparedFence::new(fence);
        assert!(prepared.contains(inside) && !prepared.contains(outside));
        g.bench_function(format!("{name}: prepare (PreparedFence::new)"), |b| {
            b.iter(|| PreparedFence::new(black_box(fence)))
        });
        g.bench_function(format!("{name}: prepared contains (inside)"), |b| {
            b.iter(|| black_box(&prepared).contains(black_box(inside)))
        });
        g.bench_function(format!("{name}: prepared contains (outside)"), |b| {
            b.iter(|| black_box(&prepared).contains(black_box(outside)))
        });
        g.bench_function(
            format!("{name}: prepared distance_outside_m (outside)"),
            |b| b.iter(|| black_box(&prepared).distance_outside_m(black_box(outside))),
        );
    }
    // The floor: one haversine distance, the cheapest geometry a punch check does.
    g.bench_function("floor: distance_m (haversine)", |b| {
        b.iter(|| offduty_domain::geofence::distance_m(black_box(SITE), black_box(inside)))
    });
    g.finish();

    let now = Utc::now();
    let fix = LocationFix {
        lat: inside.lat,
        lon: inside.lon,
        accuracy_m: 8.0,
        fix_time: now - Span::seconds(2),
        provider: "fused".into(),
        is_mock: false,
    };
    let previous = LocationFix {
        lat: north(900.0).lat,
        lon: SITE.lon,
        accuracy_m: 12.0,
        fix_time: now - Span::minutes(6),
        provider: "fused".into(),
        is_mock: false,
    };
    let thresholds = PunchThresholds::default();
    let mut g = c.benchmark_group("punch_classify");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, fence) in fences {
        let ctx = PunchContext {
            fence,
            fix: &fix,
            punch_time: now,
            neighbours: punch::Neighbours {
                before: Some(&previous),
                after: None,
            },
            clock_drift_s: Some(3),
            thresholds: &thresholds,
        };
        assert_eq!(punch::classify(&ctx).verdict, PunchVerdict::Verified);
        g.bench_function(format!("{name}: classify (verified)"), |b| {
            b.iter(|| punch::classify(black_box(&ctx)).verdict)
        });
        let prepared = PreparedFence::new(fence);
        let ctx = PunchContext {
            fence: &prepared,
            fix: ctx.fix,
            punch_time: ctx.punch_time,
            neighbours: ctx.neighbours,
            clock_drift_s: ctx.clock_drift_s,
            thresholds: ctx.thresholds,
        };
        assert_eq!(punch::classify(&ctx).verdict, PunchVerdict::Verified);
        g.bench_function(
            format!("{name}: classify, prepared fence (verified)"),
            |b| b.iter(|| punch::classify(black_box(&ctx)).verdict),
        );
    }
    g.finish();
}

criterion_group!(benches, geofence);
criterion_main!(benches);
