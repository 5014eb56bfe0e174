UPDATE sluice_instance SET heartbeat_at = ? WHERE instance_id = ?
