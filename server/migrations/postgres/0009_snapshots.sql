-- Configuration snapshots of the multitenant organization (`/drift`): each one the whole JSON
-- export (`app::drift::snapshot::Snapshot`, sorted keys, no secrets), with who or what took it.
-- Appended to only (the restricted role gets SELECT, INSERT: grants.sql). The baseline is the
-- newest row of `drift_baselines` (the earlier ones are its history). The logic is in
-- `server/src/drift/store.rs`.
-- (The schema of `migrations/sqlite/0009_snapshots.sql`; integers are BIGINT.)
CREATE TABLE snapshots (
    id BIGSERIAL PRIMARY KEY,
    -- Unix seconds, and RFC 3339 as the snapshot says.
    taken_at BIGINT NOT NULL,
    taken_by TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('onDemand', 'schedule', 'import', 'accepted')),
    tenants BIGINT NOT NULL,
    objects BIGINT NOT NULL,
    body TEXT NOT NULL
);

CREATE INDEX snapshots_taken_at ON snapshots (taken_at);

CREATE TABLE drift_baselines (
    id BIGSERIAL PRIMARY KEY,
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    accepted_by TEXT NOT NULL,
    accepted_at BIGINT NOT NULL
);
