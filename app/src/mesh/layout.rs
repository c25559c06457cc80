//! Where the mesh picture puts things, for organizations small enough to draw
//! ([`PICTURE_LIMIT`] tenants; the pair matrix shows any size).
//!
//! Two steps, both deterministic so that the server's render and the browser's agree:
//! 1. **Force-directed placement** (Fruchterman–Reingold): tenants repel each other, a pair with
//!    settings or sync between them pulls its tenants together, a weak pull to the centre keeps
//!    unconnected tenants near the rest. It starts from a circle and cools for a fixed number of
//!    rounds.
//! 2. **Label placement**: each tenant's name goes to the first of eight spots around its circle
//!    whose box touches no line, no other circle and no other label. When a tenant has no such
//!    spot, the drawing is spread out (labels keep their size) and placed again.

use serde::{Deserialize, Serialize};

/// The largest organization drawn as a picture; larger ones are shown as the pair matrix only.
pub const PICTURE_LIMIT: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// How a label's text is anchored at its point (SVG `text-anchor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn svg(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Middle => "middle",
            Self::End => "end",
        }
    }
}

/// Where a tenant's name is written: the text's anchor point (its baseline) and how it is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelAt {
    pub at: Point,
    pub anchor: Anchor,
}

/// The picture's size and the node radius.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub node_radius: f64,
}

/// The result: a frame, one point and one label per tenant (in the order given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub frame: Frame,
    pub points: Vec<Point>,
    pub labels: Vec<LabelAt>,
}

const NODE_RADIUS: f64 = 22.0;
/// The distance tenants settle at when nothing else pulls (Fruchterman–Reingold's `k`).
const IDEAL: f64 = 190.0;
const ROUNDS: usize = 400;
const GRAVITY: f64 = 0.3;
const MARGIN: f64 = 16.0;
/// Approximate width of one character of a label (13 px sans-serif) and a label's height.
const CHAR_WIDTH: f64 = 7.6;
const LABEL_HEIGHT: f64 = 16.0;
/// Half the gap between the two parallel lines of a pair, plus the arrow head: a label keeps
/// this far from a pair's centre line.
const LINE_CLEARANCE: f64 = NODE_RADIUS * 0.35 + 6.0;

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn grow(self, by: f64) -> Self {
        Self {
            left: self.left - by,
            top: self.top - by,
            right: self.right + by,
            bottom: self.bottom + by,
        }
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    fn contains(&self, p: Point) -> bool {
        p.x >= self.left && p.x <= self.right && p.y >= self.top && p.y <= self.bottom
    }

    /// Whether the segment `a`–`b` passes through the box (Liang–Barsky clipping).
    fn crossed_by(&self, a: Point, b: Point) -> bool {
        if self.contains(a) || self.contains(b) {
            return true;
        }
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (p, q) in [
            (-dx, a.x - self.left),
            (dx, self.right - a.x),
            (-dy, a.y - self.top),
            (dy, self.bottom - a.y),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
                continue;
            }
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
        true
    }

    /// Whether a circle around `center` of `radius` touches the box.
    fn touches_circle(&self, center: Point, radius: f64) -> bool {
        let x = center.x.clamp(self.left, self.right);
        let y = center.y.clamp(self.top, self.bottom);
        (x - center.x).powi(2) + (y - center.y).powi(2) < radius * radius
    }
}

fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * CHAR_WIDTH + 6.0
}

/// The box of a label written at `at` with `anchor`.
fn label_box(label: &str, at: LabelAt) -> Rect {
    let width = label_width(label);
    let left = match at.anchor {
        Anchor::Start => at.at.x,
        Anchor::Middle => at.at.x - width / 2.0,
        Anchor::End => at.at.x - width,
    };
    Rect {
        left,
        top: at.at.y - LABEL_HEIGHT + 4.0,
        right: left + width,
        bottom: at.at.y + 4.0,
    }
}

