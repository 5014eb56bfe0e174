UPDATE recipient SET state = 'SKIPPED', skip_code = ?, updated_at = ?
WHERE id = ? AND state = 'CLAIMED'
