-- A permanent failure: FAILED with the reason, never retried. Guarded on CLAIMED so a late writer never
-- overwrites a state recovery already gave the row.
UPDATE recipient SET state = 'FAILED', last_error = ?, claimed_by = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
