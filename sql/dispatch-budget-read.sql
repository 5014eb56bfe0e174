-- What the period's ticks have claimed so far (read under the lock before reserving more).
SELECT claimed FROM dispatch_budget WHERE period_end = ?
