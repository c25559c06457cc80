-- The privileges of the role a restricted dashboard connects as (`database_migrate = false`),
-- granted by the role that owns the schema (the one that runs `tenant-mesh --migrate`), in the
-- dashboard's database:
--
--   psql "postgres://owner@host/tenant_mesh" -v role=tenant_mesh_app -f grants.sql
--
-- Run it again after a migration that adds a table or a sequence. Not a migration itself: sqlx only
-- takes files named `<version>_<description>.sql` (see GRANTS.md).

GRANT USAGE ON SCHEMA public TO :"role";

-- The audit log: read and append, nothing else. PostgreSQL then refuses UPDATE, DELETE and
-- TRUNCATE with "permission denied" (the append-only triggers refuse them for the owner too).
GRANT SELECT, INSERT ON audit_log, audit_steps TO :"role";

-- The directory audit events kept from Graph: read and append (a re-read is ON CONFLICT DO
-- NOTHING), nothing else.
GRANT SELECT, INSERT ON directory_audits TO :"role";

-- Configuration snapshots and the baseline's history: read and append, nothing else.
GRANT SELECT, INSERT ON snapshots, drift_baselines TO :"role";

-- Everything else the dashboard keeps: read and write.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    sealed_sessions, join_decisions, monitor_findings, monitor_runs, alert_deliveries,
    alert_attempts, leases, monitor_latest
    TO :"role";

-- The BIGSERIAL columns' sequences (nextval when a row is inserted).
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO :"role";

-- Which migrations were applied: checked at start, the schema must be up to date.
GRANT SELECT ON _sqlx_migrations TO :"role";
