-- Leases: a named lease held by one process at a time until `expires_at` (Unix milliseconds), so that
-- of several dashboards sharing a database only one does a given piece of work (the monitor's
-- runs). The logic is in `server/src/lease.rs`.
CREATE TABLE leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The monitor's latest reading of the whole mesh (JSON of app::mesh::model::Mesh), written by the
-- replica holding the monitor lease after each run, read by the others: every replica serves the
-- same /status board and monitor readings, whichever runs the monitor.
CREATE TABLE monitor_latest (
    name TEXT PRIMARY KEY NOT NULL,
    started_at BIGINT NOT NULL,
    holder TEXT NOT NULL,
    mesh TEXT NOT NULL
);
