-- Read paths that cost the same at a million finished deployments as at none.

-- The version each app runs in each environment: its latest succeeded deployment (by
-- finished_at, then id), kept by the store in the transaction that records the success.
-- Reading versions reads apps x environments rows of this table alone, not the history
-- (ref and requester are copied: a deployment's never change).
CREATE TABLE current_versions (
    app TEXT NOT NULL,
    environment TEXT NOT NULL,
    deployment_id BIGINT NOT NULL REFERENCES deployments (id),
    git_ref TEXT NOT NULL,
    requester TEXT NOT NULL,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (app, environment)
);
INSERT INTO current_versions (app, environment, deployment_id, git_ref, requester, finished_at)
SELECT app, environment, id, git_ref, requester, finished_at FROM (
    SELECT app, environment, id, git_ref, requester, finished_at, ROW_NUMBER() OVER (
        PARTITION BY app, environment ORDER BY finished_at DESC, id DESC) AS rn
    FROM deployments WHERE state = 'succeeded' AND finished_at IS NOT NULL
) latest WHERE rn = 1;

-- The promotion rule's "latest finished deployment of this app there": one index probe.
CREATE INDEX deployments_latest_finished ON deployments (app, environment, finished_at, id)
    WHERE state IN ('succeeded', 'failed');
-- Recent history (the dashboard): the newest rows of the index, not a sort of all of them.
CREATE INDEX deployments_history ON deployments (updated_at, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled', 'expired');
-- Everything live across environments (status): as small as the queues, whatever the history.
CREATE INDEX deployments_live ON deployments (environment, priority DESC, queue_key, id)
    WHERE state IN ('queued', 'called', 'deploying');
