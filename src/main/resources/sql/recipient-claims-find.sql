-- The claims recovery looks at: whose they are and when they were made.
SELECT id, claimed_by, claimed_at FROM recipient_claim WHERE id IN (:ids)
