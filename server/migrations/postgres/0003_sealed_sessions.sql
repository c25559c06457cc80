-- Browser sessions, sealed: `data` is the session's content (sign-ins with their tokens, sign-ins in
-- progress) encrypted and authenticated with the session key (`auth::store`), the session id as
-- associated data. `version` grows by one at every write, for compare-and-set between concurrent
-- requests. `expiry_date` in Unix seconds; expired rows are purged periodically.
CREATE TABLE sealed_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    data BYTEA NOT NULL,
    expiry_date BIGINT NOT NULL
);

CREATE INDEX sealed_sessions_expiry ON sealed_sessions (expiry_date);
