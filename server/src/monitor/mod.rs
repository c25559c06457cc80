//! The app-only monitor: on a schedule, the dashboard's own app registration reads every configured
//! tenant with application permissions (tokens from `azure_identity`), builds the whole mesh, and
//! follows each finding from run to run (opened, escalated, cleared), for the `/status` board, the
//! alerts and the metrics.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use app::api::data::status::{MonitorRun, StatusBoard, TrackedFinding};
use app::mesh::model::{Mesh, Reading};
use graph::client::{AccessToken, GraphClient};
use graph::TenantId;

use crate::alerts::Alerts;
use crate::backend::Backend;
use crate::lease::{self, Lease};
use crate::mesh::MeshService;
use crate::metrics::Metrics;
use crate::settings::{Mode, Settings};
use crate::store::Store;

pub mod credential;
pub mod history;
pub mod runner;

pub use history::{finding_key, HistoryError};
pub use runner::{Target, TokenSource, APP_ACCOUNT};

use credential::{AppCredential, CredentialError};
use history::History;
use runner::Runner;

/// The shortest time between runs.
pub const MIN_INTERVAL_SECS: u64 = 30;
/// The first run starts this long after the server.
const FIRST_RUN_AFTER: Duration = Duration::from_secs(3);
/// Deliveries shown on the board.
const ALERTS_SHOWN: usize = 20;

/// What the monitor is built from.
pub struct MonitorParts {
    /// Whether runs are scheduled ([`enabled_by`]).
    pub enabled: bool,
    /// Seconds between runs (at least [`MIN_INTERVAL_SECS`]).
    pub interval_secs: u64,
    /// The period of the lease that lets one replica of several run the monitor.
    pub lease_secs: u64,
    /// Seconds between scheduled configuration snapshots; 0: none.
    pub snapshot_secs: u64,
    /// The tenants to read: ids or verified domains ([`targets_of`]).
    pub tenants: Vec<String>,
    /// Tenant id → display name, and verified domain → tenant id, known without asking Graph.
    pub names: HashMap<String, String>,
    pub domains: HashMap<String, String>,
    pub credential: Arc<dyn TokenSource>,
    /// The monitor's own Graph client (app-only reads).
    pub graph: GraphClient,
    pub store: Store,
    pub alerts: Arc<Alerts>,
    pub metrics: Arc<Metrics>,
}

/// The monitor's state, shared by the scheduler and the pages.
pub struct Monitor {
    enabled: bool,
    interval: Duration,
    engine: Option<Engine>,
    latest: Mutex<Option<Arc<Mesh>>>,
    /// The start of the run `latest` is from (unix seconds), whichever replica made it.
    latest_started: Mutex<Option<i64>>,
    /// Held for the whole of a run: runs never overlap.
    running: tokio::sync::Mutex<()>,
    /// The name this replica holds the monitor's lease under.
    replica: String,
    /// When the last scheduled snapshot was taken, and the drift it showed (kept as findings
    /// until the next one).
    drift: Mutex<(Option<i64>, Vec<app::mesh::health::Finding>)>,
}

