-- Pending recipients that dispatch cannot claim yet because nobody has validated their address.
SELECT r.campaign_id, COUNT(*) AS n FROM recipient r
WHERE r.state = 'PENDING' AND NOT EXISTS (SELECT 1 FROM email_validation_cache v WHERE v.email = r.email_key)
GROUP BY r.campaign_id
