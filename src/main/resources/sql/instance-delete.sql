DELETE FROM sluice_instance WHERE instance_id = ?
