-- Guarded: the ramp never writes sendLimit while halted or while a person has taken over.
UPDATE send_control SET ramp_step = ?, ramp_step_started_at = ?, send_limit = ?, ramp_overridden = FALSE, updated_at = ?
WHERE id = 1 AND halted = FALSE
