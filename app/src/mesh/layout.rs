//! Where the mesh picture puts things: members on a circle (so every pair is a visible chord),
//! tenants outside the MTO in a row beneath, and two offset lines per pair so both directions show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The picture's size and the node radius for `members` tenants on the circle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub center: Point,
    pub radius: f64,
    pub node_radius: f64,
    /// Where the row of outside tenants sits.
    pub outside_y: f64,
}

/// Grows with the number of tenants so labels stay apart up to 100 members.
pub fn frame(members: usize, outside: usize) -> Frame {
    let node_radius = if members > 40 { 9.0 } else { 22.0 };
    let circumference = members.max(3) as f64 * (node_radius * 2.0 + 26.0);
    let radius = (circumference / std::f64::consts::TAU).max(150.0);
    let margin = 120.0;
    let width = ((radius + margin) * 2.0).max(outside as f64 * 150.0 + 40.0);
    let outside_y = radius * 2.0 + margin * 1.6;
    let height = if outside > 0 {
        outside_y + 70.0
    } else {
        radius * 2.0 + margin * 2.0
    };
    Frame {
        width,
        height,
        center: Point {
            x: width / 2.0,
            y: radius + margin,
        },
        radius,
        node_radius,
        outside_y,
    }
}

/// Member `index` of `count`, clockwise from the top.
pub fn on_circle(frame: &Frame, index: usize, count: usize) -> Point {
    let angle =
        std::f64::consts::TAU * index as f64 / count.max(1) as f64 - std::f64::consts::FRAC_PI_2;
    Point {
        x: frame.center.x + frame.radius * angle.cos(),
        y: frame.center.y + frame.radius * angle.sin(),
    }
}

/// Outside tenant `index` of `count`, spread along the bottom row.
pub fn in_row(frame: &Frame, index: usize, count: usize) -> Point {
    let step = frame.width / (count as f64 + 1.0);
    Point {
        x: step * (index as f64 + 1.0),
        y: frame.outside_y,
    }
}

/// The line for `from → to`, shifted sideways so that `to → from` runs parallel to it, and
/// shortened to stop at the nodes' rims.
pub fn directed_line(from: Point, to: Point, node_radius: f64) -> (Point, Point) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / length, dy / length);
    // Perpendicular offset: to the right of the direction of travel.
    let offset = (node_radius * 0.35).max(3.0);
    let (ox, oy) = (-uy * offset, ux * offset);
    let trim = node_radius + 4.0;
    (
        Point {
            x: from.x + ux * trim + ox,
            y: from.y + uy * trim + oy,
        },
        Point {
            x: to.x - ux * trim + ox,
            y: to.y - uy * trim + oy,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_member_sits_on_top_and_all_fit_in_the_frame() {
        for count in [1, 5, 100] {
            let frame = frame(count, 3);
            let top = on_circle(&frame, 0, count);
            assert!((top.x - frame.center.x).abs() < 1e-6);
            for i in 0..count {
                let p = on_circle(&frame, i, count);
                assert!(p.x > 0.0 && p.x < frame.width && p.y > 0.0 && p.y < frame.height);
            }
            assert!(in_row(&frame, 2, 3).x < frame.width);
        }
    }

    #[test]
    fn a_hundred_members_stay_apart() {
        let frame = frame(100, 0);
        let a = on_circle(&frame, 0, 100);
        let b = on_circle(&frame, 1, 100);
        let gap = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
        assert!(gap > frame.node_radius * 2.0 + 10.0, "gap {gap}");
    }

    #[test]
    fn both_directions_get_separate_parallel_lines() {
        let a = Point { x: 0.0, y: 0.0 };
        let b = Point { x: 100.0, y: 0.0 };
        let (s1, e1) = directed_line(a, b, 20.0);
        let (s2, e2) = directed_line(b, a, 20.0);
        assert!(s1.y != s2.y, "offset to opposite sides");
        assert!((s1.x - 24.0).abs() < 1e-6 && (e1.x - 76.0).abs() < 1e-6);
        assert!((e2.x - 24.0).abs() < 1e-6 && (s2.x - 76.0).abs() < 1e-6);
    }
}
