UPDATE send_control SET halted = FALSE, halt_reason = NULL, halted_at = NULL, send_limit = ?, ramp_overridden = ?, updated_at = ? WHERE id = 1
