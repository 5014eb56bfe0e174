-- Which of these addresses already have a verdict dispatch may use: younger than sluice.validation.max-age, or a
-- suppression (never expires). One primary-key probe per address; the import asks once per batch.
SELECT email FROM email_validation_cache
WHERE email IN (:keys) AND (checked_at >= :freshSince OR text_code IN ('suppressed', 'unsubscribed'))
