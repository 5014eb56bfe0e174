-- The address of one recipient of one campaign (the unsubscribe link names both, so one cannot name
-- another campaign's row).
SELECT email FROM recipient WHERE id = ? AND campaign_id = ?
