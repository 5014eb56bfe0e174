-- GET /api/status/history?since=: samples from a point in time, oldest first, one more than the caller's limit (to
-- say whether there are more).
SELECT sampled_at, send_limit, halted, ramp_step, ramp_overridden, guard_state, bounce_rate, complaint_rate,
       sent, skipped, failed, unknown_count
FROM status_sample
WHERE sampled_at >= ?
ORDER BY sampled_at
LIMIT ?
