-- Creates one counter slot at zero, in its own committed statement before the upsert (RecipientCounts.ensureRows):
-- H2's MERGE raced when two transactions created the same new row. A duplicate key here means the row exists: fine.
INSERT INTO recipient_count (campaign_id, state, skip_code, slot, n) VALUES (?, ?, ?, ?, 0)
