//! A fence made ready for many checks: a polygon's outline projected once, not on every call.
//!
//! Every [`Geofence`] method on a polygon projects all its vertices onto a local plane twice (a
//! rough plane to find the centroid, then the plane around it), about 0.06 µs a vertex. A
//! [`PreparedFence`] does that once and keeps the planar outline, its bounding box and the
//! result of [`Geofence::validate_measurable`]; its checks then cost one projection of the
//! point and one pass over the edges. The answers are the same numbers, bit for bit, as the
//! [`Geofence`] methods give: both run the same projection on the same vertices.

use std::borrow::Cow;

use geo::{Area, BoundingRect, Distance, Euclidean, Intersects, Rect};

use super::{
    GeoPoint, Geofence, GeofenceError, MAX_VERTICES, MIN_POLYGON_AREA_M2, MIN_VERTICES,
    PlanarPolygon, distance_m,
};

/// A [`Geofence`] prepared for repeated checks (see the module documentation). Build it once
/// per fence with [`PreparedFence::new`] and keep it as long as the fence does not change.
#[derive(Debug, Clone)]
pub struct PreparedFence {
    shape: Shape,
    measurable: Result<(), GeofenceError>,
}

#[derive(Debug, Clone)]
enum Shape {
    Circle {
        center: GeoPoint,
        radius_m: f64,
    },
    /// `None` for a polygon without vertices (every check answers as for an invalid fence).
    Polygon(Option<Planar>),
}

#[derive(Debug, Clone)]
struct Planar {
    outline: PlanarPolygon,
    /// The projected outline's bounding box: a point outside it is outside the polygon.
    bbox: Option<Rect<f64>>,
}

impl PreparedFence {
    /// Projects a polygon's outline (twice, as every [`Geofence`] polygon check does) and runs
    /// the linear checks of [`Geofence::validate_measurable`]; a circle is kept as it is.
    pub fn new(fence: &Geofence) -> PreparedFence {
        match fence {
            Geofence::Circle { center, radius_m } => PreparedFence {
                shape: Shape::Circle {
                    center: *center,
                    radius_m: *radius_m,
                },
                measurable: fence.validate_measurable(),
            },
            Geofence::Polygon { vertices } => {
                let planar = PlanarPolygon::new(vertices).map(|outline| Planar {
                    bbox: outline.polygon.bounding_rect(),
                    outline,
                });
                let measurable = measurable_polygon(vertices, planar.as_ref());
                PreparedFence {
                    shape: Shape::Polygon(planar),
                    measurable,
                }
            }
        }
    }

    /// The same answer as [`Geofence::validate_measurable`] on the fence this was made from.
    pub fn validate_measurable(&self) -> Result<(), GeofenceError> {
        self.measurable.clone()
    }

    /// The same answer as [`Geofence::contains`].
    pub fn contains(&self, p: GeoPoint) -> bool {
        match &self.shape {
            Shape::Circle { center, radius_m } => distance_m(*center, p) <= *radius_m,
            Shape::Polygon(planar) => {
                p.validate().is_ok()
                    && planar.as_ref().is_some_and(|planar| {
                        let point = planar.outline.project(p);
                        planar.bbox.is_some_and(|b| b.intersects(&point))
                            && planar.outline.polygon.intersects(&point)
                    })
            }
        }
    }

    /// The same answer as [`Geofence::distance_outside_m`].
    pub fn distance_outside_m(&self, p: GeoPoint) -> f64 {
        self.measure(p).0
    }

    /// The same answer as [`Geofence::distance_inside_m`].
    pub fn distance_inside_m(&self, p: GeoPoint) -> f64 {
        self.measure(p).1
    }

    /// `(distance_outside_m, distance_inside_m)` of `p` in one pass: one projection, one
    /// inside test, one distance to the outline.
    pub fn measure(&self, p: GeoPoint) -> (f64, f64) {
        match &self.shape {
            Shape::Circle { center, radius_m } => {
                let d = distance_m(*center, p);
                let (gap, depth) = (d - radius_m, radius_m - d);
                (
                    if gap > 0.0 || gap.is_nan() { gap } else { 0.0 },
                    if depth > 0.0 || depth.is_nan() {
                        depth
                    } else {
                        0.0
                    },
                )
            }
            Shape::Polygon(Some(planar)) if p.validate().is_ok() => {
                let point = planar.outline.project(p);
                let inside = planar.bbox.is_some_and(|b| b.intersects(&point))
                    && planar.outline.polygon.intersects(&point);
                let edge = Euclidean.distance(&point, planar.outline.polygon.exterior());
                if inside { (0.0, edge) } else { (edge, 0.0) }
            }
            Shape::Polygon(_) => (f64::NAN, f64::NAN),
        }
    }
}

impl From<&Geofence> for PreparedFence {
    fn from(fence: &Geofence) -> PreparedFence {
        PreparedFence::new(fence)
    }
}

/// [`Geofence::validate_measurable`] for a polygon whose outline is already projected: the same
/// checks in the same order (vertex count, each vertex, area).
fn measurable_polygon(vertices: &[GeoPoint], planar: Option<&Planar>) -> Result<(), GeofenceError> {
    if !(MIN_VERTICES..=MAX_VERTICES).contains(&vertices.len()) {
        return Err(GeofenceError::BadVertexCount(vertices.len()));
    }
    for vertex in vertices {
        vertex.validate()?;
    }
    let planar = planar.ok_or(GeofenceError::BadVertexCount(vertices.len()))?;
    if planar.outline.polygon.unsigned_area() < MIN_POLYGON_AREA_M2 {
        return Err(GeofenceError::Degenerate);
    }
    Ok(())
}

/// A fence [`crate::punch::classify`] can check a punch against: a [`Geofence`] (prepared for
/// that one punch) or a [`PreparedFence`] kept by the caller across punches.
pub trait AsPreparedFence {
    /// The prepared form: borrowed when it already exists, built otherwise.
    fn prepared(&self) -> Cow<'_, PreparedFence>;
}

impl AsPreparedFence for Geofence {
    fn prepared(&self) -> Cow<'_, PreparedFence> {
        Cow::Owned(PreparedFence::new(self))
    }
}

impl AsPreparedFence for PreparedFence {
    fn prepared(&self) -> Cow<'_, PreparedFence> {
        Cow::Borrowed(self)
    }
}
