-- One app's recent history (the dashboard's page per app): the newest rows of this app's
-- slice of the index, not a sort of all its deployments.
CREATE INDEX deployments_app_history ON deployments (app, updated_at, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled', 'expired');
