UPDATE recipient SET state = 'SENT', smtp_reply = ?, last_error = NULL, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
