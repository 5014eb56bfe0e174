UPDATE send_control SET halted = FALSE, halt_reason = NULL, halted_at = NULL, send_limit = ?, updated_at = ? WHERE id = 1
