-- deployments_env_state (environment, state) is a prefix of deployments_queue_order
-- (environment, state, priority DESC, queue_key, id), which answers every question it did;
-- one index fewer to update on each write of a deployment.
DROP INDEX IF EXISTS deployments_env_state;
