-- The delivery breaker was open: never handed to the server, so the row goes back as it was before its claim (the
-- claim's attempt given back, next_attempt_at and last_error untouched: due at once).
UPDATE recipient SET state = 'PENDING', attempts = attempts - 1, claimed_by = NULL, claimed_at = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
