//! The pair matrix: every tenant once as a row (the source of a direction) and once as a column
//! (its target). Each cell is one direction: its health by colour, its sync job and the policies
//! that govern it by symbol, and the same in words for screen readers and tooltips. It reads at any
//! size up to the 100-tenant limit, where a node-link picture cannot.

use graph::sync::JobStatusCode;
use serde::{Deserialize, Serialize};

use super::model::{Direction, Health, Known, Mesh, Node, NodeState};
use super::PairLine;

/// The sync job of a direction, as the cell's main symbol shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobMark {
    /// No sync configuration from the source to the target.
    None,
    /// Configured, never started.
    NotStarted,
    Running,
    Paused,
    Quarantined,
    /// The source's side was not read.
    Unknown,
}

/// What the policies say about users of the source being synchronized into the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingsMark {
    /// Both tenants' settings let sync run.
    Allow,
    /// A setting of either tenant stops it.
    Block,
    /// A setting it depends on could not be read.
    Unknown,
}

/// One direction, as a matrix cell shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub health: Health,
    pub job: JobMark,
    pub settings: SettingsMark,
}

impl Mark {
    pub fn of(mesh: &Mesh, direction: &Direction) -> Self {
        let job = match &direction.job {
            Known::Present(job) => match job.status {
                JobStatusCode::Quarantine => JobMark::Quarantined,
                JobStatusCode::Paused => JobMark::Paused,
                JobStatusCode::Active => JobMark::Running,
                JobStatusCode::NotConfigured | JobStatusCode::NotRun => JobMark::NotStarted,
                _ => JobMark::Unknown,
            },
            Known::Absent => JobMark::None,
            Known::Unknown => JobMark::Unknown,
        };
        let (blockers, unknowns) = mesh.blockers(&direction.from, &direction.to);
        let settings = if !blockers.is_empty() {
            SettingsMark::Block
        } else if !unknowns.is_empty() {
            SettingsMark::Unknown
        } else {
            SettingsMark::Allow
        };
        Self {
            health: direction.health,
            job,
            settings,
        }
    }

    /// The cell's symbols: the job's, then the settings'.
    pub fn symbols(&self) -> (&'static str, &'static str) {
        let job = match self.job {
            JobMark::None => "",
            JobMark::NotStarted => "○",
            JobMark::Running => "●",
            JobMark::Paused => "‖",
            JobMark::Quarantined => "✕",
            JobMark::Unknown => "?",
        };
        let settings = match self.settings {
            SettingsMark::Allow => "",
            SettingsMark::Block => "⊘",
            SettingsMark::Unknown => "·",
        };
        (job, settings)
    }

    /// The same in words.
    pub fn words(&self) -> String {
        let job = match self.job {
            JobMark::None => "no sync",
            JobMark::NotStarted => "sync configured, not started",
            JobMark::Running => "sync running",
            JobMark::Paused => "sync paused",
            JobMark::Quarantined => "sync quarantined",
            JobMark::Unknown => "sync unknown",
        };
        let settings = match self.settings {
            SettingsMark::Allow => "settings allow sync",
            SettingsMark::Block => "settings block sync",
            SettingsMark::Unknown => "settings partly unknown",
        };
        format!("{job}; {settings}")
    }

    /// Nothing configured and nothing wrong: settings that would let sync run, no job.
    pub fn is_quiet(&self) -> bool {
        self.health == Health::Idle
            && self.job == JobMark::None
            && self.settings == SettingsMark::Allow
    }

    /// Whether an admin has something to fix here.
    pub fn is_problem(&self) -> bool {
        matches!(self.health, Health::Error | Health::Warning)
    }
}

/// How bad a health is, for ordering: errors first.
fn rank(health: Health) -> u8 {
    match health {
        Health::Error => 4,
        Health::Warning => 3,
        Health::Unknown => 2,
        Health::Healthy => 1,
        Health::Idle => 0,
    }
}

/// Row and column order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// The owner, members and pending tenants by name, then tenants outside the MTO.
    #[default]
    Name,
    /// The tenants with the worst directions first.
    Health,
}

impl Order {
    pub const ALL: [Self; 2] = [Self::Name, Self::Health];

    pub fn parse(value: &str) -> Self {
        match value {
            "health" => Self::Health,
            _ => Self::Name,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Health => "health",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "By name",
            Self::Health => "Worst first",
        }
    }
}

