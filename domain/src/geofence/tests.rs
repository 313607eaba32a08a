//! Tests of `geofence`: examples named after behaviour, and properties.

use proptest::prelude::*;

use super::*;

/// Metres in one degree of latitude on the sphere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
/// A stadium in Columbus, Ohio.
const STADIUM: GeoPoint = GeoPoint::new(39.9690, -83.0175);

/// The point `distance` metres from `origin` along the initial bearing `bearing_deg`.
fn destination(origin: GeoPoint, bearing_deg: f64, distance: f64) -> GeoPoint {
    let (s, c) = bearing_deg.to_radians().sin_cos();
    LocalPlane::new(origin).unproject(Coord {
        x: distance * s,
        y: distance * c,
    })
}

/// A regular `n`-gon inscribed in the circle of `radius` metres around `center`.
fn regular_polygon(center: GeoPoint, radius: f64, n: usize) -> Geofence {
    let step = 360.0 / n as f64;
    Geofence::polygon(
        (0..n)
            .map(|i| destination(center, i as f64 * step, radius))
            .collect(),
    )
}

/// A rectangle of lat/lon degrees around the stadium, about 222 m × 256 m.
fn stadium_block() -> Geofence {
    Geofence::polygon(vec![
        GeoPoint::new(39.9680, -83.0190),
        GeoPoint::new(39.9680, -83.0160),
        GeoPoint::new(39.9700, -83.0160),
        GeoPoint::new(39.9700, -83.0190),
    ])
}

#[test]
fn the_local_projection_puts_east_on_x_north_on_y_at_true_distance() {
    let (x, y) = project_local(STADIUM, destination(STADIUM, 90.0, 300.0));
    assert!((x - 300.0).abs() < 1e-6 && y.abs() < 1e-6, "({x}, {y})");
    let (x, y) = project_local(STADIUM, destination(STADIUM, 180.0, 40.0));
    assert!(x.abs() < 1e-6 && (y + 40.0).abs() < 1e-6, "({x}, {y})");
    assert_eq!(project_local(STADIUM, STADIUM), (0.0, 0.0));
}

#[test]
fn one_degree_of_latitude_is_about_111_km() {
    let d = distance_m(GeoPoint::new(10.0, 20.0), GeoPoint::new(11.0, 20.0));
    assert!((d - 111_195.08).abs() < 0.01, "{d}");
}

#[test]
fn new_york_to_london_is_5570_km() {
    let nyc = GeoPoint::new(40.7128, -74.006);
    let london = GeoPoint::new(51.5074, -0.1278);
    assert!((distance_m(nyc, london) - 5_570_230.0).abs() < 1.0);
}

#[test]
fn antipodal_points_are_half_the_circumference_apart() {
    let d = distance_m(GeoPoint::new(0.0, 0.0), GeoPoint::new(0.0, 180.0));
    assert!((d - EARTH_RADIUS_M * std::f64::consts::PI).abs() < 1e-6);
}

#[test]
fn point_340_m_north_of_a_200_m_stadium_circle_is_140_m_outside() {
    let fence = Geofence::circle(STADIUM, 200.0);
    let gate = GeoPoint::new(STADIUM.lat + 340.0 / M_PER_DEG, STADIUM.lon);
    assert!(!fence.contains(gate));
    assert!((fence.distance_outside_m(gate) - 140.0).abs() < 0.01);
    assert_eq!(fence.distance_inside_m(gate), 0.0);
}

#[test]
fn stadium_center_is_inside_with_the_whole_radius_to_the_edge() {
    let fence = Geofence::circle(STADIUM, 200.0);
    assert!(fence.contains(STADIUM));
    assert_eq!(fence.distance_outside_m(STADIUM), 0.0);
    assert_eq!(fence.distance_inside_m(STADIUM), 200.0);
    assert_eq!(fence.center(), STADIUM);
}

