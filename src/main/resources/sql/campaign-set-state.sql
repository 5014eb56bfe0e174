UPDATE campaign SET state = ?, updated_at = ? WHERE id = ?
