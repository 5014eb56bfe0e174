-- The first soft bounce of an address.
INSERT INTO soft_bounce (email, bounces, last_at) VALUES (?, 1, ?)
