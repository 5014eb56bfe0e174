UPDATE send_control SET halted = TRUE, send_limit = 0, halt_reason = ?, halted_at = ?, updated_at = ? WHERE id = 1
