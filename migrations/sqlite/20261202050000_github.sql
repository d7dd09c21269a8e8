-- GitHub (issue 11). Calls to GitHub are durable background work, written in the same
-- transaction as the start they belong to and claimed with a lease, so a crash loses no
-- dispatch and two replicas never run the same job.
CREATE TABLE github_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    deployment_id BIGINT,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claim_until BIGINT,
    done_at BIGINT,
    last_error TEXT
);
CREATE INDEX github_jobs_pending ON github_jobs (next_attempt_at) WHERE done_at IS NULL;

-- A workflow badger dispatched for a deployment: when, and the run once GitHub shows it.
-- flagged_at: the deployer was told the run has not reported back.
CREATE TABLE github_runs (
    deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id),
    repo TEXT NOT NULL,
    workflow TEXT NOT NULL,
    dispatched_at BIGINT NOT NULL,
    dispatched_wall BIGINT NOT NULL,
    run_id BIGINT,
    run_url TEXT,
    flagged_at BIGINT
);
-- A run belongs to one deployment: two dispatches close together never claim the same one.
CREATE UNIQUE INDEX github_runs_run ON github_runs (repo, run_id) WHERE run_id IS NOT NULL;

-- "Stay around for a while" after a success: when to remind the deployer, and their
-- confirmation that all is well.
CREATE TABLE stay_checks (
    deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id),
    channel TEXT NOT NULL,
    requester TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    reminded_at BIGINT,
    all_well_at BIGINT,
    all_well_by TEXT
);
CREATE INDEX stay_checks_due ON stay_checks (due_at) WHERE reminded_at IS NULL;
