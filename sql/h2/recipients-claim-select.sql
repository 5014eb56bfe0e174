-- Step recipients-claim-select of route recipients-claim (camel-sql named parameters; RecipientStore.claim runs the
-- same file). Ready = pending, in a running campaign, due again, and validated (a cache entry younger than
-- sluice.validation.max-age, or a suppression, which never expires): an unvalidated address waits. The code itself is
-- not read here: the route's content enricher (recipients-claim-enrich-verdicts) reads it for the whole chunk.
-- Walking (state, id) keeps this cheap anywhere in a 7M-row table. H2 is single-instance: no row locks here
-- (FOR UPDATE ... LIMIT on H2 locks every matching row before the LIMIT and took 5-7 s at 1M pending rows).
-- H2 reads rows in index order and stops at LIMIT only when ORDER BY names the index's columns: "ORDER BY r.id" (and
-- "campaign_id IN (SELECT ...)", which H2 answered from the campaign_id index) read and sorted every pending row:
-- 55-87 s per claim at 7M rows, against 0.8 s this way.
-- fields is a CLOB: read as VARCHAR it comes back as a String; as a CLOB each row went through a java.sql.Clob and two
-- Readers (18 ms per 1,000 rows against 1.4 ms, H2 2.5.252). The import keeps it under 100,000 characters.
SELECT r.id, r.campaign_id, r.email, r.email_key, CAST(r.fields AS VARCHAR) AS fields, r.attempts
FROM recipient r
WHERE r.state = 'PENDING'
  AND (SELECT c.state FROM campaign c WHERE c.id = r.campaign_id) = 'RUNNING'
  AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= :#now)
  AND EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key
              AND (v.checked_at >= :#freshSince OR v.text_code IN ('suppressed', 'unsubscribed')))
ORDER BY r.state, r.id
LIMIT :#limit
