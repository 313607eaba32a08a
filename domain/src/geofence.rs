//! Geofences (circle and polygon) and distances on the Earth's surface, in metres.
//!
//! Point-to-point distances are great-circle (haversine) distances on a sphere of radius
//! [`EARTH_RADIUS_M`]. Polygons are measured in a local plane around their centroid (an azimuthal
//! equidistant projection, x east and y north, in metres): distances and bearings from the centroid
//! are exact, and the distortion elsewhere is negligible for fences up to tens of kilometres, which
//! is why [`Geofence::validate`] caps a fence at [`MAX_FENCE_EXTENT_M`].

use geo::algorithm::validation::{InvalidPolygon, Validation};
use geo::{
    Area, BoundingRect, Centroid, Coord, Distance, Euclidean, Intersects, LineString, Point,
    Polygon,
};
use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG, GRS 80), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// The smallest radius a circular fence may have, metres.
pub const MIN_RADIUS_M: f64 = 1.0;
/// The largest radius a circular fence may have, and how far a polygon may reach from its
/// centroid, metres.
pub const MAX_FENCE_EXTENT_M: f64 = 50_000.0;
/// The fewest vertices a polygon fence may have.
pub const MIN_VERTICES: usize = 3;
/// The most vertices a polygon fence may have.
pub const MAX_VERTICES: usize = 1000;
/// A polygon smaller than this (square metres) is treated as having zero area.
pub const MIN_POLYGON_AREA_M2: f64 = 1.0;

/// A point in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    /// Latitude, degrees north (-90..=90).
    pub lat: f64,
    /// Longitude, degrees east (-180..=180).
    pub lon: f64,
}

/// The area where a punch counts as on site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Geofence {
    /// Everything within `radius_m` metres of `center` (great-circle distance).
    Circle { center: GeoPoint, radius_m: f64 },
    /// A simple polygon; the ring is closed implicitly (do not repeat the first vertex).
    Polygon { vertices: Vec<GeoPoint> },
}

/// Why a fence or point is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeofenceError {
    /// The latitude is not a number in -90..=90.
    #[error("latitude {0} is outside -90..=90")]
    BadLatitude(f64),
    /// The longitude is not a number in -180..=180.
    #[error("longitude {0} is outside -180..=180")]
    BadLongitude(f64),
    /// The circle's radius is not a number in 1..=50000 m.
    #[error("radius {0} m must be between 1 and 50000 m")]
    BadRadius(f64),
    /// The polygon has too few or too many vertices.
    #[error("a polygon needs 3 to 1000 vertices, got {0}")]
    BadVertexCount(usize),
    /// The polygon encloses (almost) no area, e.g. all vertices on one line.
    #[error("polygon is degenerate (zero area)")]
    Degenerate,
    /// Two edges of the polygon cross, so inside and outside are ambiguous.
    #[error("polygon edges cross each other")]
    SelfIntersecting,
    /// A polygon vertex lies this many metres from the centroid, beyond the 50000 m limit.
    #[error("polygon reaches {0:.0} m from its centre; the limit is 50000 m")]
    TooLarge(f64),
}

impl GeoPoint {
    /// A point at `lat` degrees north and `lon` degrees east.
    pub const fn new(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    /// Checks that the point is a real place: finite, latitude in -90..=90, longitude in
    /// -180..=180.
    pub fn validate(&self) -> Result<(), GeofenceError> {
        if !(-90.0..=90.0).contains(&self.lat) {
            return Err(GeofenceError::BadLatitude(self.lat));
        }
        if !(-180.0..=180.0).contains(&self.lon) {
            return Err(GeofenceError::BadLongitude(self.lon));
        }
        Ok(())
    }
}

/// Great-circle (haversine) distance between two points, metres.
///
/// Symmetric, never negative, and stable for nearly antipodal points. NaN if a coordinate is NaN.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    // Written out rather than taken from `geo::Haversine` so the haversine term can be clamped:
    // rounding can push it just above 1 for antipodal points, where `asin` would return NaN.
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dphi = (phi2 - phi1) / 2.0;
    let half_dlambda = (b.lon - a.lon).to_radians() / 2.0;
    let h = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.clamp(0.0, 1.0).sqrt().asin()
}

impl Geofence {
    /// A circular fence of `radius_m` metres around `center` (not validated).
    pub fn circle(center: GeoPoint, radius_m: f64) -> Geofence {
        Geofence::Circle { center, radius_m }
    }

