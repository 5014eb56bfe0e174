-- The rows one claim took (recipients-claim-limit), with each address's cached code, in id order.
SELECT r.id, r.campaign_id, r.email, r.email_key, r.fields, r.attempts,
       (SELECT v.text_code FROM email_validation_cache v WHERE v.email = r.email_key) AS validation_code
FROM recipient r
WHERE r.state = 'CLAIMED' AND r.claimed_by = ?
ORDER BY r.id
