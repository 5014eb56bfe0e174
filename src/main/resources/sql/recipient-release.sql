UPDATE recipient SET state = 'PENDING', attempts = attempts - 1, claimed_by = NULL, claimed_at = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
