-- Hard bounces and complaints the Postmark webhook suppressed since the guard window opened.
SELECT COUNT(*) FROM email_validation_cache WHERE provider = 'postmark-webhook' AND checked_at >= ?
