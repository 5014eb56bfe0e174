-- A clean stop removes its heartbeat row, so the others recover its claims at once instead of waiting.
DELETE FROM sluice_instance WHERE instance_id = ?
