-- Every campaign, for the status and the progress page; a handful of rows, so no paging.
SELECT id, name, from_address, subject, text_template, html_template, message_stream, state, updated_at
FROM campaign ORDER BY id
