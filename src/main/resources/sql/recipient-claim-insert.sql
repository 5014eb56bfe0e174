-- One row per claim: its token (whose process took the rows) and when. The claimed rows name it by claim_id.
INSERT INTO recipient_claim (claimed_by, claimed_at) VALUES (?, ?)
