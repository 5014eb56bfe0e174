-- Samples newer than the given time: with several instances sampling, the one that finds a recent row skips its turn
-- (one sample a period, not one per instance; a rare double at the same moment only adds a point).
SELECT COUNT(*) FROM status_sample WHERE sampled_at > ?
