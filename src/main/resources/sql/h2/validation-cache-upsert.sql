-- A newer verdict replaces an older one for the same address.
MERGE INTO email_validation_cache (email, text_code, provider, checked_at) KEY (email) VALUES (?, ?, ?, ?)
