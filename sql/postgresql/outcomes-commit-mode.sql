-- Outcome writes need not wait for the WAL flush: if PostgreSQL crashes within the last few hundred milliseconds, the
-- rows of a lost outcome batch are still CLAIMED with their delivery records, which is exactly what the outcome batches
-- already leave after a crash (stale-claim recovery makes them UNKNOWN at-most-once, sends them again at-least-once).
-- The delivery record itself (written before the send) and the claim keep synchronous commits.
SET LOCAL synchronous_commit = off
