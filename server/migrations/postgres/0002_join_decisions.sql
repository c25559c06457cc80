-- Decisions Graph has no verb for: a joining tenant's admin declining (or, later, approving) the
-- request of the owner that added it. The newest row per tenant counts.
CREATE TABLE join_decisions (
    seq BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    owner_tenant TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    at BIGINT NOT NULL
);
