-- A person unsubscribed or the provider suppressed the address: this always wins over a validation verdict.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, ?, ?, ?)
ON CONFLICT (email) DO UPDATE SET text_code = EXCLUDED.text_code, provider = EXCLUDED.provider, checked_at = EXCLUDED.checked_at
