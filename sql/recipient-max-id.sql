-- The end of the id range the validation selection walks (read from the primary key index).
SELECT COALESCE(MAX(id), 0) FROM recipient
