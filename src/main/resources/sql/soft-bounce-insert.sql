INSERT INTO soft_bounce (email, bounces, last_at) VALUES (?, 1, ?)
