-- Queue order within an environment (emergencies first, then acknowledgement order), so
-- "who is ahead of me" reads the index in order instead of sorting the queue.
CREATE INDEX deployments_queue_order ON deployments (environment, state, priority DESC, queue_key, id);
