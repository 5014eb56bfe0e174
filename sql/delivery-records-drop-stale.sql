-- At-least-once: a stale claim's record is dropped so the row is sent again (a duplicate is the accepted risk).
DELETE FROM delivery_record WHERE processor_name = ?
  AND message_id IN (SELECT CONCAT(r.campaign_id, ':', r.id) FROM recipient r
                     WHERE r.state = 'CLAIMED' AND r.claimed_by = ? AND r.campaign_id = ? AND r.claimed_at < ?)