/// Which tenants get a row and a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Show {
    #[default]
    All,
    /// Only tenants with an error or a warning in a direction from or to them.
    Problems,
}

impl Show {
    pub const ALL: [Self; 2] = [Self::All, Self::Problems];

    pub fn parse(value: &str) -> Self {
        match value {
            "problems" => Self::Problems,
            _ => Self::All,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Problems => "problems",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "Every tenant",
            Self::Problems => "Tenants with problems",
        }
    }
}

/// A row and column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub tenant_id: String,
    pub name: String,
    pub state: NodeState,
    /// The worst direction from or to it.
    pub worst: Health,
}

/// A direction with something in it (settings or sync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub mark: Mark,
    /// "A → B: verdict; sync running; settings allow sync".
    pub text: String,
    pub href: String,
}

/// How many directions have each health.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub healthy: usize,
    pub warning: usize,
    pub error: usize,
    pub unknown: usize,
    pub idle: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub axes: Vec<Axis>,
    /// `cells[row * axes.len() + column]`; `None` for the diagonal and for directions with
    /// nothing between the tenants.
    pub cells: Vec<Option<Cell>>,
    /// Tenants left out by [`Show::Problems`].
    pub hidden: usize,
    /// Every direction with something in it, shown or not.
    pub tally: Tally,
}

impl Matrix {
    pub fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.cells
            .get(row * self.axes.len() + column)
            .and_then(Option::as_ref)
    }

    /// The tally in words, the text alternative's first line.
    pub fn summary(&self) -> String {
        let Tally {
            healthy,
            warning,
            error,
            unknown,
            idle,
        } = self.tally;
        let total = healthy + warning + error + unknown + idle;
        format!(
            "{total} directions with settings or sync: {error} with errors, {warning} with warnings, \
             {healthy} healthy, {unknown} unknown, {idle} with settings only."
        )
    }
}

