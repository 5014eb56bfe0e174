UPDATE dispatch_budget SET claimed = claimed + ?, updated_at = ? WHERE period_end = ?
