DELETE FROM delivery_record WHERE processor_name = ?
