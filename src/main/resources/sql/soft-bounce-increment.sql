UPDATE soft_bounce SET bounces = bounces + 1, last_at = ? WHERE email = ?
