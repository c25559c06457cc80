-- The audit log: every write made through the dashboard, an attempt row before it is made and an
-- outcome row after. Append-only: triggers refuse updates, deletes and truncation.
-- (The PostgreSQL schema of `migrations/sqlite`, at its end state; integers are BIGINT.)
CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    correlation TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    at BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_upn TEXT NOT NULL,
    actor_oid TEXT NOT NULL,
    actor_tenant TEXT NOT NULL,
    tenant TEXT NOT NULL,
    action TEXT NOT NULL,
    inputs TEXT NOT NULL,
    outcome TEXT,
    error_code TEXT,
    error_message TEXT,
    request_id TEXT
);

CREATE INDEX audit_log_correlation ON audit_log (correlation, phase);

-- Raises for any row or statement it is attached to. A BEFORE trigger that raises aborts the
-- statement (PostgreSQL documentation, "Overview of Trigger Behavior" and PL/pgSQL "Errors and
-- Messages"); row-level triggers do not fire for TRUNCATE, so a statement-level one refuses it.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
