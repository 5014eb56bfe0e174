-- Adds a delta to one counter slot, creating it on first use (negative deltas are fine: slots are summed).
MERGE INTO recipient_count t
USING (VALUES (CAST(? AS BIGINT), CAST(? AS VARCHAR(16)), CAST(? AS VARCHAR(64)), CAST(? AS INT), CAST(? AS BIGINT))) s (campaign_id, state, skip_code, slot, n)
ON t.campaign_id = s.campaign_id AND t.state = s.state AND t.skip_code = s.skip_code AND t.slot = s.slot
WHEN MATCHED THEN UPDATE SET n = t.n + s.n
WHEN NOT MATCHED THEN INSERT (campaign_id, state, skip_code, slot, n) VALUES (s.campaign_id, s.state, s.skip_code, s.slot, s.n)
