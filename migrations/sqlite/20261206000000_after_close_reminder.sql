-- When a deployment still deploying after the deploy window closed on it was told so
-- (once, by whichever replica stamps it first, in the transaction that queues the
-- message). NULL: not told; rows from before this migration start NULL.
ALTER TABLE deployments ADD COLUMN after_close_reminded_at BIGINT;
