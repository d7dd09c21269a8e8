-- How many entries wait in each environment's queue, per priority, kept by triggers on
-- every path that changes a deployment, so a new entry's position costs one small read
-- instead of counting the whole queue.
CREATE TABLE queue_counts (
    environment TEXT NOT NULL,
    priority INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (environment, priority)
);

INSERT INTO queue_counts (environment, priority, n)
    SELECT environment, priority, COUNT(*) FROM deployments WHERE state = 'queued' GROUP BY environment, priority;

CREATE TRIGGER queue_counts_insert AFTER INSERT ON deployments WHEN NEW.state = 'queued'
BEGIN
    INSERT INTO queue_counts (environment, priority, n) VALUES (NEW.environment, NEW.priority, 1)
        ON CONFLICT (environment, priority) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_counts_delete AFTER DELETE ON deployments WHEN OLD.state = 'queued'
BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE environment = OLD.environment AND priority = OLD.priority;
END;

CREATE TRIGGER queue_counts_update AFTER UPDATE OF state, priority, environment ON deployments
    WHEN (OLD.state = 'queued' OR NEW.state = 'queued')
     AND (OLD.state IS NOT NEW.state OR OLD.priority IS NOT NEW.priority OR OLD.environment IS NOT NEW.environment)
BEGIN
    UPDATE queue_counts SET n = n - 1
        WHERE OLD.state = 'queued' AND environment = OLD.environment AND priority = OLD.priority;
    INSERT INTO queue_counts (environment, priority, n)
        SELECT NEW.environment, NEW.priority, 1 WHERE NEW.state = 'queued'
        ON CONFLICT (environment, priority) DO UPDATE SET n = n + 1;
END;
