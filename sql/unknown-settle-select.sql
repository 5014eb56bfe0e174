-- The UNKNOWN recipients one settle run asks Postmark about (route unknown-settle, camel-sql named parameters):
-- unchanged for at least sluice.settle.delay (Postmark's message log lags behind what its SMTP server accepted) and
-- for at most sluice.settle.max-age (past Postmark's retention "not in the log" proves nothing), in id order from the
-- run's cursor, so rows the API cannot settle today do not hold back the rows after them. The claim time and the
-- last change bound the search window; the campaign gives the stream. Walks (state, id) on H2 and MySQL, the partial
-- index recipient_unknown on PostgreSQL.
SELECT r.id, r.campaign_id, r.email, r.claimed_at, r.updated_at,
       (SELECT c.message_stream FROM campaign c WHERE c.id = r.campaign_id) AS message_stream
FROM recipient r
WHERE r.state = 'UNKNOWN'
  AND r.id > :#afterId
  AND r.updated_at < :#changedBefore
  AND r.updated_at >= :#changedSince
ORDER BY r.state, r.id
LIMIT :#limit
