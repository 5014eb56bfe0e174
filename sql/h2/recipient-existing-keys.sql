-- Duplicates are found per batch through the (campaign_id, email_key) unique index, so an import never holds
-- the whole audience in memory to compare against. H2 uses an IN list on the index's second column only as a filter
-- over every row of the campaign (2.3 s per 1,000-key batch at 300,000 rows, and growing: a large import slowed to a
-- crawl); joined from a table of the keys, each key is one index probe (7 ms per batch).
SELECT r.email_key FROM TABLE(k VARCHAR(320) = (:keys)) t
JOIN recipient r ON r.campaign_id = :campaignId AND r.email_key = t.k
