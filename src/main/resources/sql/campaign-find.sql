SELECT id, name, from_address, subject, text_template, html_template, message_stream, state, updated_at
FROM campaign WHERE id = ?
