SELECT COUNT(*) FROM send_control WHERE id = 1
