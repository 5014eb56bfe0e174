INSERT INTO delivery_record (processor_name, message_id, created_at) VALUES (?, ?, ?)
