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

mod prepared;
pub use prepared::{AsPreparedFence, PreparedFence};

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

/// The checks every use of a polygon needs, linear in its vertices: a vertex count in range,
/// every vertex on the globe, and the outline projected to metres around its centroid.
fn planar_outline(vertices: &[GeoPoint]) -> Result<PlanarPolygon, GeofenceError> {
    if !(MIN_VERTICES..=MAX_VERTICES).contains(&vertices.len()) {
        return Err(GeofenceError::BadVertexCount(vertices.len()));
    }
    for vertex in vertices {
        vertex.validate()?;
    }
    PlanarPolygon::new(vertices).ok_or(GeofenceError::BadVertexCount(vertices.len()))
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
                let planar = planar_outline(vertices)?;
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

    /// The linear-time part of [`Geofence::validate`]: everything but the crossing-edges check
    /// (quadratic in vertices). Enough to measure distances safely; used on every punch, where
    /// the fence was fully validated when the job was posted.
    pub fn validate_measurable(&self) -> Result<(), GeofenceError> {
        match self {
            Geofence::Circle { .. } => self.validate(),
            Geofence::Polygon { vertices } => {
                let planar = planar_outline(vertices)?;
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

/// `p` on the local plane around `origin` that polygon fences are measured in: `(east, north)`
/// metres (an azimuthal equidistant projection: the distance from `origin` is exact). What a
/// drawing of a fence and its punches uses, so the picture matches the check.
pub fn project_local(origin: GeoPoint, p: GeoPoint) -> (f64, f64) {
    let c = LocalPlane::new(origin).project(p);
    (c.x, c.y)
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
mod tests;
