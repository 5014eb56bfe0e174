-- Periods that ended are of no use to any tick: keeps the budget table a few rows long.
DELETE FROM dispatch_budget WHERE period_end < ?
