-- The ramp's state lives in the database so every instance and a restart continue the same step.
SELECT ramp_step, ramp_step_started_at, ramp_overridden, halted, send_limit FROM send_control WHERE id = 1
