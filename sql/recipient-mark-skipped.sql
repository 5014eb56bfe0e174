-- As recipient-mark-sent, for a recipient skipped with its validation code or 'duplicate'.
UPDATE recipient SET state = 'SKIPPED', skip_code = ?, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
