UPDATE recipient SET state = 'PENDING', last_error = ?, next_attempt_at = ?, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
