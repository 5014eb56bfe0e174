-- Guarded on PENDING: a row another claim took first is left alone (the claim reads back what it really got).
UPDATE recipient SET state = 'CLAIMED', claimed_by = ?, claimed_at = ?, updated_at = ?, attempts = attempts + 1
WHERE id = ? AND state = 'PENDING'
