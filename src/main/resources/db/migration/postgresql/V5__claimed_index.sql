-- Every state change of a recipient is a new tuple with an entry in every index of the table (state is indexed, so
-- no update is HOT). (state, id) served two walks: the claim's over PENDING rows, which recipient_pending_id does,
-- and recovery's over CLAIMED rows, which this partial index does while holding only the rows in flight. Marking a
-- row SENT or SKIPPED now writes two index entries (primary key, campaign + address) instead of three.
CREATE INDEX recipient_claimed ON recipient (claimed_by) WHERE state = 'CLAIMED';
DROP INDEX recipient_state_id;
