-- The period's budget row; two instances may race to create it: the loser gets a duplicate key and uses the row.
INSERT INTO dispatch_budget (period_end, claimed, updated_at) VALUES (?, 0, ?)
