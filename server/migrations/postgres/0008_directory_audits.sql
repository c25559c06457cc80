-- The directory audit events Tenant Mesh read from Microsoft Graph (`/auditLogs/directoryAudits`,
-- the categories of the multitenant organization, cross-tenant access settings and provisioning
-- management), kept beyond the 30 days Graph keeps them. One row per event and tenant: reading an
-- event again changes nothing (INSERT … ON CONFLICT DO NOTHING). Appended to only (the restricted
-- role gets SELECT, INSERT: grants.sql); the logic is in `server/src/directory_audits.rs`.
-- (The schema of `migrations/sqlite/0008_directory_audits.sql`; integers are BIGINT.)
CREATE TABLE directory_audits (
    seq BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    -- Graph's `id` of the event.
    event_id TEXT NOT NULL,
    -- `activityDateTime` as Unix seconds, and as Graph wrote it.
    at BIGINT NOT NULL,
    activity_date_time TEXT NOT NULL,
    category TEXT NOT NULL,
    activity TEXT NOT NULL,
    result TEXT NOT NULL,
    result_reason TEXT,
    -- The user's UPN or the app's name, and the target resources, in words.
    initiated_by TEXT NOT NULL,
    targets TEXT NOT NULL,
    -- The whole `directoryAudit` as JSON.
    entry TEXT NOT NULL,
    -- Who read it: 'delegated' (a signed-in person's session) or 'monitor' (app-only).
    read_by TEXT NOT NULL CHECK (read_by IN ('delegated', 'monitor')),
    read_at BIGINT NOT NULL,
    UNIQUE (tenant, event_id)
);

CREATE INDEX directory_audits_tenant_at ON directory_audits (tenant, at);
CREATE INDEX directory_audits_at ON directory_audits (at);
