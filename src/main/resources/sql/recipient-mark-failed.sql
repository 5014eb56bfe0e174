UPDATE recipient SET state = 'FAILED', last_error = ?, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
