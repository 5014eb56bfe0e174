-- One more soft bounce for an address already counted (the insert is tried when this changes no row).
UPDATE soft_bounce SET bounces = bounces + 1, last_at = ? WHERE email = ?
