-- Instances whose heartbeat is fresh: recovery takes back the claims of any other owner.
SELECT instance_id FROM sluice_instance WHERE heartbeat_at >= ?
