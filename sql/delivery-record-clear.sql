-- The idempotent repository's clear(): every delivery record of this processor (tests and tools only).
DELETE FROM delivery_record WHERE processor_name = ?
