-- A newer verdict replaces an older one for the same address.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE text_code = VALUES(text_code), provider = VALUES(provider), checked_at = VALUES(checked_at)
