-- Reserves (or, negative, gives back) part of a period's sendLimit under the row lock taken by
-- dispatch-budget-lock, so all instances together claim at most sendLimit per cron period.
UPDATE dispatch_budget SET claimed = claimed + ?, updated_at = ? WHERE period_end = ?
