UPDATE recipient SET state = 'SENT', smtp_reply = ?, last_error = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
