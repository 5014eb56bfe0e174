-- A batch of outcomes in one statement: the rows still CLAIMED become SENT (keeping the server's reply) or SKIPPED
-- (keeping the skip code), and their ids come back so the counters move by exactly those rows. PostgreSQL runs a JDBC
-- batch of single-row UPDATEs as one statement execution each; this is one (at 7M rows, 8,000 outcomes in 15 lanes
-- of 50: 1.5-1.7 times faster once warm, bench/README.md). Parameters: :now, and :batch, a JSON array of
-- {"id", "state" ('SENT' or 'SKIPPED'), "detail" (reply or skip code)}.
-- The guard is written "(r.state = 'CLAIMED') IS TRUE" so the plan looks each id up by primary key: as a plain
-- "r.state = 'CLAIMED'" the planner walked an index on state over every claimed row once per statement (statistics
-- taken between ticks see almost none), which made marking 8,000 rows take 5 s instead of well under one.
UPDATE recipient r
SET state = o.state,
    smtp_reply = CASE WHEN o.state = 'SENT' THEN o.detail ELSE r.smtp_reply END,
    last_error = CASE WHEN o.state = 'SENT' THEN NULL ELSE r.last_error END,
    skip_code = CASE WHEN o.state = 'SKIPPED' THEN o.detail ELSE r.skip_code END,
    claimed_by = NULL,
    updated_at = :now
FROM json_to_recordset(CAST(:batch AS json)) AS o(id BIGINT, state VARCHAR(16), detail VARCHAR(500))
WHERE r.id = o.id AND (r.state = 'CLAIMED') IS TRUE AND o.state IN ('SENT', 'SKIPPED')
RETURNING r.id
