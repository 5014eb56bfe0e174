-- One sample of the progress page's history (StatusHistory.sample).
INSERT INTO status_sample (sampled_at, send_limit, halted, ramp_step, ramp_overridden, guard_state, bounce_rate,
                           complaint_rate, sent, skipped, failed, unknown_count)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
