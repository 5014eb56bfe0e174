-- Duplicates are found per batch through the (campaign_id, email_key) unique index, so an import never holds
-- the whole audience in memory to compare against.
SELECT email_key FROM recipient WHERE campaign_id = :campaignId AND email_key IN (:keys)
