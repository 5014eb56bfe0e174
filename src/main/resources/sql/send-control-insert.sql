INSERT INTO send_control (id, send_limit, halted, updated_at) VALUES (1, ?, FALSE, ?)
