SELECT id FROM recipient WHERE state = 'CLAIMED' AND claimed_by = ?
