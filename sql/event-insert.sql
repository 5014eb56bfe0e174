-- One entry of the event history (append-only).
INSERT INTO sluice_event (event_at, kind, actor, campaign_id, reason, detail) VALUES (?, ?, ?, ?, ?, ?)
