-- The app-only monitor's finding history: one row per occurrence of a finding (the same `key`
-- seen again after it cleared is a new occurrence), and each run's summary (the last 200 kept).
CREATE TABLE IF NOT EXISTS monitor_findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    -- The finding as the latest run that saw it described it (JSON of app::mesh::health::Finding).
    finding TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    escalated_at INTEGER,
    cleared_at INTEGER
);

-- At most one open occurrence per finding.
CREATE UNIQUE INDEX IF NOT EXISTS monitor_findings_open ON monitor_findings (key)
    WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS monitor_findings_cleared ON monitor_findings (cleared_at);

CREATE TABLE IF NOT EXISTS monitor_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL,
    -- JSON of app::api::data::status::MonitorRun.
    summary TEXT NOT NULL
);
