SELECT email FROM recipient WHERE id = ? AND campaign_id = ?
