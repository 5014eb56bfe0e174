-- Renewed every sluice.cluster.heartbeat-interval-ms: an instance silent past the timeout counts as dead
-- and its claims are recovered.
UPDATE sluice_instance SET heartbeat_at = ? WHERE instance_id = ?
