//! The monitor's finding history (`migrations/<backend>/0005_monitor.sql`): each finding is
//! followed from run to run by its key — opened, seen again, escalated when its severity rises,
//! cleared when a run no longer sees it — and each run's summary is kept (the last
//! [`RUNS_KEPT`]).

use std::collections::{HashMap, HashSet};

use app::api::data::status::{MonitorRun, TrackedFinding};
use app::mesh::health::Finding;
use app::mesh::model::Mesh;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

use crate::alerts::{EventKind, FindingEvent};

/// Run summaries kept.
pub const RUNS_KEPT: i64 = 200;
/// Cleared findings are shown for this long.
pub const CLEARED_SHOWN_SECS: i64 = 7 * 24 * 3600;
/// Cleared findings are deleted after this long.
const CLEARED_KEPT_SECS: i64 = 90 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the monitor's history cannot be read or written: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the monitor's history holds a record it cannot read: {0}")]
    Record(#[from] serde_json::Error),
}

/// "The same problem" from run to run: the rule, the tenant to act in first (the direction of a
/// pair: `A → B` and `B → A` are two problems), then the other tenants sorted (their order may
/// change from run to run).
pub fn finding_key(finding: &Finding) -> String {
    let mut tenants = finding.tenants.iter();
    let first = tenants.next().map(String::as_str).unwrap_or_default();
    let mut rest: Vec<&str> = tenants.map(String::as_str).collect();
    rest.sort_unstable();
    rest.dedup();
    format!("{}:{first}:{}", finding.rule, rest.join(","))
}

/// What a run changed: the events to tell about, and every finding open after it.
#[derive(Debug, Default)]
pub struct Applied {
    pub events: Vec<FindingEvent>,
    pub open: Vec<TrackedFinding>,
}

pub struct History {
    pool: AnyPool,
}

/// An open occurrence as stored.
struct Open {
    id: i64,
    tracked: TrackedFinding,
}

