-- What GET /api/status and the progress log read: a few rows per campaign, never the recipient table.
SELECT campaign_id, state, skip_code, SUM(n) AS n FROM recipient_count GROUP BY campaign_id, state, skip_code
