-- Each Graph call of a write, as its own step of the write's audit entry (`correlation`): an
-- attempt row before the call is made and an outcome row after. Append-only, like the audit log.
CREATE TABLE IF NOT EXISTS audit_steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation TEXT NOT NULL,
    step INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    at INTEGER NOT NULL,
    label TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    outcome TEXT,
    error_code TEXT,
    error_message TEXT,
    request_id TEXT
);

CREATE INDEX IF NOT EXISTS audit_steps_correlation ON audit_steps (correlation, step, phase);

CREATE TRIGGER IF NOT EXISTS audit_steps_no_update BEFORE UPDATE ON audit_steps
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_steps_no_delete BEFORE DELETE ON audit_steps
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
