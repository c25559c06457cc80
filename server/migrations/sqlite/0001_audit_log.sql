-- The audit log: every write made through the dashboard, an attempt row before it is made and an
-- outcome row after. Append-only: triggers refuse updates and deletes.
-- (IF NOT EXISTS: databases created before migrations existed already have these.)
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    at INTEGER NOT NULL,
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

CREATE INDEX IF NOT EXISTS audit_log_correlation ON audit_log (correlation, phase);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