#[test]
fn point_140_m_east_of_a_block_fence_is_140_m_outside() {
    let fence = stadium_block();
    fence.validate().unwrap();
    let east_edge = GeoPoint::new(39.9690, -83.0160);
    let outside = destination(east_edge, 90.0, 140.0);
    assert!(!fence.contains(outside));
    assert!((fence.distance_outside_m(outside) - 140.0).abs() < 0.5);
}

#[test]
fn block_fence_center_is_inside_111_m_from_the_north_and_south_edges() {
    let fence = stadium_block();
    let center = fence.center();
    assert!(distance_m(center, STADIUM) < 1.0, "{center:?}");
    assert!(fence.contains(STADIUM));
    // Half of 0.002° of latitude; the east and west edges are ~128 m away.
    assert!((fence.distance_inside_m(STADIUM) - 111.2).abs() < 0.5);
}

#[test]
fn polygon_across_the_antimeridian_contains_points_on_both_sides() {
    let fence = Geofence::polygon(vec![
        GeoPoint::new(-17.01, 179.99),
        GeoPoint::new(-17.01, -179.99),
        GeoPoint::new(-16.99, -179.99),
        GeoPoint::new(-16.99, 179.99),
    ]);
    fence.validate().unwrap();
    assert!(fence.contains(GeoPoint::new(-17.0, 179.995)));
    assert!(fence.contains(GeoPoint::new(-17.0, -179.995)));
    assert!(fence.contains(GeoPoint::new(-17.0, 180.0)));
    assert!(!fence.contains(GeoPoint::new(-17.0, 179.98)));
    assert!(fence.center().lon.abs() > 179.99);
}

#[test]
fn repeating_the_first_vertex_changes_nothing() {
    let Geofence::Polygon { mut vertices } = stadium_block() else {
        unreachable!()
    };
    vertices.push(vertices[0]);
    let closed = Geofence::polygon(vertices);
    closed.validate().unwrap();
    let probe = GeoPoint::new(39.9710, -83.0175);
    let d = stadium_block().distance_outside_m(probe);
    assert!((closed.distance_outside_m(probe) - d).abs() < 1e-6);
}

#[test]
fn points_off_the_globe_are_invalid() {
    assert_eq!(
        GeoPoint::new(90.5, 0.0).validate(),
        Err(GeofenceError::BadLatitude(90.5))
    );
    assert_eq!(
        GeoPoint::new(0.0, -180.5).validate(),
        Err(GeofenceError::BadLongitude(-180.5))
    );
    assert!(GeoPoint::new(f64::NAN, 0.0).validate().is_err());
    assert!(GeoPoint::new(0.0, f64::INFINITY).validate().is_err());
    assert!(GeoPoint::new(-90.0, 180.0).validate().is_ok());
}

#[test]
fn circle_radius_must_be_1_m_to_50_km() {
    for bad in [0.0, 0.5, 50_001.0, f64::NAN, f64::INFINITY, -10.0] {
        assert!(matches!(
            Geofence::circle(STADIUM, bad).validate(),
            Err(GeofenceError::BadRadius(_))
        ));
    }
    assert!(Geofence::circle(STADIUM, 1.0).validate().is_ok());
    assert!(Geofence::circle(STADIUM, 50_000.0).validate().is_ok());
    assert_eq!(
        Geofence::circle(GeoPoint::new(91.0, 0.0), 100.0).validate(),
        Err(GeofenceError::BadLatitude(91.0))
    );
}

#[test]
fn polygon_needs_3_to_1000_vertices() {
    let two = Geofence::polygon(vec![STADIUM, GeoPoint::new(39.97, -83.0)]);
    assert_eq!(two.validate(), Err(GeofenceError::BadVertexCount(2)));
    assert_eq!(
        Geofence::polygon(vec![]).validate(),
        Err(GeofenceError::BadVertexCount(0))
    );
    assert!(regular_polygon(STADIUM, 500.0, 1000).validate().is_ok());
    assert_eq!(
        regular_polygon(STADIUM, 500.0, 1001).validate(),
        Err(GeofenceError::BadVertexCount(1001))
    );
}

