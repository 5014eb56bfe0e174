-- A newer verdict replaces an older one for the same address, except suppressed and unsubscribed: no validation
-- result may make an address that asked to leave mailable again.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, ?, ?, ?)
ON CONFLICT (email) DO UPDATE SET text_code = EXCLUDED.text_code, provider = EXCLUDED.provider, checked_at = EXCLUDED.checked_at
WHERE email_validation_cache.text_code NOT IN ('suppressed', 'unsubscribed')
