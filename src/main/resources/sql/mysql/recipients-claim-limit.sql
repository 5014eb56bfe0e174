-- The claim as one guarded UPDATE: the first ready rows in id order (as in recipients-claim-select: pending, in a
-- running campaign, due, with a fresh verdict or a suppression) become CLAIMED under this claim's token; the same
-- transaction then reads them back with their codes (recipients-claimed-read). No SKIP LOCKED here (MariaDB has it
-- for SELECT only): a concurrent claim waits for this transaction's commit on the first row it shares, then, under
-- READ COMMITTED, sees those rows CLAIMED, passes them and takes the next ones. Never the same row twice.
-- At 7M rows with a warm buffer pool: ~200 ms against ~260 ms for SELECT ... FOR UPDATE, UPDATE per 1,000 ids and a
-- read-back (bench/README.md). With binlog_format=STATEMENT the server logs UPDATE ... LIMIT as unsafe for
-- replication; the default MIXED (and ROW) logs its rows instead.
-- Parameters: claim token, now (claimed_at, updated_at), now (due), fresh-since, limit.
UPDATE recipient r
SET r.state = 'CLAIMED', r.claimed_by = ?, r.claimed_at = ?, r.updated_at = ?, r.attempts = r.attempts + 1
WHERE r.state = 'PENDING'
  AND (SELECT c.state FROM campaign c WHERE c.id = r.campaign_id) = 'RUNNING'
  AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ?)
  AND EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key
              AND (v.checked_at >= ? OR v.text_code IN ('suppressed', 'unsubscribed')))
ORDER BY r.id
LIMIT ?
