-- How many entries wait in each environment's queue, per priority, kept by a trigger on
-- every path that changes a deployment, so a new entry's position costs one small read
-- instead of counting the whole queue.
CREATE TABLE queue_counts (
    environment TEXT NOT NULL,
    priority BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (environment, priority)
);

INSERT INTO queue_counts (environment, priority, n)
    SELECT environment, priority, COUNT(*) FROM deployments WHERE state = 'queued' GROUP BY environment, priority;

CREATE FUNCTION queue_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state IS NOT DISTINCT FROM NEW.state
       AND OLD.priority IS NOT DISTINCT FROM NEW.priority
       AND OLD.environment IS NOT DISTINCT FROM NEW.environment THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'queued' THEN
        UPDATE queue_counts SET n = n - 1 WHERE environment = OLD.environment AND priority = OLD.priority;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.state = 'queued' THEN
        INSERT INTO queue_counts (environment, priority, n) VALUES (NEW.environment, NEW.priority, 1)
            ON CONFLICT (environment, priority) DO UPDATE SET n = queue_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER queue_counts_keep AFTER INSERT OR UPDATE OR DELETE ON deployments
    FOR EACH ROW EXECUTE FUNCTION queue_counts_keep();
