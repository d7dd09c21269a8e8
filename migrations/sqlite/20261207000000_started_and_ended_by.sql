-- Who started a deployment and who ended it, when not its requester (whom the start and
-- end alerts credit beside the requester): a Slack user id, `ci` (a CI pipeline) or
-- `badger`. Written with the transition that stamps started_at, finished_at or ended_at.
-- NULL: its requester did (or badger's own ending, a turn expiring); rows from before
-- this migration start NULL and show as they always did.
ALTER TABLE deployments ADD COLUMN started_by TEXT;
ALTER TABLE deployments ADD COLUMN ended_by TEXT;
