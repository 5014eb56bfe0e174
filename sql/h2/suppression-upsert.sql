-- A suppression always wins over a validation verdict and keeps why and on which stream.
MERGE INTO email_validation_cache (email, text_code, provider, checked_at, reason, message_stream) KEY (email) VALUES (?, ?, ?, ?, ?, ?)
