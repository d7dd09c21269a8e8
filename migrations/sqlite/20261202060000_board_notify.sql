-- PostgreSQL's migration of this name notifies replicas when the status board changes.
-- SQLite has nothing to do: one process writes it, and every commit there already marks the
-- in-process status snapshot stale (store::bump_generation). Kept so both folders stay in step.
SELECT 1;
