UPDATE recipient SET state = 'FAILED', last_error = ?, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
