-- Keeps the claim on its ordered walk of recipient_pending_id, which stops after LIMIT ready rows. Near the end of a
-- campaign (tens of thousands of rows left PENDING) the planner, which cannot estimate the campaign and cache conditions
-- and guesses that few rows qualify, switched to a bitmap scan of every pending row, looked up each one's cache entry and
-- sorted them all, whatever the LIMIT: 65-180 ms per claim of 1,000 at the end of a 7M-row table in the scale benchmark
-- (42 ms against 12 ms for the same claim with 8,000 rows left).
SET LOCAL enable_bitmapscan = off
