SELECT instance_id FROM sluice_instance WHERE heartbeat_at >= ?
