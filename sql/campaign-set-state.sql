-- start / pause: the claim reads campaign.state on every chunk, so a pause stops the next claim.
UPDATE campaign SET state = ?, updated_at = ? WHERE id = ?
