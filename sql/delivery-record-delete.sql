-- A delivery record is dropped when nothing was delivered (transient failure, breaker release, settled as
-- not sent): else the idempotent consumer would skip the recipient's next attempt.
DELETE FROM delivery_record WHERE processor_name = ? AND message_id = ?
