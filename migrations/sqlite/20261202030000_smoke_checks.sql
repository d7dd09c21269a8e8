-- Smoke checks after a successful deployment (the policy's `smoke_urls`).

-- Durable work: a row is written in the transaction that records the success, claimed by
-- one replica's worker with a lease (like the outbox), and marked done in the transaction
-- that stores its results and queues the thread reply. A crash mid-check leaves the row
-- undone; the lease lapses and a worker runs it again.
CREATE TABLE smoke_checks (
    deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id),
    environment TEXT NOT NULL,
    -- JSON array of the URLs to request, placeholders already substituted.
    urls TEXT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    claimed_by TEXT,
    claim_until BIGINT,
    runs BIGINT NOT NULL DEFAULT 0,
    outcome TEXT,
    done_at BIGINT
);
CREATE INDEX smoke_checks_pending ON smoke_checks (created_at, deployment_id) WHERE done_at IS NULL;
CREATE INDEX smoke_checks_recent ON smoke_checks (done_at, deployment_id) WHERE done_at IS NOT NULL;

-- One row per URL checked: `outcome` is pass or fail, `status` the last HTTP status seen
-- (none when nothing answered), `attempts` how many requests it took.
CREATE TABLE smoke_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id BIGINT NOT NULL REFERENCES deployments (id),
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status BIGINT,
    detail TEXT NOT NULL,
    checked_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX smoke_results_deployment ON smoke_results (deployment_id, id);
