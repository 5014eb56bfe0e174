SELECT COUNT(*) FROM delivery_record WHERE processor_name = ? AND message_id = ?
