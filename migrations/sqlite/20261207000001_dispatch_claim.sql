-- When an attempt of a dispatch job was about to ask GitHub to run the workflow (wall
-- clock), written and committed before the call. Set while the outcome is not recorded: a
-- later attempt (another replica's, or after a restart) first looks for the run GitHub may
-- have started, and dispatches again only if none appeared. NULL: not asked yet, or GitHub
-- answered with an error (so it started nothing).
ALTER TABLE github_jobs ADD COLUMN dispatching_at BIGINT;
