//! The tenant mesh as plain Rust: each tenant's view ([`view`]), the combined model ([`model`]),
//! health rules ([`health`]), the picture's geometry ([`layout`]), and the projections the pages
//! receive (this module). Compiled for the server and the browser alike; no I/O here.

pub mod health;
pub mod joining;
pub mod layout;
pub mod matrix;
pub mod model;
pub mod time;
pub mod view;
pub mod words;

use serde::{Deserialize, Serialize};

use health::Finding;
use model::{Direction, Health, Known, Mesh, Node, NodeState, Pair};
use view::{OrganizationInfo, PartnerSide, SyncSummary};

/// How many tenants are where, against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub active: usize,
    pub pending: usize,
    pub removing: usize,
    pub limit: usize,
}

/// One line of the picture: a direction of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub from: layout::Point,
    pub to: layout::Point,
    pub health: Health,
    pub title: String,
    pub href: String,
}

/// One circle of the picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dot {
    pub tenant_id: String,
    pub label: String,
    pub at: layout::Point,
    /// Where its name is written (never under a line, a circle or another name).
    pub label_at: layout::LabelAt,
    pub state: NodeState,
    pub owner: bool,
    pub transition_running: bool,
    pub side_known: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    pub frame: layout::Frame,
    pub dots: Vec<Dot>,
    pub edges: Vec<Edge>,
}

/// A pair as the mesh page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairLine {
    pub source: String,
    pub target: String,
    pub source_name: String,
    pub target_name: String,
    pub forward: Health,
    pub forward_verdict: String,
    pub forward_mark: matrix::Mark,
    pub backward: Health,
    pub backward_verdict: String,
    pub backward_mark: matrix::Mark,
}

/// What the mesh page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub taken_at: i64,
    pub organization: Option<OrganizationInfo>,
    pub nodes: Vec<Node>,
    pub counts: Counts,
    pub pairs: Vec<PairLine>,
    pub findings: Vec<Finding>,
    /// `None` above [`layout::PICTURE_LIMIT`] tenants: the pair matrix shows them.
    pub picture: Option<Picture>,
}

/// What the tenant page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantDetail {
    pub taken_at: i64,
    pub node: Node,
    /// Its settings for each other tenant of the mesh (name, id, settings).
    pub partners: Vec<(String, String, Known<PartnerSide>)>,
    /// Its sync configurations (out), each with the target's name.
    pub sync_out: Known<Vec<(String, SyncSummary)>>,
    /// Sync into it, per other member (its name, the direction).
    pub sync_in: Vec<(String, Direction)>,
    pub findings: Vec<Finding>,
    /// Name of the tenant that added it, when known.
    pub added_by_name: Option<String>,
}

/// What the pair page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairDetail {
    pub taken_at: i64,
    pub pair: Pair,
    pub source: Option<Node>,
    pub target: Option<Node>,
    pub findings: Vec<Finding>,
}

pub fn counts(mesh: &Mesh) -> Counts {
    let count = |state| mesh.nodes.iter().filter(|n| n.state == state).count();
    Counts {
        active: count(NodeState::Active),
        pending: count(NodeState::Pending),
        removing: count(NodeState::Removing),
        limit: model::TENANT_LIMIT,
    }
}

/// The picture of a small organization (members, then tenants outside it that have settings or
/// sync with one): `None` above [`layout::PICTURE_LIMIT`] tenants.
pub fn picture(mesh: &Mesh, pairs: &[Pair]) -> Option<Picture> {
    let mut nodes: Vec<&Node> = mesh.members().collect();
    nodes.extend(mesh.nodes.iter().filter(|n| !n.in_mto()));
    if nodes.len() > layout::PICTURE_LIMIT {
        return None;
    }
    let index = |id: &str| nodes.iter().position(|n| n.tenant_id == id);
    let joined: Vec<(usize, usize, &Pair)> = pairs
        .iter()
        .filter_map(|p| Some((index(&p.source)?, index(&p.target)?, p)))
        .collect();
    let labels: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let lines: Vec<(usize, usize)> = joined.iter().map(|&(a, b, _)| (a, b)).collect();
    let placement = layout::place(&labels, &lines);
    let radius = placement.frame.node_radius;
    let dots = nodes
        .iter()
        .zip(placement.points.iter().zip(&placement.labels))
        .map(|(node, (&at, &label_at))| Dot {
            tenant_id: node.tenant_id.clone(),
            label: node.name.clone(),
            at,
            label_at,
            state: node.state,
            owner: node.is_owner(),
            transition_running: node.transition.as_ref().is_some_and(|t| t.in_progress()),
            side_known: node.side_known,
        })
        .collect();
    let mut edges = Vec::new();
    for (a, b, pair) in joined {
        let (Some(&pa), Some(&pb)) = (placement.points.get(a), placement.points.get(b)) else {
            continue;
        };
        for (direction, from, to) in [(&pair.forward, pa, pb), (&pair.backward, pb, pa)] {
            let (start, end) = layout::directed_line(from, to, radius);
            edges.push(Edge {
                from: start,
                to: end,
                health: direction.health,
                title: direction_title(mesh, direction),
                href: format!("/pairs/{}/{}", direction.from, direction.to),
            });
        }
    }
    Some(Picture {
        frame: placement.frame,
        dots,
        edges,
    })
}

