-- Row lock for the rest of the reservation transaction: concurrent ticks of one period reserve one after another.
SELECT claimed FROM dispatch_budget WHERE period_end = ? FOR UPDATE
