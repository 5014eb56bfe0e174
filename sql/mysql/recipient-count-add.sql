-- Adds a delta to one counter slot, creating it on first use (negative deltas are fine: slots are summed).
INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE n = n + VALUES(n)
