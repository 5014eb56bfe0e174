-- The idempotent consumer's contains(): one probe of the (processor, key) primary key.
SELECT COUNT(*) FROM delivery_record WHERE processor_name = ? AND message_id = ?
