SELECT campaign_id, state, skip_code, COUNT(*) AS n FROM recipient GROUP BY campaign_id, state, skip_code
