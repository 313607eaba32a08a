//! The punch on a map, without tiles (decision 045): the job's fence and the punches' fixes
//! drawn as an inline SVG in the domain's local plane (`geofence::project_local`, the plane
//! polygon fences are measured in), metres east and north of the fence's centre. Only numbers
//! and fixed class names reach the markup (the template escapes them anyway); no inline style,
//! so the console's CSP holds. Each punch also gets a sentence: how far it is from the fence.

use offduty_domain::geofence::{GeoPoint, Geofence, project_local};

/// One fix to draw.
pub struct Fix {
    /// `Clock-in` or `Clock-out`.
    pub label: &'static str,
    /// `punch-in` or `punch-out` (the stylesheet's classes).
    pub class: &'static str,
    pub point: GeoPoint,
    pub accuracy_m: f64,
}

/// A drawn fix: its place on the drawing and its accuracy circle.
pub struct Marker {
    pub class: &'static str,
    pub label: &'static str,
    pub x: String,
    pub y: String,
    pub accuracy: String,
    pub dot: String,
}

/// A circle fence on the drawing.
#[derive(Debug, PartialEq, Eq)]
pub struct CircleView {
    pub cx: String,
    pub cy: String,
    pub r: String,
}

/// The drawing.
pub struct MapView {
    pub view_box: String,
    /// A circle fence.
    pub circle: Option<CircleView>,
    /// The polygon's `points`, for a polygon fence.
    pub polygon: Option<String>,
    pub markers: Vec<Marker>,
    /// The width of the drawing in metres, for its caption.
    pub span_m: i64,
    /// One sentence per fix: where it is from the fence.
    pub sentences: Vec<String>,
}

/// A coordinate to a tenth of a metre (never `-0.0`).
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

/// `Clock-in: 35 m outside the fence (fix accurate to 8 m).`
pub fn sentence(fence: &Geofence, f: &Fix) -> String {
    let acc = f.accuracy_m.round() as i64;
    if fence.contains(f.point) {
        format!(
            "{}: inside the fence, {} m from its edge (fix accurate to {acc} m).",
            f.label,
            fence.distance_inside_m(f.point).round() as i64
        )
    } else {
        format!(
            "{}: {} m outside the fence (fix accurate to {acc} m).",
            f.label,
            fence.distance_outside_m(f.point).round() as i64
        )
    }
}

/// The fence and the fixes, drawn around the fence's centre.
pub fn draw(fence: &Geofence, fixes: &[Fix]) -> MapView {
    let origin = fence.center();
    // SVG's y grows downwards: north is up.
    let at = |p: GeoPoint| {
        let (x, y) = project_local(origin, p);
        (x, -y)
    };
    let mut extent: f64 = 25.0;
    let (mut circle, mut polygon) = (None, None);
    match fence {
        Geofence::Circle { center, radius_m } => {
            let (x, y) = at(*center);
            extent = extent.max(x.abs() + radius_m).max(y.abs() + radius_m);
            circle = Some(CircleView {
                cx: n(x),
                cy: n(y),
                r: n(*radius_m),
            });
        }
        Geofence::Polygon { vertices } => {
            let pts: Vec<(f64, f64)> = vertices.iter().map(|v| at(*v)).collect();
            for (x, y) in &pts {
                extent = extent.max(x.abs()).max(y.abs());
            }
            polygon = Some(
                pts.iter()
                    .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    let placed: Vec<(f64, f64)> = fixes.iter().map(|f| at(f.point)).collect();
    for ((x, y), f) in placed.iter().zip(fixes) {
        let acc = if f.accuracy_m.is_finite() {
            f.accuracy_m.max(0.0)
        } else {
            0.0
        };
        // A fix far away (kilometres) still shows; the drawing grows to hold it.
        if x.is_finite() && y.is_finite() {
            extent = extent
                .max(x.abs() + acc.min(extent))
                .max(y.abs() + acc.min(extent));
        }
    }
    let extent = (extent * 1.15).ceil();
    let dot = extent * 0.035;
    let markers = placed
        .iter()
        .zip(fixes)
        .filter(|((x, y), _)| x.is_finite() && y.is_finite())
        .map(|((x, y), f)| Marker {
            class: f.class,
            label: f.label,
            x: n(*x),
            y: n(*y),
            accuracy: n(if f.accuracy_m.is_finite() {
                f.accuracy_m.max(0.0)
            } else {
                0.0
            }),
            dot: n(dot),
        })
        .collect();
    MapView {
        view_box: format!(
            "{} {} {} {}",
            n(-extent),
            n(-extent),
            n(2.0 * extent),
            n(2.0 * extent)
        ),
        circle,
        polygon,
        markers,
        span_m: (2.0 * extent) as i64,
        sentences: fixes.iter().map(|f| sentence(fence, f)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STADIUM: GeoPoint = GeoPoint::new(40.0017, -83.0197);

    #[test]
    fn a_circle_fence_is_centred_and_a_fix_east_of_it_is_drawn_east_and_measured() {
        let fence = Geofence::circle(STADIUM, 100.0);
        // About 200 m east of the centre: 100 m outside a 100 m circle.
        let east = GeoPoint::new(
            40.0017,
            -83.0197 + 200.0 / (111_195.0 * 40.0017f64.to_radians().cos()),
        );
        let map = draw(
            &fence,
            &[Fix {
                label: "Clock-in",
                class: "punch-in",
                point: east,
                accuracy_m: 8.0,
            }],
        );
        assert_eq!(
            map.circle,
            Some(CircleView {
                cx: "0.0".into(),
                cy: "0.0".into(),
                r: "100.0".into()
            })
        );
        let m = &map.markers[0];
        let x: f64 = m.x.parse().unwrap();
        assert!((x - 200.0).abs() < 1.0, "{x}");
        // Due east: hardly north at all (the parallel curves away from the bearing).
        assert!(m.y.parse::<f64>().unwrap().abs() < 0.1, "{}", m.y);
        assert_eq!(
            map.sentences[0],
            "Clock-in: 100 m outside the fence (fix accurate to 8 m)."
        );
        // The drawing holds the fix.
        assert!(map.span_m >= 400, "{}", map.span_m);
    }

    #[test]
    fn a_polygon_is_drawn_with_north_up_and_a_fix_inside_says_so() {
        let fence = Geofence::polygon(vec![
            GeoPoint::new(39.9680, -83.0190),
            GeoPoint::new(39.9680, -83.0160),
            GeoPoint::new(39.9700, -83.0160),
            GeoPoint::new(39.9700, -83.0190),
        ]);
        let centre = fence.center();
        let map = draw(
            &fence,
            &[Fix {
                label: "Clock-out",
                class: "punch-out",
                point: centre,
                accuracy_m: 5.0,
            }],
        );
        let pts = map.polygon.unwrap();
        // The first vertex is south-west: negative x, positive (downward) y.
        let (x, y) = pts.split(' ').next().unwrap().split_once(',').unwrap();
        assert!(
            x.parse::<f64>().unwrap() < 0.0 && y.parse::<f64>().unwrap() > 0.0,
            "{pts}"
        );
        assert!(
            map.sentences[0].starts_with("Clock-out: inside the fence, "),
            "{}",
            map.sentences[0]
        );
    }
}
