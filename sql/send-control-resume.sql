-- A person lifts a halt: sendLimit back (the ramp's first step by default) and the reason cleared.
UPDATE send_control SET halted = FALSE, halt_reason = NULL, halted_at = NULL, send_limit = ?, ramp_overridden = ?, updated_at = ? WHERE id = 1
