-- Finding the next queue key reads the environment's largest key.
CREATE INDEX deployments_env_key ON deployments (environment, queue_key);
