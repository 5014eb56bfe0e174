-- Stale claims never handed to delivery (no record) were not sent: they simply go back to the pool.
UPDATE recipient SET state = 'PENDING', updated_at = ?
WHERE state = 'CLAIMED' AND claim_id = ? AND campaign_id = ?
