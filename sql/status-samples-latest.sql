-- GET /api/status/history without since: the newest samples, newest first (the caller turns them oldest first).
SELECT sampled_at, send_limit, halted, ramp_step, ramp_overridden, guard_state, bounce_rate, complaint_rate,
       sent, skipped, failed, unknown_count
FROM status_sample
ORDER BY sampled_at DESC
LIMIT ?
