-- badger schema v1 (SQLite). Times are Unix milliseconds (UTC).

CREATE TABLE locks (
    name TEXT PRIMARY KEY
);

CREATE TABLE deployments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    git_ref TEXT NOT NULL,
    environment TEXT NOT NULL,
    requester TEXT NOT NULL,
    channel TEXT NOT NULL,
    note TEXT,
    emergency_reason TEXT,
    source TEXT NOT NULL DEFAULT 'slack',
    state TEXT NOT NULL CHECK (state IN ('queued','called','deploying','succeeded','failed','cancelled','expired')),
    priority BIGINT NOT NULL DEFAULT 0,
    queue_key BIGINT NOT NULL,
    outcome_note TEXT,
    ci_url TEXT,
    requested_at BIGINT NOT NULL,
    called_at BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    ended_at BIGINT,
    reminded_at BIGINT,
    hold_notified BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
-- The queue's core invariant, held by the database: one called-or-deploying per environment.
CREATE UNIQUE INDEX deployments_one_active_per_env ON deployments (environment) WHERE state IN ('called', 'deploying');
CREATE INDEX deployments_env_state ON deployments (environment, state);
CREATE INDEX deployments_app_env ON deployments (app, environment, id);
CREATE INDEX deployments_requester ON deployments (requester, state);

CREATE TABLE holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    environment TEXT,
    reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    channel TEXT NOT NULL,
    until_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    released_at BIGINT,
    released_by TEXT,
    reminded_at BIGINT
);
CREATE INDEX holds_active ON holds (released_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ordering_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claim_until BIGINT,
    delivered_at BIGINT,
    dead_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (ordering_key, id) WHERE delivered_at IS NULL AND dead_at IS NULL;

CREATE TABLE slack_messages (
    msg_key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

CREATE TABLE local_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    method TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL
);
