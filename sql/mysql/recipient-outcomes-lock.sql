-- The batch's rows still CLAIMED, locked until the outcome transaction ends: recipient-mark-outcomes then moves exactly
-- these (a row recovered by someone else meanwhile is not among them and is not counted).
-- By primary key only: a SELECT ... FOR UPDATE that scanned (a small table, say) would wait on every row another lane
-- holds, and two lanes doing that deadlock.
SELECT id FROM recipient FORCE INDEX (PRIMARY) WHERE id IN (:ids) AND state = 'CLAIMED' FOR UPDATE