/// The matrix of `nodes` (the overview's tenants) and `pairs` (its connected pairs).
pub fn build(nodes: &[Node], pairs: &[PairLine], order: Order, show: Show) -> Matrix {
    let mut directions: Vec<(&str, &str, Mark, String)> = Vec::new();
    for pair in pairs {
        directions.push((
            &pair.source,
            &pair.target,
            pair.forward_mark,
            format!(
                "{} → {}: {}",
                pair.source_name, pair.target_name, pair.forward_verdict
            ),
        ));
        directions.push((
            &pair.target,
            &pair.source,
            pair.backward_mark,
            format!(
                "{} → {}: {}",
                pair.target_name, pair.source_name, pair.backward_verdict
            ),
        ));
    }
    let mut tally = Tally::default();
    for (_, _, mark, _) in &directions {
        match mark.health {
            Health::Healthy => tally.healthy += 1,
            Health::Warning => tally.warning += 1,
            Health::Error => tally.error += 1,
            Health::Unknown => tally.unknown += 1,
            Health::Idle => tally.idle += 1,
        }
    }
    let worst = |id: &str| {
        directions
            .iter()
            .filter(|(from, to, _, _)| *from == id || *to == id)
            .map(|(_, _, mark, _)| mark.health)
            .max_by_key(|h| rank(*h))
            .unwrap_or(Health::Idle)
    };
    let mut axes: Vec<Axis> = nodes
        .iter()
        .filter(|n| {
            n.in_mto()
                || directions
                    .iter()
                    .any(|d| d.0 == n.tenant_id || d.1 == n.tenant_id)
        })
        .map(|n| Axis {
            tenant_id: n.tenant_id.clone(),
            name: n.name.clone(),
            state: n.state,
            worst: worst(&n.tenant_id),
        })
        .collect();
    let owner = |a: &Axis| {
        nodes
            .iter()
            .any(|n| n.tenant_id == a.tenant_id && n.is_owner())
    };
    let by_name = |a: &Axis, b: &Axis| {
        (
            !owner(a),
            a.state == NodeState::Outside,
            a.name.to_lowercase(),
        )
            .cmp(&(
                !owner(b),
                b.state == NodeState::Outside,
                b.name.to_lowercase(),
            ))
    };
    match order {
        Order::Name => axes.sort_by(by_name),
        Order::Health => axes.sort_by(|a, b| {
            rank(b.worst)
                .cmp(&rank(a.worst))
                .then_with(|| by_name(a, b))
        }),
    }
    let before = axes.len();
    if show == Show::Problems {
        axes.retain(|a| {
            directions.iter().any(|(from, to, mark, _)| {
                mark.is_problem() && (*from == a.tenant_id || *to == a.tenant_id)
            })
        });
    }
    let position = |id: &str| axes.iter().position(|a| a.tenant_id == id);
    let size = axes.len();
    let mut cells = vec![None; size * size];
    for (from, to, mark, verdict) in directions {
        let (Some(row), Some(column)) = (position(from), position(to)) else {
            continue;
        };
        cells[row * size + column] = Some(Cell {
            mark,
            text: format!("{verdict} ({})", mark.words()),
            href: format!("/pairs/{from}/{to}"),
        });
    }
    Matrix {
        hidden: before - axes.len(),
        axes,
        cells,
        tally,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mesh::model::tests::{job, members, reading, side, A, B, C};
    use crate::mesh::{model, overview};

    /// Alpha ⇄ Beta syncing both ways; Gamma → Alpha quarantined (Alpha does not allow inbound
    /// sync from Gamma).
    fn mesh() -> Mesh {
        let mut quarantined = job(A, "Quarantine");
        quarantined.quarantine = None;
        model::build(
            &[
                reading(
                    A,
                    members(),
                    vec![
                        side(B, Some(true), Some(true)),
                        side(C, Some(false), Some(true)),
                    ],
                    vec![job(B, "Active")],
                ),
                reading(
                    B,
                    members(),
                    vec![side(A, Some(true), Some(true))],
                    vec![job(A, "Active")],
                ),
                reading(
                    C,
                    members(),
                    vec![side(A, Some(true), Some(true))],
                    vec![quarantined],
                ),
            ],
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        )
    }

    fn matrix(order: Order, show: Show) -> Matrix {
        let overview = overview(&mesh());
        build(&overview.nodes, &overview.pairs, order, show)
    }

    fn names(matrix: &Matrix) -> Vec<&str> {
        matrix.axes.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn every_member_gets_a_row_and_a_column_and_each_direction_its_cell() {
        let m = matrix(Order::Name, Show::All);
        assert_eq!(names(&m), ["Alpha", "Beta", "Delta", "Gamma"]);
        let (alpha, beta, gamma) = (0, 1, 3);
        let forward = m.cell(alpha, beta).unwrap();
        assert_eq!(forward.mark.job, JobMark::Running);
        assert_eq!(forward.mark.settings, SettingsMark::Allow);
        assert_eq!(forward.href, format!("/pairs/{A}/{B}"));
        assert!(
            forward.text.starts_with("Alpha → Beta: "),
            "{}",
            forward.text
        );
        let quarantined = m.cell(gamma, alpha).unwrap();
        assert_eq!(quarantined.mark.health, Health::Error);
        assert_eq!(quarantined.mark.job, JobMark::Quarantined);
        assert_eq!(quarantined.mark.settings, SettingsMark::Block);
        assert_eq!(quarantined.mark.symbols(), ("✕", "⊘"));
        assert!(quarantined
            .text
            .contains("sync quarantined; settings block sync"));
        assert!(m.cell(alpha, alpha).is_none(), "the diagonal is empty");
        assert!(m.cell(1, 2).is_none(), "nothing between Beta and Delta");
        assert_eq!(m.tally.error, 1);
        assert!(m.summary().contains("1 with errors"), "{}", m.summary());
    }

    #[test]
    fn worst_first_puts_the_quarantined_pair_on_top_and_problems_hides_the_rest() {
        let m = matrix(Order::Health, Show::All);
        let top: Vec<&str> = names(&m).into_iter().take(2).collect();
        assert_eq!(top, ["Alpha", "Gamma"]);
        let only = matrix(Order::Health, Show::Problems);
        assert_eq!(names(&only), ["Alpha", "Gamma"]);
        assert_eq!(only.hidden, 2);
        assert_eq!(only.cell(1, 0).unwrap().mark.job, JobMark::Quarantined);
    }

    #[test]
    fn query_values_parse_with_a_safe_default() {
        assert_eq!(Order::parse("health"), Order::Health);
        assert_eq!(Order::parse("<script>"), Order::Name);
        assert_eq!(Show::parse("problems"), Show::Problems);
        assert_eq!(Show::parse(""), Show::All);
        for order in Order::ALL {
            assert_eq!(Order::parse(order.key()), order);
        }
        for show in Show::ALL {
            assert_eq!(Show::parse(show.key()), show);
        }
    }
}
