-- Drops samples older than sluice.history.retention (the index on sampled_at keeps this a range delete).
DELETE FROM status_sample WHERE sampled_at < ?
