-- The single send-control row (id 1): the live sendLimit every instance reads at each tick.
INSERT INTO send_control (id, send_limit, halted, updated_at) VALUES (1, ?, FALSE, ?)
