-- Claims in flight, per claim and campaign: recovery decides per claim (its owner alive or not, its age: see
-- recipient-claims-find) and moves the counters per campaign by the exact number of rows each guarded UPDATE changed.
SELECT claim_id, campaign_id FROM recipient WHERE state = 'CLAIMED' GROUP BY claim_id, campaign_id
