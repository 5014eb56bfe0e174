-- An UNKNOWN recipient that did not leave (not in Postmark's message log, or a person asks for it): back to PENDING,
-- due at once. The caller drops its delivery record in the same transaction, or the idempotent consumer would skip it
-- as a duplicate. Guarded like unknown-mark-sent.
UPDATE recipient SET state = 'PENDING', last_error = ?, next_attempt_at = NULL, claimed_by = NULL, claimed_at = NULL,
       updated_at = ?
WHERE id = ? AND state = 'UNKNOWN' AND updated_at = ?
