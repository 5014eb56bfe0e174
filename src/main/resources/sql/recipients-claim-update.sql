-- Guarded on PENDING: a row another claim took first is left alone (the claim reads back what it really got).
-- One statement per chunk of ids, not one per row: 8,000 single-row UPDATEs took seconds on PostgreSQL at 7M rows.
UPDATE recipient SET state = 'CLAIMED', claimed_by = :token, claimed_at = :now, updated_at = :now, attempts = attempts + 1
WHERE id IN (:ids) AND state = 'PENDING'