fn direction_title(mesh: &Mesh, direction: &Direction) -> String {
    format!(
        "{} → {}: {}",
        mesh.name(&direction.from),
        mesh.name(&direction.to),
        direction.verdict
    )
}

pub fn overview(mesh: &Mesh) -> Overview {
    let pairs = mesh.connected_pairs();
    let lines = pairs
        .iter()
        .map(|p| PairLine {
            source: p.source.clone(),
            target: p.target.clone(),
            source_name: p.source_name.clone(),
            target_name: p.target_name.clone(),
            forward: p.forward.health,
            forward_verdict: p.forward.verdict.clone(),
            forward_mark: matrix::Mark::of(mesh, &p.forward),
            backward: p.backward.health,
            backward_verdict: p.backward.verdict.clone(),
            backward_mark: matrix::Mark::of(mesh, &p.backward),
        })
        .collect();
    Overview {
        taken_at: mesh.taken_at,
        organization: mesh.organization.clone(),
        nodes: mesh.nodes.clone(),
        counts: counts(mesh),
        picture: picture(mesh, &pairs),
        pairs: lines,
        findings: health::findings(mesh),
    }
}

fn involving(findings: Vec<Finding>, tenants: &[&str]) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| tenants.iter().all(|t| f.tenants.iter().any(|x| x == t)))
        .collect()
}

pub fn tenant_detail(mesh: &Mesh, tenant_id: &str) -> Option<TenantDetail> {
    let node = mesh.node(tenant_id)?.clone();
    let others: Vec<&Node> = mesh
        .nodes
        .iter()
        .filter(|n| {
            n.tenant_id != tenant_id
                && (n.in_mto()
                    || node.state == NodeState::Outside
                    || mesh.settings(tenant_id, &n.tenant_id).present().is_some())
        })
        .collect();
    let partners = others
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                n.tenant_id.clone(),
                mesh.settings(tenant_id, &n.tenant_id),
            )
        })
        .collect();
    let sync_out = match mesh.sync.get(tenant_id) {
        Some(configs) => Known::Present(
            configs
                .iter()
                .map(|c| {
                    (
                        c.target_tenant_id
                            .as_deref()
                            .map_or_else(|| "unknown tenant".to_owned(), |t| mesh.name(t)),
                        c.clone(),
                    )
                })
                .collect(),
        ),
        None => Known::Unknown,
    };
    let sync_in = others
        .iter()
        .filter(|n| n.in_mto())
        .map(|n| (n.name.clone(), mesh.direction(&n.tenant_id, tenant_id)))
        .collect();
    Some(TenantDetail {
        taken_at: mesh.taken_at,
        added_by_name: node.added_by.as_deref().map(|id| mesh.name(id)),
        findings: involving(health::findings(mesh), &[tenant_id]),
        node,
        partners,
        sync_out,
        sync_in,
    })
}

pub fn pair_detail(mesh: &Mesh, source: &str, target: &str) -> PairDetail {
    PairDetail {
        taken_at: mesh.taken_at,
        pair: mesh.pair(source, target),
        source: mesh.node(source).cloned(),
        target: mesh.node(target).cloned(),
        findings: involving(health::findings(mesh), &[source, target]),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use model::tests::{job, members, reading, side, A, B, C, D};

    fn demo_like() -> Mesh {
        model::build(
            &[
                reading(
                    A,
                    members(),
                    vec![side(B, Some(true), Some(true))],
                    vec![job(B, "Active")],
                ),
                reading(
                    B,
                    members(),
                    vec![side(A, Some(true), Some(true))],
                    vec![job(A, "Active")],
                ),
            ],
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        )
    }

    #[test]
    fn the_overview_counts_and_draws_both_directions() {
        let overview = overview(&demo_like());
        assert_eq!(overview.counts.active, 3);
        assert_eq!(overview.counts.pending, 1);
        assert_eq!(overview.pairs.len(), 1);
        let picture = overview.picture.unwrap();
        assert_eq!(picture.edges.len(), 2);
        assert_eq!(picture.dots.len(), 4);
        assert_eq!(picture.edges[0].href, format!("/pairs/{A}/{B}"));
    }

    #[test]
    fn the_tenant_detail_lists_settings_and_sync_both_ways() {
        let detail = tenant_detail(&demo_like(), A).unwrap();
        assert_eq!(detail.partners.len(), 3);
        assert!(matches!(detail.partners[0].2, Known::Present(_)));
        assert!(matches!(&detail.sync_out, Known::Present(jobs) if jobs.len() == 1));
        let (_, from_c) = detail.sync_in.iter().find(|(_, d)| d.from == C).unwrap();
        assert!(from_c.job.is_unknown());
        assert!(tenant_detail(&demo_like(), "nobody").is_none());
        let pending = tenant_detail(&demo_like(), D).unwrap();
        assert_eq!(pending.findings[0].rule, "join-pending");
    }

    #[test]
    fn the_pair_detail_has_both_sides() {
        let detail = pair_detail(&demo_like(), B, A);
        assert_eq!(detail.pair.source_name, "Beta");
        assert!(detail.pair.source_settings.present().is_some());
        assert_eq!(detail.pair.forward.health, Health::Healthy);
        assert!(detail.findings.is_empty());
    }
}
