-- A person's sendLimit takes over from the ramp until POST /api/ramp/resume.
UPDATE send_control SET send_limit = ?, ramp_overridden = TRUE, updated_at = ? WHERE id = 1
