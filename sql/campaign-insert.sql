-- A new campaign starts as DRAFT (the caller passes the state): nothing is sent before POST /start.
INSERT INTO campaign (name, from_address, subject, text_template, html_template, message_stream, state, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