/// Spots for a label around a circle at `p`, best first: the nearest ring of spots first, and in
/// a ring below, above, right, left, then the directions between. Farther rings let a tenant
/// whose circle many lines leave (the hub of a star) write its name between two of them.
fn label_spots(label: &str, p: Point) -> Vec<LabelAt> {
    const DIRECTIONS: usize = 32;
    let half_width = label_width(label) / 2.0;
    let half_height = LABEL_HEIGHT / 2.0;
    let mut angles: Vec<f64> = (0..DIRECTIONS)
        .map(|i| std::f64::consts::TAU * i as f64 / DIRECTIONS as f64)
        .collect();
    // Preference: straight below, above, right, left; then the nearest to one of those.
    let preference = |a: &f64| {
        let below = std::f64::consts::FRAC_PI_2;
        [below, -below, 0.0, std::f64::consts::PI]
            .iter()
            .enumerate()
            .map(|(rank, &goal)| {
                let gap = (a - goal).rem_euclid(std::f64::consts::TAU);
                let gap = gap.min(std::f64::consts::TAU - gap);
                gap * 10.0 + rank as f64
            })
            .fold(f64::MAX, f64::min)
    };
    angles.sort_by(|a, b| preference(a).total_cmp(&preference(b)));
    let mut spots = Vec::with_capacity(DIRECTIONS * 9);
    for gap in [4.0, 14.0, 34.0, 64.0, 104.0, 154.0, 214.0, 284.0, 364.0] {
        for &angle in &angles {
            let (ux, uy) = (angle.cos(), angle.sin());
            // The box's centre, far enough along the direction that the box clears the circle.
            let distance = NODE_RADIUS + gap;
            let center = Point {
                x: p.x + ux * (distance + half_width * ux.abs()),
                y: p.y + uy * (distance + half_height * uy.abs()),
            };
            spots.push(LabelAt {
                at: Point {
                    x: center.x,
                    y: center.y + half_height - 4.0,
                },
                anchor: Anchor::Middle,
            });
        }
    }
    spots
}

/// Force-directed positions for `count` tenants joined by `edges` (indices, either order).
fn forces(count: usize, edges: &[(usize, usize)]) -> Vec<Point> {
    let start_radius = IDEAL * (count.max(2) as f64).sqrt() * 0.6;
    let mut points: Vec<Point> = (0..count)
        .map(|i| {
            let angle = std::f64::consts::TAU * i as f64 / count.max(1) as f64
                - std::f64::consts::FRAC_PI_2;
            Point {
                x: start_radius * angle.cos(),
                y: start_radius * angle.sin(),
            }
        })
        .collect();
    let lonely: Vec<bool> = (0..count)
        .map(|i| !edges.iter().any(|&(a, b)| a != b && (a == i || b == i)))
        .collect();
    let mut temperature = IDEAL;
    for _ in 0..ROUNDS {
        let mut moves = vec![Point { x: 0.0, y: 0.0 }; count];
        for i in 0..count {
            for j in (i + 1)..count {
                if lonely[i] || lonely[j] {
                    continue;
                }
                let (dx, dy) = (points[i].x - points[j].x, points[i].y - points[j].y);
                let distance = (dx * dx + dy * dy).sqrt().max(0.01);
                let push = IDEAL * IDEAL / distance;
                let (ux, uy) = (dx / distance, dy / distance);
                moves[i].x += ux * push;
                moves[i].y += uy * push;
                moves[j].x -= ux * push;
                moves[j].y -= uy * push;
            }
        }
        for &(a, b) in edges {
            if a == b || a >= count || b >= count {
                continue;
            }
            let (dx, dy) = (points[a].x - points[b].x, points[a].y - points[b].y);
            let distance = (dx * dx + dy * dy).sqrt().max(0.01);
            let pull = distance * distance / IDEAL;
            let (ux, uy) = (dx / distance, dy / distance);
            moves[a].x -= ux * pull;
            moves[a].y -= uy * pull;
            moves[b].x += ux * pull;
            moves[b].y += uy * pull;
        }
        for ((point, step), &alone) in points.iter_mut().zip(&moves).zip(&lonely) {
            if alone {
                continue;
            }
            // A weak pull to the centre keeps the drawing compact.
            let gravity = GRAVITY;
            let (mx, my) = (step.x - point.x * gravity, step.y - point.y * gravity);
            let length = (mx * mx + my * my).sqrt().max(0.01);
            let limited = length.min(temperature);
            point.x += mx / length * limited;
            point.y += my / length * limited;
        }
        temperature = (temperature * 0.985).max(1.0);
    }
    // Tenants without pairs take no part in the forces (they would only be pushed away): each
    // goes to the free spot nearest the middle of the others.
    for i in (0..count).filter(|&i| lonely[i]) {
        let placed: Vec<Point> = (0..count)
            .filter(|&j| !lonely[j] || j < i)
            .map(|j| points[j])
            .collect();
        points[i] = free_spot(&placed, &points, edges);
    }
    points
}

