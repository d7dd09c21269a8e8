-- The latest failed deployment of each app in each environment (by finished_at, then id),
-- kept by the store in the transaction that records the failure, as `current_versions`
-- keeps the latest success. Where it is later than the current version it is the latest
-- finished deployment there (what the promotion rule reads), so the versions view shows
-- "r2 (r3 failed)" from apps x environments rows of the two tables, not the history.
CREATE TABLE latest_failures (
    app TEXT NOT NULL,
    environment TEXT NOT NULL,
    deployment_id BIGINT NOT NULL REFERENCES deployments (id),
    git_ref TEXT NOT NULL,
    requester TEXT NOT NULL,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (app, environment)
);
INSERT INTO latest_failures (app, environment, deployment_id, git_ref, requester, finished_at)
SELECT app, environment, id, git_ref, requester, finished_at FROM (
    SELECT app, environment, id, git_ref, requester, finished_at, ROW_NUMBER() OVER (
        PARTITION BY app, environment ORDER BY finished_at DESC, id DESC) AS rn
    FROM deployments WHERE state = 'failed' AND finished_at IS NOT NULL
) latest WHERE rn = 1;
-- Replicas' status snapshots hold it too (20261202060000_board_notify).
CREATE TRIGGER latest_failures_board_changed AFTER INSERT OR UPDATE OR DELETE ON latest_failures
    FOR EACH STATEMENT EXECUTE FUNCTION badger_board_changed();