fn tracked_from(row: &AnyRow) -> Result<TrackedFinding, HistoryError> {
    let finding: String = row.try_get("finding")?;
    Ok(TrackedFinding {
        key: row.try_get("key")?,
        finding: serde_json::from_str(&finding)?,
        opened_at: row.try_get("opened_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        escalated_at: row.try_get("escalated_at")?,
        cleared_at: row.try_get("cleared_at")?,
    })
}

/// Worst first, then oldest first.
pub fn sort_open(open: &mut [TrackedFinding]) {
    open.sort_by(|a, b| {
        (a.finding.severity, a.opened_at, &a.key).cmp(&(b.finding.severity, b.opened_at, &b.key))
    });
}

const COLUMNS: &str = "id, key, finding, opened_at, last_seen_at, escalated_at, cleared_at";

impl History {
    /// The history in the dashboard's database (tables from the store's migrations).
    pub fn new(store: &crate::store::Store) -> Self {
        Self {
            pool: store.pool().clone(),
        }
    }

    /// Follows `findings` (this run's, at `now`). An open finding that this run did not see is
    /// cleared only when every tenant it names was read in this run (`unread` lists those that
    /// were not): a tenant that could not be read proves nothing about it.
    pub async fn apply(
        &self,
        findings: &[Finding],
        unread: &HashSet<String>,
        now: i64,
    ) -> Result<Applied, HistoryError> {
        let mut tx = self.pool.begin().await?;
        let mut open = open_occurrences(&mut tx).await?;
        let mut applied = Applied::default();
        let mut seen = HashSet::new();
        for finding in findings {
            let key = finding_key(finding);
            if !seen.insert(key.clone()) {
                continue; // the worst of two alike comes first (findings are sorted worst first)
            }
            let (tracked, kind) = match open.remove(&key) {
                Some(known) => {
                    let (tracked, rose) = see_again(&mut tx, known, finding, now).await?;
                    (tracked, rose.then_some(EventKind::Escalated))
                }
                None => (
                    open_new(&mut tx, key, finding, now).await?,
                    Some(EventKind::Opened),
                ),
            };
            applied.open.push(tracked.clone());
            if let Some(kind) = kind {
                applied.events.push(FindingEvent {
                    kind,
                    finding: tracked,
                });
            }
        }
        for (_, known) in open {
            let unknown_now = known
                .tracked
                .finding
                .tenants
                .iter()
                .any(|t| unread.contains(t));
            if unknown_now {
                applied.open.push(known.tracked);
                continue;
            }
            let cleared = clear(&mut tx, known, now).await?;
            applied.events.push(FindingEvent {
                kind: EventKind::Cleared,
                finding: cleared,
            });
        }
        sqlx::query("DELETE FROM monitor_findings WHERE cleared_at < $1")
            .bind(now - CLEARED_KEPT_SECS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sort_open(&mut applied.open);
        Ok(applied)
    }

    /// Every open finding, worst then oldest first.
    pub async fn open(&self) -> Result<Vec<TrackedFinding>, HistoryError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM monitor_findings WHERE cleared_at IS NULL"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut open = rows
            .iter()
            .map(tracked_from)
            .collect::<Result<Vec<_>, _>>()?;
        sort_open(&mut open);
        Ok(open)
    }

    /// Findings cleared since `since`, newest first.
    pub async fn cleared_since(&self, since: i64) -> Result<Vec<TrackedFinding>, HistoryError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM monitor_findings WHERE cleared_at >= $1 ORDER BY cleared_at DESC, id DESC"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tracked_from).collect()
    }

    /// Stores a run's summary, keeping the last [`RUNS_KEPT`].
    pub async fn record_run(&self, run: &MonitorRun) -> Result<(), HistoryError> {
        let summary = serde_json::to_string(run)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO monitor_runs (started_at, summary) VALUES ($1, $2)")
            .bind(run.started_at)
            .bind(summary)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM monitor_runs WHERE id NOT IN (SELECT id FROM monitor_runs ORDER BY id DESC LIMIT $1)",
        )
        .bind(RUNS_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest run's summary.
    pub async fn last_run(&self) -> Result<Option<MonitorRun>, HistoryError> {
        let row = sqlx::query("SELECT summary FROM monitor_runs ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => {
                let summary: String = row.try_get("summary")?;
                Ok(Some(serde_json::from_str(&summary)?))
            }
            None => Ok(None),
        }
    }

    /// Keeps `mesh`, as the run started at `started_at` by `holder` read it, as the monitor's
    /// latest reading for every replica ([`History::latest_mesh_after`]).
    pub async fn save_latest_mesh(
        &self,
        started_at: i64,
        holder: &str,
        mesh: &Mesh,
    ) -> Result<(), HistoryError> {
        sqlx::query(
            "INSERT INTO monitor_latest (name, started_at, holder, mesh) VALUES ('mesh', $1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, \
             holder = excluded.holder, mesh = excluded.mesh",
        )
        .bind(started_at)
        .bind(holder)
        .bind(serde_json::to_string(mesh)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The monitor's latest reading with its run's start, when it is from a run started after
    /// `known` (or any, when `known` is `None`); `None` when there is nothing newer.
    pub async fn latest_mesh_after(
        &self,
        known: Option<i64>,
    ) -> Result<Option<(i64, Mesh)>, HistoryError> {
        // One query: the mesh (large) is fetched only when it is newer than the one known.
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT started_at, mesh FROM monitor_latest WHERE name = 'mesh' AND started_at > $1",
        )
        .bind(known.unwrap_or(i64::MIN))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((at, mesh)) => Ok(Some((at, serde_json::from_str(&mesh)?))),
            None => Ok(None),
        }
    }

    /// Run summaries stored.
    pub async fn runs_stored(&self) -> Result<i64, HistoryError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM monitor_runs")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }
}

