-- A newer verdict replaces an older one for the same address, except suppressed and unsubscribed: no validation
-- result may make an address that asked to leave mailable again.
MERGE INTO email_validation_cache t
USING (VALUES (CAST(? AS VARCHAR(320)), CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP))) s (email, text_code, provider, checked_at)
ON t.email = s.email
WHEN MATCHED AND t.text_code NOT IN ('suppressed', 'unsubscribed') THEN
  UPDATE SET text_code = s.text_code, provider = s.provider, checked_at = s.checked_at
WHEN NOT MATCHED THEN
  INSERT (email, text_code, provider, checked_at) VALUES (s.email, s.text_code, s.provider, s.checked_at)
