-- Written before the send (at-most-once): its primary key is what stops a second send across threads and
-- instances (a duplicate key = already handed off).
INSERT INTO delivery_record (processor_name, message_id, created_at) VALUES (?, ?, ?)