struct Engine {
    runner: Runner,
    history: History,
    alerts: Arc<Alerts>,
    metrics: Arc<Metrics>,
    lease: Lease,
    snapshots: crate::drift::store::Snapshots,
    /// `None`: no snapshots on a schedule.
    snapshot_every: Option<i64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether the settings schedule runs: `[monitor] enabled` when given; else on in demo mode, and in
/// entra mode when `tenants` names some.
pub fn enabled_by(settings: &Settings) -> bool {
    settings.monitor.enabled.unwrap_or(match settings.mode {
        Mode::Demo => true,
        Mode::Entra => !settings.monitor.tenants.is_empty(),
    })
}

/// The tenants the settings name; in demo mode, when they name none, every demo tenant.
pub fn targets_of(settings: &Settings, backend: &Backend) -> Vec<String> {
    if !settings.monitor.tenants.is_empty() || settings.mode == Mode::Entra {
        return settings.monitor.tenants.clone();
    }
    backend
        .tenant_choices
        .iter()
        .map(|choice| choice.tenant_id.clone())
        .collect()
}

impl MonitorParts {
    /// The parts the settings and the backend give; the rest is the caller's.
    #[allow(clippy::too_many_arguments)]
    pub fn from_settings(
        settings: &Settings,
        backend: &Backend,
        credential: Arc<dyn TokenSource>,
        graph: GraphClient,
        store: Store,
        alerts: Arc<Alerts>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let choices = &backend.tenant_choices;
        Self {
            enabled: enabled_by(settings),
            interval_secs: settings.monitor.interval_secs,
            lease_secs: settings.monitor.lease_secs,
            snapshot_secs: settings.monitor.snapshot_secs,
            tenants: targets_of(settings, backend),
            names: choices
                .iter()
                .map(|c| (c.tenant_id.clone(), c.display_name.clone()))
                .collect(),
            domains: choices
                .iter()
                .map(|c| (c.domain.to_ascii_lowercase(), c.tenant_id.clone()))
                .collect(),
            credential,
            graph,
            store,
            alerts,
            metrics,
        }
    }
}

/// A credential that could not be made at start (e.g. no secret configured): every token asked of
/// it is refused with why, so the board names the problem for each tenant.
struct Unavailable(CredentialError);

#[async_trait::async_trait]
impl TokenSource for Unavailable {
    async fn token(&self, _tenant: &TenantId) -> Result<AccessToken, CredentialError> {
        Err(self.0.clone())
    }
}

impl Monitor {
    /// A monitor that is not configured: the board says so.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            interval: Duration::from_secs(MIN_INTERVAL_SECS),
            engine: None,
            latest: Mutex::new(None),
            latest_started: Mutex::new(None),
            running: tokio::sync::Mutex::new(()),
            replica: lease::replica_name(),
            drift: Mutex::new((None, Vec::new())),
        }
    }

    /// The monitor the settings describe: its own HTTP client and Graph client for the backend's
    /// monitor URLs (trusting the configured CA), the `azure_identity` credential of
    /// `[monitor.credential]` — one that cannot be made is reported at each run, not at start.
    /// Fails only when the HTTP client cannot be built (e.g. an unreadable CA file).
    pub fn from_settings(
        settings: &Settings,
        backend: &Backend,
        store: Store,
        alerts: Arc<Alerts>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let http = crate::backend::monitor_http_client(settings, backend)?;
        let graph = GraphClient::new(http, &backend.monitor_graph_base_url)
            .with_observer(metrics.graph_observer("monitor"));
        let credential: Arc<dyn TokenSource> = match AppCredential::from_settings(settings, backend)
        {
            Ok(credential) => Arc::new(credential),
            Err(error) => {
                tracing::warn!(%error, "the monitor's credential cannot be made");
                Arc::new(Unavailable(error))
            }
        };
        let parts = MonitorParts::from_settings(
            settings, backend, credential, graph, store, alerts, metrics,
        );
        Ok(Self::new(parts))
    }

    pub fn new(parts: MonitorParts) -> Self {
        let runner = Runner {
            mesh: MeshService::new(parts.graph.clone(), parts.names),
            graph: parts.graph,
            credential: parts.credential,
            targets: parts.tenants.iter().map(|t| Target::parse(t)).collect(),
            domains: Mutex::new(parts.domains),
            audits: Some(crate::directory_audits::DirectoryAudits::new(&parts.store)),
        };
        let snapshots = crate::drift::store::Snapshots::new(&parts.store);
        let replica = lease::replica_name();
        Self {
            enabled: parts.enabled,
            interval: Duration::from_secs(parts.interval_secs.max(MIN_INTERVAL_SECS)),
            engine: Some(Engine {
                runner,
                history: History::new(&parts.store),
                alerts: parts.alerts,
                metrics: parts.metrics,
                lease: Lease::new(
                    parts.store,
                    lease::MONITOR,
                    replica.clone(),
                    Duration::from_secs(parts.lease_secs.max(1)),
                ),
                snapshots,
                snapshot_every: i64::try_from(parts.snapshot_secs)
                    .ok()
                    .filter(|secs| *secs > 0),
            }),
            latest: Mutex::new(None),
            latest_started: Mutex::new(None),
            running: tokio::sync::Mutex::new(()),
            replica,
            drift: Mutex::new((None, Vec::new())),
        }
    }

    /// Whether runs are scheduled.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The name this replica holds the monitor's lease under.
    pub fn replica_name(&self) -> &str {
        &self.replica
    }

    /// Starts the scheduler (when enabled). Of the replicas sharing the database, the one holding
    /// the monitor's lease ([`crate::lease`]) runs: a first run shortly after start (or at once
    /// when it takes the lease over from a replica whose last run is an interval old), then one
    /// every interval plus up to a tenth of it at random, so that separate deployments do not read
    /// Graph in lockstep. The others follow its readings from the database. Ends with the
    /// runtime, or when the handle is aborted (the lease then runs out and another replica takes
    /// it).
    pub fn spawn(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        if !self.enabled {
            return None;
        }
        let engine_lease = self.engine.as_ref()?.lease.clone();
        let monitor = Arc::clone(self);
        Some(tokio::spawn(async move {
            let (holding_tx, holding) = tokio::sync::watch::channel(false);
            // Both in this one task, so that aborting it stops both (and the lease is not renewed).
            tokio::join!(
                monitor.keep_lease(&engine_lease, holding_tx),
                monitor.run_while_holding(holding),
            );
        }))
    }

    /// Takes or renews the lease every third of its period and says whether this replica holds
    /// it; while another replica does, adopts that replica's latest reading from the database.
    async fn keep_lease(&self, lease: &Lease, holding: tokio::sync::watch::Sender<bool>) {
        loop {
            let held = match lease.try_acquire(lease::now_ms()).await {
                Ok(held) => held,
                Err(error) => {
                    tracing::warn!(%error, "the monitor's lease cannot be renewed");
                    false
                }
            };
            holding.send_if_modified(|was| {
                if *was != held {
                    tracing::info!(replica = %self.replica, held, "monitor lease");
                    *was = held;
                    true
                } else {
                    false
                }
            });
            if !held {
                self.adopt_shared_reading().await;
            }
            tokio::time::sleep(lease.renew_every()).await;
        }
    }

    /// Runs when due while `holding` says this replica holds the lease.
    async fn run_while_holding(&self, mut holding: tokio::sync::watch::Receiver<bool>) {
        tokio::time::sleep(FIRST_RUN_AFTER).await;
        let mut interval = self.interval;
        // This process's first run is not put off by an earlier process's run: a restarted
        // dashboard reads at once.
        let mut first = true;
        loop {
            while !*holding.borrow_and_update() {
                if holding.changed().await.is_err() {
                    return;
                }
            }
            // Due an interval after the last run of any replica (the store keeps it).
            let last = match &self.engine {
                Some(engine) => engine.history.last_run().await.ok().flatten(),
                None => None,
            };
            let now = unix_now();
            let due = last.map_or(now, |run| {
                run.started_at
                    .saturating_add(i64::try_from(interval.as_secs()).unwrap_or(i64::MAX))
            });
            if !first && now < due {
                let wait = Duration::from_secs(u64::try_from(due - now).unwrap_or(0));
                // Look at the lease again now and then: it may be lost meanwhile.
                tokio::time::sleep(wait.min(Duration::from_secs(MIN_INTERVAL_SECS))).await;
                continue;
            }
            first = false;
            if let Err(error) = self.run_once(now).await {
                tracing::error!(%error, "monitor run");
            }
            interval = jittered(self.interval, random_unit());
        }
    }

    /// Gives the monitor's lease up (at a graceful stop), so that another replica, or this one
    /// restarted, need not wait for it to run out.
    pub async fn release_lease(&self) {
        if let Some(engine) = &self.engine {
            if let Err(error) = engine.lease.release().await {
                tracing::warn!(%error, "the monitor's lease cannot be given up");
            }
        }
    }

    /// The latest reading another replica's run stored, when newer than the one this replica has.
    async fn adopt_shared_reading(&self) {
        let Some(engine) = &self.engine else {
            return;
        };
        let known = *lock(&self.latest_started);
        match engine.history.latest_mesh_after(known).await {
            Ok(Some((started_at, mesh))) => {
                *lock(&self.latest) = Some(Arc::new(mesh));
                *lock(&self.latest_started) = Some(started_at);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "the monitor's latest reading cannot be read");
            }
        }
    }

    /// One run at `now` (unix seconds): reads every tenant, follows the findings, tells the
    /// alerts and the metrics. Waits for a run in progress to end first.
    pub async fn run_once(&self, now: i64) -> Result<MonitorRun, HistoryError> {
        let Some(engine) = &self.engine else {
            return Ok(MonitorRun {
                started_at: now,
                duration_ms: 0,
                requests: 0,
                tenants: Vec::new(),
            });
        };
        let _running = self.running.lock().await;
        let outcome = engine.runner.run(now).await;
        *lock(&self.latest) = Some(Arc::clone(&outcome.mesh));
        *lock(&self.latest_started) = Some(now);
        if let Err(error) = engine
            .history
            .save_latest_mesh(now, &self.replica, &outcome.mesh)
            .await
        {
            tracing::error!(%error, "the monitor's reading cannot be kept for the other replicas");
        }
        let run = outcome.run;
        engine
            .metrics
            .record_run(run.duration_ms as f64 / 1000.0, run.requests);
        tracing::info!(
            tenants = run.tenants.len(),
            problems = run.tenants.iter().filter(|t| t.problem.is_some()).count(),
            duration_ms = run.duration_ms,
            requests = run.requests,
            "monitor run"
        );
        let recorded = engine.history.record_run(&run).await;
        let mut findings = app::mesh::health::findings(&outcome.mesh);
        findings.extend(
            self.scheduled_snapshot(engine, &outcome.mesh, &run, now)
                .await,
        );
        let applied = engine
            .history
            .apply(&findings, &outcome.unread, now)
            .await?;
        engine.metrics.set_findings(&finding_counts(&applied.open));
        if !applied.events.is_empty() {
            engine.alerts.notify(&applied.events).await;
        }
        recorded?;
        Ok(run)
    }

    /// At the first run and then every `snapshot_every`: a snapshot of every tenant the run read,
    /// kept when the configuration changed, compared with the baseline. Answers the drift
    /// findings (those of the last snapshot between two).
    async fn scheduled_snapshot(
        &self,
        engine: &Engine,
        mesh: &Mesh,
        run: &MonitorRun,
        now: i64,
    ) -> Vec<app::mesh::health::Finding> {
        use app::drift::{diff, snapshot::Snapshot, Origin};
        let Some(every) = engine.snapshot_every else {
            return Vec::new();
        };
        {
            let drift = lock(&self.drift);
            if drift.0.is_some_and(|last| now - last < every) {
                return drift.1.clone();
            }
        }
        let mut sources = Vec::new();
        for tenant in run.tenants.iter().filter(|t| t.problem.is_none()) {
            let Ok(id) = tenant.tenant_id.parse::<TenantId>() else {
                continue;
            };
            if let Ok(token) = engine.runner.credential.token(&id).await {
                sources.push(crate::drift::reader::TenantSource {
                    tenant_id: tenant.tenant_id.clone(),
                    name: mesh.name(&tenant.tenant_id),
                    token,
                    read_by: "monitor (app-only)".to_owned(),
                });
            }
        }
        let mut snapshot = Snapshot::new(
            app::mesh::time::iso(now),
            "monitor (app-only)".to_owned(),
            Origin::Schedule,
        );
        crate::drift::reader::read_all(
            &engine.runner.graph,
            &sources,
            &engine.runner.mesh.requests,
            &mut snapshot,
        )
        .await;
        let snapshots = &engine.snapshots;
        let changed = match snapshots.newest(Origin::Schedule).await {
            Ok(newest) => newest.is_none_or(|newest| !newest.same_configuration(&snapshot)),
            Err(error) => {
                tracing::error!(%error, "the last scheduled snapshot cannot be read");
                true
            }
        };
        if changed {
            if let Err(error) = snapshots.keep(&snapshot, Origin::Schedule, now).await {
                tracing::error!(%error, "the scheduled snapshot cannot be kept");
            }
        }
        let names = |id: &str| mesh.name(id);
        let found = match snapshots.baseline().await {
            Ok(Some((baseline, _))) => {
                crate::drift::schedule::findings(&diff::compare(&baseline, &snapshot, &names))
            }
            Ok(None) => Vec::new(),
            Err(error) => {
                tracing::error!(%error, "the baseline cannot be read");
                lock(&self.drift).1.clone()
            }
        };
        *lock(&self.drift) = (Some(now), found.clone());
        found
    }

    /// The open drift findings (one per tenant whose configuration differs from the baseline), as
    /// the history keeps them: the same on every replica.
    pub async fn open_drift(&self) -> Vec<app::mesh::health::Finding> {
        let Some(engine) = &self.engine else {
            return Vec::new();
        };
        match engine.history.open().await {
            Ok(open) => open
                .into_iter()
                .map(|tracked| tracked.finding)
                .filter(|finding| finding.rule == crate::drift::schedule::RULE)
                .collect(),
            Err(error) => {
                tracing::error!(%error, "the open drift findings cannot be read");
                Vec::new()
            }
        }
    }

    /// The mesh as the latest run read it.
    pub fn latest_mesh(&self) -> Option<Arc<Mesh>> {
        lock(&self.latest).clone()
    }

    /// The latest run's reading of `tenant_id` (app-only), with the time its data is from; `None`
    /// when the monitor has never read it.
    pub fn latest_reading(&self, tenant_id: &str) -> Option<Reading> {
        let engine = self.engine.as_ref()?;
        let mesh = self.latest_mesh()?;
        let node = mesh.node(tenant_id)?;
        let (read_at, view) = engine.runner.mesh.last_good(tenant_id, APP_ACCOUNT)?;
        Some(Reading {
            tenant_id: tenant_id.to_owned(),
            status: node.read.clone(),
            read_at: Some(read_at),
            view: Some(view),
        })
    }

    /// The `/status` board at `now`.
    pub async fn board(&self, now: i64) -> StatusBoard {
        let mut board = StatusBoard {
            now,
            enabled: self.enabled,
            last_run: None,
            overview: self.latest_mesh().map(|mesh| app::mesh::overview(&mesh)),
            open: Vec::new(),
            cleared: Vec::new(),
            alerts: Vec::new(),
        };
        let Some(engine) = &self.engine else {
            return board;
        };
        let history = &engine.history;
        let since = now - history::CLEARED_SHOWN_SECS;
        match (
            history.last_run().await,
            history.open().await,
            history.cleared_since(since).await,
        ) {
            (Ok(last_run), Ok(open), Ok(cleared)) => {
                board.last_run = last_run;
                board.open = open;
                board.cleared = cleared;
            }
            (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
                tracing::error!(%error, "the status board cannot read the monitor's history");
            }
        }
        board.alerts = engine.alerts.recent(ALERTS_SHOWN).await;
        board
    }
}

