-- Ready = pending, in a running campaign, due again, and validated (a cache entry exists; its code comes along):
-- an unvalidated address waits. SKIP LOCKED lets a second instance take the next rows instead of waiting on these (READ COMMITTED,
-- set on the pool, avoids gap locks on neighbours). The lock lasts the claim transaction only.
SELECT r.id, r.campaign_id, r.email, r.email_key, r.fields, r.attempts,
       (SELECT v.text_code FROM email_validation_cache v WHERE v.email = r.email_key) AS validation_code
FROM recipient r
WHERE r.state = 'PENDING'
  AND r.campaign_id IN (SELECT c.id FROM campaign c WHERE c.state = 'RUNNING')
  AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ?)
  AND EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key)
ORDER BY r.id
LIMIT ?
FOR UPDATE SKIP LOCKED
