-- The claim in one statement: the ready rows (as in recipients-claim-select: pending, in a running campaign, due,
-- with a fresh verdict or a suppression, whose code comes along) are locked, SKIP LOCKED so a concurrent claim takes
-- the next rows instead of waiting, marked CLAIMED and returned with their new attempt count: one statement where the
-- other dialects run a SELECT, an UPDATE per 1,000 ids and a read-back by token (at 7M rows 122-170 ms against
-- 172-239 ms for the three, bench/README.md).
-- The ready rows are a MATERIALIZED CTE, evaluated exactly once: as a subquery in FROM, a plan that rescans it per
-- row of the UPDATE re-ran its LIMIT and claimed more rows than asked for (seen on a small table).
-- Parameters: now (due), fresh-since, limit, claim token, now (claimed_at, updated_at).
WITH ready AS MATERIALIZED (
    SELECT p.id,
           (SELECT v.text_code FROM email_validation_cache v WHERE v.email = p.email_key) AS validation_code
    FROM recipient p
    WHERE p.state = 'PENDING'
      AND (SELECT c.state FROM campaign c WHERE c.id = p.campaign_id) = 'RUNNING'
      AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= ?)
      AND EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = p.email_key
                  AND (v.checked_at >= ? OR v.text_code IN ('suppressed', 'unsubscribed')))
    ORDER BY p.id
    LIMIT ?
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE recipient r
SET state = 'CLAIMED', claimed_by = ?, claimed_at = ?, updated_at = ?, attempts = r.attempts + 1
FROM ready
WHERE r.id = ready.id AND r.state = 'PENDING'
RETURNING r.id, r.campaign_id, r.email, r.email_key, r.fields, r.attempts, ready.validation_code
