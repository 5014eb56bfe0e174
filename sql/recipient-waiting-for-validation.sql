-- Pending recipients that dispatch cannot claim yet because their address has no usable verdict: none at all, or one
-- older than sluice.validation.max-age (the validation route renews it first); suppressions never expire.
SELECT r.campaign_id, COUNT(*) AS n FROM recipient r
WHERE r.state = 'PENDING' AND NOT EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key
                                           AND (v.checked_at >= ? OR v.text_code IN ('suppressed', 'unsubscribed')))
GROUP BY r.campaign_id
