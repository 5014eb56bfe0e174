INSERT INTO sluice_instance (instance_id, started_at, heartbeat_at) VALUES (?, ?, ?)