async fn open_occurrences(
    tx: &mut Transaction<'_, Any>,
) -> Result<HashMap<String, Open>, HistoryError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM monitor_findings WHERE cleared_at IS NULL"
    ))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let tracked = tracked_from(row)?;
            Ok((
                tracked.key.clone(),
                Open {
                    id: row.try_get("id")?,
                    tracked,
                },
            ))
        })
        .collect()
}

async fn open_new(
    tx: &mut Transaction<'_, Any>,
    key: String,
    finding: &Finding,
    now: i64,
) -> Result<TrackedFinding, HistoryError> {
    sqlx::query(
        "INSERT INTO monitor_findings (key, finding, opened_at, last_seen_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&key)
    .bind(serde_json::to_string(finding)?)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(TrackedFinding {
        key,
        finding: finding.clone(),
        opened_at: now,
        last_seen_at: now,
        escalated_at: None,
        cleared_at: None,
    })
}

/// An open finding seen again: its latest words and time, escalated when its severity rose
/// (`Severity` orders the worst first). Answers it and whether it rose.
async fn see_again(
    tx: &mut Transaction<'_, Any>,
    known: Open,
    finding: &Finding,
    now: i64,
) -> Result<(TrackedFinding, bool), HistoryError> {
    let rose = finding.severity < known.tracked.finding.severity;
    let escalated_at = if rose {
        Some(now)
    } else {
        known.tracked.escalated_at
    };
    sqlx::query(
        "UPDATE monitor_findings SET finding = $1, last_seen_at = $2, escalated_at = $3 WHERE id = $4",
    )
    .bind(serde_json::to_string(finding)?)
    .bind(now)
    .bind(escalated_at)
    .bind(known.id)
    .execute(&mut **tx)
    .await?;
    let tracked = TrackedFinding {
        finding: finding.clone(),
        last_seen_at: now,
        escalated_at,
        ..known.tracked
    };
    Ok((tracked, rose))
}

async fn clear(
    tx: &mut Transaction<'_, Any>,
    known: Open,
    now: i64,
) -> Result<TrackedFinding, HistoryError> {
    sqlx::query("UPDATE monitor_findings SET cleared_at = $1 WHERE id = $2")
        .bind(now)
        .bind(known.id)
        .execute(&mut **tx)
        .await?;
    Ok(TrackedFinding {
        cleared_at: Some(now),
        ..known.tracked
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::mesh::health::Severity;

    fn finding(rule: &str, severity: Severity, tenants: &[&str]) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
            title: format!("{rule} title"),
            explanation: String::new(),
            fix: String::new(),
            link: "/".into(),
        }
    }

    async fn history() -> (History, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::store::sqlite_url(&dir.path().join("db.sqlite"));
        let store = crate::store::open(&url, true).await.unwrap();
        (History::new(&store), dir)
    }

    fn kinds(applied: &Applied) -> Vec<(EventKind, String)> {
        applied
            .events
            .iter()
            .map(|e| (e.kind, e.finding.finding.rule.clone()))
            .collect()
    }

    #[test]
    fn the_key_keeps_the_direction_and_sorts_the_rest() {
        let ab = finding("sync-quarantined", Severity::Error, &["a", "b"]);
        let ba = finding("sync-quarantined", Severity::Error, &["b", "a"]);
        assert_ne!(finding_key(&ab), finding_key(&ba));
        let one = finding(
            "partner-configuration-missing",
            Severity::Warning,
            &["o", "y", "x"],
        );
        let two = finding(
            "partner-configuration-missing",
            Severity::Warning,
            &["o", "x", "y"],
        );
        assert_eq!(finding_key(&one), finding_key(&two));
        assert_eq!(finding_key(&one), "partner-configuration-missing:o:x,y");
    }

    #[tokio::test]
    async fn a_finding_opens_stays_escalates_clears_and_opens_again() {
        let (history, _dir) = history().await;
        let none = HashSet::new();
        let warning = finding("sync-blocked-by-policy", Severity::Warning, &["a", "b"]);
        let error = finding("sync-blocked-by-policy", Severity::Error, &["a", "b"]);

        let first = history
            .apply(std::slice::from_ref(&warning), &none, 100)
            .await
            .unwrap();
        assert_eq!(
            kinds(&first),
            vec![(EventKind::Opened, warning.rule.clone())]
        );

        let again = history
            .apply(std::slice::from_ref(&warning), &none, 200)
            .await
            .unwrap();
        assert!(again.events.is_empty());
        assert_eq!(again.open[0].opened_at, 100);
        assert_eq!(again.open[0].last_seen_at, 200);

        let worse = history
            .apply(std::slice::from_ref(&error), &none, 300)
            .await
            .unwrap();
        assert_eq!(
            kinds(&worse),
            vec![(EventKind::Escalated, error.rule.clone())]
        );
        assert_eq!(worse.open[0].escalated_at, Some(300));
        assert_eq!(worse.open[0].opened_at, 100);

        let gone = history.apply(&[], &none, 400).await.unwrap();
        assert_eq!(kinds(&gone), vec![(EventKind::Cleared, error.rule.clone())]);
        assert_eq!(gone.events[0].finding.duration(400), 300);
        assert!(gone.open.is_empty());

        let back = history
            .apply(std::slice::from_ref(&warning), &none, 500)
            .await
            .unwrap();
        assert_eq!(
            kinds(&back),
            vec![(EventKind::Opened, warning.rule.clone())]
        );
        assert_eq!(back.open[0].opened_at, 500, "a new occurrence");
        let cleared = history.cleared_since(0).await.unwrap();
        assert_eq!(cleared.len(), 1);
        assert_eq!(
            (cleared[0].opened_at, cleared[0].cleared_at),
            (100, Some(400))
        );
    }

    #[tokio::test]
    async fn a_finding_of_an_unread_tenant_stays_open() {
        let (history, _dir) = history().await;
        let quarantine = finding("sync-quarantined", Severity::Error, &["a", "b"]);
        history
            .apply(&[quarantine], &HashSet::new(), 100)
            .await
            .unwrap();
        let unread = HashSet::from(["b".to_owned()]);
        let applied = history.apply(&[], &unread, 200).await.unwrap();
        assert!(applied.events.is_empty());
        assert_eq!(applied.open.len(), 1);
        assert_eq!(applied.open[0].last_seen_at, 100);
    }

    #[tokio::test]
    async fn open_findings_are_worst_then_oldest_first() {
        let (history, _dir) = history().await;
        let none = HashSet::new();
        let info = finding("join-pending", Severity::Info, &["p"]);
        let old_warning = finding("single-owner", Severity::Warning, &["o"]);
        let new_warning = finding("transition-slow", Severity::Warning, &["t"]);
        let error = finding("sync-quarantined", Severity::Error, &["a", "b"]);
        history
            .apply(&[info.clone(), old_warning.clone()], &none, 100)
            .await
            .unwrap();
        let all = [error, old_warning, new_warning, info];
        history.apply(&all, &none, 200).await.unwrap();
        let rules: Vec<String> = history
            .open()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.finding.rule)
            .collect();
        assert_eq!(
            rules,
            [
                "sync-quarantined",
                "single-owner",
                "transition-slow",
                "join-pending"
            ]
        );
    }

    #[tokio::test]
    async fn only_the_last_runs_are_kept() {
        let (history, _dir) = history().await;
        for started_at in 0..(RUNS_KEPT + 5) {
            let run = MonitorRun {
                started_at,
                duration_ms: 1,
                requests: 2,
                tenants: Vec::new(),
            };
            history.record_run(&run).await.unwrap();
        }
        assert_eq!(history.runs_stored().await.unwrap(), RUNS_KEPT);
        let last = history.last_run().await.unwrap().unwrap();
        assert_eq!(last.started_at, RUNS_KEPT + 4);
    }
}
