-- The history API (GET /api/v1/deployments) lists newest first (ORDER BY id DESC) with
-- optional filters: each filter alone reads its own index in id order, so a page costs
-- its LIMIT, not the history. app + environment uses deployments_app_env (app,
-- environment, id); other combinations read one of these and filter the rest.
CREATE INDEX deployments_app_id ON deployments (app, id);
CREATE INDEX deployments_env_id ON deployments (environment, id);
CREATE INDEX deployments_requester_id ON deployments (requester, id);
-- Finished states only: a live state is as small as the queues (deployments_live), and a
-- full (state, id) index would draw the live queries away from deployments_live.
CREATE INDEX deployments_finished_state_id ON deployments (state, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled', 'expired');
