-- The send journal says this row was handed to delivery, but the database lost its delivery record in a crash: it may
-- have left, so UNKNOWN (settled against the provider or by a person), never sent again on its own. Guarded by the
-- state read just before, so the counters move from the right state.
UPDATE recipient SET state = 'UNKNOWN', last_error = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?
WHERE id = ? AND state = ?
