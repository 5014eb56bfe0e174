-- The listed recipients of a campaign that are UNKNOWN now (an operator's decision about some), with their change time.
SELECT id, campaign_id, updated_at FROM recipient WHERE state = 'UNKNOWN' AND campaign_id = :campaign AND id IN (:ids)
