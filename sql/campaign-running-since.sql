-- A campaign's updated_at is set when it is started; the earliest running one opens the guard's window.
SELECT MIN(updated_at) FROM campaign WHERE state = 'RUNNING'
