-- Claims in flight, per claim token and campaign: recovery decides per owner (alive or not) and moves the counters
-- per campaign by the exact number of rows each guarded UPDATE changed.
SELECT claimed_by, campaign_id, MIN(claimed_at) AS oldest FROM recipient WHERE state = 'CLAIMED' GROUP BY claimed_by, campaign_id
