-- Step recipients-claimed-among of route recipients-claim (camel-sql named parameters; RecipientStore.claim runs it too).
-- Which of a claim UPDATE's ids it really took (only asked when its count falls short: a row another claim took first,
-- on H2, which claims without row locks). By primary key, so the cost is the chunk's, not the number of rows in flight.
SELECT id FROM recipient WHERE id IN (:#in:ids) AND claimed_by = :#token AND state = 'CLAIMED'