#[test]
fn polygon_with_a_bad_vertex_is_invalid() {
    let fence = Geofence::polygon(vec![
        STADIUM,
        GeoPoint::new(39.97, -83.0),
        GeoPoint::new(95.0, 0.0),
    ]);
    assert_eq!(fence.validate(), Err(GeofenceError::BadLatitude(95.0)));
}

#[test]
fn collinear_polygon_is_degenerate() {
    let fence = Geofence::polygon(vec![
        GeoPoint::new(39.968, -83.0175),
        GeoPoint::new(39.969, -83.0175),
        GeoPoint::new(39.970, -83.0175),
    ]);
    assert_eq!(fence.validate(), Err(GeofenceError::Degenerate));
}

#[test]
fn bowtie_polygon_is_self_intersecting() {
    let fence = Geofence::polygon(vec![
        GeoPoint::new(39.968, -83.019),
        GeoPoint::new(39.970, -83.016),
        GeoPoint::new(39.968, -83.016),
        GeoPoint::new(39.970, -83.019),
    ]);
    assert_eq!(fence.validate(), Err(GeofenceError::SelfIntersecting));
}

#[test]
fn polygon_reaching_beyond_50_km_is_too_large() {
    let fence = regular_polygon(STADIUM, 60_000.0, 8);
    assert!(matches!(fence.validate(), Err(GeofenceError::TooLarge(d)) if d > 59_000.0));
}

#[test]
fn invalid_points_and_empty_polygons_are_never_inside() {
    let nan = GeoPoint::new(f64::NAN, 0.0);
    assert!(!Geofence::circle(STADIUM, 200.0).contains(nan));
    assert!(
        Geofence::circle(STADIUM, 200.0)
            .distance_outside_m(nan)
            .is_nan()
    );
    assert!(!stadium_block().contains(nan));
    assert!(stadium_block().distance_outside_m(nan).is_nan());
    let empty = Geofence::polygon(vec![]);
    assert!(!empty.contains(STADIUM));
    assert!(empty.distance_outside_m(STADIUM).is_nan());
    assert!(empty.center().lat.is_nan());
}

fn any_point() -> impl Strategy<Value = GeoPoint> {
    (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| GeoPoint::new(lat, lon))
}

/// Points away from the poles, where fences of a few km are well behaved.
fn site() -> impl Strategy<Value = GeoPoint> {
    (-70.0..70.0f64, -180.0..180.0f64).prop_map(|(lat, lon)| GeoPoint::new(lat, lon))
}

/// A convex polygon: vertices on an ellipse, one per sector, in order.
fn convex_polygon() -> impl Strategy<Value = Geofence> {
    (
        site(),
        3usize..16,
        30.0..5_000.0f64,
        0.3..1.0f64,
        0.0..360.0f64,
    )
        .prop_flat_map(|(center, n, a, squash, spin)| {
            prop::collection::vec(0.1..0.9f64, n).prop_map(move |jitter| {
                let step = 360.0 / n as f64;
                let vertices = jitter
                    .iter()
                    .enumerate()
                    .map(|(i, j)| {
                        let t = ((i as f64 + j) * step).to_radians();
                        let (x, y) = (a * t.sin(), a * squash * t.cos());
                        let (s, c) = spin.to_radians().sin_cos();
                        let plane = LocalPlane::new(center);
                        plane.unproject(Coord {
                            x: x * c - y * s,
                            y: x * s + y * c,
                        })
                    })
                    .collect();
                Geofence::polygon(vertices)
            })
        })
}

fn circle() -> impl Strategy<Value = Geofence> {
    (site(), 1.0..20_000.0f64).prop_map(|(c, r)| Geofence::circle(c, r))
}

fn convex_fence() -> impl Strategy<Value = Geofence> {
    prop_oneof![circle(), convex_polygon()]
}

