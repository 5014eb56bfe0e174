-- Addresses of pending recipients that need a provider: no cache entry, or one older than the maximum age that is
-- not suppressed/unsubscribed (those never expire). A window of recipient ids (id > ? AND id <= ?) walks the
-- (state, id) index as a bounded range; the cache is reached by its primary key. No function on an indexed
-- column, so no scan: the same cost at recipient 7,000,000 as at recipient 1.
SELECT r.id, r.email_key
FROM recipient r
LEFT JOIN email_validation_cache v ON v.email = r.email_key
WHERE r.state = 'PENDING'
  AND r.id > ? AND r.id <= ?
  AND (v.email IS NULL OR (v.checked_at < ? AND v.text_code NOT IN ('suppressed', 'unsubscribed')))
ORDER BY r.id
LIMIT ?
