-- A batch of outcomes in one statement: the rows recipient-outcomes-lock found still CLAIMED (and locked) become SENT
-- (keeping the server's reply) or SKIPPED (keeping the skip code). Connector/J sends a JDBC batch of single-row
-- UPDATEs as one statement each (its bulk mode answers no per-row counts, which the counters need); this joins the
-- batch as a table instead (at 7M rows, 8,000 outcomes in 15 lanes of 50: 1.4-2.1 times faster, bench/README.md).
-- STRAIGHT_JOIN reads the batch first and each row by primary key: on a small table the optimizer may otherwise walk
-- every CLAIMED row, waiting on (and deadlocking with) the rows other lanes hold in their own outcome transactions.
-- Parameters: :now, and :batch, a JSON array of {"id", "state" ('SENT' or 'SKIPPED'), "detail"}.
UPDATE JSON_TABLE(:batch, '$[*]' COLUMNS (id BIGINT PATH '$.id', state VARCHAR(16) PATH '$.state',
                                      detail VARCHAR(500) PATH '$.detail')) o
STRAIGHT_JOIN recipient r ON r.id = o.id
SET r.state = o.state,
    r.smtp_reply = CASE WHEN o.state = 'SENT' THEN o.detail ELSE r.smtp_reply END,
    r.last_error = CASE WHEN o.state = 'SENT' THEN NULL ELSE r.last_error END,
    r.skip_code = CASE WHEN o.state = 'SKIPPED' THEN o.detail ELSE r.skip_code END,
    r.claimed_by = NULL,
    r.updated_at = :now
WHERE r.state = 'CLAIMED' AND o.state IN ('SENT', 'SKIPPED')
