-- Alert deliveries: one row per (target, finding, event, occurrence), claimed before anything is
-- sent, so the same alert is never sent twice, across restarts too. The target is kept by name: its
-- URL (which often carries a secret) is never stored. `payload` is the body sent (no secret in it),
-- kept so a delivery interrupted by a restart can be finished.
CREATE TABLE alert_deliveries (
    id BIGSERIAL PRIMARY KEY,
    target TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    finding_key TEXT NOT NULL,
    event TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- When the outcome last changed.
    at BIGINT NOT NULL,
    -- `retrying` (not sent yet, attempts go on), `sent` or `failed`.
    outcome TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    UNIQUE (target, finding_key, event, occurrence)
);

CREATE INDEX alert_deliveries_outcome ON alert_deliveries (outcome);

-- Every attempt of a delivery and what came of it.
CREATE TABLE alert_attempts (
    delivery_id BIGINT NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- The HTTP status of the answer; NULL when none came.
    status BIGINT,
    error TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
