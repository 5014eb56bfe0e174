-- A suppression always wins over a validation verdict and keeps why and on which stream.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at, reason, message_stream) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (email) DO UPDATE SET text_code = EXCLUDED.text_code, provider = EXCLUDED.provider, checked_at = EXCLUDED.checked_at,
  reason = EXCLUDED.reason, message_stream = EXCLUDED.message_stream
