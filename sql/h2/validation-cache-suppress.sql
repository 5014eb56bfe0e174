-- A person unsubscribed or the provider suppressed the address: this always wins over a validation verdict.
MERGE INTO email_validation_cache (email, text_code, provider, checked_at) KEY (email) VALUES (?, ?, ?, ?)
