//! The `/status` board: what the app-only monitor read, the findings it follows over its runs, and
//! the alerts it sent. Filled by the server's monitor (`server/src/monitor/`), shown by
//! `pages::status`.

use serde::{Deserialize, Serialize};

use crate::mesh::health::Finding;
use crate::mesh::Overview;

/// A finding as the monitor follows it from run to run. `key` is stable for "the same problem"
/// (rule and tenants), so a finding that stays open keeps its `opened_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedFinding {
    pub key: String,
    pub finding: Finding,
    /// Unix seconds of the first run that saw it.
    pub opened_at: i64,
    /// Unix seconds of the last run that saw it.
    pub last_seen_at: i64,
    /// When its severity last rose (e.g. warning → error), if it did.
    pub escalated_at: Option<i64>,
    /// When a run first did not see it any more; `None` while open.
    pub cleared_at: Option<i64>,
}

impl TrackedFinding {
    /// How long it lasted (open: until `now`).
    pub fn duration(&self, now: i64) -> i64 {
        self.cleared_at.unwrap_or(now) - self.opened_at
    }
}

/// What one tenant's app-only reading came to in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRun {
    pub tenant_id: String,
    pub name: String,
    /// `None` when read; else why not (token refused, throttled, outage…), in words.
    pub problem: Option<String>,
}

/// One monitor run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorRun {
    pub started_at: i64,
    pub duration_ms: u64,
    /// HTTP requests sent to Graph (a `$batch` is one).
    pub requests: u64,
    pub tenants: Vec<TenantRun>,
}

/// One alert delivery (or attempt) to a configured target; the target's URL is never included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDelivery {
    /// The target's name from the settings.
    pub target: String,
    pub finding_key: String,
    /// `opened`, `escalated` or `cleared`.
    pub event: String,
    pub at: i64,
    /// `sent`, `retrying` or `failed`.
    pub outcome: String,
    pub attempts: u32,
    pub error: Option<String>,
}

/// The `/status` page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusBoard {
    pub now: i64,
    /// Whether a monitor is configured; when not, the page says how to configure it.
    pub enabled: bool,
    /// The latest run, `None` before the first one ends.
    pub last_run: Option<MonitorRun>,
    /// Every tenant and pair as the latest run read them.
    pub overview: Option<Overview>,
    /// Open findings, worst and oldest first.
    pub open: Vec<TrackedFinding>,
    /// Findings cleared in the last 7 days, newest first.
    pub cleared: Vec<TrackedFinding>,
    /// The latest alert deliveries, newest first.
    pub alerts: Vec<AlertDelivery>,
}