/// The spot nearest the middle of `placed` that keeps [`IDEAL`] from each of them and clear of
/// every line between `points`.
fn free_spot(placed: &[Point], points: &[Point], edges: &[(usize, usize)]) -> Point {
    if placed.is_empty() {
        return Point { x: 0.0, y: 0.0 };
    }
    let middle = Point {
        x: placed.iter().map(|p| p.x).sum::<f64>() / placed.len() as f64,
        y: placed.iter().map(|p| p.y).sum::<f64>() / placed.len() as f64,
    };
    let step = IDEAL / 4.0;
    let free = |p: Point| {
        placed
            .iter()
            .all(|q| ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt() >= IDEAL * 0.8)
            && edges
                .iter()
                .all(|&(a, b)| match (points.get(a), points.get(b)) {
                    (Some(&pa), Some(&pb)) => {
                        distance_to_segment(p, pa, pb) > NODE_RADIUS + LINE_CLEARANCE + 30.0
                    }
                    _ => true,
                })
    };
    // Rings of candidate spots around the middle, nearest first.
    for ring in 1..200 {
        let radius = step * ring as f64;
        let spots = (ring * 6).max(8);
        for k in 0..spots {
            let angle =
                std::f64::consts::TAU * k as f64 / spots as f64 + std::f64::consts::FRAC_PI_2;
            let p = Point {
                x: middle.x + radius * angle.cos(),
                y: middle.y + radius * angle.sin(),
            };
            if free(p) {
                return p;
            }
        }
    }
    middle
}

/// What a label at `spot` for tenant `index` would run into.
fn spot_is_free(
    spot: LabelAt,
    index: usize,
    labels: &[&str],
    points: &[Point],
    edges: &[(usize, usize)],
    placed: &[Option<LabelAt>],
) -> bool {
    let rect = label_box(labels[index], spot);
    let clear_of_lines = edges.iter().all(|&(a, b)| {
        let (Some(&pa), Some(&pb)) = (points.get(a), points.get(b)) else {
            return true;
        };
        !rect.grow(LINE_CLEARANCE).crossed_by(pa, pb)
    });
    let clear_of_circles = points
        .iter()
        .all(|&p| !rect.touches_circle(p, NODE_RADIUS + 3.0));
    let clear_of_labels = placed.iter().enumerate().all(|(other, at)| {
        other == index
            || at.is_none_or(|at| !rect.grow(2.0).overlaps(&label_box(labels[other], at)))
    });
    clear_of_lines && clear_of_circles && clear_of_labels
}

/// Each tenant's label at its first free spot; `None` for a tenant that has none.
fn place_labels(
    labels: &[&str],
    points: &[Point],
    edges: &[(usize, usize)],
) -> Vec<Option<LabelAt>> {
    let mut placed: Vec<Option<LabelAt>> = vec![None; points.len()];
    for index in 0..points.len() {
        placed[index] = label_spots(labels[index], points[index])
            .into_iter()
            .find(|&spot| spot_is_free(spot, index, labels, points, edges, &placed));
    }
    placed
}

