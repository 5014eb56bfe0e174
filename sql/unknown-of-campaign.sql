-- Every UNKNOWN recipient of a campaign, with the change time the guarded UPDATEs compare (an operator's decision
-- about "all"). UNKNOWN rows are few: one per crash-hit or reply-less send.
SELECT id, campaign_id, updated_at FROM recipient WHERE state = 'UNKNOWN' AND campaign_id = ? ORDER BY state, id
