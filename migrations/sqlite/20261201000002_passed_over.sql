-- The refusal codes a waiting deployment was last told the turn passed it by for (the
-- promotion rule or a permission; holds keep hold_notified), so it is told once per reason.
ALTER TABLE deployments ADD COLUMN passed_over TEXT;