/// Whether every pair of circles keeps a gap, and no line runs through a third tenant's circle.
fn circles_clear(points: &[Point], edges: &[(usize, usize)]) -> bool {
    let apart = points.iter().enumerate().all(|(i, a)| {
        points[i + 1..]
            .iter()
            .all(|b| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt() > NODE_RADIUS * 2.0 + 24.0)
    });
    let lines_clear = edges.iter().all(|&(a, b)| {
        let (Some(&pa), Some(&pb)) = (points.get(a), points.get(b)) else {
            return true;
        };
        points.iter().enumerate().all(|(i, &p)| {
            i == a || i == b || distance_to_segment(p, pa, pb) > NODE_RADIUS + LINE_CLEARANCE
        })
    });
    apart && lines_clear
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / length2).clamp(0.0, 1.0)
    };
    ((p.x - a.x - t * dx).powi(2) + (p.y - a.y - t * dy).powi(2)).sqrt()
}

/// Lays out tenants named `labels`, joined by `edges` (indices into `labels`).
pub fn place(labels: &[&str], edges: &[(usize, usize)]) -> Placement {
    let base = forces(labels.len(), edges);
    let mut best: Option<(usize, Vec<Point>, Vec<Option<LabelAt>>)> = None;
    // Spread the drawing out until every label has a free spot (labels keep their size, so more
    // room always helps), a bounded number of times.
    for round in 0..16 {
        let scale = 1.0 + 0.12 * round as f64;
        let points: Vec<Point> = base
            .iter()
            .map(|p| Point {
                x: p.x * scale,
                y: p.y * scale,
            })
            .collect();
        let labels_at = place_labels(labels, &points, edges);
        let missing = labels_at.iter().filter(|l| l.is_none()).count()
            + usize::from(!circles_clear(&points, edges));
        if best.as_ref().is_none_or(|(m, _, _)| missing < *m) {
            best = Some((missing, points, labels_at));
        }
        if missing == 0 {
            break;
        }
    }
    let (_, points, labels_at) = best.unwrap_or_default();
    let labels_at: Vec<LabelAt> = labels_at
        .into_iter()
        .zip(&points)
        .enumerate()
        .map(|(i, (at, &p))| {
            at.unwrap_or_else(|| {
                let label = labels.get(i).copied().unwrap_or("");
                label_spots(label, p)[0]
            })
        })
        .collect();
    fit(labels, points, labels_at)
}

