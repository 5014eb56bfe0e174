-- The claim's select as it was before route recipients-claim (main at e0b2725^, 2026-12-06): the cached code joined in,
-- no enricher. Kept for bench/scale.sh's compare phase only (named parameters instead of its three '?'); never run
-- by Sluice.
-- Ready = pending, in a running campaign, due again, and validated (a cache entry younger than
-- sluice.validation.max-age, or a suppression, which never expires; its code comes along):
-- an unvalidated address waits. SKIP LOCKED lets a second instance take the next rows instead of waiting on these (the claim
-- transaction holds the row locks until the rows are marked CLAIMED).
-- Shaped so the plan walks the partial index recipient_pending_id in id order and stops after LIMIT rows whatever the
-- statistics say: with "campaign_id IN (SELECT ...)" and a campaign or cache table not yet analyzed (a fresh
-- database, right after a big import) PostgreSQL chose a sequential scan of all 7M rows and a sort: 60-84 s per claim.
SELECT r.id, r.campaign_id, r.email, r.email_key, r.fields, r.attempts,
       (SELECT v.text_code FROM email_validation_cache v WHERE v.email = r.email_key) AS validation_code
FROM recipient r
WHERE r.state = 'PENDING'
  AND (SELECT c.state FROM campaign c WHERE c.id = r.campaign_id) = 'RUNNING'
  AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= :now)
  AND EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key
              AND (v.checked_at >= :freshSince OR v.text_code IN ('suppressed', 'unsubscribed')))
ORDER BY r.id
LIMIT :limit
FOR UPDATE OF r SKIP LOCKED
