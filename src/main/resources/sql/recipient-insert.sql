INSERT INTO recipient (campaign_id, email, email_key, fields, state, attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)
