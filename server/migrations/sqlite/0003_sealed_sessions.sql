-- Browser sessions, sealed: `data` is the session's content (sign-ins with their tokens, sign-ins in
-- progress) encrypted and authenticated with the session key (`auth::store`), the session id as
-- associated data. `version` grows by one at every write, for compare-and-set between concurrent
-- requests. `expiry_date` in Unix seconds; expired rows are purged periodically.
CREATE TABLE IF NOT EXISTS sealed_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    data BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS sealed_sessions_expiry ON sealed_sessions (expiry_date);

-- The former session table (tower-sessions' own) kept tokens in plain text: it goes, and with it
-- every session from before (people sign in again once).
DROP TABLE IF EXISTS sessions;
