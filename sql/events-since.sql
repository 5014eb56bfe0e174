-- The event history from a point in time, newest first, at most the caller's limit (GET /api/events).
SELECT id, event_at, kind, actor, campaign_id, reason, detail FROM sluice_event
WHERE event_at >= ?
ORDER BY event_at DESC, id DESC
LIMIT ?
