-- A person unsubscribed or the provider suppressed the address: this always wins over a validation verdict.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE text_code = VALUES(text_code), provider = VALUES(provider), checked_at = VALUES(checked_at)
