-- At-most-once, the message data went out and no reply came: the server may have it. UNKNOWN keeps the delivery record,
-- so nothing sends it again on its own.
UPDATE recipient SET state = 'UNKNOWN', last_error = ?, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
