-- A transient failure: back to PENDING, due again after sluice.dispatch.retry-after, the reason kept for
-- operators; guarded on CLAIMED like every outcome.
UPDATE recipient SET state = 'PENDING', last_error = ?, next_attempt_at = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
