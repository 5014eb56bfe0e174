-- H2's outcome write (one guarded UPDATE per row in a JDBC batch): guarded on CLAIMED so an outcome
-- arriving after recovery took the row back changes nothing (the counters follow the update count).
UPDATE recipient SET state = 'SENT', smtp_reply = ?, last_error = NULL, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