/// Moves everything so the drawing, labels included, starts at the margin; sizes the frame.
fn fit(labels: &[&str], points: Vec<Point>, labels_at: Vec<LabelAt>) -> Placement {
    let mut bounds = Rect {
        left: f64::MAX,
        top: f64::MAX,
        right: f64::MIN,
        bottom: f64::MIN,
    };
    for (i, p) in points.iter().enumerate() {
        let circle = Rect {
            left: p.x - NODE_RADIUS - 6.0,
            top: p.y - NODE_RADIUS - 6.0,
            right: p.x + NODE_RADIUS + 6.0,
            bottom: p.y + NODE_RADIUS + 6.0,
        };
        let label = labels_at.get(i).map_or(circle, |&at| {
            label_box(labels.get(i).copied().unwrap_or(""), at)
        });
        bounds.left = bounds.left.min(circle.left).min(label.left);
        bounds.top = bounds.top.min(circle.top).min(label.top);
        bounds.right = bounds.right.max(circle.right).max(label.right);
        bounds.bottom = bounds.bottom.max(circle.bottom).max(label.bottom);
    }
    if points.is_empty() {
        bounds = Rect {
            left: 0.0,
            top: 0.0,
            right: 0.0,
            bottom: 0.0,
        };
    }
    let shift = |p: Point| Point {
        x: p.x - bounds.left + MARGIN,
        y: p.y - bounds.top + MARGIN,
    };
    Placement {
        frame: Frame {
            width: (bounds.right - bounds.left + MARGIN * 2.0).max(200.0),
            height: (bounds.bottom - bounds.top + MARGIN * 2.0).max(120.0),
            node_radius: NODE_RADIUS,
        },
        points: points.into_iter().map(shift).collect(),
        labels: labels_at
            .into_iter()
            .map(|l| LabelAt {
                at: shift(l.at),
                anchor: l.anchor,
            })
            .collect(),
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

    /// No label touches a line, a circle or another label; circles keep apart; lines miss third
    /// circles; everything is inside the frame.
    fn assert_readable(labels: &[&str], edges: &[(usize, usize)]) {
        let placement = place(labels, edges);
        let Placement {
            frame,
            points,
            labels: labels_at,
        } = &placement;
        assert_eq!(points.len(), labels.len());
        let placed: Vec<Option<LabelAt>> = labels_at.iter().copied().map(Some).collect();
        for (i, &at) in labels_at.iter().enumerate() {
            assert!(
                spot_is_free(at, i, labels, points, edges, &placed),
                "label {:?} collides in {placement:?}",
                labels[i]
            );
            let rect = label_box(labels[i], at);
            assert!(
                rect.left >= 0.0 && rect.top >= 0.0,
                "{:?} off the frame",
                labels[i]
            );
            assert!(rect.right <= frame.width && rect.bottom <= frame.height);
        }
        assert!(
            circles_clear(points, edges),
            "circles or lines overlap: {placement:?}"
        );
    }

    #[test]
    fn the_demo_organization_is_drawn_without_overlaps() {
        // Contoso, Fabrikam, Woodgrove Bank, Northwind Traders (pending) and Tailspin Toys (outside,
        // partner of Contoso only).
        let labels = [
            "Contoso",
            "Fabrikam",
            "Woodgrove Bank",
            "Northwind Traders",
            "Tailspin Toys",
        ];
        let edges = [(0, 1), (0, 2), (1, 2), (0, 3), (0, 4)];
        assert_readable(&labels, &edges);
    }

    #[test]
    fn every_mesh_up_to_the_limit_is_drawn_without_overlaps() {
        let names: Vec<String> = (1..=PICTURE_LIMIT)
            .map(|i| format!("Tenant {i:03} Holdings"))
            .collect();
        for count in [1, 2, 3, 6, 10, PICTURE_LIMIT] {
            let labels: Vec<&str> = names.iter().take(count).map(String::as_str).collect();
            // A ring, a star from the owner, and every pair.
            let ring: Vec<(usize, usize)> = (0..count).map(|i| (i, (i + 1) % count)).collect();
            let star: Vec<(usize, usize)> = (1..count).map(|i| (0, i)).collect();
            assert_readable(&labels, &ring);
            assert_readable(&labels, &star);
            if count <= 6 {
                let full: Vec<(usize, usize)> = (0..count)
                    .flat_map(|a| ((a + 1)..count).map(move |b| (a, b)))
                    .collect();
                assert_readable(&labels, &full);
            }
        }
    }

    #[test]
    fn a_tenant_without_pairs_stays_near_the_others() {
        let labels = [
            "Contoso",
            "Fabrikam",
            "Woodgrove Bank",
            "Northwind Traders",
            "Tailspin Toys",
        ];
        let placement = place(&labels, &[(0, 1), (0, 2), (1, 2), (0, 4)]);
        let p = &placement.points;
        let nearest = (0..5)
            .filter(|&i| i != 3)
            .map(|i| ((p[i].x - p[3].x).powi(2) + (p[i].y - p[3].y).powi(2)).sqrt())
            .fold(f64::MAX, f64::min);
        assert!(
            nearest < IDEAL * 1.6,
            "{nearest} from the nearest tenant: {placement:?}"
        );
    }

    #[test]
    fn the_same_input_gives_the_same_picture() {
        let labels = ["A", "B", "C"];
        assert_eq!(place(&labels, &[(0, 1)]), place(&labels, &[(0, 1)]));
    }

    #[test]
    fn a_line_through_a_box_is_seen_and_one_beside_it_is_not() {
        let rect = Rect {
            left: 10.0,
            top: 10.0,
            right: 20.0,
            bottom: 20.0,
        };
        let p = |x, y| Point { x, y };
        assert!(rect.crossed_by(p(0.0, 15.0), p(30.0, 15.0)));
        assert!(rect.crossed_by(p(0.0, 0.0), p(30.0, 30.0)));
        assert!(!rect.crossed_by(p(0.0, 25.0), p(30.0, 25.0)));
        assert!(!rect.crossed_by(p(0.0, 0.0), p(5.0, 30.0)));
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
