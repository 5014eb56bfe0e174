SELECT claimed FROM dispatch_budget WHERE period_end = ?
