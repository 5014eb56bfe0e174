-- At-most-once: a stale claim with a delivery record may or may not have left; nobody can tell, so a person decides.
UPDATE recipient SET state = 'UNKNOWN', last_error = 'claim expired after the delivery record was written: may or may not have been sent',
       claimed_by = NULL, updated_at = ?
WHERE state = 'CLAIMED' AND claimed_by = ? AND campaign_id = ? AND claimed_at < ?
  AND EXISTS (SELECT 1 FROM delivery_record d WHERE d.processor_name = ? AND d.message_id = CONCAT(recipient.campaign_id, ':', recipient.id))
