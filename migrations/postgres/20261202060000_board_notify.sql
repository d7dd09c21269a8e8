-- Replicas keep their status snapshot (service::board_cache) fresh: a change to what the
-- status board shows (live deployments, holds, current versions) notifies `badger_board`
-- when its transaction commits; each replica listens and rebuilds on its next read.
-- Statement-level, and PostgreSQL folds identical notifications of one transaction into one.
CREATE FUNCTION badger_board_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('badger_board', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER deployments_board_changed AFTER INSERT OR UPDATE OR DELETE ON deployments
    FOR EACH STATEMENT EXECUTE FUNCTION badger_board_changed();
CREATE TRIGGER holds_board_changed AFTER INSERT OR UPDATE OR DELETE ON holds
    FOR EACH STATEMENT EXECUTE FUNCTION badger_board_changed();
CREATE TRIGGER current_versions_board_changed AFTER INSERT OR UPDATE OR DELETE ON current_versions
    FOR EACH STATEMENT EXECUTE FUNCTION badger_board_changed();
