-- Stale claims never handed to delivery (no record) were not sent: they simply go back to the pool.
UPDATE recipient SET state = 'PENDING', claimed_by = NULL, claimed_at = NULL, updated_at = ?
WHERE state = 'CLAIMED' AND claimed_by = ? AND campaign_id = ? AND claimed_at < ?
