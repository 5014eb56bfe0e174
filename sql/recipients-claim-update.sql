-- Step recipients-claim-update of route recipients-claim (camel-sql named parameters; RecipientStore.claim runs it too).
-- Guarded on PENDING: a row another claim took first is left alone (when the count falls short, the claim reads back
-- by id which rows it really got: recipients-claimed-among).
-- One statement per chunk of ids, not one per row: 8,000 single-row UPDATEs took seconds on PostgreSQL at 7M rows.
UPDATE recipient SET state = 'CLAIMED', claimed_by = :#token, claimed_at = :#now, updated_at = :#now, attempts = attempts + 1
WHERE id IN (:#in:ids) AND state = 'PENDING'
