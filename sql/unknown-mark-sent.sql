-- An UNKNOWN recipient that did leave (found in Postmark's message log, or a person says so): SENT with what says so.
-- Guarded on the state and on the change time read before deciding, so an answer about an earlier attempt can never
-- move a row that has been sent again (and become UNKNOWN again) since.
UPDATE recipient SET state = 'SENT', smtp_reply = ?, last_error = NULL, updated_at = ?
WHERE id = ? AND state = 'UNKNOWN' AND updated_at = ?
