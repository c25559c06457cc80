-- Each Graph call of a write, as its own step of the write's audit entry (`correlation`): an
-- attempt row before the call is made and an outcome row after. Append-only, like the audit log
-- (the trigger function is the one of 0001_audit_log.sql).
CREATE TABLE audit_steps (
    seq BIGSERIAL PRIMARY KEY,
    correlation TEXT NOT NULL,
    step BIGINT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    at BIGINT NOT NULL,
    label TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    outcome TEXT,
    error_code TEXT,
    error_message TEXT,
    request_id TEXT
);

CREATE INDEX audit_steps_correlation ON audit_steps (correlation, step, phase);

CREATE TRIGGER audit_steps_no_update BEFORE UPDATE ON audit_steps
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_steps_no_delete BEFORE DELETE ON audit_steps
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_steps_no_truncate BEFORE TRUNCATE ON audit_steps
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
