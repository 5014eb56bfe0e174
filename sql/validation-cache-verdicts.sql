-- The cached code of each of these addresses, and whether dispatch may use it: younger than sluice.validation.max-age,
-- or a suppression (never expires). One primary-key probe per address; callers ask once per batch of addresses.
SELECT email, text_code,
       CASE WHEN checked_at >= :freshSince OR text_code IN ('suppressed', 'unsubscribed') THEN 1 ELSE 0 END AS fresh
FROM email_validation_cache
WHERE email IN (:keys)
