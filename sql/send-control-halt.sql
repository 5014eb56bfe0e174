-- A halt sets sendLimit to 0 in the same row the tick reads, so no tick opens until a person resumes.
UPDATE send_control SET halted = TRUE, send_limit = 0, halt_reason = ?, halted_at = ?, updated_at = ? WHERE id = 1
