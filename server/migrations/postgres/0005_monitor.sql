-- The app-only monitor's finding history: one row per occurrence of a finding (the same `key`
-- seen again after it cleared is a new occurrence), and each run's summary (the last 200 kept).
CREATE TABLE monitor_findings (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    -- The finding as the latest run that saw it described it (JSON of app::mesh::health::Finding).
    finding TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    escalated_at BIGINT,
    cleared_at BIGINT
);

-- At most one open occurrence per finding (a partial unique index).
CREATE UNIQUE INDEX monitor_findings_open ON monitor_findings (key)
    WHERE cleared_at IS NULL;
CREATE INDEX monitor_findings_cleared ON monitor_findings (cleared_at);

CREATE TABLE monitor_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at BIGINT NOT NULL,
    -- JSON of app::api::data::status::MonitorRun.
    summary TEXT NOT NULL
);
