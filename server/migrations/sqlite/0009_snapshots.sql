-- Configuration snapshots of the multitenant organization (`/drift`): each one the whole JSON
-- export (`app::drift::snapshot::Snapshot`, sorted keys, no secrets), with who or what took it.
-- Appended to only. The baseline is the newest row of `drift_baselines` (the earlier ones are its
-- history). The logic is in `server/src/drift/store.rs`.
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Unix seconds, and RFC 3339 as the snapshot says.
    taken_at INTEGER NOT NULL,
    taken_by TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('onDemand', 'schedule', 'import', 'accepted')),
    tenants INTEGER NOT NULL,
    objects INTEGER NOT NULL,
    body TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS snapshots_taken_at ON snapshots (taken_at);

CREATE TABLE IF NOT EXISTS drift_baselines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    accepted_by TEXT NOT NULL,
    accepted_at INTEGER NOT NULL
);
