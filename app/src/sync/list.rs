//! The `/sync` list: one row per configuration the session can see, problems first, with the
//! page's filters and sort applied in plain Rust (so they work the same with and without JS).

use graph::sync::{ExecutionState, JobStatusCode, ScheduleState};
use serde::{Deserialize, Serialize};

use crate::mesh::health::Finding;
use crate::mesh::model::{Health, Mesh};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRow {
    pub source: String,
    pub source_name: String,
    pub target: String,
    pub target_name: String,
    pub status: JobStatusCode,
    pub schedule_state: ScheduleState,
    pub last_run: Option<String>,
    pub last_run_state: Option<ExecutionState>,
    pub imported: Option<i64>,
    pub exported: Option<i64>,
    pub escrowed: Option<i64>,
    pub last_success: Option<String>,
    pub steady_since: Option<String>,
    pub health: Health,
    pub verdict: String,
    /// Titles of the findings about this direction.
    pub findings: Vec<String>,
    /// The pair page, where the sync section is.
    pub link: String,
}

/// The page's query: `?status=Quarantine&tenant=<id>&q=text&sort=last_run`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncQuery {
    pub status: Option<String>,
    pub tenant: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
}

/// The columns one may sort by (`problems` — the default — puts the worst health first).
pub const SORTS: &[(&str, &str)] = &[
    ("problems", "Problems first"),
    ("source", "Source"),
    ("target", "Target"),
    ("status", "Status"),
    ("last_run", "Last run (newest first)"),
];

/// Every configuration in the mesh (the sign-ins' source tenants), unfiltered.
pub fn rows(mesh: &Mesh, findings: &[Finding]) -> Vec<SyncRow> {
    let mut rows = Vec::new();
    for (source, configurations) in &mesh.sync {
        for job in configurations {
            let Some(target) = job.target_tenant_id.as_deref() else {
                continue;
            };
            let direction = mesh.direction(source, target);
            let link = format!("/pairs/{source}/{target}");
            let counts = job.last_counts;
            rows.push(SyncRow {
                source: source.clone(),
                source_name: mesh.name(source),
                target: target.to_owned(),
                target_name: mesh.name(target),
                status: job.status.clone(),
                schedule_state: job.schedule_state.clone(),
                last_run: job.last_run.clone(),
                last_run_state: job.last_run_state.clone(),
                imported: counts.map(|c| c.imported),
                exported: counts.map(|c| c.exported),
                escrowed: counts.map(|c| c.escrowed),
                last_success: job.last_success.clone(),
                steady_since: job.steady_since.clone(),
                health: direction.health,
                verdict: direction.verdict,
                findings: findings
                    .iter()
                    .filter(|f| f.link == link && f.rule.starts_with("sync"))
                    .map(|f| f.title.clone())
                    .collect(),
                link,
            });
        }
    }
    rows
}

/// `rows` narrowed by the query and sorted.
pub fn select(mut rows: Vec<SyncRow>, query: &SyncQuery) -> Vec<SyncRow> {
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_lowercase);
    rows.retain(|row| {
        query
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .is_none_or(|s| row.status.as_str().eq_ignore_ascii_case(s))
            && query
                .tenant
                .as_deref()
                .filter(|t| !t.is_empty())
                .is_none_or(|t| row.source == t || row.target == t)
            && text.as_deref().is_none_or(|q| {
                [&row.source_name, &row.target_name, &row.verdict]
                    .iter()
                    .any(|field| field.to_lowercase().contains(q))
                    || row.findings.iter().any(|f| f.to_lowercase().contains(q))
            })
    });
    let by_names = |a: &SyncRow, b: &SyncRow| {
        (&a.source_name, &a.target_name).cmp(&(&b.source_name, &b.target_name))
    };
    match query.sort.as_deref().unwrap_or("problems") {
        "source" => rows.sort_by(by_names),
        "target" => rows.sort_by(|a, b| {
            (&a.target_name, &a.source_name).cmp(&(&b.target_name, &b.source_name))
        }),
        "status" => rows.sort_by(|a, b| {
            a.status
                .as_str()
                .cmp(b.status.as_str())
                .then_with(|| by_names(a, b))
        }),
        "last_run" => rows.sort_by(|a, b| b.last_run.cmp(&a.last_run).then_with(|| by_names(a, b))),
        _ => rows.sort_by(|a, b| b.health.cmp(&a.health).then_with(|| by_names(a, b))),
    }
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mesh::health::findings;
    use crate::mesh::model::build;
    use crate::mesh::model::tests::{job, members, reading, side, A, B, C};

    fn mesh() -> Mesh {
        build(
            &[
                reading(
                    A,
                    members(),
                    vec![
                        side(B, Some(true), Some(true)),
                        side(C, Some(true), Some(true)),
                    ],
                    vec![job(B, "Active"), job(C, "Active")],
                ),
                reading(
                    B,
                    members(),
                    vec![side(A, Some(true), Some(true))],
                    vec![job(A, "Active")],
                ),
                reading(C, members(), vec![side(A, Some(false), Some(true))], vec![]),
            ],
            &HashMap::new(),
            &HashMap::new(),
            1_800_000_000,
        )
    }

    #[test]
    fn problems_come_first_with_their_findings() {
        let mesh = mesh();
        let rows = select(rows(&mesh, &findings(&mesh)), &SyncQuery::default());
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].source.as_str(), rows[0].target.as_str()), (A, C));
        assert_eq!(rows[0].health, Health::Error);
        assert!(!rows[0].findings.is_empty());
        assert!(rows[1..].iter().all(|r| r.health == Health::Healthy));
        assert_eq!(rows[0].link, format!("/pairs/{A}/{C}"));
    }

    #[test]
    fn filters_narrow_and_sorts_order() {
        let mesh = mesh();
        let all = rows(&mesh, &findings(&mesh));
        let into_b = select(
            all.clone(),
            &SyncQuery {
                tenant: Some(B.into()),
                ..SyncQuery::default()
            },
        );
        assert_eq!(into_b.len(), 2);
        let by_text = select(
            all.clone(),
            &SyncQuery {
                q: Some("blocked".into()),
                ..SyncQuery::default()
            },
        );
        assert_eq!(by_text.len(), 1);
        let none = select(
            all.clone(),
            &SyncQuery {
                status: Some("Paused".into()),
                ..SyncQuery::default()
            },
        );
        assert!(none.is_empty());
        let by_target = select(
            all,
            &SyncQuery {
                sort: Some("target".into()),
                ..SyncQuery::default()
            },
        );
        assert!(by_target
            .windows(2)
            .all(|w| w[0].target_name <= w[1].target_name));
    }
}
