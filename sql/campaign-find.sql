-- One campaign by id: the composer renders its templates and the API answers 404 when it is missing.
SELECT id, name, from_address, subject, text_template, html_template, message_stream, state, updated_at
FROM campaign WHERE id = ?
