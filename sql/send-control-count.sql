-- Whether the one send-control row exists yet (created at first start with the initial sendLimit).
SELECT COUNT(*) FROM send_control WHERE id = 1
