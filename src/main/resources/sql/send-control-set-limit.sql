UPDATE send_control SET send_limit = ?, updated_at = ? WHERE id = 1
