//! Geofences (circle and polygon) and distances on the Earth's surface, in metres.

use serde::{Deserialize, Serialize};

/// A point in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// The area where a punch counts as on site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Geofence {
    Circle { center: GeoPoint, radius_m: f64 },
    /// A simple polygon; the ring is closed implicitly (do not repeat the first vertex).
    Polygon { vertices: Vec<GeoPoint> },
}

/// Why a fence or point is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeofenceError {
    #[error("latitude {0} is outside -90..=90")]
    BadLatitude(f64),
    #[error("longitude {0} is outside -180..=180")]
    BadLongitude(f64),
    #[error("radius {0} m must be between 1 and 50000 m")]
    BadRadius(f64),
    #[error("a polygon needs 3 to 1000 vertices, got {0}")]
    BadVertexCount(usize),
    #[error("polygon is degenerate (zero area)")]
    Degenerate,
}
