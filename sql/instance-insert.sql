-- This process's heartbeat row, written at start (its claims are recovered once it stops beating).
INSERT INTO sluice_instance (instance_id, started_at, heartbeat_at) VALUES (?, ?, ?)