proptest! {
    #[test]
    fn distance_is_symmetric_and_never_negative(a in any_point(), b in any_point()) {
        let (ab, ba) = (distance_m(a, b), distance_m(b, a));
        prop_assert!(ab >= 0.0);
        prop_assert!((ab - ba).abs() <= 1e-9 * ab.max(1.0));
        prop_assert!(distance_m(a, a) < 1e-6);
    }

    #[test]
    fn distance_obeys_the_triangle_inequality(
        a in any_point(), b in any_point(), c in any_point()
    ) {
        prop_assert!(distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 1.0);
    }

    #[test]
    fn generated_fences_are_valid(fence in convex_fence()) {
        prop_assert_eq!(fence.validate(), Ok(()));
    }

    #[test]
    fn contains_exactly_when_distance_outside_is_zero(
        fence in convex_fence(), bearing in 0.0..360.0f64, k in 0.0..3.0f64
    ) {
        let reach = match &fence {
            Geofence::Circle { radius_m, .. } => *radius_m,
            Geofence::Polygon { .. } => 5_000.0,
        };
        let p = destination(fence.center(), bearing, k * reach);
        let outside = fence.distance_outside_m(p);
        let inside = fence.distance_inside_m(p);
        prop_assert!(outside >= 0.0 && inside >= 0.0);
        prop_assert_eq!(fence.contains(p), outside == 0.0);
        prop_assert!(outside == 0.0 || inside == 0.0);
        if let Geofence::Circle { center, radius_m } = &fence {
            let d = distance_m(*center, p);
            if (d - radius_m).abs() > 1e-6 {
                prop_assert_eq!(fence.contains(p), d < *radius_m);
                prop_assert!((outside - inside - (d - radius_m)).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn every_polygon_vertex_is_on_the_fence(fence in convex_polygon()) {
        let Geofence::Polygon { vertices } = &fence else { unreachable!() };
        for v in vertices {
            prop_assert!(fence.distance_outside_m(*v) < 1e-6);
            prop_assert!(fence.contains(*v));
            prop_assert!(fence.distance_inside_m(*v) < 1e-6);
        }
    }

    #[test]
    fn centroid_of_a_convex_polygon_is_inside(fence in convex_polygon()) {
        let center = fence.center();
        prop_assert!(fence.contains(center));
        prop_assert!(fence.distance_inside_m(center) > 0.0);
    }

    #[test]
    fn moving_away_from_the_center_never_gets_closer(
        fence in convex_fence(), bearing in 0.0..360.0f64,
        near in 0.0..30_000.0f64, further in 0.0..30_000.0f64
    ) {
        let center = fence.center();
        let a = fence.distance_outside_m(destination(center, bearing, near));
        let b = fence.distance_outside_m(destination(center, bearing, near + further));
        prop_assert!(b >= a - 1e-3, "{} then {}", a, b);
        if let Geofence::Circle { .. } = fence {
            // (Depth inside a polygon peaks at its incenter, not necessarily the centroid.)
            let ai = fence.distance_inside_m(destination(center, bearing, near));
            let bi = fence.distance_inside_m(destination(center, bearing, near + further));
            prop_assert!(bi <= ai + 1e-3, "inside {} then {}", ai, bi);
        }
    }

    #[test]
    fn a_64_gon_agrees_with_its_circle_within_2_m(
        center in site(), radius in 20.0..1_000.0f64,
        bearing in 0.0..360.0f64, k in 0.0..3.0f64
    ) {
        let circle = Geofence::circle(center, radius);
        let polygon = regular_polygon(center, radius, 64);
        prop_assert!(distance_m(polygon.center(), center) < 0.01);
        let p = destination(center, bearing, k * radius);
        let (co, po) = (circle.distance_outside_m(p), polygon.distance_outside_m(p));
        let (ci, pi) = (circle.distance_inside_m(p), polygon.distance_inside_m(p));
        prop_assert!((co - po).abs() < 2.0, "outside: circle {} polygon {}", co, po);
        prop_assert!((ci - pi).abs() < 2.0, "inside: circle {} polygon {}", ci, pi);
    }
}

/// Any polygon, valid or not: 0 to 40 vertices scattered up to a few km around a site (most
/// are self-intersecting), sometimes with a vertex off the globe.
fn any_polygon() -> impl Strategy<Value = Geofence> {
    (
        site(),
        prop::collection::vec((0.0..360.0f64, 0.0..4_000.0f64), 0..40),
        prop::option::of((any::<prop::sample::Index>(), 90.5..200.0f64)),
    )
        .prop_map(|(center, polar, broken)| {
            let mut vertices: Vec<GeoPoint> = polar
                .into_iter()
                .map(|(bearing, r)| destination(center, bearing, r))
                .collect();
            if let Some((i, lat)) = broken.filter(|_| !vertices.is_empty()) {
                let i = i.index(vertices.len());
                vertices[i].lat = lat;
            }
            Geofence::polygon(vertices)
        })
}

/// Any fence: the generated valid ones, any polygon, a bad circle.
fn any_fence() -> impl Strategy<Value = Geofence> {
    prop_oneof![
        convex_fence(),
        any_polygon(),
        (site(), -10.0..100_000.0f64).prop_map(|(c, r)| Geofence::circle(c, r)),
    ]
}

/// A point near the fence (around its middle or one of its vertices), or anywhere, or off the
/// globe, or NaN.
fn point_near(fence: &Geofence) -> impl Strategy<Value = GeoPoint> + use<> {
    let anchors: Vec<GeoPoint> = match fence {
        Geofence::Circle { center, .. } => vec![*center],
        Geofence::Polygon { vertices } => vertices.clone(),
    };
    let middle = fence.center();
    prop_oneof![
        4 => (0.0..360.0f64, 0.0..6_000.0f64).prop_map(move |(b, d)| if middle.lat.is_nan() {
            GeoPoint::new(0.0, 0.0)
        } else {
            destination(middle, b, d)
        }),
        2 => (any::<prop::sample::Index>(), 0.0..360.0f64, 0.0..3.0f64).prop_map(move |(i, b, d)| {
            match anchors.len() {
                0 => GeoPoint::new(1.0, 1.0),
                n => destination(anchors[i.index(n)], b, d),
            }
        }),
        1 => any_point(),
        1 => Just(GeoPoint::new(f64::NAN, 0.0)),
        1 => Just(GeoPoint::new(95.0, 0.0)),
    ]
}

/// Equal as numbers are in the reference, bit for bit (NaN equals NaN).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The prepared fence is a cache, not a second implementation of the geometry: every answer
    /// is the reference `Geofence` method's, bit for bit, for valid and invalid fences and points.
    #[test]
    fn a_prepared_fence_answers_exactly_like_the_fence(
        (fence, points) in any_fence().prop_flat_map(|f| {
            let points = prop::collection::vec(point_near(&f), 1..8);
            (Just(f), points)
        })
    ) {
        let prepared = PreparedFence::new(&fence);
        prop_assert_eq!(prepared.validate_measurable(), fence.validate_measurable());
        for p in points {
            prop_assert_eq!(prepared.contains(p), fence.contains(p), "contains {:?}", p);
            let (outside, inside) = prepared.measure(p);
            prop_assert!(same(outside, fence.distance_outside_m(p)), "outside {:?}: {} vs {}", p, outside, fence.distance_outside_m(p));
            prop_assert!(same(inside, fence.distance_inside_m(p)), "inside {:?}: {} vs {}", p, inside, fence.distance_inside_m(p));
            prop_assert!(same(prepared.distance_outside_m(p), outside));
            prop_assert!(same(prepared.distance_inside_m(p), inside));
        }
    }
}

#[test]
fn a_prepared_polygon_without_vertices_is_never_inside_and_measures_nan() {
    let fence = Geofence::polygon(Vec::new());
    let prepared = PreparedFence::new(&fence);
    assert_eq!(
        prepared.validate_measurable(),
        Err(GeofenceError::BadVertexCount(0))
    );
    assert!(!prepared.contains(STADIUM));
    let (outside, inside) = prepared.measure(STADIUM);
    assert!(outside.is_nan() && inside.is_nan());
}
