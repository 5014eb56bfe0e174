-- A newer verdict replaces an older one for the same address, except suppressed and unsubscribed: no validation
-- result may make an address that asked to leave mailable again. (provider and checked_at are assigned first,
-- while text_code still holds the old value.)
INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
  provider = IF(text_code IN ('suppressed', 'unsubscribed'), provider, VALUES(provider)),
  checked_at = IF(text_code IN ('suppressed', 'unsubscribed'), checked_at, VALUES(checked_at)),
  text_code = IF(text_code IN ('suppressed', 'unsubscribed'), text_code, VALUES(text_code))
