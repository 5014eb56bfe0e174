-- Rows of processes long gone (a day without a heartbeat) are only history.
DELETE FROM sluice_instance WHERE heartbeat_at < ?
