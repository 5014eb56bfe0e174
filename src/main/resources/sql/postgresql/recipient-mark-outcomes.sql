-- A batch of outcomes in one statement: the rows still CLAIMED become SENT (keeping the server's reply) or SKIPPED
-- (keeping the skip code), and their ids come back so the counters move by exactly those rows. PostgreSQL runs a JDBC
-- batch of single-row UPDATEs as one statement execution each; this is one. Parameters: now, then three arrays of
-- equal length: ids, states ('SENT' or 'SKIPPED'), details (reply or skip code).
-- The guard is written "(r.state = 'CLAIMED') IS TRUE" so the plan looks each id up by primary key: as a plain
-- "r.state = 'CLAIMED'" the planner walked recipient_state_id over every claimed row once per statement (statistics
-- taken between ticks see almost none), which made marking 8,000 rows take 5 s instead of well under one.
UPDATE recipient r
SET state = o.state,
    smtp_reply = CASE WHEN o.state = 'SENT' THEN o.detail ELSE r.smtp_reply END,
    last_error = CASE WHEN o.state = 'SENT' THEN NULL ELSE r.last_error END,
    skip_code = CASE WHEN o.state = 'SKIPPED' THEN o.detail ELSE r.skip_code END,
    claimed_by = NULL,
    updated_at = ?
FROM unnest(?::bigint[], ?::varchar[], ?::varchar[]) AS o(id, state, detail)
WHERE r.id = o.id AND (r.state = 'CLAIMED') IS TRUE AND o.state IN ('SENT', 'SKIPPED')
RETURNING r.id
