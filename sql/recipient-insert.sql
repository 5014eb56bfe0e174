-- Imported rows start PENDING with no attempt; the claim picks them up once their address is validated.
INSERT INTO recipient (campaign_id, email, email_key, fields, state, attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)