    /// A polygon fence through `vertices`, in order, without repeating the first (not validated).
    pub fn polygon(vertices: Vec<GeoPoint>) -> Geofence {
        Geofence::Polygon { vertices }
    }

    /// Checks the fence is usable: a circle has a valid center and a radius in 1..=50000 m; a
    /// polygon has 3..=1000 valid vertices, reaches at most 50000 m from its centroid, encloses
    /// at least [`MIN_POLYGON_AREA_M2`] and has no crossing edges.
    pub fn validate(&self) -> Result<(), GeofenceError> {
        match self {
            Geofence::Circle { center, radius_m } => {
                center.validate()?;
                if !(MIN_RADIUS_M..=MAX_FENCE_EXTENT_M).contains(radius_m) {
                    return Err(GeofenceError::BadRadius(*radius_m));
                }
                Ok(())
            }
            Geofence::Polygon { vertices } => {
                if !(MIN_VERTICES..=MAX_VERTICES).contains(&vertices.len()) {
                    return Err(GeofenceError::BadVertexCount(vertices.len()));
                }
                for vertex in vertices {
                    vertex.validate()?;
                }
                let planar = PlanarPolygon::new(vertices)
                    .ok_or(GeofenceError::BadVertexCount(vertices.len()))?;
                let extent = planar
                    .polygon
                    .exterior()
                    .coords()
                    .map(|c| c.x.hypot(c.y))
                    .fold(0.0, f64::max);
                if extent > MAX_FENCE_EXTENT_M {
                    return Err(GeofenceError::TooLarge(extent));
                }
                match planar.polygon.check_validation() {
                    Err(InvalidPolygon::SelfIntersection(_)) => {
                        return Err(GeofenceError::SelfIntersecting);
                    }
                    Err(_) => return Err(GeofenceError::Degenerate),
                    Ok(()) => {}
                }
                if planar.polygon.unsigned_area() < MIN_POLYGON_AREA_M2 {
                    return Err(GeofenceError::Degenerate);
                }
                Ok(())
            }
        }
    }

    /// The fence's middle: a circle's center, a polygon's centroid (area-weighted). Distances
    /// to the job on the board are measured from here. NaN for a polygon without vertices.
    pub fn center(&self) -> GeoPoint {
        match self {
            Geofence::Circle { center, .. } => *center,
            Geofence::Polygon { vertices } => PlanarPolygon::new(vertices)
                .map_or(GeoPoint::new(f64::NAN, f64::NAN), |planar| {
                    planar.plane.origin
                }),
        }
    }

    /// Whether `p` is inside the fence or on its edge.
    ///
    /// Agrees exactly with [`Geofence::distance_outside_m`] being 0. False when `p` or the fence
    /// is invalid (NaN coordinates, a polygon without vertices).
    pub fn contains(&self, p: GeoPoint) -> bool {
        match self {
            Geofence::Circle { center, radius_m } => distance_m(*center, p) <= *radius_m,
            Geofence::Polygon { vertices } => {
                p.validate().is_ok()
                    && PlanarPolygon::new(vertices).is_some_and(|planar| planar.contains(p))
            }
        }
    }

    /// How far `p` is outside the fence, metres: 0 when inside or on the edge, else the distance
    /// to the nearest point of the fence. NaN when `p` or the fence is invalid.
    pub fn distance_outside_m(&self, p: GeoPoint) -> f64 {
        match self {
            Geofence::Circle { center, radius_m } => {
                let gap = distance_m(*center, p) - radius_m;
                if gap > 0.0 || gap.is_nan() { gap } else { 0.0 }
            }
            Geofence::Polygon { vertices } => match PlanarPolygon::new(vertices) {
                Some(planar) if p.validate().is_ok() => {
                    let point = planar.project(p);
                    if planar.polygon.intersects(&point) {
                        0.0
                    } else {
                        Euclidean.distance(&point, planar.polygon.exterior())
                    }
                }
                _ => f64::NAN,
            },
        }
    }

    /// How far `p` is inside the fence, metres: the distance to the nearest edge when inside,
    /// 0 when outside or on the edge. NaN when `p` or the fence is invalid.
    pub fn distance_inside_m(&self, p: GeoPoint) -> f64 {
        match self {
            Geofence::Circle { center, radius_m } => {
                let depth = radius_m - distance_m(*center, p);
                if depth > 0.0 || depth.is_nan() {
                    depth
                } else {
                    0.0
                }
            }
            Geofence::Polygon { vertices } => match PlanarPolygon::new(vertices) {
                Some(planar) if p.validate().is_ok() => {
                    let point = planar.project(p);
                    if planar.polygon.intersects(&point) {
                        Euclidean.distance(&point, planar.polygon.exterior())
                    } else {
                        0.0
                    }
                }
                _ => f64::NAN,
            },
        }
    }
}