/// Open findings by rule and severity, for the metrics.
fn finding_counts(open: &[TrackedFinding]) -> Vec<(String, String, u64)> {
    let mut counts: BTreeMap<(String, &'static str), u64> = BTreeMap::new();
    for tracked in open {
        let finding = &tracked.finding;
        *counts
            .entry((finding.rule.clone(), finding.severity.label()))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((rule, severity), n)| (rule, severity.to_owned(), n))
        .collect()
}

/// `interval` plus `unit` (0–1) of a tenth of it.
fn jittered(interval: Duration, unit: f64) -> Duration {
    interval + interval.mul_f64(0.1 * unit.clamp(0.0, 1.0))
}

/// A random number in 0–1 (from a v4 UUID's random bits).
fn random_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u64;
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::mesh::health::{Finding, Severity};

    #[test]
    fn runs_are_jittered_by_at_most_a_tenth() {
        let interval = Duration::from_secs(300);
        assert_eq!(jittered(interval, 0.0), interval);
        assert_eq!(jittered(interval, 1.0), Duration::from_secs(330));
        for _ in 0..100 {
            let unit = random_unit();
            assert!((0.0..1.0).contains(&unit), "{unit}");
        }
    }

    #[test]
    fn the_settings_decide_whether_runs_are_scheduled() {
        let mut settings = Settings::default();
        assert!(enabled_by(&settings), "demo mode: on");
        settings.mode = Mode::Entra;
        assert!(!enabled_by(&settings), "entra mode without tenants: off");
        settings.monitor.tenants = vec!["contoso.com".into()];
        assert!(enabled_by(&settings));
        settings.monitor.enabled = Some(false);
        assert!(!enabled_by(&settings));
    }

    #[test]
    fn open_findings_are_counted_by_rule_and_severity() {
        let tracked = |rule: &str, severity| TrackedFinding {
            key: rule.into(),
            finding: Finding {
                rule: rule.into(),
                severity,
                tenants: Vec::new(),
                title: String::new(),
                explanation: String::new(),
                fix: String::new(),
                link: String::new(),
            },
            opened_at: 0,
            last_seen_at: 0,
            escalated_at: None,
            cleared_at: None,
        };
        let open = [
            tracked("sync-quarantined", Severity::Error),
            tracked("sync-quarantined", Severity::Error),
            tracked("join-pending", Severity::Info),
        ];
        assert_eq!(
            finding_counts(&open),
            vec![
                ("join-pending".into(), "info".into(), 1),
                ("sync-quarantined".into(), "error".into(), 2),
            ]
        );
    }
}
