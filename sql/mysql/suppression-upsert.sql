-- A suppression always wins over a validation verdict and keeps why and on which stream.
INSERT INTO email_validation_cache (email, text_code, provider, checked_at, reason, message_stream) VALUES (?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE text_code = VALUES(text_code), provider = VALUES(provider), checked_at = VALUES(checked_at),
  reason = VALUES(reason), message_stream = VALUES(message_stream)