/// A local plane around `origin`: azimuthal equidistant projection, x east, y north, metres.
#[derive(Debug, Clone, Copy)]
struct LocalPlane {
    origin: GeoPoint,
    sin_lat: f64,
    cos_lat: f64,
}

impl LocalPlane {
    fn new(origin: GeoPoint) -> LocalPlane {
        let (sin_lat, cos_lat) = origin.lat.to_radians().sin_cos();
        LocalPlane {
            origin,
            sin_lat,
            cos_lat,
        }
    }

    /// The plane coordinates of `p`: its distance from the origin along the initial bearing.
    fn project(&self, p: GeoPoint) -> Coord<f64> {
        let distance = distance_m(self.origin, p);
        let (sin_lat2, cos_lat2) = p.lat.to_radians().sin_cos();
        let (sin_dlon, cos_dlon) = (p.lon - self.origin.lon).to_radians().sin_cos();
        let east = cos_lat2 * sin_dlon;
        let north = self.cos_lat * sin_lat2 - self.sin_lat * cos_lat2 * cos_dlon;
        let (sin_b, cos_b) = east.atan2(north).sin_cos();
        Coord {
            x: distance * sin_b,
            y: distance * cos_b,
        }
    }

    /// The point whose plane coordinates are `c` (inverse of [`LocalPlane::project`]).
    fn unproject(&self, c: Coord<f64>) -> GeoPoint {
        let (sin_ang, cos_ang) = (c.x.hypot(c.y) / EARTH_RADIUS_M).sin_cos();
        let (sin_b, cos_b) = c.x.atan2(c.y).sin_cos();
        let sin_lat2 = (self.sin_lat * cos_ang + self.cos_lat * sin_ang * cos_b).clamp(-1.0, 1.0);
        let dlon = (sin_b * sin_ang * self.cos_lat).atan2(cos_ang - self.sin_lat * sin_lat2);
        let lon = (self.origin.lon + dlon.to_degrees() + 180.0).rem_euclid(360.0) - 180.0;
        GeoPoint::new(sin_lat2.asin().to_degrees(), lon)
    }
}

/// A polygon fence projected onto the local plane around its centroid.
#[derive(Debug, Clone)]
struct PlanarPolygon {
    plane: LocalPlane,
    polygon: Polygon<f64>,
}

impl PlanarPolygon {
    /// Projects `vertices` around their centroid; `None` without vertices.
    fn new(vertices: &[GeoPoint]) -> Option<PlanarPolygon> {
        let first = *vertices.first()?;
        // Find the centroid in a plane around the first vertex, then measure around the centroid.
        let rough = LocalPlane::new(first);
        let sketch = project_all(&rough, vertices);
        // The area centroid of a simple polygon lies within its bounding box; for a degenerate or
        // self-intersecting one (invalid anyway) it may not, so fall back to the vertices' mean.
        let middle = match (sketch.centroid(), sketch.bounding_rect()) {
            (Some(c), Some(bbox)) if bbox.intersects(&c) => c.0,
            _ => mean(sketch.exterior().0.iter().skip(1)),
        };
        let centroid = rough.unproject(middle);
        let plane = LocalPlane::new(centroid);
        let polygon = project_all(&plane, vertices);
        Some(PlanarPolygon { plane, polygon })
    }

    fn project(&self, p: GeoPoint) -> Point<f64> {
        Point(self.plane.project(p))
    }

    fn contains(&self, p: GeoPoint) -> bool {
        self.polygon.intersects(&self.project(p))
    }
}

/// The mean of `coords` (the origin when there are none).
fn mean<'a>(coords: impl Iterator<Item = &'a Coord<f64>>) -> Coord<f64> {
    let (sum, n) = coords.fold((Coord::zero(), 0.0), |(sum, n), c| (sum + *c, n + 1.0));
    if n > 0.0 { sum / n } else { sum }
}

fn project_all(plane: &LocalPlane, vertices: &[GeoPoint]) -> Polygon<f64> {
    let ring: Vec<Coord<f64>> = vertices.iter().map(|v| plane.project(*v)).collect();
    Polygon::new(LineString::from(ring), vec![])
}

#[cfg(test)]
mod tests {
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
}
