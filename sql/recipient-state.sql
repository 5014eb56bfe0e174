-- One recipient's campaign and state: the send journal's restore moves a row whose delivery record the database lost.
SELECT campaign_id, state FROM recipient WHERE id = ?
