-- Every state change of a recipient is a new tuple with an entry in every index of the table (state is indexed, so
-- no update is HOT). (state, id) served two things: the claim's walk over PENDING rows, which recipient_pending_id
-- does, and the rows in flight: recovery's walk over CLAIMED rows and the guarded single-row UPDATEs ("id = ? AND
-- state = 'CLAIMED'"), which this partial index does while holding only those rows. Marking a row SENT or SKIPPED now
-- writes two index entries (primary key, campaign + address) instead of three. Keyed by id: keyed by claimed_by,
-- the planner took it for "id = ? AND state = 'CLAIMED'" and walked every claimed row once per statement.
CREATE INDEX recipient_claimed ON recipient (id) WHERE state = 'CLAIMED';
DROP INDEX recipient_state_id;
