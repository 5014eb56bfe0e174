DELETE FROM dispatch_budget WHERE period_end < ?
